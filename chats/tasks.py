"""Background tasks of chats."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from chats import services


@task()
def discard_stale_uploads() -> int:
    """Delete uploads never sent with a message within STALE_UPLOAD_HOURS; returns how many."""
    return services.attachments_discard_stale(older_than_hours=settings.STALE_UPLOAD_HOURS)
