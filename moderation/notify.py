"""Email to a warned user (sent after the warning is committed)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User

logger = logging.getLogger("beseda.moderation")


def send_warning_email(user: User, reason: str) -> None:
    if not user.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A warning from the moderators")
        body = _(
            "Hello, %(name)s.\n\nA moderator of %(site)s warned you:\n\n%(reason)s\n\n"
            "Please keep to the site's rules; further breaches may get your account suspended."
        ) % {"name": user.display_name, "site": settings.SITE_URL, "reason": reason}
    try:
        send_mail(
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body,
            None,
            [user.email],
        )
    except OSError:
        logger.warning("event=warning_email_failed user=%s", user.pk, exc_info=True)
