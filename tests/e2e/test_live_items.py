"""Things people expect to change in front of them: a friend's new post, a group's first photo,
an ended friendship."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.e2e


def png(color: str) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), color).save(out, "PNG")
    return {"name": f"{color}.png", "mimeType": "image/png", "buffer": out.getvalue()}


def socket_open(page):
    expect(page.locator("body")).to_have_attribute("data-socket", "open")


def test_a_friends_new_post_shows_a_new_posts_pill_on_the_feed(login_page, live):
    """Boris reads his feed; Anna, his friend, publishes: a "New posts" pill appears at the top
    of Boris's feed without a reload, and following it shows the post. A stranger's feed stays
    as it was."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Orlov")
    stranger = UserFactory()
    befriend(anna, boris)
    page_a, page_b, page_s = login_page(anna), login_page(boris), login_page(stranger)
    for page in (page_b, page_s):
        page.goto(live.url + "/")
        socket_open(page)
        expect(page.locator("#new-posts")).to_be_hidden()

    page_a.goto(live.url + "/")
    page_a.get_by_label("What's new?").fill("Fresh from the mountains")
    page_a.get_by_role("button", name="Publish").click()
    expect(page_a.locator("article.post", has_text="Fresh from the mountains")).to_be_visible()
    expect(page_a.locator("#new-posts")).to_be_hidden()

    pill = page_b.locator("#new-posts")
    expect(pill).to_be_visible()
    expect(pill).to_have_text("New posts")
    expect(page_b.locator("article.post", has_text="Fresh from the mountains")).to_have_count(0)
    pill.click()
    expect(page_b.locator("article.post", has_text="Fresh from the mountains")).to_be_visible()
    expect(page_b.locator("#new-posts")).to_be_hidden()
    expect(page_s.locator("#new-posts")).to_be_hidden()


def test_a_groups_first_photo_appears_live_in_the_open_chat(login_page, live):
    """The owner gives a group without a photo its first one: Boris, with the chat open, sees
    the picture replace the initial in the header without a reload."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Orlov")
    group = GroupFactory(created_by=anna, title="Hikers", members=[boris])
    page_a, page_b = login_page(anna), login_page(boris)
    page_b.goto(f"{live.url}/chats/{group.pk}/")
    expect(page_b.locator("body")).to_have_attribute("data-chat-ready", "1")
    socket_open(page_b)
    expect(page_b.locator("#chat-avatar")).to_have_count(0)
    expect(page_b.locator(".chat-header-avatar .avatar-initials")).to_have_text("H")

    page_a.goto(f"{live.url}/chats/{group.pk}/settings/")
    page_a.locator("input[name=avatar]").set_input_files(png("teal"))
    page_a.get_by_role("button", name="Upload photo").click()
    expect(page_a.get_by_role("button", name="Remove photo")).to_be_visible()

    avatar = page_b.locator(".chat-header-avatar img#chat-avatar")
    expect(avatar).to_be_visible()
    expect(avatar).to_have_attribute("src", re.compile(r"."))
    expect(page_b.locator(".chat-header-avatar .avatar-initials")).to_have_count(0)


def test_removing_a_friend_removes_them_from_the_others_friends_list_live(login_page, live):
    """Anna removes Boris from her friends; Boris's open friends list loses Anna's row and its
    count drops, without a reload (and Anna's own list loses Boris)."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Orlov", username="boris")
    carl = UserFactory(first_name="Carl", last_name="Berg")
    befriend(anna, boris)
    befriend(boris, carl)
    page_a, page_b = login_page(anna), login_page(boris)
    page_b.goto(f"{live.url}/friends/")
    socket_open(page_b)
    rows = page_b.locator("[data-live-friends] .person-row")
    expect(rows).to_have_count(2)
    count = page_b.locator('[data-count="friends"]').first
    expect(count).to_have_text("2")

    page_a.goto(f"{live.url}/friends/")
    socket_open(page_a)
    row = page_a.locator(".person-row", has_text="Boris Orlov")
    row.get_by_role("button", name="Remove from friends").click()
    page_a.locator("#confirm-dialog [data-confirm-yes]").click()
    expect(row).to_have_count(0)  # Anna's own list drops him too

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Carl Berg")
    expect(count).to_have_text("1")
