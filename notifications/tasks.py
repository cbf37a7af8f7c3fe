"""Background tasks of notifications: the email digest, run by the periodic scheduler."""

from __future__ import annotations

from django_tasks import task

from notifications import selectors, services


@task()
def send_digests() -> int:
    """Email each person who asked for it their unread notifications not yet emailed (a rerun
    sends nothing twice); returns how many digests went out."""
    sent = 0
    for user in selectors.digest_recipients().iterator():
        sent += bool(services.digest_send(user=user))
    return sent
