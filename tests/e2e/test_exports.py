""" "My data" in a real browser: the row shows progress, turns into a download link by itself,
and the downloaded archive opens; an export asked for from a chat's menu gets ready too."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from playwright.sync_api import expect

from chats import services as chat_services
from exports import services
from exports.models import DataExport
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.e2e


def _archive_text(download) -> str:
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as bundle:
        assert bundle.testzip() is None
        return bundle.read("index.html").decode("utf-8")


def test_progress_then_download_link_then_archive(login_page, live):
    """Progress shows while the export is prepared; the link appears without a reload; the
    ZIP downloads and holds the chat."""
    anna, boris = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=anna, members=[boris])
    chat_services.message_send(
        sender=boris, chat=chat, text="hello from boris", client_id=uuid.uuid4()
    )
    # An export underway (as the server's background thread would have it).
    export = DataExport.objects.create(
        requester=anna, kind=DataExport.Kind.USER, state="running", progress=40
    )
    page = login_page(anna, viewport={"width": 390, "height": 844})
    page.goto(f"{live.url}/settings/export/")
    row = page.locator(f"#export-{export.pk}")
    expect(row.get_by_role("progressbar")).to_have_attribute("value", "40")
    expect(row.get_by_role("status")).to_contain_text("40%")
    expect(page.get_by_role("button", name="Export my data")).to_be_disabled()

    DataExport.objects.filter(pk=export.pk).update(state="queued", progress=0)
    services.export_build(export_id=export.pk)
    link = row.get_by_role("link", name="Download")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    assert "hello from boris" in _archive_text(info.value)


def test_chat_export_from_the_chat_menu(login_page, live):
    """Export chat in the chat's menu leads to My data, where the archive gets ready."""
    anna, boris = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=anna, members=[boris])
    chat_services.message_send(
        sender=anna, chat=chat, text="notes for the archive", client_id=uuid.uuid4()
    )
    page = login_page(boris)
    page.goto(f"{live.url}/chats/{chat.pk}/")
    page.get_by_label("Chat actions").click()
    page.get_by_role("button", name="Export chat").click()
    expect(page).to_have_url(f"{live.url}/settings/export/")
    link = page.get_by_role("link", name="Download")
    expect(link).to_be_visible(timeout=20_000)
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.endswith(".zip")
    assert "notes for the archive" in _archive_text(info.value)
