"""A 390 × 844 phone: the chat composer leaves most of the row to the text, and a tour of every
page finds nothing wider than the screen and no control off its edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.pages import site_with_data
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PHONE_AUDIT = (Path(__file__).parent / "js" / "phone_audit.js").read_text()
OPEN_MENUS = "() => document.querySelectorAll('details').forEach((menu) => { menu.open = true; })"

# The composer row, the text field's share of it, and whether the placeholder fits the field
# (its text measured in the field's own font against the width inside the padding).
COMPOSER = """() => {
  const row = document.getElementById("composer").getBoundingClientRect();
  const field = document.getElementById("composer-text");
  const box = field.getBoundingClientRect();
  const style = getComputedStyle(field);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const send = document.getElementById("composer-send").getBoundingClientRect();
  return { share: box.width / row.width, placeholder: context.measureText(field.placeholder).width,
    room, sameRow: send.top < box.bottom && box.top < send.bottom };
}"""


@pytest.mark.parametrize("language", ["en", "ru"])
def test_phone_composer_gives_the_text_most_of_the_row(login_page, live, language):
    """At 390 × 844 the message field takes at least 60 % of its row; its placeholder fits."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    page = login_page(anna, viewport=PHONE)
    page.context.add_cookies(
        [
            {
                "name": settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "domain": live.host,
                "path": "/",
            }
        ]
    )
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    expect(page.locator("html")).to_have_attribute("lang", language)
    composer = page.evaluate(COMPOSER)
    assert composer["share"] >= 0.6, composer
    assert composer["placeholder"] <= composer["room"], composer
    assert composer["sameRow"], composer


def test_phone_composer_tools_open_from_more_and_work(login_page, live):
    """The folded tools open from "more" in view, the newest message stays in view above them,
    and a file can still be attached."""
    anna, boris = UserFactory(), UserFactory()
    chat = DialogFactory(user=anna, other=boris)
    for number in range(20):
        MessageFactory(sender=boris if number % 2 else anna, chat=chat, text=f"line {number}")
    page = login_page(anna, viewport=PHONE)
    page.goto(f"{live.url}/chats/{chat.pk}/")
    expect(page.locator("body")).to_have_attribute("data-chat-ready", "1")
    voice = page.get_by_role("button", name="Record a voice message")
    expect(voice).to_be_hidden()
    more = page.get_by_role("button", name="Attach, sticker, voice or video")
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(voice).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Record a video message")).to_be_in_viewport(ratio=1)
    expect(page.locator("label[for=composer-file]")).to_be_in_viewport(ratio=1)
    expect(page.locator("#messages li.msg").last).to_be_in_viewport(ratio=1)
    page.locator("#composer-file").set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}]
    )
    expect(page.locator("#composer-files")).to_contain_text("notes.txt")
    assert page.evaluate(PHONE_AUDIT) == []


def test_phone_tour_of_every_page(browser, login_page, live):
    """Every page at 390 × 844: no horizontal overflow, no control outside the screen."""
    site = site_with_data()
    problems = {}
    page = login_page(site.user, viewport=PHONE)
    for path in site.signed_in:
        response = page.goto(live.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        if found := page.evaluate(PHONE_AUDIT):
            problems[path] = found
        # Menus (account, chat, post, message) must open inside the screen too.
        page.evaluate(OPEN_MENUS)
        if found := page.evaluate(PHONE_AUDIT):
            problems[f"{path} (menus open)"] = found
    guest = browser.new_context(locale="en-US", viewport=PHONE)
    try:
        page = guest.new_page()
        for path in site.anonymous:
            assert page.goto(live.url + path).status == 200, path
            if found := page.evaluate(PHONE_AUDIT):
                problems[path] = found
    finally:
        guest.close()
    assert not problems, "\n".join(
        f"{path}: {p}" for path, found in problems.items() for p in found
    )


def test_phone_audit_reports_overflow_and_controls_off_the_screen(login_page, live):
    """The tour's check is not blind: a too-wide block and a button past the edge are reported."""
    page = login_page(UserFactory(), viewport=PHONE)
    page.goto(f"{live.url}/friends/")
    assert page.evaluate(PHONE_AUDIT) == []
    html = '<div style="width: 600px">wide</div><button id="stray" style="margin:420px">x</button>'
    insert = "(main, html) => main.insertAdjacentHTML('beforeend', html)"
    page.locator("main").evaluate(insert, html)
    problems = page.evaluate(PHONE_AUDIT)
    assert any(problem.startswith("page is") for problem in problems), problems
    assert any(problem.startswith("#stray") for problem in problems), problems
