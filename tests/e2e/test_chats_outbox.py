"""The outbox in a real browser: a message written while the connection is down is kept
(even across a reload), sent once when the connection returns, and then read."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DialogFactory, UserFactory

pytestmark = pytest.mark.e2e


class Outage:
    """Routes a page's /ws/ through Playwright so the test can cut and restore it."""

    def __init__(self, page) -> None:
        self.down = False
        self.open_routes = []
        page.route_web_socket(re.compile(r"/ws/$"), self._handle)

    def _handle(self, route) -> None:
        if self.down:
            route.close()  # the server is "unreachable": socket.js retries with backoff
            return
        route.connect_to_server()
        self.open_routes.append(route)

    def start(self) -> None:
        self.down = True
        for route in self.open_routes:
            route.close()
        self.open_routes.clear()

    def end(self) -> None:
        self.down = False


def test_message_written_offline_is_queued_then_sent_once_then_read(login_page, live):
    """Queued while the socket is down (also after a reload), sent on reconnect, read by the
    other person on a phone, who sees it once with the unread badges counting it."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Ivanov")
    chat = DialogFactory(user=anna, other=boris)
    a = login_page(anna)
    b = login_page(boris, viewport={"width": 390, "height": 844})
    outage = Outage(a)

    b.goto(f"{live.url}/chats/")
    expect(b.locator("body")).to_have_attribute("data-socket", "open")
    a.goto(f"{live.url}/chats/{chat.pk}/")
    expect(a.locator("body")).to_have_attribute("data-socket", "open")
    expect(a.locator("#chat-status")).to_have_text("online")  # Boris has the site open

    outage.start()
    expect(a.locator("body")).to_have_attribute("data-socket", "closed")
    a.get_by_label("Message", exact=True).fill("Written in the tunnel")
    a.get_by_label("Message", exact=True).press("Enter")
    pending = a.locator("li.msg-pending").filter(has_text="Written in the tunnel")
    expect(pending.locator(".msg-status")).to_have_attribute("data-status", "queued")
    a.reload()  # the outbox lives in localStorage
    expect(pending.locator(".msg-status")).to_have_attribute("data-status", "queued")

    outage.end()
    sent = a.locator("li.msg-mine[data-id]").filter(has_text="Written in the tunnel")
    expect(sent.locator(".msg-status")).to_have_attribute("data-status", "sent", timeout=20_000)
    expect(a.locator("li.msg-pending")).to_have_count(0)

    # Boris's list (on a phone) shows the message live, with unread counts.
    row = b.locator("li.chat-row").filter(has_text="Anna Petrova")
    expect(row).to_contain_text("Written in the tunnel")
    expect(row.locator(".chat-row-unread-count")).to_have_text("1")
    expect(b.locator("#nav-badge-chats")).to_have_text("1")

    row.get_by_role("link").click()
    expect(b.locator("li.msg").filter(has_text="Written in the tunnel")).to_have_count(1)
    expect(sent.locator(".msg-status")).to_have_attribute("data-status", "read")
    expect(b.locator("#nav-badge-chats")).to_be_hidden()

    # Boris answers from the phone layout; Anna gets it live.
    b.get_by_label("Message", exact=True).fill("Welcome back!")
    b.get_by_role("button", name="Send").click()
    expect(a.locator("li.msg").filter(has_text="Welcome back!")).to_be_visible()
