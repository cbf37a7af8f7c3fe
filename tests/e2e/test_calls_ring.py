"""An incoming call rings on every page of the site, not only in the dialog: the callee on the
feed sees a banner with the caller's name, hears a tone and joins the call in one click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.media import wait_ready
from tests.factories import DialogFactory, UserFactory

pytestmark = pytest.mark.e2e

REMOTE_PLAYING = (
    "() => { const v = document.getElementById('call-remote');"
    " return v.srcObject && v.videoWidth > 0 && !v.paused; }"
)


def call_from_dialog(login_page, live):
    """Anna in the dialog (desktop), Boris on his feed (a 390 px phone); Anna dials.
    Returns (chat, anna_page, boris_page, boris)."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Ivanov")
    chat = DialogFactory(user=anna, other=boris)
    a = login_page(anna)
    b = login_page(boris, viewport={"width": 390, "height": 844})
    a.goto(f"{live.url}/chats/{chat.pk}/")
    wait_ready(a)
    b.goto(f"{live.url}/")
    expect(b.locator("body")).to_have_attribute("data-socket", "open")
    expect(b.locator("#call-ring")).to_be_hidden()
    a.get_by_role("button", name="Video call").click()
    a.get_by_role("button", name="Call", exact=True).click()
    expect(a.locator("#call-status")).to_have_text("Calling Boris Ivanov…")
    return chat, a, b, boris


def test_callee_on_the_feed_sees_hears_and_joins(login_page, live):
    """The feed shows the ring with the caller's name and a tone; Join connects both sides."""
    chat, a, b, _boris = call_from_dialog(login_page, live)

    ring = b.get_by_role("region", name="Incoming call")
    expect(ring).to_be_visible()
    expect(ring).to_contain_text("Anna Petrova is calling you")
    # A WebAudio ring tone is running (the AudioContext plays, no user gesture needed).
    expect(ring).to_have_attribute("data-tone", "playing")
    expect(b).to_have_title("Anna Petrova is calling")  # plain text: no emoji glyph

    # One click: Boris lands in the dialog, already answering; both see each other.
    ring.get_by_role("link", name="Join").click()
    expect(b).to_have_url(re.compile(rf"/chats/{chat.pk}/$"))
    for page, other in ((a, "Boris Ivanov"), (b, "Anna Petrova")):
        page.wait_for_function(REMOTE_PLAYING)
        expect(page.locator("#call-status")).to_have_text(f"In a call with {other}")

    a.get_by_role("button", name="Hang up").click()
    expect(b.locator("#call-status")).to_have_text("The call has ended.")


def test_decline_from_the_banner_and_banner_goes_when_caller_gives_up(login_page, live):
    """Decline on the banner tells the caller; a ring the caller cancels leaves no banner."""
    _chat, a, b, _boris = call_from_dialog(login_page, live)
    ring = b.get_by_role("region", name="Incoming call")
    expect(ring).to_contain_text("Anna Petrova is calling you")
    ring.get_by_role("button", name="Decline").click()
    expect(ring).to_be_hidden()
    expect(a.locator("#call-status")).to_have_text("Boris Ivanov declined the call.")

    a.get_by_role("button", name="Close").click()
    a.get_by_role("button", name="Video call").click()
    a.get_by_role("button", name="Call", exact=True).click()
    expect(ring).to_be_visible()
    a.get_by_role("button", name="Hang up").click()
    expect(ring).to_be_hidden()
    expect(b.locator("#call-ring")).to_have_attribute("data-tone", "off")


def test_a_second_call_does_not_interrupt_a_running_one(login_page, live):
    """Boris, in a call with Anna, gets no banner when Carl calls; Carl's call rings out."""
    _chat, _a, b, boris = call_from_dialog(login_page, live)
    b.get_by_role("region", name="Incoming call").get_by_role("link", name="Join").click()
    b.wait_for_function(REMOTE_PLAYING)
    expect(b.locator("#call-status")).to_have_text("In a call with Anna Petrova")

    carl = UserFactory(first_name="Carl", last_name="Berg")
    other = DialogFactory(user=carl, other=boris)
    c = login_page(carl)
    c.goto(f"{live.url}/chats/{other.pk}/")
    wait_ready(c)
    b.evaluate(
        "() => window.beseda.socket.on('call.ring', () => { document.body.dataset.rang = '1'; })"
    )
    c.get_by_role("button", name="Video call").click()
    c.get_by_role("button", name="Call", exact=True).click()
    expect(b.locator("body")).to_have_attribute("data-rang", "1")
    expect(b.locator("#call-ring")).to_be_hidden()
    expect(b.locator("#call-status")).to_have_text("In a call with Anna Petrova")
