"""The live chat list previews a group's system line in words, as the chat shows it, without
counting it as unread."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import GroupFactory, MessageFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.e2e


def test_a_system_line_becomes_the_groups_live_preview(login_page, live):
    """Boris has his chat list open; Anna makes Carl an admin of their group: Boris's row of the
    group reads "Anna Petrova made an admin: Carl Berg" at once, with no unread badge."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Orlov", username="boris")
    carl = UserFactory(first_name="Carl", last_name="Berg", username="carl")
    befriend(anna, boris, carl)
    group = GroupFactory(created_by=anna, title="Weekend", members=[boris, carl])
    MessageFactory(sender=boris, chat=group, text="my own hello")
    page_a, page_b = login_page(anna), login_page(boris)

    page_b.goto(f"{live.url}/chats/")
    expect(page_b.locator("body")).to_have_attribute("data-socket", "open")
    row = page_b.locator(f'.chat-row[data-chat-id="{group.pk}"]')
    preview = row.locator(".chat-row-preview")
    expect(preview).to_contain_text("my own hello")

    page_a.goto(f"{live.url}/chats/{group.pk}/settings/")
    carl_row = page_a.locator(f'.member-row[data-user-id="{carl.pk}"]')
    carl_row.get_by_role("button", name="Make admin").click()
    expect(carl_row.get_by_role("button", name="Dismiss admin")).to_be_visible()

    line = "Anna Petrova made an admin: Carl Berg"
    expect(preview).to_have_text(line)
    expect(row.locator(".chat-row-unread-count")).to_be_hidden()
