"""Project middleware."""

from __future__ import annotations

import zoneinfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

TIMEZONE_COOKIE = "tz"


class BrowserTimezoneMiddleware:
    """Render times in the browser's time zone.

    static/js/app.js stores `Intl.DateTimeFormat().resolvedOptions().timeZone` in the `tz`
    cookie, so times the server renders agree with those the page's scripts render. An unknown
    or missing zone falls back to settings.TIME_ZONE.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.COOKIES.get(TIMEZONE_COOKIE, "")
        zone = None
        if name and len(name) <= 64:
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)
