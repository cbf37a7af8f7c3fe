"""The "My data" settings page: request an export of the account or of a chat, watch it being
prepared (the row polls itself with htmx), download the archive. Thin: one service or selector
per view; someone else's export is a 404 like a missing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exports import selectors, services
from messenger.private_files import serve_private_file


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    context = {
        "exports": selectors.exports_of(request.user),
        "busy": selectors.has_active_export(request.user),
        "keep_days": services.keep_days(),
        "settings_page": "export",
    }
    return render(request, "exports/page.html", context)


def _request(request: HttpRequest, chat_id: int | None) -> HttpResponse:
    try:
        services.export_request(requester=request.user, chat_id=chat_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exports:page")
    messages.success(
        request, _("Your archive is being prepared. You can leave this page and come back.")
    )
    return redirect("exports:page")


@login_required
@require_POST
def export_account(request: HttpRequest) -> HttpResponse:
    return _request(request, None)


@login_required
@require_POST
def export_chat(request: HttpRequest, chat_id: int) -> HttpResponse:
    return _request(request, chat_id)


@login_required
@require_GET
def export_status(request: HttpRequest, export_id: int) -> HttpResponse:
    """One export's row; while it is being prepared the row asks again every second."""
    export = selectors.export_get_for_user(request.user, export_id)
    return render(request, "exports/_export_row.html", {"export": export})


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponseBase:
    export = selectors.export_get_for_user(request.user, export_id)
    if not export.is_downloadable:
        raise Http404
    return download_response(export)


def download_response(export) -> HttpResponseBase:
    """The archive as an attachment with nosniff, by the same private-file path as chat
    attachments: X-Accel-Redirect behind nginx, else streamed by Django."""
    response = serve_private_file(
        export.file.name,
        content_type="application/zip",
        filename=export.file.name.rsplit("/", 1)[-1],
        inline=False,
    )
    response["Cache-Control"] = "private, no-store"
    return response
