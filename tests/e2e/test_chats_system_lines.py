"""A group's joins, leaves, renames and role changes appear as system lines in the chat."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import session_cookie_for
from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.e2e

LIVE_LINES = [
    "Anna Petrova renamed the group: “Trip 2027”",
    "Anna Petrova added a member: Carl Berg",
    "Anna Petrova made an admin: Carl Berg",
    "Anna Petrova took admin rights away: Carl Berg",
    "Anna Petrova removed a member: Carl Berg",
    "Anna Petrova made an admin: Boris Orlov",
    "New owner of the group: Boris Orlov",
    "Anna Petrova left the group",
]
RUSSIAN_LINES = [
    "Anna Petrova переименовывает группу: «Trip 2027»",
    "Anna Petrova добавляет участника: Carl Berg",
]


def test_group_changes_appear_as_system_lines_live_and_after_reload(browser, login_page, live):
    """The owner renames, adds, promotes, demotes and removes Carl, promotes Boris and leaves;
    Boris, with the chat open, sees each as a system line in order without a reload; after a
    reload the history has them, and a Russian reader sees them in Russian."""
    anna = UserFactory(first_name="Anna", last_name="Petrova", username="anna")
    boris = UserFactory(first_name="Boris", last_name="Orlov", username="boris")
    carl = UserFactory(first_name="Carl", last_name="Berg", username="carl")
    befriend(anna, boris, carl)
    group = GroupFactory(created_by=anna, title="Weekend", members=[boris])
    page_a, page_b = login_page(anna), login_page(boris)

    page_b.goto(f"{live.url}/chats/{group.pk}/")
    expect(page_b.locator("body")).to_have_attribute("data-chat-ready", "1")
    expect(page_b.locator("body")).to_have_attribute("data-socket", "open")
    lines = page_b.locator("#messages li.msg-system")
    expect(lines).to_have_count(0)

    settings = f"{live.url}/chats/{group.pk}/settings/"
    page_a.goto(settings)
    page_a.locator("input[name=title]").fill("Trip 2027")
    page_a.get_by_role("button", name="Rename").click()
    expect(lines.nth(0)).to_contain_text(LIVE_LINES[0])

    page_a.goto(settings)
    page_a.get_by_label(re.compile("@carl")).check()
    page_a.get_by_role("button", name="Add", exact=True).click()
    expect(lines.nth(1)).to_contain_text(LIVE_LINES[1])

    carl_row = page_a.locator(f'.member-row[data-user-id="{carl.pk}"]')
    carl_row.get_by_role("button", name="Make admin").click()
    expect(lines.nth(2)).to_contain_text(LIVE_LINES[2])
    carl_row = page_a.locator(f'.member-row[data-user-id="{carl.pk}"]')
    carl_row.get_by_role("button", name="Dismiss admin").click()
    expect(lines.nth(3)).to_contain_text(LIVE_LINES[3])
    carl_row = page_a.locator(f'.member-row[data-user-id="{carl.pk}"]')
    # The settings page has reloaded after the POST (its row offers "Make admin" again): a
    # click on the old page would open a confirmation that the reload then throws away.
    expect(carl_row.get_by_role("button", name="Make admin")).to_be_visible()
    # and its confirmation module has run (else the click removes without asking).
    expect(page_a.locator("html")).to_have_attribute("data-confirm-ready", "1")
    carl_row.get_by_role("button", name="Remove").click()
    page_a.locator("#confirm-dialog [data-confirm-yes]").click()
    expect(lines.nth(4)).to_contain_text(LIVE_LINES[4])
    expect(carl_row).to_have_count(0)  # the page after the removal

    boris_row = page_a.locator(f'.member-row[data-user-id="{boris.pk}"]')
    boris_row.get_by_role("button", name="Make admin").click()
    expect(lines.nth(5)).to_contain_text(LIVE_LINES[5])
    expect(boris_row.get_by_role("button", name="Dismiss admin")).to_be_visible()
    expect(page_a.locator("html")).to_have_attribute("data-confirm-ready", "1")
    page_a.get_by_role("button", name="Leave group").click()
    page_a.locator("#confirm-dialog [data-confirm-yes]").click()
    expect(lines).to_have_count(len(LIVE_LINES))
    for index, text in enumerate(LIVE_LINES):
        expect(lines.nth(index)).to_contain_text(text)
    seqs = [int(s) for s in lines.evaluate_all("items => items.map(li => li.dataset.seq)")]
    assert seqs == sorted(seqs)

    page_b.reload()
    expect(page_b.locator("body")).to_have_attribute("data-chat-ready", "1")
    expect(lines).to_have_count(len(LIVE_LINES))
    for index, text in enumerate(LIVE_LINES):
        expect(lines.nth(index)).to_contain_text(text)
    # No unread badge for system lines.
    expect(page_b.locator("#nav-badge-chats")).to_be_hidden()

    russian = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 860})
    try:
        russian.add_cookies([session_cookie_for(boris, live)])
        page_ru = russian.new_page()
        page_ru.goto(f"{live.url}/chats/{group.pk}/")
        expect(page_ru.locator("body")).to_have_attribute("data-chat-ready", "1")
        lines_ru = page_ru.locator("#messages li.msg-system")
        expect(lines_ru).to_have_count(len(LIVE_LINES))
        for index, text in enumerate(RUSSIAN_LINES):
            expect(lines_ru.nth(index)).to_contain_text(text)
    finally:
        russian.close()
