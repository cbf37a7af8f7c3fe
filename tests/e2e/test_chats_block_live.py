"""A block takes effect on open pages at once: the dialog leaves both chat lists and an open
dialog page of either person closes its composer with a notice, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.e2e

NOTICE = "This dialog is no longer available: one of you blocked the other."


def test_block_closes_the_dialog_live_for_both(login_page, live):
    """Boris blocks Anna from her profile while both have their chat list and their dialog
    open: the row goes from both lists, both dialog pages show the notice and no composer."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Orlov", username="boris")
    dialog = DialogFactory(user=anna, other=boris)
    MessageFactory(sender=anna, chat=dialog, text="hello before the block")
    dialog_a, dialog_b = login_page(anna), login_page(boris)
    list_a, list_b = dialog_a.context.new_page(), dialog_b.context.new_page()
    for page in (dialog_a, dialog_b):
        page.goto(f"{live.url}/chats/{dialog.pk}/")
        expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
        expect(page.locator("body")).to_have_attribute("data-socket", "open")
        expect(page.locator("#composer")).to_be_visible()
    for page in (list_a, list_b):
        page.goto(f"{live.url}/chats/")
        expect(page.locator("body")).to_have_attribute("data-socket", "open")
        expect(page.locator(f'.chat-row[data-chat-id="{dialog.pk}"]')).to_be_visible()

    profile_b = dialog_b.context.new_page()
    profile_b.goto(f"{live.url}/u/anna/")
    profile_b.get_by_role("button", name="Block").click()
    profile_b.locator("#confirm-dialog [data-confirm-yes]").click()
    expect(profile_b.get_by_role("button", name="Unblock")).to_be_visible()

    for page in (list_a, list_b):
        expect(page.locator(f'.chat-row[data-chat-id="{dialog.pk}"]')).to_have_count(0)
    for page in (dialog_a, dialog_b):
        expect(page.locator("#chat-notice")).to_have_text(NOTICE)
        expect(page.locator("#composer")).to_be_hidden()
        # Still the same page: the history already shown stays, nothing was reloaded.
        expect(page.locator("#messages")).to_contain_text("hello before the block")
