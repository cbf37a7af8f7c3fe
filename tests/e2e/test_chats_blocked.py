"""Blocking removes the dialog for both people, and unblocking brings it back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chats.models import Message
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_a_blocked_dialog_disappears_from_both_lists_and_its_history_is_refused(login_page, live):
    """Boris blocks Anna from her profile: their dialog leaves both chat lists, its page and
    its history are 404 for both, Anna's already open dialog closes its composer at once; after
    the unblock both see it again with its history."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Orlov", username="boris")
    dialog = DialogFactory(user=anna, other=boris)
    MessageFactory(sender=anna, chat=dialog, text="secret before the block")
    page_a, page_b = login_page(anna), login_page(boris)

    page_a.goto(f"{live.url}/chats/{dialog.pk}/")
    expect(page_a.locator("body")).to_have_attribute("data-chat-ready", "1")
    page_b.goto(f"{live.url}/chats/")
    expect(page_b.locator(f'.chat-row[data-chat-id="{dialog.pk}"]')).to_be_visible()

    page_b.goto(f"{live.url}/u/anna/")
    page_b.get_by_role("button", name="Block").click()
    page_b.locator("#confirm-dialog [data-confirm-yes]").click()
    expect(page_b.get_by_role("button", name="Unblock")).to_be_visible()

    # Anna's open dialog closes at once (a send would be refused: tests/chats/test_consumers.py).
    expect(page_a.locator("#composer")).to_be_hidden()
    expect(page_a.locator("#chat-notice")).to_contain_text("no longer available")

    for page in (page_a, page_b):
        page.goto(f"{live.url}/chats/")
        expect(page.locator(".chat-rows-empty")).to_be_visible()
        expect(page.locator(f'.chat-row[data-chat-id="{dialog.pk}"]')).to_have_count(0)
        response = page.goto(f"{live.url}/chats/{dialog.pk}/")
        assert response.status == 404
        assert "secret before the block" not in page.content()
        history = page.request.get(f"{live.url}/api/v1/chats/{dialog.pk}/messages")
        assert history.status == 404

    page_b.goto(f"{live.url}/u/anna/")
    page_b.get_by_role("button", name="Unblock").click()
    expect(page_b.get_by_role("button", name="Block")).to_be_visible()
    for page in (page_a, page_b):
        page.goto(f"{live.url}/chats/")
        expect(page.locator(f'.chat-row[data-chat-id="{dialog.pk}"]')).to_be_visible()
        page.goto(f"{live.url}/chats/{dialog.pk}/")
        messages = page.locator("#messages li.msg:not(.msg-pending)")
        expect(messages).to_have_count(1)
        expect(messages.first).to_contain_text("secret before the block")
    assert list(Message.objects.filter(chat=dialog).values_list("text", flat=True)) == [
        "secret before the block"
    ]
