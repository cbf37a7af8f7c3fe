"""Who opened a socket: the session cookie (browsers) or an API access token (other clients).

Browsers authenticate /ws/ with their session cookie, so the handshake must come from one of
our pages: a missing or foreign Origin is refused (cross-site WebSocket hijacking). "Ours" is
decided as Django's CSRF origin check decides it, on scheme, host and port: the handshake's own
`scheme://Host` (Host in ALLOWED_HOSTS; https when the socket is TLS or the proxy says so
through SECURE_PROXY_SSL_HEADER), or an entry of CSRF_TRUSTED_ORIGINS (`*.` wildcards too). Other
clients send `Authorization: Bearer <access token>` (the token of /api/v1/, from allauth's app
login). A token is not sent by a browser on its own, so a token handshake may omit Origin; one
that does carry an Origin must still name an allowed host. A bad token leaves the socket
anonymous and the consumer closes it with 4401. A token socket is closed with 4003 when its
access token expires (scope["auth_expires_at"]); the client refreshes and reconnects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import jwt
from channels.auth import AuthMiddlewareStack
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

from messenger.realtime.db import db
from messenger.tokens import authenticate_access_token

# ASGI as Channels extends it: the scope also carries "user", "session" and our auth keys.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _headers(scope: Scope) -> Iterable[tuple[bytes, bytes]]:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", ())
    return headers


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer ...` handshake header, if there is one."""
    for name, value in _headers(scope):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return None


def token_expiry(token: str) -> float | None:
    """The `exp` (Unix time) of an access token that authenticate_access_token accepted."""
    # The signature was checked by authenticate_access_token; only the claim is read here.
    claims = jwt.decode(token, options={"verify_signature": False})
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in _headers(scope))


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in _headers(scope):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _own_origin(scope: Scope) -> str | None:
    """`scheme://host[:port]` of the handshake as Django's request.is_secure()/get_host() would
    see it, or None when its Host is missing or not in ALLOWED_HOSTS."""
    host = _header(scope, b"host")
    if settings.USE_X_FORWARDED_HOST:
        host = (_header(scope, b"x-forwarded-host") or "").split(",")[0].strip() or host
    if not host:
        return None
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed):
        return None
    secure = scope.get("scheme") in ("wss", "https")
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        header_name = meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        forwarded = _header(scope, header_name)
        if forwarded is not None:
            secure = forwarded.split(",")[0].strip() == secure_value
    return f"{'https' if secure else 'http'}://{host}"


def origin_is_ours(scope: Scope) -> bool:
    """True if the handshake's Origin is the site's own, compared as Django's CSRF check does."""
    origin = _header(scope, b"origin")
    if not origin or origin == "null":
        return False
    if origin == _own_origin(scope) or origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    wildcards = [
        urlsplit(trusted).netloc.lstrip("*")
        for trusted in settings.CSRF_TRUSTED_ORIGINS
        if "*" in trusted and urlsplit(trusted).scheme == parsed.scheme
    ]
    return any(is_same_domain(parsed.netloc, pattern) for pattern in wildcards)


class SiteOriginValidator:
    """Refuses the handshake (403) unless `origin_is_ours`."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not origin_is_ours(scope):
            deny: ASGIApp = WebsocketDenier()
            return await deny(scope, receive, send)
        return await self.inner(scope, receive, send)


class TokenAuthMiddleware:
    """Sets scope["user"] and scope["auth_session_key"] from the bearer access token."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = bearer_token(scope) or ""
        found = await db(authenticate_access_token)(token)
        scope = dict(scope)
        if found is None:
            scope["user"] = AnonymousUser()
        else:
            # The token's session key lets logout close exactly this session's sockets.
            scope["user"], scope["auth_session_key"] = found
            scope["auth_expires_at"] = token_expiry(token)
        return await self.inner(scope, receive, send)


class SocketAuthMiddleware:
    """Routes a handshake to token authentication or to the cookie session with Origin check."""

    def __init__(self, inner: ASGIApp) -> None:
        self.cookie_app = SiteOriginValidator(AuthMiddlewareStack(inner))
        token_app = TokenAuthMiddleware(inner)
        self.token_app = token_app
        self.token_app_with_origin = SiteOriginValidator(token_app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app: ASGIApp
        if bearer_token(scope) is None:
            app = self.cookie_app
        elif has_origin(scope):
            app = self.token_app_with_origin
        else:
            app = self.token_app
        return await app(scope, receive, send)
