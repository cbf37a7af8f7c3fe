"""The REST API under /api/v1/: one NinjaAPI, its authentication, errors and write limits.

Operations live in each app's `api.py` router and call the same services and selectors as the
HTML views. Authentication is either the browser session (with Django's CSRF check on writes)
or `Authorization: Bearer <access token>` issued by allauth headless (see messenger/tokens.py).
Every error has the shape `{code, detail, fields?}` (messenger/api_kit.py); docs/api.md is the
guide for client authors.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from accounts.api import router as accounts_router
from chats.api import router as chats_router
from exports.api import router as exports_router
from messenger.api_kit import ApiError, ErrorOut
from messenger.tokens import authenticate_access_token
from moderation.api import router as moderation_router
from notifications.api import router as notifications_router
from social.api import router as social_router

logger = logging.getLogger("beseda.api")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


# -- authentication ---------------------------------------------------------------------------
class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <access token>` from /_allauth/app/v1/auth/login (or refresh).

    A present but invalid token is refused outright (401) rather than falling back to the
    session: a client that sends a token means that token.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate_access_token(token)
        if found is None:
            raise ApiError(
                401,
                "invalid_token",
                _("The access token is invalid or expired; refresh it or log in again."),
                headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
            )
        user, session_key = found
        request.user = user
        request.auth_session_key = session_key
        return user


class SessionCookieAuth(SessionAuth):
    """The browser's session cookie; writes must carry the CSRF token (X-CSRFToken header)."""

    def __call__(self, request: HttpRequest) -> Any:
        # Anonymous requests are a 401, not a CSRF 403: look at the login before the CSRF token.
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403,
                "csrf_failed",
                _("CSRF check failed: send the csrftoken cookie's value as X-CSRFToken."),
            )
        return request.user


# -- write rate limit -------------------------------------------------------------------------
class WriteRateThrottle(SimpleRateThrottle):
    """Limits POST/PUT/PATCH/DELETE per user to settings.API_WRITE_RATE (e.g. "120/m")."""

    scope = "api-write"

    def __init__(self) -> None:
        super().__init__(rate=settings.API_WRITE_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate on every request so a deployment (or a test) can change it at runtime.
        self.rate = settings.API_WRITE_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request)
        except Exception:
            # The counters live in the cache (Redis in production). With it down, refusing
            # every write would turn a cache fault into an outage: let writes through.
            logger.warning("event=throttle_unavailable action=allow", exc_info=True)
            return True

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if request.method not in WRITE_METHODS or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# -- errors -----------------------------------------------------------------------------------
def error_response(
    status: int,
    code: str,
    detail: str,
    *,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The one JSON error shape of /api/v1/."""
    body = ErrorOut(code=code, detail=str(detail), fields=fields).model_dump_json(exclude_none=True)
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(loc: tuple | list) -> str:
    """`("body", "payload", "bio")` → "bio"; `("query", "limit")` → "limit"."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] or ["body"]
    elif parts:
        parts = parts[1:] or parts
    return ".".join(parts) or "__all__"


def _ninja_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        if "loc" in error:
            message = error.get("msg", "")
            if message.startswith("Value error, "):
                message = message[len("Value error, ") :]
            fields.setdefault(_field_name(error["loc"]), []).append(message)
        else:  # ninja's own shape, e.g. {"cursor": "Invalid Cursor"}
            for name, message in error.items():
                fields.setdefault(str(name), []).append(str(message))
    return error_response(400, "invalid", _("Some fields are invalid."), fields=fields)


def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
        return error_response(400, "invalid", _("Some fields are invalid."), fields=fields)
    return error_response(400, "invalid", " ".join(exc.messages))


def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(
        exc.status_code, exc.code, exc.detail, fields=exc.fields, headers=exc.headers
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) when the body is not parseable as the declared media type.
    detail = _("The request body is not valid JSON.") if exc.status_code == 400 else str(exc)
    return error_response(exc.status_code, ERROR_CODES.get(exc.status_code, "error"), detail)


def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401,
        "not_authenticated",
        _("Log in first: send a session cookie or an Authorization: Bearer access token."),
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds the Retry-After header to this response.
    return error_response(429, "rate_limited", _("Too many changes at once; try again shortly."))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", _("Not found, or not yours to see."))


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # Services' refusals may name their reason (chats.services.Blocked has code "blocked").
    code = getattr(exc, "code", None) or "forbidden"
    return error_response(403, code, str(exc) or _("You may not do this."))


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "too_large", _("The request body is too large."))


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(400, "invalid", _("The request is malformed."))


