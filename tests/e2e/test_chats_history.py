"""Reading back in a long chat: scrolling up loads older pages in order, without jumps."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import GroupFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_scrolling_up_loads_older_messages(login_page, live):
    """The newest 50 show first; scrolling to the top brings the older ones, oldest first."""
    anna, boris = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=anna, members=[boris])
    for number in range(1, 121):
        MessageFactory(sender=boris if number % 2 else anna, chat=chat, text=f"message {number}")
    page = login_page(anna)
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    messages = page.locator("#messages li.msg")
    expect(messages).to_have_count(50)
    expect(messages.last).to_contain_text("message 120")
    expect(messages.last).to_be_in_viewport()

    page.locator("#chat-log").evaluate("log => log.scrollTo(0, 0)")
    expect(messages).to_have_count(100)
    page.locator("#chat-log").evaluate("log => log.scrollTo(0, 0)")
    expect(messages).to_have_count(120)
    expect(messages.first).to_contain_text("message 1")
    expect(page.get_by_role("button", name="Load older messages")).to_be_hidden()
    seqs = [int(s) for s in messages.evaluate_all("items => items.map(li => li.dataset.seq)")]
    assert seqs == list(range(1, 121))
