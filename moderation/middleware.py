"""Shows a moderator's warning on the warned user's next page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from moderation.services import notices_take


class ModerationNoticeMiddleware:
    """Turns unseen warnings into messages on the next full page (not API, htmx or files).

    `User.has_moderation_notice` rides on the user row every request loads, so pages without a
    warning pay no query.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Cheap checks first: requests that are no full page never load the user here.
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and "text/html" in request.headers.get("Accept", "")
            and not request.headers.get("HX-Request")
            and not request.path.startswith(("/api/", "/_allauth/", "/admin/", "/media/"))
            and user is not None
            and user.is_authenticated
            and getattr(user, "has_moderation_notice", False)
        ):
            for notice in notices_take(user=user):
                messages.warning(
                    request, _("Warning from the moderators: %(text)s") % {"text": notice.text}
                )
        return self.get_response(request)
