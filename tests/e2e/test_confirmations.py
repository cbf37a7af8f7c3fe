"""Destructive actions ask first, in an accessible <dialog> (labelled buttons, keyboard, focus
back on the button), do nothing when cancelled and act when confirmed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chats.models import Chat, Message
from social.models import Post
from social.selectors import are_friends
from tests.e2e.media import wait_ready
from tests.factories import DialogFactory, GroupFactory, PostFactory, UserFactory, befriend

pytestmark = pytest.mark.e2e


def confirm_dialog(page):
    return page.get_by_role("dialog")


def test_delete_post_cancel_with_keyboard_then_confirm(login_page, live):
    """Escape cancels (the post stays, focus returns to the button); Delete deletes."""
    author = UserFactory(first_name="Anna")
    post = PostFactory(author=author, text="A post to keep or not")
    page = login_page(author, viewport={"width": 390, "height": 844})
    page.goto(f"{live.url}/posts/{post.pk}/")
    page.get_by_label("Post actions").click()
    delete = page.get_by_role("button", name="Delete post")
    delete.click()

    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Delete this post?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(delete).to_be_focused()
    assert Post.objects.filter(pk=post.pk).exists()

    delete.click()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert Post.objects.filter(pk=post.pk).exists()

    delete.press("Enter")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Delete post").click()
    expect(page.get_by_text("A post to keep or not")).to_have_count(0)
    assert not Post.objects.filter(pk=post.pk).exists()


def test_delete_message_for_everyone_asks_first(login_page, live):
    """In a dialog between two browsers: cancel keeps the message for both; confirm removes it
    for the other person too."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Ivanov")
    chat = DialogFactory(user=anna, other=boris)
    a = login_page(anna)
    b = login_page(boris, viewport={"width": 390, "height": 844})
    for page in (a, b):
        page.goto(f"{live.url}/chats/{chat.pk}/")
        wait_ready(page)
    a.locator("#composer-text").fill("Sent by mistake")
    a.locator("#composer-text").press("Enter")
    expect(b.locator("li.msg").filter(has_text="Sent by mistake")).to_be_visible()
    message = Message.objects.get(chat=chat, text="Sent by mistake")

    mine = a.locator("li.msg").filter(has_text="Sent by mistake")
    mine.get_by_label("Message actions").click()
    mine.get_by_role("button", name="Delete for everyone").click()
    dialog = confirm_dialog(a)
    expect(dialog).to_contain_text("Delete this message for everyone?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    message.refresh_from_db()
    assert message.deleted_at is None
    expect(b.locator("li.msg").filter(has_text="Sent by mistake")).to_be_visible()

    # The menu is still open, with the focus back on its button.
    expect(mine.get_by_role("button", name="Delete for everyone")).to_be_focused()
    mine.get_by_role("button", name="Delete for everyone").click()
    dialog.get_by_role("button", name="Delete for everyone").click()
    expect(b.locator("li.msg").filter(has_text="Sent by mistake")).to_have_count(0)
    message.refresh_from_db()
    assert message.deleted_at is not None


def test_remove_friend_and_delete_group_ask_first(login_page, live):
    """htmx and plain forms alike: Remove from friends and Delete group for everyone."""
    anna = UserFactory(first_name="Anna", username="anna")
    boris = UserFactory(first_name="Boris", username="boris")
    befriend(anna, boris)
    group = GroupFactory(created_by=anna, members=[boris], title="Book club")
    page = login_page(anna)

    page.goto(f"{live.url}/u/boris/")
    remove = page.get_by_role("button", name="Remove from friends")
    remove.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_contain_text("Remove Boris")
    dialog.get_by_role("button", name="Cancel").click()
    assert are_friends(anna.pk, boris.pk)
    remove.click()
    dialog.get_by_role("button", name="Remove from friends").click()
    expect(page.get_by_role("button", name="Add friend")).to_be_visible()
    assert not are_friends(anna.pk, boris.pk)

    page.goto(f"{live.url}/chats/{group.pk}/settings/")
    page.get_by_role("button", name="Delete group for everyone").click()
    expect(dialog).to_contain_text("Delete “Book club” for all its members?")
    dialog.get_by_role("button", name="Cancel").click()
    assert Chat.objects.filter(pk=group.pk).exists()
    page.get_by_role("button", name="Delete group for everyone").click()
    dialog.get_by_role("button", name="Delete group for everyone").click()
    expect(page).not_to_have_url(f"{live.url}/chats/{group.pk}/settings/")
    assert not Chat.objects.filter(pk=group.pk).exists()
