"""allauth and auth signals hooked to account services (the only signals the project uses)."""

from allauth.account.signals import email_changed, password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from accounts import services
from messenger.realtime import close_sockets


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender, request, user, **kwargs) -> None:
    if user is not None and request is not None and request.session.session_key:
        close_sockets([user.pk], only_session=request.session.session_key)


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def end_other_sessions_after_password_change(sender, request, user, **kwargs) -> None:
    services.sessions_end_other(
        user=user,
        keep_session_key=_session_key(request),
        previous_session_key=getattr(request, "session_key_before_password_change", None),
    )


@receiver(email_changed)
def end_other_sessions_after_email_change(
    sender, request, user, from_email_address, to_email_address, **kwargs
) -> None:
    # allauth also sends this when the first address of a new account is verified.
    if from_email_address is not None:
        services.sessions_end_other(user=user, keep_session_key=_session_key(request))


def _session_key(request) -> str | None:
    session = getattr(request, "session", None)
    return session.session_key if session is not None else None
