"""API access tokens: allauth's headless JWTs, tied to a live session and to the account's email.

allauth issues the tokens (`/_allauth/app/v1/auth/login`, `/_allauth/app/v1/tokens/refresh`);
`HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED` makes every access token check that its session
still exists and that Django's session auth hash (derived from the password) still matches, so
logout and a password change end the token at once. Django's hash does not cover the email
address, so login records a fingerprint of it in the token's session and both access and
refresh tokens are refused once it no longer matches: changing the email ends API sessions too.

Refresh tokens rotate (each refresh gives a new one and retires the old). A retired refresh
token presented again means two parties hold the family, one of them a thief: the whole login
(its session, so every access and refresh token of it, and its sockets) ends at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from allauth.account.internal.userkit import str_to_user_id
from allauth.headless.tokens.strategies.jwt import JWTTokenStrategy
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from allauth.usersessions.models import UserSession
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from messenger.realtime import close_sockets

if TYPE_CHECKING:
    # django-stubs' name for the AUTH_USER_MODEL class (its mypy plugin resolves it).
    from django.contrib.auth.models import _User

logger = logging.getLogger("beseda.auth")

EMAIL_FINGERPRINT_KEY = "beseda_api_email"


def email_fingerprint(user: AbstractBaseUser | AnonymousUser) -> str:
    """A keyed hash of the user's email address (kept in the token's session)."""
    email = (getattr(user, "email", "") or "").lower()
    return salted_hmac("beseda.api-token-email", email, algorithm="sha256").hexdigest()


def session_matches_user(session: SessionBase, user: AbstractBaseUser) -> bool:
    """True if the session was issued for the user's current email address."""
    recorded = session.get(EMAIL_FINGERPRINT_KEY)
    return isinstance(recorded, str) and constant_time_compare(recorded, email_fingerprint(user))


def authenticate_access_token(token: str) -> tuple[_User, str] | None:
    """The user and session key an access token stands for, or None if it is not valid now.

    Valid means: signed by us, not expired, an access (not refresh) token, its session still
    exists, the session's user and password hash still match, and the email has not changed.
    """
    payload = jwt_internal.decode_token(token, "access")
    if payload is None:
        return None
    session = jwt_internal.get_token_session(payload)
    if session is None:
        return None
    user = jwt_internal.validate_token_user(payload, session)
    if user is None or not user.is_active or not session_matches_user(session, user):
        return None
    if getattr(user, "is_suspended", False):  # moderation ends its sessions too; belt and braces
        return None
    return user, session.session_key


def token_family_end(*, session: SessionBase, user_id: Any) -> None:
    """End the login a token family belongs to: its session (so all its tokens) and sockets."""
    session_key = session.session_key
    with transaction.atomic():
        UserSession.objects.filter(session_key=session_key).delete()
        session.delete()
        transaction.on_commit(lambda: close_sockets([user_id], only_session=session_key))


def _is_retired_refresh_token(token: str) -> tuple[SessionBase, dict[str, Any]] | None:
    """(session, payload) if `token` is a refresh token we signed for a live session that has
    since retired it (rotated out), else None."""
    payload = jwt_internal.decode_token(token, "refresh")
    if payload is None:
        return None
    session = jwt_internal.get_token_session(payload)
    if session is None or payload["jti"] in jwt_internal.get_refresh_token_state(session):
        return None
    return session, payload


class TokenStrategy(JWTTokenStrategy):
    """allauth's JWT strategy plus the email fingerprint check (see the module docstring)."""

    def create_access_token_payload(self, request: HttpRequest) -> dict[str, Any] | None:
        payload: dict[str, Any] | None = super().create_access_token_payload(request)
        if payload is not None:
            # allauth saves the session after this call (headless authkit), with the token state.
            request.session[EMAIL_FINGERPRINT_KEY] = email_fingerprint(request.user)
        return payload

    def refresh_token(self, refresh_token: str) -> tuple[str, str] | None:
        retired = _is_retired_refresh_token(refresh_token)
        if retired is not None:
            session, payload = retired
            user_id = str_to_user_id(payload["sub"])
            logger.warning("retired refresh token reused: ending that login of user %s", user_id)
            token_family_end(session=session, user_id=user_id)
            return None
        checked = jwt_internal.validate_refresh_token(refresh_token)
        if checked is None:
            return None
        user, session, _payload = checked
        if not session_matches_user(session, user):
            return None
        tokens: tuple[str, str] | None = super().refresh_token(refresh_token)
        return tokens
