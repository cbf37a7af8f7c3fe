"""Presence in a real browser: a friend's profile turns online and offline live."""

import pytest
from playwright.sync_api import expect

from social.models import Friendship
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_friends_profile_shows_online_and_last_seen_live(login_page, live):
    """When a friend opens the site their profile says "online"; when they leave it says
    when she was last seen, without reloading."""
    viewer = UserFactory()
    friend = UserFactory(gender="f", first_name="Olga", last_name="Friend")
    Friendship.objects.create(user=viewer, friend=friend)
    Friendship.objects.create(user=friend, friend=viewer)

    page = login_page(viewer)
    page.goto(f"{live.url}/u/{friend.username}/")
    expect(page.locator("body")).to_have_attribute("data-socket", "open")
    presence = page.locator("[data-presence-text]")
    expect(presence).to_have_text("")

    friend_page = login_page(friend)
    friend_page.goto(live.url + "/")
    expect(presence).to_have_text("online")

    friend_page.close()
    expect(presence).to_contain_text("She was last seen today at")
