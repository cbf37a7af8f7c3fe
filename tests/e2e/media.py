"""Shared setup of the media browser tests: Anna and Boris in their dialog, both pages ready."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import DialogFactory, UserFactory


def wait_ready(page) -> None:
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    expect(page.locator("body")).to_have_attribute("data-socket", "open")


def dialog_pages(login_page, live):
    """(chat, anna_page, boris_page): Anna on a desktop, Boris on a 390 px phone, both with
    their dialog open and the socket connected."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Ivanov")
    chat = DialogFactory(user=anna, other=boris)
    a = login_page(anna)
    b = login_page(boris, viewport={"width": 390, "height": 844})
    for page in (a, b):
        page.goto(f"{live.url}/chats/{chat.pk}/")
        wait_ready(page)
    return chat, a, b