def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(
        400, "invalid", _("The multipart body is malformed (missing boundary or cut short).")
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API %s %s failed", request.method, request.path, exc_info=exc)
    return error_response(500, "internal", _("The server failed to handle this request."))


def _json_errors(view):
    """Answer ninja's plain-text 405, Django's HTML 404 and any failure ninja does not route
    to its exception handlers (authentication and throttle checks run outside them) under
    /api/v1/ in the JSON shape."""

    def convert(response: HttpResponse) -> HttpResponse:
        if isinstance(response, HttpResponseNotAllowed):
            return error_response(
                405,
                "method_not_allowed",
                _("This method is not allowed here."),
                headers={"Allow": response["Allow"]},
            )
        return response

    if iscoroutinefunction(view):

        async def async_wrapper(request, *args, **kwargs):
            try:
                return convert(await view(request, *args, **kwargs))
            except Http404 as exc:
                return _not_found(request, exc)
            except Exception as exc:
                return _unexpected(request, exc)

        functools.update_wrapper(async_wrapper, view)
        return markcoroutinefunction(async_wrapper)

    def wrapper(request, *args, **kwargs):
        try:
            return convert(view(request, *args, **kwargs))
        except Http404 as exc:
            return _not_found(request, exc)
        except Exception as exc:
            return _unexpected(request, exc)

    functools.update_wrapper(wrapper, view)
    return wrapper


def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _not_found(request, Http404())


# -- the API ----------------------------------------------------------------------------------
class Utf8JSONRenderer(JSONRenderer):
    """JSON with text as UTF-8 rather than \\u escapes: Cyrillic stays readable."""

    json_dumps_params = {"ensure_ascii": False}


COMMON_ERRORS = (400, 401, 403, 404)
WRITE_ERRORS = (409, 413, 429)


class BesedaAPI(NinjaAPI):
    """NinjaAPI with JSON errors for unknown paths and methods, and errors in the schema."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_errors(pattern.callback)
        patterns.append(re_path(r"^(?P<rest>.*)$", _json_errors(_unknown_path)))
        return patterns, app_name, namespace

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
        ref = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                codes = COMMON_ERRORS + (WRITE_ERRORS if method.upper() in WRITE_METHODS else ())
                responses = operation.setdefault("responses", {})
                for code in codes:
                    responses.setdefault(code, {"description": ERROR_CODES[code], **ref})
        return schema


api = BesedaAPI(
    title="Beseda API",
    version="1",
    description=(
        "REST API of Beseda. Authenticate with the browser session (writes need the "
        "X-CSRFToken header) or with `Authorization: Bearer <access token>` from "
        "`POST /_allauth/app/v1/auth/login`. Errors are `{code, detail, fields?}`. "
        "See docs/api.md for a walkthrough."
    ),
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionCookieAuth(csrf=True)],
    throttle=[WriteRateThrottle()],
    renderer=Utf8JSONRenderer(),
)

api.add_exception_handler(ApiError, _api_error)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(AuthenticationError, _not_authenticated)
api.add_exception_handler(Throttled, _throttled)
api.add_exception_handler(NinjaValidationError, _ninja_validation_error)
api.add_exception_handler(DjangoValidationError, _django_validation_error)
api.add_exception_handler(Http404, _not_found)
api.add_exception_handler(PermissionDenied, _forbidden)
api.add_exception_handler(RequestDataTooBig, _too_large)
api.add_exception_handler(SuspiciousOperation, _suspicious)
api.add_exception_handler(MultiPartParserError, _bad_multipart)
api.add_exception_handler(Exception, _unexpected)

# One line per app; routers are added as the apps grow their APIs.
api.add_router("/", accounts_router)
api.add_router("/", social_router)
api.add_router("/", chats_router)
api.add_router("/", exports_router)
api.add_router("/", notifications_router)
api.add_router("/reports", moderation_router)
