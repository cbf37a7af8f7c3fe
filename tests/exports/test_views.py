"""The "My data" page, requests, progress row and download: allowed and denied for each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exports.models import DataExport
from tests.exports.conftest import open_archive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _done_export(client, user, build_inline) -> DataExport:
    client.force_login(user)
    with build_inline():
        client.post(reverse("exports:account"))
    return DataExport.objects.get(requester=user)


# -- the page ------------------------------------------------------------------------------------
def test_page_lists_own_exports_and_links_from_settings(client, late_join, build_inline):
    """The settings page lists my exports (not other people's) and the nav links to it."""
    mine = _done_export(client, late_join.anna, build_inline)
    DataExport.objects.create(requester=late_join.boris, kind=DataExport.Kind.USER)
    response = client.get(reverse("exports:page"))
    assert response.status_code == 200
    assert [e.pk for e in response.context["exports"]] == [mine.pk]
    assert f'id="export-{mine.pk}"' in response.text
    assert reverse("exports:page") in client.get(reverse("accounts:blocked")).text


def test_page_needs_login(client):
    """Anonymous visitors are sent to log in."""
    response = client.get(reverse("exports:page"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# -- requesting ----------------------------------------------------------------------------------
def test_account_export_is_built_and_downloadable(client, late_join, build_inline):
    """Asking for my data queues an export that ends ready with a download link."""
    client.force_login(late_join.anna)
    with build_inline():
        response = client.post(reverse("exports:account"))
    assert response.status_code == 302 and response["Location"] == reverse("exports:page")
    export = DataExport.objects.get(requester=late_join.anna)
    assert (export.kind, export.state, export.progress) == ("user", "done", 100)
    assert export.file.name.startswith(f"exports/{late_join.anna.pk}/")
    row = client.get(reverse("exports:status", args=[export.pk]))
    assert 'data-state="done"' in row.text
    assert reverse("exports:download", args=[export.pk]) in row.text
    assert "hx-trigger" not in row.text


def test_account_export_refused_to_anonymous(client):
    """Anonymous POST changes nothing."""
    response = client.post(reverse("exports:account"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not DataExport.objects.exists()


def test_account_export_needs_post(client, user):
    """A GET does not start an export."""
    client.force_login(user)
    assert client.get(reverse("exports:account")).status_code == 405
    assert not DataExport.objects.exists()


def test_one_export_at_a_time(client, user):
    """While one is being prepared, a second request is refused with a reason."""
    client.force_login(user)
    DataExport.objects.create(requester=user, kind=DataExport.Kind.USER)
    response = client.post(reverse("exports:account"), follow=True)
    assert DataExport.objects.count() == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert response.context["busy"] is True


def test_chat_export_by_member(client, late_join, build_inline):
    """A member can export the chat; the export is of that chat."""
    client.force_login(late_join.carol)
    with build_inline():
        response = client.post(reverse("exports:chat", args=[late_join.chat.pk]))
    assert response.status_code == 302
    export = DataExport.objects.get(requester=late_join.carol)
    assert (export.kind, export.chat_id, export.state) == ("chat", late_join.chat.pk, "done")
    found = open_archive(client.get(reverse("exports:download", args=[export.pk])).getvalue())
    assert found.texts() == {"welcome carol"}


def test_chat_export_by_non_member_is_404(client, late_join):
    """Someone outside the chat gets 404 and no export is queued."""
    client.force_login(UserFactory())
    response = client.post(reverse("exports:chat", args=[late_join.chat.pk]))
    assert response.status_code == 404
    assert not DataExport.objects.exists()


def test_chat_page_offers_export(client, late_join):
    """The chat's menu has the export action for its members."""
    client.force_login(late_join.boris)
    page = client.get(reverse("chats:detail", args=[late_join.chat.pk]))
    assert reverse("exports:chat", args=[late_join.chat.pk]) in page.text


# -- progress row --------------------------------------------------------------------------------
def test_status_row_polls_while_running(client, user):
    """A running export's row shows its progress and asks again."""
    client.force_login(user)
    export = DataExport.objects.create(
        requester=user, kind=DataExport.Kind.USER, state="running", progress=42
    )
    row = client.get(reverse("exports:status", args=[export.pk]))
    assert row.status_code == 200
    assert 'value="42"' in row.text
    assert 'hx-trigger="every 1s"' in row.text


def test_status_of_someone_elses_export_is_404(client, user, other_user):
    """Another person's export does not exist for me."""
    export = DataExport.objects.create(requester=other_user, kind=DataExport.Kind.USER)
    client.force_login(user)
    assert client.get(reverse("exports:status", args=[export.pk])).status_code == 404


# -- download ------------------------------------------------------------------------------------
def test_download_is_an_attachment_with_nosniff(client, late_join, build_inline):
    """The requester downloads a ZIP that opens, as an attachment, with nosniff."""
    export = _done_export(client, late_join.anna, build_inline)
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    found = open_archive(response.getvalue())
    assert "before carol joined" in found.texts()


def test_download_by_someone_else_is_404(client, late_join, build_inline):
    """Another signed-in person gets 404; an anonymous one is sent to log in."""
    export = _done_export(client, late_join.anna, build_inline)
    client.force_login(late_join.boris)
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert response.status_code == 302


def test_download_of_unfinished_or_expired_export_is_404(client, late_join, build_inline):
    """Nothing to download before it is ready or after it expired."""
    export = _done_export(client, late_join.anna, build_inline)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    queued = DataExport.objects.create(requester=late_join.boris, kind=DataExport.Kind.USER)
    client.force_login(late_join.boris)
    assert client.get(reverse("exports:download", args=[queued.pk])).status_code == 404


def test_download_behind_nginx_uses_accel_redirect(client, late_join, build_inline, settings):
    """In production the file is handed to nginx after the check, still as an attachment."""
    export = _done_export(client, late_join.anna, build_inline)
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert response["X-Accel-Redirect"] == "/protected/" + export.file.name
    assert response["Content-Disposition"].startswith("attachment;")


# -- admin ---------------------------------------------------------------------------------------
def test_admin_lists_exports_for_staff_only(client, user):
    """Operators see the list (without the files); other people are sent to the admin login."""
    export = DataExport.objects.create(requester=user, kind=DataExport.Kind.USER)
    url = reverse("admin:exports_dataexport_changelist")
    client.force_login(user)
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(url)
    assert response.status_code == 200 and user.username in response.text
    detail = client.get(reverse("admin:exports_dataexport_change", args=[export.pk]))
    assert detail.status_code == 200 and 'name="file"' not in detail.text
