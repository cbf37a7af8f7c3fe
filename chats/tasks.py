"""Background tasks of chats."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from chats import services
from messenger.tasks.reaper import rerun_when_lost


@task()
def discard_stale_uploads() -> int:
    """Delete uploads never sent with a message within STALE_UPLOAD_HOURS; returns how many."""
    return services.attachments_discard_stale(older_than_hours=settings.STALE_UPLOAD_HOURS)


@rerun_when_lost
@task()
def make_thumbnail(attachment_id: int) -> bool:
    """Make the thumbnail of an uploaded chat image (a rerun does nothing)."""
    return services.attachment_thumbnail_make(attachment_id=attachment_id)
