"""The newest message's ⋯ menu is whole and usable: it opens upward when the composer leaves no
room below it, on a desktop and on a phone, and works from the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.e2e

ITEMS = ["React", "Reply", "Edit", "Delete for me", "Delete for everyone"]

# Each item of the open menu: its box lies inside the log's visible area, and the point at its
# centre hits the item itself (nothing, such as the composer, covers it). Measured without any
# scrolling, as a person sees the page when the menu opens.
UNCOVERED = """(menu) => {
  const area = document.getElementById("chat-log").getBoundingClientRect();
  return [...menu.querySelectorAll(".msg-menu-list button")].map((button) => {
    const r = button.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { label: button.textContent, inside: r.top >= area.top && r.bottom <= area.bottom
      && r.left >= area.left && r.right <= area.right, hit: !!hit && button.contains(hit) };
  });
}"""


def open_last_menu(login_page, live, viewport):
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    for number in range(30):
        MessageFactory(sender=boris if number % 2 else anna, chat=chat, text=f"line {number}")
    MessageFactory(sender=anna, chat=chat, text="the newest one")
    page = login_page(anna, viewport=viewport)
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    last = page.locator("#messages li.msg").last
    expect(last).to_contain_text("the newest one")
    expect(last).to_be_in_viewport()
    scroll_top = page.locator("#chat-log").evaluate("log => log.scrollTop")
    last.hover()
    last.get_by_label("Message actions").click()
    menu = last.locator("details.msg-menu")
    expect(menu.get_by_role("button", name="Delete for everyone")).to_be_attached()
    return page, last, menu, scroll_top


DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_newest_message_menu_is_fully_visible_and_clickable(login_page, live, viewport):
    """Every item of the newest message's menu shows inside the log, uncovered; Reply works."""
    page, _last, menu, scroll_top = open_last_menu(login_page, live, viewport)
    boxes = menu.evaluate(UNCOVERED)
    assert [box["label"] for box in boxes] == ITEMS
    assert [box for box in boxes if not (box["inside"] and box["hit"])] == []
    assert page.locator("#chat-log").evaluate("log => log.scrollTop") == scroll_top
    menu.get_by_role("button", name="Reply").click()
    expect(page.locator("#composer-banner")).to_be_visible()
    expect(page.locator("#composer-banner-text")).to_contain_text("the newest one")


def test_message_menu_works_from_the_keyboard(login_page, live):
    """Enter opens the menu on its first item, arrows move, Escape closes it back to its button."""
    page, last, menu, _ = open_last_menu(login_page, live, DESKTOP)
    summary = last.get_by_label("Message actions")
    expect(menu.get_by_role("button", name="React")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("button", name="Reply")).to_be_focused()
    page.keyboard.press("End")
    expect(menu.get_by_role("button", name="Delete for everyone")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("button", name="React")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(menu.get_by_role("button", name="Delete for everyone")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-dialog")).to_be_visible()
