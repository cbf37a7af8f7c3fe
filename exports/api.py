"""REST operations of "My data" exports (mounted under /api/v1/): ask for an archive of my
account or of one chat, watch its state, download it.

The same services and selectors as the settings page. Refusals: 404 for a chat I am not in and
for anyone else's export (missing and forbidden look the same), 409 `busy` while another of my
exports is being prepared, 409 `not_ready` when downloading one that is not finished.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from exports import selectors, services
from exports.models import DataExport
from exports.views import download_response
from messenger.api_kit import ApiError, Page, PageParams, integer, page

router = Router(tags=["exports"])

ID_MAX = 2**63 - 1
ExportId = Annotated[int, Path(..., ge=1, le=ID_MAX, description="An export id.")]


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    chat: integer(ge=1, le=ID_MAX) | None = Field(
        None, description="A chat I am in: export that chat. Omit (or null) for my account."
    )


class ExportOut(Schema):
    id: int
    kind: Literal["user", "chat"]
    chat: int | None = Field(..., description="The exported chat (null for an account).")
    state: Literal["queued", "running", "done", "failed"]
    progress: int = Field(..., description="Percent done, 0-100.")
    error: str = Field(..., description="Why it failed (empty unless failed).")
    size: int = Field(..., description="Bytes of the ZIP once done.")
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None = Field(..., description="The archive is deleted after this.")
    download_url: str | None = Field(
        ..., description="GET it (same authentication) for the ZIP; null until it is ready."
    )


def _out(export: DataExport) -> dict:
    return {
        "id": export.pk,
        "kind": export.kind,
        "chat": export.chat_id,
        "state": export.state,
        "progress": export.progress,
        "error": export.error_message,
        "size": export.size,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "expires_at": export.expires_at,
        "download_url": reverse("api:export_download", args=[export.pk])
        if export.is_downloadable
        else None,
    }


@router.get("/exports", response=Page[ExportOut], summary="My exports, newest first")
def export_list(request: HttpRequest, paging: Query[PageParams]):
    rows = selectors.exports_page(request.user, limit=paging.limit + 1, after_id=paging.after_id)
    result = page(rows, paging)
    result["items"] = [_out(e) for e in result["items"]]
    return result


@router.post("/exports", response={202: ExportOut}, summary="Ask for an archive of my data")
def export_create(request: HttpRequest, payload: ExportIn):
    """Built in the background: poll `GET /exports/{id}` until `state` is `done`, then fetch
    `download_url`. One export at a time per person (409 `busy`)."""
    try:
        export = services.export_request(requester=request.user, chat_id=payload.chat)
    except ValidationError as exc:
        raise ApiError(409, exc.code or "busy", " ".join(exc.messages)) from None
    return Status(202, _out(export))


@router.get("/exports/{export_id}", response=ExportOut, summary="One export and its progress")
def export_get(request: HttpRequest, export_id: ExportId):
    return _out(selectors.export_get_for_user(request.user, export_id))


@router.get(
    "/exports/{export_id}/download",
    response={200: None},
    summary="Download a finished export (ZIP)",
    url_name="export_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The archive, as an attachment.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def export_download(request: HttpRequest, export_id: ExportId):
    export = selectors.export_get_for_user(request.user, export_id)
    if export.is_active:
        raise ApiError(409, "not_ready", _("The archive is still being prepared."))
    if not export.is_downloadable:
        raise Http404
    return download_response(export)
