"""Times rendered on the server follow the browser's time zone (the `tz` cookie)."""

import zoneinfo

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from messenger.middleware import BrowserTimezoneMiddleware


def current_zone_for(cookie: str | None) -> str:
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES["tz"] = cookie
    BrowserTimezoneMiddleware(view)(request)
    return seen["zone"]


def test_browser_zone_is_used():
    """A valid IANA zone in the cookie becomes the zone pages render in."""
    assert current_zone_for("Asia/Yekaterinburg") == "Asia/Yekaterinburg"


def test_missing_or_bogus_zone_falls_back_to_the_default(settings):
    """No cookie, an unknown zone or a path-like value render in settings.TIME_ZONE."""
    for cookie in (None, "Mars/Olympus", "../../etc/passwd", "x" * 200, ""):
        assert current_zone_for(cookie) == settings.TIME_ZONE
    assert zoneinfo.ZoneInfo(settings.TIME_ZONE)
