"""Background tasks of accounts (mail itself goes through messenger.mail)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from accounts import services
from messenger.tasks.kit import retry_later
from messenger.tasks.reaper import rerun_when_lost


@task()
def purge_unverified() -> int:
    """Delete accounts never verified within UNVERIFIED_ACCOUNT_DAYS; returns how many."""
    days = settings.UNVERIFIED_ACCOUNT_DAYS
    return services.users_purge_unverified(older_than=timedelta(days=days))


@rerun_when_lost
@task()
def make_avatar_thumbnail(avatar_id: int, attempt: int = 1) -> bool:
    """Make the small rendition of an uploaded avatar (a rerun does nothing); storage that
    fails is tried again later with backoff."""
    try:
        return services.avatar_thumbnail_make(avatar_id=avatar_id)
    except OSError:
        if retry_later(make_avatar_thumbnail, attempt=attempt, avatar_id=avatar_id):
            return False
        raise
