"""allauth and auth signals hooked to account services (the only signals the project uses)."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from messenger.realtime import close_sockets


@receiver(user_logged_out)
def close_sockets_of_ended_session(sender, request, user, **kwargs) -> None:
    if user is not None and request is not None and request.session.session_key:
        close_sockets([user.pk], only_session=request.session.session_key)
