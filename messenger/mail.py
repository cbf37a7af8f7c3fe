"""Every mail of the project goes out from a task worker, never from a request.

Django sends mail through EMAIL_BACKEND; settings point it at `TaskEmailBackend`, which turns
each message into its MIME bytes and enqueues `send_email` after the current transaction
commits (a rolled-back sign-up sends nothing). The task hands the bytes to the backend that
EMAIL_URL names (EMAIL_DELIVERY_BACKEND: SMTP in production, the console in development) and is
retried with backoff while the SMTP server is unreachable. allauth's verification and reset
mail, digests and moderators' warnings all take this path.
"""

from __future__ import annotations

import base64
import logging
from email import message_from_bytes
from email.header import decode_header, make_header

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task

from messenger.tasks.kit import enqueue_on_commit, retry_later

logger = logging.getLogger("beseda.mail")


class _StoredMIME:
    """A message's MIME bytes as stored in the task, with the methods mail backends call."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw if linesep == "\n" else self.raw.replace(b"\n", linesep.encode())

    def get_charset(self) -> None:
        return None


class StoredEmailMessage(EmailMessage):
    """A message rebuilt from its MIME bytes: the subject and plain body are read back for
    backends that keep message objects (the tests' locmem outbox)."""

    def __init__(self, raw: bytes, from_email: str, recipients: list[str]) -> None:
        parsed = message_from_bytes(raw)
        body = ""
        for part in parsed.walk():
            if part.get_content_type() == "text/plain" and not part.get_filename():
                payload = part.get_payload(decode=True) or b""
                body = payload.decode(part.get_content_charset() or "utf-8", "replace")
                break
        super().__init__(
            subject=str(make_header(decode_header(parsed.get("Subject", "")))),
            body=body,
            from_email=from_email,
            to=recipients,
        )
        self.raw = raw

    def message(self):  # type: ignore[override]
        return _StoredMIME(self.raw)


class TaskEmailBackend(BaseEmailBackend):
    """Enqueue each message for `send_email` after commit; returns how many were queued."""

    def send_messages(self, email_messages) -> int:
        queued = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            raw = base64.b64encode(message.message().as_bytes()).decode("ascii")
            from_email = message.from_email or settings.DEFAULT_FROM_EMAIL
            enqueue_on_commit(send_email, raw=raw, from_email=from_email, recipients=recipients)
            queued += 1
        return queued


@task()
def send_email(raw: str, from_email: str, recipients: list[str], attempt: int = 1) -> int:
    """Deliver one stored message through EMAIL_DELIVERY_BACKEND; retried with backoff when
    the server cannot be reached (delivery is at least once: SMTP has no idempotency key)."""
    message = StoredEmailMessage(base64.b64decode(raw), from_email, recipients)
    try:
        with get_connection(settings.EMAIL_DELIVERY_BACKEND) as connection:
            return connection.send_messages([message]) or 0
    except OSError:
        kwargs = {"raw": raw, "from_email": from_email, "recipients": recipients}
        if retry_later(send_email, attempt=attempt, **kwargs):
            logger.warning("mail to %s not delivered, will retry", recipients, exc_info=True)
            return 0
        raise
