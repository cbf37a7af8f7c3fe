"""Enqueue after commit, and retry with backoff in one place.

django-tasks has no retries of its own. A task that failed for a reason that may pass (SMTP
down, a worker lost mid-build) calls `retry_later`: the same task is enqueued again with
`run_after` = now + TASKS_RETRY_SECONDS × 2^(attempt − 1), carrying the next attempt number.
The work item (an export row, a mail) is what makes a rerun harmless: each task checks it
before doing anything.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("beseda.tasks")


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the current transaction commits (at once outside
    one): what is not stored is never worked on."""
    transaction.on_commit(partial(enqueue, task, *args, **kwargs))


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue now; a broker that is down is logged, not raised: the periodic recovery jobs
    pick the work item up again."""
    try:
        task.enqueue(*args, **kwargs)
    except Exception:
        logger.exception("could not enqueue %s", task.name)


def backoff(attempt: int) -> timedelta:
    """How long to wait before attempt `attempt + 1` (doubling, at most a day)."""
    seconds = settings.TASKS_RETRY_SECONDS * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, 86400))


def can_defer(task: Any) -> bool:
    """Whether the task's backend runs work later (the immediate backend of the tests does not)."""
    return bool(task.get_backend().supports_defer)


def retry_later(task: Any, *, attempt: int, **kwargs: Any) -> bool:
    """Enqueue `task(attempt=attempt + 1, **kwargs)` after the backoff; False when the attempts
    are used up or the backend cannot defer (the caller then gives up for good)."""
    if attempt >= settings.TASKS_MAX_ATTEMPTS or not can_defer(task):
        return False
    run_after = timezone.now() + backoff(attempt)
    try:
        task.using(run_after=run_after).enqueue(attempt=attempt + 1, **kwargs)
    except Exception:
        logger.exception("could not enqueue a retry of %s", task.name)
        return False
    logger.info("%s: attempt %s failed, retry at %s", task.name, attempt, run_after.isoformat())
    return True
