"""Database backend: task rows left RUNNING by a worker that died (SIGKILL, lost machine).

django-tasks-db records, per row, `started_at` and `worker_ids` (the ids of the workers that
claimed it) but no heartbeat, so a killed worker's row would say RUNNING for ever.
`manage.py tasks_worker` therefore names its worker `<host>:<pid>:<random>` and keeps a
heartbeat key in the cache while it lives. The `tasks.reap_lost` housekeeping job marks a
RUNNING row FAILED (exception `WorkerLost`, shown in the admin) when it started more than
TASKS_LOST_AFTER_SECONDS ago and its worker is gone: no heartbeat in the cache and, on this
host, no such process. A task registered with `rerun_when_lost` (its work is idempotent) is
also enqueued again; others (exports, mail) have their own recovery or wait for "retry".
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from messenger.tasks.kit import enqueue

logger = logging.getLogger("beseda.tasks")

HEARTBEAT_KEY = "tasks:worker:{worker_id}"
RERUN_WHEN_LOST: set[str] = set()


class WorkerLost(Exception):
    """The worker running the task stopped (killed, or its machine was lost)."""


def rerun_when_lost(job_task: Any) -> Any:
    """Mark a task whose rerun is harmless: when its worker dies, it is enqueued again."""
    RERUN_WHEN_LOST.add(job_task.module_path)
    return job_task


def worker_id_new() -> str:
    """A worker id that says where the worker runs: `<host>:<pid>:<random>` (≤ 64 chars)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _lost_after() -> float:
    return settings.TASKS_LOST_AFTER_SECONDS


def heartbeat(worker_id: str) -> None:
    cache.set(HEARTBEAT_KEY.format(worker_id=worker_id), 1, timeout=int(_lost_after()) + 1)


def heartbeat_start(worker_id: str) -> threading.Event:
    """Beat for `worker_id` from a daemon thread until the returned event is set (or the
    process dies, which is the point)."""
    stop = threading.Event()
    every = max(min(_lost_after() / 3, 60.0), 0.1)

    def beat() -> None:
        while not stop.is_set():
            try:
                heartbeat(worker_id)
            except Exception:
                logger.exception("worker heartbeat failed")
            stop.wait(every)

    threading.Thread(target=beat, name="tasks-heartbeat", daemon=True).start()
    return stop


def worker_alive(worker_id: str) -> bool:
    """Whether the worker still runs: it beats, or it is a process on this host."""
    if cache.get(HEARTBEAT_KEY.format(worker_id=worker_id)):
        return True
    host, _sep, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user holds that pid: assume it is the worker
    return True


def lost_tasks_reap(*, older_than: timedelta) -> list[str]:
    """Mark FAILED the RUNNING rows started before now − `older_than` whose worker is gone,
    and enqueue again those registered with `rerun_when_lost`; returns the reaped ids."""
    now = timezone.now()
    reaped = []
    candidates = DBTaskResult.objects.running().filter(started_at__lt=now - older_than)
    for row in candidates:
        worker = row.worker_ids[-1] if row.worker_ids else ""
        if worker and worker_alive(worker):
            continue
        with transaction.atomic():
            marked = DBTaskResult.objects.filter(
                pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
            ).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=(
                    f"WorkerLost: worker {worker or '?'} stopped while running this task "
                    f"(started {row.started_at.isoformat()}, no sign of life since)."
                ),
            )
            if marked and _rerunnable(row.task_path):
                transaction.on_commit(lambda row=row: _rerun(row))
        if marked:
            logger.warning("task %s (%s) lost with worker %s", row.pk, row.task_path, worker)
            reaped.append(str(row.pk))
    return reaped


def _rerunnable(task_path: str) -> bool:
    try:
        import_string(task_path)  # its module registers it, if it is idempotent
    except ImportError:
        return False
    return task_path in RERUN_WHEN_LOST


def _rerun(row: DBTaskResult) -> None:
    job_task = import_string(row.task_path).using(
        backend=row.backend_name, queue_name=row.queue_name
    )
    enqueue(job_task, *row.args_kwargs["args"], **row.args_kwargs["kwargs"])


@task()
def reap_lost_tasks() -> int:
    """Mark tasks of dead workers FAILED (and rerun the idempotent ones); returns how many."""
    return len(lost_tasks_reap(older_than=timedelta(seconds=_lost_after())))
