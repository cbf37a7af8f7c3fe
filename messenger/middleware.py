"""Project middleware."""

from __future__ import annotations

import functools
import zoneinfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

TIMEZONE_COOKIE = "tz"


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zone names this machine's tz database holds (read once per process)."""
    return frozenset(zoneinfo.available_timezones())


class BrowserTimezoneMiddleware:
    """Render times in the browser's time zone.

    static/js/app.js stores `Intl.DateTimeFormat().resolvedOptions().timeZone` in the `tz`
    cookie, so times the server renders agree with those the page's scripts render. An unknown
    or missing zone falls back to settings.TIME_ZONE. Only names of the tz database's zone list
    are tried: a folder of the database (`America`) or any other file would make ZoneInfo raise
    OSError on every request.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.COOKIES.get(TIMEZONE_COOKIE, "")
        zone = None
        if name in known_zones():
            try:
                zone = zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
                zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        return self.get_response(request)
