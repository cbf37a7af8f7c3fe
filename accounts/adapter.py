"""allauth adapters: the project's hooks into sign-up, login and session management."""

from functools import partial

from allauth.account.adapter import DefaultAccountAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import DELETED_USERNAME_PREFIX
from messenger.realtime import close_sockets


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username: str, shallow: bool = False) -> str:
        # deleted-<id> names are given to deleted accounts (accounts.services.account_delete).
        if username.lower().startswith(DELETED_USERNAME_PREFIX):
            raise ValidationError(
                _("Usernames starting with “%(prefix)s” are reserved.")
                % {"prefix": DELETED_USERNAME_PREFIX}
            )
        return super().clean_username(username, shallow=shallow)

    def set_password(self, user, password: str) -> None:
        # Django gives the session a new key right after a password change; remember the old
        # one so the sockets this browser opened under it are kept (accounts.receivers).
        session = getattr(self.request, "session", None)
        if session is not None:
            self.request.session_key_before_password_change = session.session_key
        super().set_password(user, password)


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """Ending a session on the sessions page also closes that session's open sockets."""

    def end_sessions(self, sessions) -> None:
        for session in sessions:
            session.end()
            transaction.on_commit(
                partial(close_sockets, [session.user_id], only_session=session.session_key)
            )
