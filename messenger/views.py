"""Project-level views: health check, public media in embedded mode."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from django.views.static import serve

logger = logging.getLogger("beseda.health")

# Folders of MEDIA_ROOT that anyone may read (SERVE_MEDIA, i.e. development and bin/stack);
# deploy/nginx serves the same list in production.
PUBLIC_MEDIA_FOLDERS = frozenset({"avatars", "social", "chat-avatars"})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Is the database and the channel layer reachable? 200 if both, 503 otherwise."""
    checks = {"database": False, "channel_layer": False}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = True
    except Exception:
        logger.warning("health check: database unreachable", exc_info=True)
    try:
        layer = get_channel_layer()
        async_to_sync(layer.send)("beseda.healthz", {"type": "healthz"})
        checks["channel_layer"] = True
    except Exception:
        logger.warning("health check: channel layer unreachable", exc_info=True)
    ok = all(checks.values())
    return JsonResponse({"ok": ok, **checks}, status=200 if ok else 503)


@require_GET
def public_media(request: HttpRequest, path: str) -> HttpResponse:
    """A file of a public media folder, or 404.

    The folder is checked on the path as the file system resolves it: any `.` or `..`
    segment (in whatever encoding it arrived, the server has decoded it by now), an empty
    segment or a backslash is refused outright rather than normalised, so no spelling climbs
    out of a public folder."""
    segments = path.split("/")
    if (
        "\\" in path
        or "\x00" in path
        or segments[0] not in PUBLIC_MEDIA_FOLDERS
        or any(segment in ("", ".", "..") for segment in segments)
    ):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
