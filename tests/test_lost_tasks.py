"""Database backend: a task whose worker was killed does not stay RUNNING in the admin. The
`tasks.reap_lost` housekeeping job marks it FAILED (WorkerLost) and enqueues it again when it
is idempotent; tasks of live workers and recent ones are left alone."""

from __future__ import annotations

import os
import signal
import socket
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from messenger.tasks import reaper
from tests.exports.test_worker_faults import BACKENDS, start_worker, stop
from tests.lost_task_fixtures import hold, hold_first_time

pytestmark = pytest.mark.django_db
LOST = "messenger.tasks.reaper.WorkerLost"


@pytest.fixture
def database_backend(settings):
    settings.TASKS = BACKENDS["database"]


def running_row(task, *, worker_id: str, minutes_ago: float) -> DBTaskResult:
    """A task row as a worker leaves it while running the task."""
    result = task.enqueue(started="/nonexistent")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker_id],
    )
    return DBTaskResult.objects.get(pk=result.id)


def reap() -> list[str]:
    return reaper.lost_tasks_reap(older_than=timedelta(minutes=5))


def test_task_of_a_gone_worker_is_marked_failed(database_backend):
    """A row started long ago by a worker on another machine that no longer beats: FAILED,
    with WorkerLost and the worker named, so the admin shows what happened."""
    row = running_row(hold, worker_id="elsewhere:4242:abcd", minutes_ago=10)
    assert reap() == [str(row.pk)]
    row.refresh_from_db()
    assert (row.status, row.exception_class_path) == (TaskResultStatus.FAILED, LOST)
    assert "elsewhere:4242:abcd" in row.traceback and row.finished_at
    assert DBTaskResult.objects.count() == 1  # not idempotent: not enqueued again
    assert reap() == []


def test_tasks_of_live_workers_and_recent_tasks_are_left_running(database_backend):
    """A worker that beats elsewhere, a live process here, or a task started a minute ago."""
    cache.delete(reaper.HEARTBEAT_KEY.format(worker_id="elsewhere:1:beat"))
    beating = running_row(hold, worker_id="elsewhere:1:beat", minutes_ago=10)
    reaper.heartbeat("elsewhere:1:beat")
    here = f"{socket.gethostname()[:40]}:{os.getpid()}:self"
    local = running_row(hold, worker_id=here, minutes_ago=10)
    recent = running_row(hold, worker_id="elsewhere:2:gone", minutes_ago=1)
    assert reap() == []
    rows = DBTaskResult.objects.filter(pk__in=[beating.pk, local.pk, recent.pk])
    assert set(rows.values_list("status", flat=True)) == {TaskResultStatus.RUNNING}


def test_idempotent_task_is_enqueued_again(database_backend, django_capture_on_commit_callbacks):
    """A task registered with rerun_when_lost gets a new READY row with the same arguments."""
    row = running_row(hold_first_time, worker_id="elsewhere:3:gone", minutes_ago=10)
    with django_capture_on_commit_callbacks(execute=True):
        assert reap() == [str(row.pk)]
    again = DBTaskResult.objects.exclude(pk=row.pk).get()
    assert (again.status, again.task_path) == (TaskResultStatus.READY, row.task_path)
    assert again.args_kwargs == row.args_kwargs


def test_reaper_is_a_housekeeping_job():
    """The worker's scheduler chain runs the reaper."""
    from messenger.tasks.schedule import JOBS

    assert JOBS["tasks.reap_lost"].task is reaper.reap_lost_tasks


def wait_for_row(pk, predicate, *, timeout: float, what: str, worker) -> DBTaskResult:
    """Poll the task row until `predicate(row)` holds (the worker's commits are the event)."""
    deadline = time.monotonic() + timeout
    while True:
        row = DBTaskResult.objects.get(pk=pk)
        if predicate(row):
            return row
        if worker.poll() is not None:
            raise AssertionError(f"worker exited ({worker.returncode}) before: {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}; row {row.status}")
        time.sleep(0.05)


@pytest.mark.server
def test_sigkilled_worker_task_is_failed_and_rerun_by_the_next_worker(
    transactional_db, settings, tmp_path
):
    """Kill -9 a `manage.py tasks_worker` mid-task: its row stays RUNNING; the next worker's
    housekeeping marks it FAILED (WorkerLost) and, the task being idempotent, runs it again."""
    from tests.conftest import _database_url

    if _database_url().startswith("postgres"):
        pytest.skip("the embedded mode's database backend is tested on SQLite")
    settings.TASKS = BACKENDS["database"]
    started = tmp_path / "started"
    result = hold_first_time.enqueue(started=str(started))
    first = start_worker("database", "lost-first")
    try:
        wait_for_row(
            result.id,
            lambda row: row.status == TaskResultStatus.RUNNING and started.exists(),
            timeout=90,
            what="the first worker runs the task",
            worker=first,
        )
    finally:
        stop(first, signal.SIGKILL)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING

    second = start_worker("database", "lost-second", TASKS_LOST_AFTER_SECONDS="0.5")
    try:
        lost = wait_for_row(
            result.id,
            lambda row: row.status != TaskResultStatus.RUNNING,
            timeout=90,
            what="the second worker reaps the lost task",
            worker=second,
        )
        rerun = DBTaskResult.objects.exclude(pk=result.id).filter(task_path=lost.task_path)
        deadline = time.monotonic() + 90
        while not rerun.filter(status=TaskResultStatus.SUCCESSFUL).exists():
            assert time.monotonic() < deadline, "the rerun did not finish"
            assert second.poll() is None
            time.sleep(0.05)
    finally:
        stop(second)
    assert (lost.status, lost.exception_class_path) == (TaskResultStatus.FAILED, LOST)
    assert rerun.get().return_value == "finished"
