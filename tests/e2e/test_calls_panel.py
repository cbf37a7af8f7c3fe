"""The call panel: a running timer during the call, and no black panel over the chat after."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.media import dialog_pages

pytestmark = pytest.mark.e2e

UNCOVERED = (
    "(el) => { const r = el.getBoundingClientRect();"
    " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
    " return !!hit && el.contains(hit); }"
)


def test_call_shows_a_timer_and_leaves_the_chat_readable_after(login_page, live):
    """While connected both sides see the call's length counting up; after the hang-up both
    see a short status with Close, the videos are gone and the call record in the chat is not
    covered by the panel."""
    _chat, a, b = dialog_pages(login_page, live)
    a.get_by_role("button", name="Video call").click()
    a.get_by_role("button", name="Call", exact=True).click()
    b.get_by_role("button", name="Accept").click()
    for page in (a, b):
        timer = page.locator("#call-timer")
        expect(timer).to_be_visible()
        expect(timer).to_have_text(re.compile(r"^0:0\d$"))
        expect(timer).to_have_text(re.compile(r"^0:0[1-9]$"))  # it counts

    a.get_by_role("button", name="Hang up").click()
    for page in (a, b):
        expect(page.locator("#call-status")).to_be_visible()
        expect(page.locator("#call-timer")).to_be_hidden()
        expect(page.locator("#call-remote")).to_be_hidden()
        expect(page.get_by_role("button", name="Close")).to_be_visible()
        record = page.locator("li.msg-call").last
        expect(record).to_be_visible()
        record.scroll_into_view_if_needed()
        assert record.evaluate(UNCOVERED), "the ended call's panel covers the chat"
        page.get_by_role("button", name="Close").click()
        expect(page.locator("#call")).to_be_hidden()
