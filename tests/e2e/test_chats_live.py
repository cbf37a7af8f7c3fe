"""Two people chatting live in two browsers: group creation, typing, read ticks, edits,
deletes, a PDF and a photo."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.e2e


def photo_bytes() -> bytes:
    image = Image.new("RGB", (640, 480), (40, 120, 200))
    for x in range(0, 640, 40):
        for y in range(0, 480, 40):
            image.putpixel((x, y), (255, 255, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pdf_bytes(size: int = 1024 * 1024) -> bytes:
    head = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% padding\n"
    tail = b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return head + b"0" * (size - len(head) - len(tail)) + tail


def test_two_people_chat_live_in_a_new_group(login_page, live):
    """A creates a group with B; they chat live with typing, read ticks, edit, delete, files."""
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    boris = UserFactory(first_name="Boris", last_name="Ivanov")
    befriend(anna, boris)
    a, b = login_page(anna), login_page(boris)

    b.goto(f"{live.url}/chats/")
    expect(b.locator("body")).to_have_attribute("data-socket", "open")

    # A creates the group, picking B among friends by username.
    a.goto(f"{live.url}/chats/new/")
    a.get_by_label("Group name").fill("Weekend trip")
    a.get_by_label(re.compile(f"@{boris.username}")).check()
    a.get_by_role("button", name="Create group").click()
    expect(a.get_by_role("heading", name="Weekend trip")).to_be_visible()
    expect(a.locator("body")).to_have_attribute("data-socket", "open")

    # B's chat list shows the new group live; B opens it.
    b.get_by_role("link", name=re.compile("Weekend trip")).click()
    expect(b.get_by_role("heading", name="Weekend trip")).to_be_visible()
    expect(b.locator("body")).to_have_attribute("data-chat-ready", "1")
    expect(b.locator("body")).to_have_attribute("data-socket", "open")

    # A types: B sees who is typing.
    a.get_by_label("Message", exact=True).press_sequentially("Hello Boris, see https://example.org")
    expect(b.locator("#chat-typing")).to_have_text("Anna Petrova is typing…")

    # A sends: B sees it with a clickable link; B has it on screen, so A gets the read tick.
    a.get_by_role("button", name="Send").click()
    incoming = b.locator("li.msg").filter(has_text="Hello Boris")
    expect(incoming).to_be_visible()
    expect(incoming.get_by_role("link", name="https://example.org")).to_have_attribute(
        "href", "https://example.org/"
    )
    mine = a.locator("li.msg-mine").filter(has_text="Hello Boris")
    expect(mine.locator(".msg-status")).to_have_attribute("data-status", "read")
    expect(mine.locator(".msg-status")).to_contain_text("Read: 1")
    expect(b.locator("#chat-typing")).to_have_text("")

    # B answers: A sees it live.
    b.get_by_label("Message", exact=True).fill("Hi Anna!")
    b.get_by_label("Message", exact=True).press("Enter")
    expect(a.locator("li.msg").filter(has_text="Hi Anna!")).to_be_visible()

    # A edits: B's view shows the new text and "edited", with the history.
    mine.get_by_label("Message actions").click()
    mine.get_by_role("button", name="Edit").click()
    composer = a.get_by_label("Message", exact=True)
    composer.fill("Hello Boris (edited text)")
    composer.press("Enter")
    edited = b.locator("li.msg").filter(has_text="Hello Boris (edited text)")
    expect(edited).to_be_visible()
    expect(edited.get_by_role("button", name="edited")).to_be_visible()
    edited.get_by_role("button", name="edited").click()
    expect(b.locator("#edit-history-list li")).to_have_count(2)
    expect(b.locator("#edit-history-list")).to_contain_text("Hello Boris, see https://example.org")
    b.get_by_role("button", name="Close").click()

    # B reacts; A sees the reaction with its count.
    edited.get_by_label("Message actions").click()
    edited.get_by_role("button", name="React").click()
    b.locator("#reaction-picker").get_by_role("button", name="👍").click()
    expect(
        a.locator("li.msg-mine").filter(has_text="edited text").locator(".reaction-chip")
    ).to_have_accessible_name("👍 1")

    # A deletes for everyone: B's copy turns into a tombstone.
    mine = a.locator("li.msg-mine").filter(has_text="Hello Boris (edited text)")
    mine.get_by_label("Message actions").click()
    mine.get_by_role("button", name="Delete for everyone").click()
    a.get_by_role("dialog").get_by_role("button", name="Delete for everyone").click()
    expect(b.locator("li.msg").filter(has_text="Hello Boris")).to_have_count(0)
    expect(b.locator("li.msg-deleted")).to_have_count(1)
    expect(b.locator("li.msg-deleted")).to_contain_text("Message deleted")

    # A sends a 1 MB PDF and a photo with a caption in one message.
    pdf = pdf_bytes()
    a.locator("#composer-file").set_input_files(
        [
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": pdf},
            {"name": "lake.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()},
        ]
    )
    expect(a.locator("#composer-files li")).to_have_count(2)
    expect(a.locator("#composer-send")).to_be_enabled()
    a.get_by_label("Message", exact=True).fill("Route and the lake")
    a.get_by_role("button", name="Send").click()

    with_files = b.locator("li.msg").filter(has_text="Route and the lake")
    photo = with_files.get_by_role("img", name="lake.jpg")
    expect(photo).to_be_visible()
    b.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    card = with_files.get_by_role("link", name=re.compile("plan.pdf"))
    expect(card).to_contain_text("1.0 MB")

    # B opens both: the PDF downloads intact, the photo opens full size.
    with b.expect_download() as download_info:
        card.click()
    download = download_info.value
    assert download.suggested_filename == "plan.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == pdf
    with b.context.expect_page() as popup_info:
        with_files.locator("a.msg-image").click()
    full = popup_info.value
    full.wait_for_load_state()
    assert full.evaluate("document.images[0].naturalWidth") == 640
