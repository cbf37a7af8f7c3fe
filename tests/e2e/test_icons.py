"""Icons are SVG from the vendored sprite, never emoji: on a machine without a colour-emoji font
(this one's Chromium) an emoji icon is an empty box. Every icon control has an accessible name
and a visible picture."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.media import dialog_pages
from tests.e2e.test_media_recordings import record
from tests.factories import DialogFactory, MessageFactory, PostFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.e2e

AUDIT = (Path(__file__).parent / "js" / "icons_audit.js").read_text()


def audit(page, minimum_icons: int) -> None:
    result = page.evaluate(AUDIT)
    assert result["problems"] == []
    assert result["icons"] >= minimum_icons


def test_chat_page_icons_are_svg_with_names(login_page, live):
    """The chat header, composer, message menu and ticks are named SVG icons, not emoji."""
    anna, boris = UserFactory(), UserFactory()
    befriend(anna, boris)
    chat = DialogFactory(user=anna, other=boris)
    MessageFactory(sender=boris, chat=chat, text="hello")
    MessageFactory(sender=anna, chat=chat, text="hi")
    page = login_page(anna)
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    for name in ("Video call", "Record a voice message", "Record a video message", "Send"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.get_by_text("Attach files")).to_be_attached()
    page.locator("#messages li.msg").last.hover()
    audit(page, minimum_icons=12)


def test_phone_composer_tools_are_svg_with_names(login_page, live):
    """On a phone the folded composer tools, once opened, are named SVG icons too."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    page = login_page(anna, viewport={"width": 390, "height": 844})
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    page.get_by_role("button", name="Attach, sticker, voice or video").click()
    expect(page.get_by_role("button", name="Record a voice message")).to_be_visible()
    audit(page, minimum_icons=7)


def test_feed_icons_are_svg_with_names(login_page, live):
    """The navigation, the bell, the like button and the post menu are named SVG icons."""
    anna = UserFactory()
    PostFactory(author=anna, text="A post with a menu")
    page = login_page(anna)
    page.goto(f"{live.url}/")
    expect(page.get_by_role("button", name="Like")).to_be_visible()
    audit(page, minimum_icons=8)


def test_voice_player_play_and_pause_are_svg_with_names(login_page, live):
    """A voice message's play button, and its pause state, are named SVG icons."""
    _chat, a, _b = dialog_pages(login_page, live)
    record(a, "Record a voice message", "0:01")
    a.get_by_role("button", name="Send recording").click()
    voice = a.locator("li.msg-mine[data-id] .voice-msg")
    expect(voice.get_by_role("button", name="Play voice message")).to_be_visible()
    audit(a, minimum_icons=10)
    voice.get_by_role("button", name="Play voice message").click()
    expect(voice.get_by_role("button", name="Pause")).to_be_visible()
    assert voice.locator("svg.icon-pause").count() == 1
    audit(a, minimum_icons=10)


def test_reply_to_a_file_shows_a_paperclip_not_an_emoji(login_page, live):
    """Replying to a message that is only a file: the banner and the quote name it "File" with
    the paperclip icon from the sprite."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chats import services

    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    upload = SimpleUploadedFile("notes.txt", b"some notes", content_type="text/plain")
    attachment = services.attachment_create(uploader=boris, chat=chat, upload=upload)
    MessageFactory(sender=boris, chat=chat, text="", attachment_ids=[attachment.pk])
    page = login_page(anna)
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    message = page.locator("#messages li.msg").last
    message.get_by_label("Message actions").click()
    message.get_by_role("button", name="Reply").click()
    banner = page.locator("#composer-banner")
    expect(banner).to_contain_text(f"Replying to {boris.display_name}: File")
    assert banner.locator("svg.icon-paperclip").count() == 1
    page.get_by_label("Message", exact=True).fill("got it")
    page.get_by_label("Message", exact=True).press("Enter")
    quote = page.locator("#messages li.msg-mine .msg-quote").last
    expect(quote).to_contain_text("File")
    assert quote.locator("svg.icon-paperclip").count() == 1
