"""Stickers in a real browser: the panel offers the bundled packs; a picked sticker arrives on
the other side large and without a bubble."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.media import dialog_pages

pytestmark = pytest.mark.e2e


def test_sticker_is_picked_sent_and_shown_large(login_page, live):
    call_command("load_sticker_packs", stdout=io.StringIO())
    _chat, a, b = dialog_pages(login_page, live)

    a.get_by_role("button", name="Stickers").click()
    panel = a.get_by_role("dialog", name="Stickers")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("region", name="Faces")).to_be_visible()
    panel.get_by_role("button", name="happy").click()
    expect(panel).to_be_hidden()
    expect(a.locator("li.msg-mine.msg-sticker[data-id] img.sticker-img")).to_be_visible()

    received = b.locator("li.msg.msg-sticker img.sticker-img")
    expect(received).to_be_visible()
    expect(received).to_have_attribute("alt", "happy")
    b.wait_for_function(
        "() => { const i = document.querySelector('li.msg-sticker img.sticker-img');"
        " return i.complete && i.naturalWidth === 256; }"
    )
    box = received.bounding_box()
    assert box["width"] >= 120
    bubble = b.locator("li.msg.msg-sticker .msg-bubble")
    expect(bubble).to_have_css("background-color", "rgba(0, 0, 0, 0)")
