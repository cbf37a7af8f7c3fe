"""Searching posts and the board in a real browser on a 390 px phone, by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from social.models import Audience
from tests.factories import PostFactory, ReplyFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_search_posts_and_board_on_a_phone(login_page, live):
    """Words typed in the search box find a post (tab "Posts") and a board reply (tab
    "Board"), marked, without sideways scrolling, and the results open what was found."""
    post = PostFactory(
        text="Субботник во дворе в СУББОТУ, приходите все", audience=Audience.EVERYONE
    )
    topic = TopicFactory(title="Двор", body="Что делаем с двором")
    reply = ReplyFactory(topic=topic, text="Я приду на субботник с граблями")
    page = login_page(UserFactory(), viewport={"width": 390, "height": 844})
    page.goto(live.url + "/search/")

    box = page.get_by_role("searchbox", name="Search people, posts and the board")
    box.fill("суббот")
    box.press("Enter")
    tabs = page.get_by_role("navigation", name="What to search")
    expect(tabs.get_by_role("link", name="People")).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="Posts").focus()
    page.keyboard.press("Enter")

    results = page.locator(".search-results")
    expect(page.locator("p[role=status]")).to_have_text("1 post found")
    expect(results.locator("mark")).to_have_text(["Суббот", "СУББОТ"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    tabs.get_by_role("link", name="Board").click()
    expect(page.locator("p[role=status]")).to_have_text("1 topic found")
    expect(results.get_by_role("link", name=re.compile("Reply by"))).to_contain_text("субботник")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    results.get_by_role("link", name=re.compile("Reply by")).click()
    expect(page).to_have_url(re.compile(rf"/board/{topic.pk}/\?page=1#reply-{reply.pk}$"))
    expect(page.locator(f"#reply-{reply.pk}")).to_be_visible()

    page.go_back()
    tabs.get_by_role("link", name="Posts").click()
    results.get_by_role("link", name=re.compile("Субботник")).click()
    expect(page).to_have_url(re.compile(rf"/posts/{post.pk}/$"))
