"""Every destructive button of the server-rendered pages carries its confirmation question
(static/js/confirm.js asks it in a <dialog> before the form is sent)."""

import re

import pytest
from django.test import Client

from tests.factories import (
    CommentFactory,
    GroupFactory,
    PostFactory,
    ReplyFactory,
    TopicFactory,
    UserFactory,
    befriend,
)

pytestmark = pytest.mark.django_db


def confirm_of(html: str, label: str) -> str | None:
    """The data-confirm text of the button labelled `label`, or None if it has none."""
    for attrs, text in re.findall(r"<button([^>]*)>\s*([^<]*?)\s*</button>", html):
        if text == label:
            found = re.search(r'data-confirm="([^"]*)"', attrs)
            return found.group(1) if found else None
    raise AssertionError(f"no button {label!r}")


def page(user, url: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_post_comment_topic_and_reply_deletes_ask_first():
    author = UserFactory()
    post = PostFactory(author=author)
    CommentFactory(post=post, author=author)
    topic = TopicFactory(author=author)
    ReplyFactory(topic=topic, author=author)
    html = page(author, f"/posts/{post.pk}/")
    assert confirm_of(html, "Delete post") == "Delete this post? It cannot be undone."
    assert confirm_of(html, "Delete") == "Delete this comment?"
    html = page(author, f"/board/{topic.pk}/")
    assert confirm_of(html, "Delete topic") == "Delete this topic with all its replies?"
    assert confirm_of(html, "Delete") == "Delete this reply?"


def test_block_and_remove_friend_ask_first_but_messaging_does_not():
    anna, boris = UserFactory(), UserFactory(first_name="Boris", last_name="Ivanov")
    befriend(anna, boris)
    html = page(anna, f"/u/{boris.username}/")
    assert confirm_of(html, "Block") == (
        "Block Boris Ivanov? You will no longer see each other anywhere on the site."
    )
    assert confirm_of(html, "Remove from friends") == "Remove Boris Ivanov from your friends?"
    assert confirm_of(html, "Message") is None


def test_group_remove_leave_and_delete_ask_first():
    owner, member = UserFactory(), UserFactory(first_name="Mia", last_name="Lund")
    group = GroupFactory(created_by=owner, members=[member], title="Book club")
    html = page(owner, f"/chats/{group.pk}/settings/")
    assert confirm_of(html, "Remove") == "Remove Mia Lund from the group?"
    assert confirm_of(html, "Leave group").startswith("Leave “Book club”?")
    assert confirm_of(html, "Delete group for everyone").startswith(
        "Delete “Book club” for all its members?"
    )


def test_delete_for_everyone_in_a_chat_asks_first():
    owner = UserFactory()
    group = GroupFactory(created_by=owner)
    html = page(owner, f"/chats/{group.pk}/")
    assert "data-confirm-each=\"[data-action='delete-all']\"" in html
    assert 'data-confirm-text="Delete this message for everyone?' in html


def test_questions_are_translated():
    """The questions ship in Russian too."""
    owner, member = UserFactory(), UserFactory(first_name="Mia", last_name="Lund")
    group = GroupFactory(created_by=owner, members=[member], title="Book club")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(owner)
    html = client.get(f"/chats/{group.pk}/settings/").content.decode()
    assert "Mia Lund: исключить из группы?" in html
    assert "Удалить «Book club» для всех участников?" in html
    assert "Подтвердить" in html
