"""Periodic work scheduled by the project itself, the same on either backend.

Apps register jobs in `AppConfig.ready()`: `register("exports.purge", purge_exports,
every=3600)`. The `housekeeping` task is a chain: each link first enqueues its successor with
`run_after` = now + TASKS_HOUSEKEEPING_SECONDS, then enqueues every job that is due as a task of
its own (so each run shows in the admin and can be retried there). `housekeeping_ensure()`
(called by `manage.py tasks_worker` on start) starts a chain when none is alive; a chain is
identified by a token kept in the cache, and a link whose token is not the current one ends
without successor, so however many workers start, one chain survives. When is each job next
due is kept in the cache too: Redis in production, the worker's own memory in the embedded
mode (one worker, so every job runs once when it starts and then on its period).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from messenger.tasks.kit import can_defer, enqueue

logger = logging.getLogger("beseda.tasks")

CHAIN_KEY = "tasks:housekeeping:token"
ALIVE_KEY = "tasks:housekeeping:alive"
DUE_KEY = "tasks:housekeeping:due:{name}"


@dataclass(frozen=True)
class Job:
    name: str
    task: Any
    every: float  # seconds


JOBS: dict[str, Job] = {}


def register(name: str, job_task: Any, *, every: float) -> None:
    """Run `job_task` (a django-tasks task without arguments) every `every` seconds."""
    JOBS[name] = Job(name, job_task, every)


def _interval() -> float:
    return settings.TASKS_HOUSEKEEPING_SECONDS


def _mark_alive() -> None:
    # Three missed wake-ups and the chain counts as dead (a worker killed mid-link).
    cache.set(ALIVE_KEY, 1, timeout=int(3 * _interval()) + 1)


def run_due_jobs(*, now: float | None = None) -> list[str]:
    """Enqueue every registered job whose time has come; returns their names."""
    now = time.time() if now is None else now
    started = []
    for job in JOBS.values():
        key = DUE_KEY.format(name=job.name)
        due = cache.get(key)
        if due is not None and due > now:
            continue
        cache.set(key, now + job.every, timeout=None)
        enqueue(job.task)
        started.append(job.name)
    return started


@task()
def housekeeping(token: str) -> list[str]:
    """One link of the scheduler chain: enqueue the next link, then the jobs that are due."""
    if cache.get(CHAIN_KEY) != token:
        logger.info("housekeeping chain %s superseded; ending it", token)
        return []
    if can_defer(housekeeping):
        run_after = timezone.now() + timedelta(seconds=_interval())
        enqueue(housekeeping.using(run_after=run_after), token=token)
        _mark_alive()
    return run_due_jobs()


def housekeeping_ensure() -> bool:
    """Start a scheduler chain unless one is alive; True when one was started."""
    if cache.get(ALIVE_KEY):
        return False
    token = uuid.uuid4().hex
    cache.set(CHAIN_KEY, token, timeout=None)
    _mark_alive()
    logger.info("starting housekeeping chain %s", token)
    enqueue(housekeeping, token=token)
    return True
