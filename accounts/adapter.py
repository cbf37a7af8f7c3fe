"""allauth adapters: the project's hooks into sign-up, login and session management."""

from functools import partial

from allauth.account.adapter import DefaultAccountAdapter
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.db import transaction

from messenger.realtime import close_sockets


class AccountAdapter(DefaultAccountAdapter):
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
