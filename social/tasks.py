"""Background tasks of social."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django_tasks import task

from messenger.tasks.kit import enqueue_on_commit, retry_later
from messenger.tasks.reaper import rerun_when_lost
from social import images


@rerun_when_lost
@task()
def make_photo_thumbnail(kind: str, photo_id: int, attempt: int = 1) -> bool:
    """Make the thumbnail of a post, comment, topic or reply photo (a rerun does nothing);
    storage that fails is tried again later with backoff."""
    try:
        return images.photo_thumbnail_make(kind=kind, photo_id=photo_id)
    except OSError:
        if retry_later(make_photo_thumbnail, attempt=attempt, kind=kind, photo_id=photo_id):
            return False
        raise


def thumbnails_on_commit(kind: str, rows: Iterable[models.Model]) -> None:
    """Queue the thumbnails of freshly stored photo rows, once their transaction commits."""
    for row in rows:
        enqueue_on_commit(make_photo_thumbnail, kind, row.pk)
