"""Private uploads (chat files, exports) served after the caller's permission check."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from messenger.tokens import authenticate_access_token

RANGE_CHUNK = 4 * 1024 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")

View = Callable[..., HttpResponseBase]


def session_or_token(view: View) -> View:
    """Let API clients fetch private files with `Authorization: Bearer <access token>` (the
    URLs the API hands out); the browser's session works as before. Reads only."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token:
            found = authenticate_access_token(token.strip())
            if found is None:
                return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
            request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapper


UNSATISFIABLE = "unsatisfiable"


def _byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(first, last) of a single `Range: bytes=a-b` request within `size`; UNSATISFIABLE when
    it asks for no byte of the file (`bytes=-0`, a start at or past the end, an empty file);
    None when the header is not one range we understand, which RFC 9110 says to ignore."""
    match = RANGE_RE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        if int(last) == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - int(last)), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, not unsatisfiable
    if start >= size:
        return UNSATISFIABLE
    end = min(int(last), size - 1) if last else size - 1
    return start, end


def serve_private_file(
    name: str, *, content_type: str, filename: str, inline: bool, range_header: str = ""
) -> HttpResponseBase:
    """The file, or with `range_header` the requested bytes (206), so audio and video can seek
    (nginx does this itself behind X-Accel-Redirect)."""
    if settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        response: HttpResponseBase = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT_PREFIX.rstrip("/") + "/" + name
    else:
        try:
            handle = default_storage.open(name, "rb")
        except OSError:
            raise Http404 from None
        size = handle.size
        wanted = _byte_range(range_header, size) if range_header else None
        if wanted == UNSATISFIABLE:
            handle.close()
            response = HttpResponse(status=416, content_type=content_type)
            response["Content-Range"] = f"bytes */{size}"
        elif isinstance(wanted, tuple):
            first, last = wanted
            last = min(last, first + RANGE_CHUNK - 1)  # the browser asks again for the rest
            handle.seek(first)
            data = handle.read(last - first + 1)
            handle.close()
            response = HttpResponse(data, status=206, content_type=content_type)
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
        else:
            response = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
    disposition = content_disposition_header(not inline, filename)
    if disposition:  # None only for an inline file without a name, as in FileResponse
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
