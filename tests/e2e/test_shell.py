"""The page shell in a real browser: navigation, socket, language, phone layout."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_signed_in_page_opens_the_socket_and_shows_navigation(login_page, live):
    """A signed-in page shows the main navigation and its realtime socket connects."""
    user = UserFactory(first_name="Ada", last_name="King")
    page = login_page(user)
    page.goto(live.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Feed", "Friends", "Chats", "Board", "Profile"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-socket", "open")
    expect(page.get_by_role("group").get_by_text("Ada King")).to_be_visible()


def test_anonymous_visitor_is_sent_to_login(page, live):
    """An anonymous visitor asking for the feed lands on the login form."""
    page.goto(live.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Sign In", exact=True)).to_be_visible()


def test_language_switch_to_russian(login_page, live):
    """Choosing Русский in the footer renders the navigation in Russian."""
    page = login_page(UserFactory())
    page.goto(live.url + "/")
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("navigation", name="Главное")).to_be_visible()
    expect(page.get_by_role("link", name="Друзья")).to_be_visible()


def test_phone_layout_moves_navigation_to_the_bottom(login_page, live):
    """On a 390 px wide screen the navigation is a bar along the bottom edge."""
    page = login_page(UserFactory(), viewport={"width": 390, "height": 844})
    page.goto(live.url + "/")
    box = page.get_by_role("navigation", name="Main").bounding_box()
    assert box["y"] + box["height"] >= 844 - 2
    assert box["width"] >= 380
