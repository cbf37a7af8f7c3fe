"""A video call between two browsers with Chromium's fake camera and microphone: ringing,
accept, both see the other's video, mic/camera toggles, screen sharing, hang-up, and the call
record in the chat."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.media import dialog_pages

pytestmark = pytest.mark.e2e

REMOTE_PLAYING = (
    "() => { const v = document.getElementById('call-remote');"
    " return v.srcObject && v.videoWidth > 0 && !v.paused; }"
)

# The remote picture has this width:height ratio (the decoder has a frame of that shape).
REMOTE_ASPECT = (
    "(ratio) => { const v = document.getElementById('call-remote');"
    " return v.videoHeight > 0 && Math.abs(v.videoWidth / v.videoHeight - ratio) < 0.02; }"
)


def test_video_call_between_two_browsers(login_page, live):
    _chat, a, b = dialog_pages(login_page, live)

    # Before calling, Anna is told in plain words that camera and microphone are available.
    a.get_by_role("button", name="Video call").click()
    expect(a.locator("#call-devices")).to_have_text("Your camera and microphone are available.")
    a.get_by_role("button", name="Call", exact=True).click()
    expect(a.locator("#call-status")).to_have_text("Calling Boris Ivanov…")

    # Boris's page rings; he accepts.
    expect(b.locator("#call-status")).to_have_text("Anna Petrova is calling you")
    b.get_by_role("button", name="Accept").click()

    # Both see the other's camera playing.
    for page, other in ((a, "Boris Ivanov"), (b, "Anna Petrova")):
        page.wait_for_function(REMOTE_PLAYING)
        expect(page.locator("#call-status")).to_have_text(f"In a call with {other}")

    # Anna mutes her microphone and turns her camera off, then on again.
    mic = a.get_by_role("button", name="Microphone")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "false")
    a.wait_for_function(
        "() => !document.getElementById('call-local').srcObject.getAudioTracks()[0].enabled"
    )
    cam = a.get_by_role("button", name="Camera")
    cam.click()
    expect(cam).to_have_attribute("aria-pressed", "false")
    cam.click()
    expect(cam).to_have_attribute("aria-pressed", "true")

    # Anna shares her screen. Headless Chromium with the fake-media flags of tests/conftest.py
    # grants getDisplayMedia a fake 1280×720 "monitor", so the share really runs here: Boris's
    # picture turns from Anna's 4:3 fake camera to the 16:9 screen, and back when she stops.
    b.wait_for_function(REMOTE_ASPECT, arg=4 / 3)
    share = a.get_by_role("button", name="Share screen")
    share.click()
    expect(a.locator("#call")).to_have_attribute("data-screen", "on")
    expect(share).to_have_attribute("aria-pressed", "true")
    a.wait_for_function(
        "() => document.getElementById('call-local').srcObject.getVideoTracks()[0]"
        ".getSettings().displaySurface === 'monitor'"
    )
    b.wait_for_function(REMOTE_ASPECT, arg=16 / 9)
    share.click()
    expect(a.locator("#call")).to_have_attribute("data-screen", "off")
    expect(share).to_have_attribute("aria-pressed", "false")
    b.wait_for_function(REMOTE_ASPECT, arg=4 / 3)

    # Anna hangs up: both calls end and the record appears in both chats.
    a.get_by_role("button", name="Hang up").click()
    expect(a.locator("#call-status")).to_contain_text("Call ended")
    expect(b.locator("#call-status")).to_have_text("The call has ended.")
    for page in (a, b):
        record = page.locator("li.msg-call .call-record")
        expect(record).to_have_attribute("data-state", "answered")
        expect(record).to_contain_text(re.compile(r"Call, 0:\d\d"))


def test_declined_call_is_recorded(login_page, live):
    _chat, a, b = dialog_pages(login_page, live)
    a.get_by_role("button", name="Video call").click()
    a.get_by_role("button", name="Call", exact=True).click()
    b.get_by_role("button", name="Decline").click()
    expect(a.locator("#call-status")).to_have_text("Boris Ivanov declined the call.")
    for page in (a, b):
        expect(page.locator("li.msg-call .call-record")).to_have_text("Declined call")
        expect(page.locator("li.msg-call .call-record svg.icon-phone-missed")).to_have_count(1)
