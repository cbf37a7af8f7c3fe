"""The bell: its badge counts up live when someone likes my post, and the centre clears it."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PostFactory, UserFactory, befriend

pytestmark = pytest.mark.e2e


def socket_open(page):
    expect(page.locator("body")).to_have_attribute("data-socket", "open")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_badge_counts_a_like_live_and_mark_all_read_clears_it(login_page, live, width):
    """Alice keeps her feed open; Bob likes her post and her bell shows 1 without a reload.
    In the centre she reads why it came and marks all read; the badge disappears."""
    alice = UserFactory(first_name="Alice", last_name="Green", username="alice")
    bob = UserFactory(first_name="Bob", last_name="Stone", username="bob")
    befriend(alice, bob)
    post = PostFactory(author=alice, text="First snow on the hills")
    page_a = login_page(alice, viewport={"width": width, "height": 800})
    page_b = login_page(bob)

    page_a.goto(live.url + "/")
    socket_open(page_a)
    badge = page_a.locator("#topbar-badge-notifications")
    expect(badge).to_be_hidden()

    page_b.goto(f"{live.url}/posts/{post.pk}/")
    page_b.get_by_role("button", name=re.compile("Like")).click()

    expect(badge).to_have_text("1")
    expect(badge).to_be_visible()

    page_a.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page_a).to_have_url(re.compile(r"/notifications/$"))
    item = page_a.locator(".notification", has_text="Bob Stone liked your post")
    expect(item).to_be_visible()
    expect(item.get_by_text("First snow on the hills")).to_be_visible()
    socket_open(page_a)  # htmx is ready too

    page_a.get_by_role("button", name="Mark all read").click()
    expect(page_a.locator(".notification-unread")).to_have_count(0)
    expect(page_a.get_by_role("button", name="Mark all read")).to_have_count(0)
    expect(badge).to_be_hidden()
    # Nothing on the page is wider than the screen.
    assert page_a.evaluate("document.documentElement.scrollWidth") <= width
