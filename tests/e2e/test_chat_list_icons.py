"""The chat list previews a message without text by an SVG icon and its name, never by an
emoji glyph (a machine without a colour-emoji font would show an empty box)."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chats import services
from chats.models import Attachment, Message, StickerPack
from tests.e2e.media import wait_ready
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.e2e

# The pictographs the previews used before the icons (and any other emoji presentation).
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def file_message(sender, chat, kind: str) -> None:
    """A message whose only content is a file of `kind` (as the recorder sends it)."""
    message = MessageFactory(sender=sender, chat=chat, text="placeholder")
    Message.objects.filter(pk=message.pk).update(text="")
    Attachment.objects.create(
        chat=chat, uploader=sender, message=message, file="x", name="x", content_type="x",
        size=1, kind=kind,
    )  # fmt: skip


def test_chat_rows_show_icons_and_names_for_textless_messages(login_page, live):
    """Anna's list: a voice message, a round video, a file, a sticker and a missed call each
    show their icon and name, on load and after a live sticker from Boris."""
    call_command("load_sticker_packs", stdout=io.StringIO())
    sticker = StickerPack.objects.get(slug="faces").stickers.first()
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    people = {kind: UserFactory() for kind in ("voice", "circle", "file", "sticker", "call")}
    chats = {kind: DialogFactory(user=anna, other=person) for kind, person in people.items()}
    for kind in ("voice", "circle", "file"):
        file_message(people[kind], chats[kind], kind)
    services.message_send(
        sender=people["sticker"], chat=chats["sticker"], text="", client_id=uuid.uuid4(),
        sticker=sticker.pk,
    )  # fmt: skip
    services.call_record(
        user=people["call"], chat_id=chats["call"].pk, call_id=uuid.uuid4(), state="missed",
        duration=0,
    )  # fmt: skip
    expected = {
        "voice": ("mic", "Voice message"),
        "circle": ("video", "Video message"),
        "file": ("paperclip", "File"),
        "sticker": ("sticker", "Sticker"),
        "call": ("phone-missed", "Missed call"),
    }

    page = login_page(anna)
    page.goto(f"{live.url}/chats/")
    expect(page.locator("body")).to_have_attribute("data-socket", "open")
    for kind, (name, label) in expected.items():
        preview = page.locator(f'.chat-row[data-chat-id="{chats[kind].pk}"] .chat-row-preview')
        expect(preview.locator(f"svg.icon-{name}[aria-hidden=true]")).to_be_visible()
        expect(preview).to_contain_text(label)
        assert not EMOJI.search(preview.inner_text()), preview.inner_text()

    # Live: the person of the file dialog sends a sticker; the row's preview follows.
    other = login_page(people["file"])
    other.goto(f"{live.url}/chats/{chats['file'].pk}/")
    wait_ready(other)
    other.get_by_role("button", name="Stickers").click()
    other.get_by_role("dialog", name="Stickers").get_by_role("button", name="happy").click()
    preview = page.locator(f'.chat-row[data-chat-id="{chats["file"].pk}"] .chat-row-preview')
    expect(preview.locator("svg.icon-sticker")).to_be_visible()
    expect(preview).to_contain_text("Sticker")
    expect(preview.locator("svg.icon-paperclip")).to_have_count(0)
    assert not EMOJI.search(preview.inner_text())
