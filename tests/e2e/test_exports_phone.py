"""/settings/export/ fits a phone screen, with a ready export and a long chat title."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from chats import services as chat_services
from exports import services
from exports.models import DataExport
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.e2e

NO_SIDEWAYS_SCROLL = (
    "() => [document.documentElement, document.body].every("
    "(el) => el.scrollWidth <= el.clientWidth + 1)"
)
OVERFLOWING = (
    "() => [...document.querySelectorAll('main *')].filter((el) => {"
    " const r = el.getBoundingClientRect(); return r.width > 0 && r.right > innerWidth + 1; })"
    ".map((el) => el.className || el.tagName).slice(0, 5)"
)


def test_my_data_page_has_no_sideways_scroll_on_a_phone(login_page, live):
    """At 390 × 844 the page with a ready export (download link, size, expiry) and a chat
    export does not scroll sideways."""
    anna, boris = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=anna, members=[boris], title="Очень длинное название группы")
    chat_services.message_send(sender=boris, chat=chat, text="hello", client_id=uuid.uuid4())
    for kind, extra in ((DataExport.Kind.USER, {}), (DataExport.Kind.CHAT, {"chat": chat})):
        export = DataExport.objects.create(requester=anna, kind=kind, state="queued", **extra)
        services.export_build(export_id=export.pk)
    page = login_page(anna, viewport={"width": 390, "height": 844})
    page.goto(f"{live.url}/settings/export/")
    expect(page.get_by_role("link", name="Download").first).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(OVERFLOWING)
