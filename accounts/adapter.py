"""allauth adapters: the project's hooks into sign-up, login and session management."""

from functools import partial
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core.internal.httpkit import headed_redirect_response
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import DELETED_USERNAME_PREFIX, User
from messenger.realtime import close_sockets


def suspension_message(user: User) -> str:
    """What a suspended person is told when they try to log in."""
    if user.is_banned:
        return _("This account has been blocked by the moderators.")
    until = formats.date_format(timezone.localtime(user.suspended_until), "DATETIME_FORMAT")
    return _("This account is suspended by the moderators until %(until)s.") % {"until": until}


def mail_site() -> Site:
    """The site as mails name it: SITE_NAME at the host of SITE_URL (an unsaved Site)."""
    return Site(
        id=settings.SITE_ID, domain=urlsplit(settings.SITE_URL).netloc, name=settings.SITE_NAME
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _lazy(
            "Too many wrong passwords for this account: password sign-in is paused for a few "
            "minutes. Sign in with a sign-in code sent to your email, or reset your password."
        ),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's templates greet from `current_site`, which the Sites framework's row would
        # fill with example.com; the settings say what this site is called and where it lives.
        super().send_mail(template_prefix, email, {**context, "current_site": mail_site()})

    def clean_username(self, username: str, shallow: bool = False) -> str:
        # deleted-<id> names are given to deleted accounts (accounts.services.account_delete).
        if username.lower().startswith(DELETED_USERNAME_PREFIX):
            raise ValidationError(
                _("Usernames starting with “%(prefix)s” are reserved.")
                % {"prefix": DELETED_USERNAME_PREFIX}
            )
        return super().clean_username(username, shallow=shallow)

    def authenticate(self, request, **credentials):
        # The backends refuse a suspended account (accounts.auth_backends); allauth still hands
        # back the user whose password matched, so the form can say why instead of "wrong
        # password". The same form serves the API's token login (allauth headless).
        user = super().authenticate(request, **credentials)
        if user is not None and getattr(user, "is_suspended", False):
            raise ValidationError(suspension_message(user), code="suspended")
        return user

    def pre_login(self, request, user, **kwargs):
        # Logins without a password (passkey, emailed code) reach this point instead. The
        # login is dropped before it starts; an API (headless) client is then simply not
        # authenticated, a browser goes back to the login form with the reason.
        if getattr(user, "is_suspended", False):
            clear_login(request)
            messages.error(request, suspension_message(user))
            return headed_redirect_response("account_login")
        return super().pre_login(request, user, **kwargs)

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
