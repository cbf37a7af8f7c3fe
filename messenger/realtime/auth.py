"""Who opened a socket: the session cookie (browsers) or an API access token (other clients).

Browsers authenticate /ws/ with their session cookie, so the handshake must come from one of
our pages: a missing or foreign Origin is refused (cross-site WebSocket hijacking). Other
clients send `Authorization: Bearer <access token>` (the token of /api/v1/, from allauth's app
login). A token is not sent by a browser on its own, so a token handshake may omit Origin; one
that does carry an Origin must still name an allowed host. A bad token leaves the socket
anonymous and the consumer closes it with 4401. A token socket is closed with 4003 when its
access token expires (scope["auth_expires_at"]); the client refreshes and reconnects.
"""

from __future__ import annotations

import jwt
from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from messenger.realtime.db import db
from messenger.tokens import authenticate_access_token


def bearer_token(scope) -> str | None:
    """The token of an `Authorization: Bearer ...` handshake header, if there is one."""
    for name, value in scope.get("headers", ()):
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


def has_origin(scope) -> bool:
    return any(name == b"origin" for name, _ in scope.get("headers", ()))


class TokenAuthMiddleware:
    """Sets scope["user"] and scope["auth_session_key"] from the bearer access token."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
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

    def __init__(self, inner) -> None:
        self.cookie_app = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))
        token_app = TokenAuthMiddleware(inner)
        self.token_app = token_app
        self.token_app_with_origin = AllowedHostsOriginValidator(token_app)

    async def __call__(self, scope, receive, send):
        if bearer_token(scope) is None:
            app = self.cookie_app
        elif has_origin(scope):
            app = self.token_app_with_origin
        else:
            app = self.token_app
        return await app(scope, receive, send)
