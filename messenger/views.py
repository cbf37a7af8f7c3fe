"""Project-level views: health check."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger("beseda.health")


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
