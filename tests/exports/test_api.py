"""/api/v1/exports: create, list, status and download; each allowed and denied."""

from __future__ import annotations

import pytest

from exports.models import DataExport
from messenger.api import api as ninja_api
from tests.api.conftest import JsonApi, login_tokens
from tests.exports.conftest import open_archive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def api_for(user) -> JsonApi:
    return JsonApi(login_tokens(user).access)


def test_every_exports_operation_is_tested_here():
    """A new exports operation cannot ship without joining these tests."""
    schema = ninja_api.get_openapi_schema()
    found = {
        (method.upper(), path[len(API) :])
        for path, operations in schema["paths"].items()
        if path.startswith(f"{API}/exports")
        for method in operations
    }
    assert found == {
        ("GET", "/exports"),
        ("POST", "/exports"),
        ("GET", "/exports/{export_id}"),
        ("GET", "/exports/{export_id}/download"),
    }


def test_create_poll_and_download(late_join, build_inline):
    """Ask for a chat archive, see it done with a link, download the ZIP with the token."""
    api = api_for(late_join.carol)
    with build_inline():
        created = api.post(f"{API}/exports", {"chat": late_join.chat.pk})
    assert created.status_code == 202, created.content
    assert created.json()["kind"] == "chat" and created.json()["chat"] == late_join.chat.pk
    status = api.get(f"{API}/exports/{created.json()['id']}").json()
    assert (status["state"], status["progress"]) == ("done", 100)
    response = api.get(status["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert open_archive(response.getvalue()).texts() == {"welcome carol"}
    listed = api.get(f"{API}/exports").json()
    assert [e["id"] for e in listed["items"]] == [status["id"]]


def test_create_account_export_with_empty_body(late_join, build_inline):
    """No chat: the account archive."""
    with build_inline():
        created = api_for(late_join.anna).post(f"{API}/exports", {})
    assert created.status_code == 202
    assert DataExport.objects.get(pk=created.json()["id"]).kind == "user"


def test_create_refused_for_foreign_chat_busy_and_anonymous(late_join):
    """404 for a chat I am not in, 409 busy while one is active, 401 without login; no rows."""
    stranger = api_for(UserFactory())
    assert stranger.post(f"{API}/exports", {"chat": late_join.chat.pk}).status_code == 404
    assert not DataExport.objects.exists()
    assert JsonApi().post(f"{API}/exports", {}).status_code == 401
    assert not DataExport.objects.exists()
    DataExport.objects.create(requester=late_join.anna, kind=DataExport.Kind.USER)
    busy = api_for(late_join.anna).post(f"{API}/exports", {})
    assert busy.status_code == 409 and busy.json()["code"] == "busy"
    assert DataExport.objects.count() == 1


def test_others_exports_are_404_and_not_listed(late_join, build_inline):
    """Someone else's export: 404 for status and download, absent from my list."""
    with build_inline():
        created = api_for(late_join.anna).post(f"{API}/exports", {})
    export_id = created.json()["id"]
    boris = api_for(late_join.boris)
    assert boris.get(f"{API}/exports/{export_id}").status_code == 404
    assert boris.get(f"{API}/exports/{export_id}/download").status_code == 404
    assert boris.get(f"{API}/exports").json()["items"] == []
    assert JsonApi().get(f"{API}/exports/{export_id}/download").status_code == 401


def test_download_before_ready_is_409(late_join):
    """An export still being prepared cannot be downloaded yet."""
    export = DataExport.objects.create(requester=late_join.anna, kind=DataExport.Kind.USER)
    api = api_for(late_join.anna)
    response = api.get(f"{API}/exports/{export.pk}/download")
    assert response.status_code == 409 and response.json()["code"] == "not_ready"
    assert api.get(f"{API}/exports/{export.pk}").json()["download_url"] is None
