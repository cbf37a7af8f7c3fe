"""Voice messages and video circles recorded with Chromium's fake microphone and camera: one
person records, previews and sends; the other plays them inline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.media import dialog_pages, wait_ready

pytestmark = pytest.mark.e2e


def record(page, button: str, seconds: str) -> None:
    """Click to start, wait until the timer shows `seconds`, click to stop: the preview shows."""
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("button", name=button)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#recorder-status")).to_contain_text(f"Recording {seconds}")
    page.get_by_role("button", name=button).click()
    expect(page.locator("#recorder-status")).to_contain_text("Listen, then send or discard")
    expect(page.get_by_label("Recording preview")).to_be_visible()


def test_voice_message_and_circle_are_recorded_sent_and_played(login_page, live):
    _chat, a, b = dialog_pages(login_page, live)

    # Anna records a voice message (click to start, click to stop), previews it, sends it.
    record(a, "Record a voice message", "0:02")
    a.get_by_role("button", name="Send recording").click()
    expect(a.locator("#recorder")).to_be_hidden()
    sent = a.locator("li.msg-mine[data-id] .voice-msg")
    expect(sent).to_be_visible()

    # Boris gets it live with a waveform and its length, and plays it.
    voice = b.locator("li.msg .voice-msg")
    expect(voice).to_be_visible()
    expect(voice.locator(".voice-wave span").first).to_be_visible()
    expect(voice.locator(".voice-time")).to_have_text("0:02")
    voice.get_by_role("button", name="Play voice message").click()
    b.wait_for_function("() => document.querySelector('li.msg .voice-msg audio').currentTime > 0.2")
    expect(voice.get_by_role("button", name="Pause")).to_be_visible()
    # Seeking with the slider moves the playback position.
    voice.get_by_role("button", name="Pause").click()
    voice.get_by_label("Position").fill("1")
    b.wait_for_function(
        "() => Math.abs(document.querySelector('li.msg .voice-msg audio').currentTime - 1) < 0.3"
    )

    # Anna records a video circle with the fake camera and sends it.
    record(a, "Record a video message", "0:02")
    expect(a.locator("#recorder-preview video")).to_be_visible()
    a.get_by_role("button", name="Send recording").click()
    expect(a.locator("li.msg-mine[data-id] .circle-msg")).to_be_visible()

    # Boris sees it round and playing muted; a click plays it with sound.
    circle = b.locator("li.msg .circle-msg")
    expect(circle).to_be_visible()
    b.wait_for_function(
        "() => { const v = document.querySelector('li.msg .circle-msg video');"
        " return v.videoWidth > 0 && v.muted && !v.paused; }"
    )
    circle.get_by_role("button", name="Play video message with sound").click()
    expect(circle).to_have_attribute("data-state", "playing")
    b.wait_for_function(
        "() => { const v = document.querySelector('li.msg .circle-msg video');"
        " return !v.muted && !v.paused && v.currentTime > 0.2; }"
    )

    # After a reload both are still in the history.
    b.reload()
    wait_ready(b)
    expect(b.locator("li.msg .voice-msg")).to_have_count(1)
    expect(b.locator("li.msg .circle-msg")).to_have_count(1)


def test_voice_recorded_by_holding_the_button_can_be_discarded(login_page, live):
    """Press and hold records, releasing stops and shows the preview; Discard sends nothing."""
    _chat, a, b = dialog_pages(login_page, live)
    a.get_by_role("button", name="Record a voice message").hover()
    a.mouse.down()
    expect(a.locator("#recorder-status")).to_contain_text("Recording 0:02")
    a.mouse.up()
    expect(a.locator("#recorder-status")).to_contain_text("Listen, then send or discard")
    expect(a.get_by_role("button", name="Record a voice message")).to_have_attribute(
        "aria-pressed", "false"
    )
    a.get_by_role("button", name="Discard").click()
    expect(a.locator("#recorder")).to_be_hidden()
    expect(a.locator("li.msg")).to_have_count(0)
    expect(b.locator("li.msg")).to_have_count(0)
