"""The periodic scheduler: one self-renewing housekeeping chain runs the jobs apps register."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from exports.models import DataExport
from messenger.tasks import schedule
from tests.accounts.test_purge_unverified import unverified
from tests.conftest import ROOT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HOUSEKEEPING = "messenger.tasks.schedule.housekeeping"


@pytest.fixture
def queue(settings):
    """The database backend, so enqueued tasks can be inspected instead of run."""
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_HOUSEKEEPING_SECONDS = 60
    return settings


def queued(path: str):
    return DBTaskResult.objects.filter(task_path=path, status="READY")


def test_every_periodic_job_is_registered():
    """Digests, the purges, export recovery and the lost-task reaper are scheduled by the
    project itself."""
    assert set(schedule.JOBS) == {
        "accounts.purge_unverified",
        "chats.discard_stale_uploads",
        "exports.purge",
        "exports.recover",
        "notifications.send_digests",
        "tasks.reap_lost",
    }


def test_a_link_enqueues_its_successor_then_the_due_jobs(queue):
    """Starting the chain queues one link; running it queues the next one a period later and
    each registered job once; a second run before their period queues no job again."""
    assert schedule.housekeeping_ensure() is True
    first = queued(HOUSEKEEPING).get()
    token = first.args_kwargs["kwargs"]["token"]
    first.delete()

    schedule.housekeeping.call(token=token)
    successor = queued(HOUSEKEEPING).get()
    assert successor.run_after > timezone.now() + timedelta(seconds=55)
    job_paths = set(
        DBTaskResult.objects.exclude(task_path=HOUSEKEEPING).values_list("task_path", flat=True)
    )
    assert job_paths == {job.task.module_path for job in schedule.JOBS.values()}

    assert schedule.run_due_jobs() == []


def test_only_one_chain_lives(queue):
    """A second start while a chain is alive adds nothing; a superseded link ends its chain."""
    assert schedule.housekeeping_ensure() is True
    assert schedule.housekeeping_ensure() is False
    assert queued(HOUSEKEEPING).count() == 1

    cache.delete(schedule.ALIVE_KEY)  # the chain's worker died
    assert schedule.housekeeping_ensure() is True
    stale, current = queued(HOUSEKEEPING).order_by("enqueued_at")
    DBTaskResult.objects.all().delete()
    assert schedule.housekeeping.call(**stale.args_kwargs["kwargs"]) == []
    assert not DBTaskResult.objects.exists()
    schedule.housekeeping.call(**current.args_kwargs["kwargs"])
    assert queued(HOUSEKEEPING).count() == 1


def test_housekeeping_runs_the_purges(settings):
    """One housekeeping run (tasks in place) deletes old unverified accounts and expired
    archives, and leaves what is still wanted."""
    settings.UNVERIFIED_ACCOUNT_DAYS = 7
    stale_account, fresh_account = unverified(days_ago=8), unverified(days_ago=1)
    owner = UserFactory()
    expired = DataExport.objects.create(
        requester=owner,
        kind=DataExport.Kind.USER,
        state="done",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    schedule.housekeeping_ensure()
    assert not type(stale_account).objects.filter(pk=stale_account.pk).exists()
    assert type(fresh_account).objects.filter(pk=fresh_account.pk).exists()
    assert not DataExport.objects.filter(pk=expired.pk).exists()


def task_backend_for(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TASKS_BACKEND")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", PRINT_BACKEND],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "messenger.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRINT_BACKEND = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django_tasks_db.DatabaseBackend"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "django_tasks_rq.RQBackend"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/0", "TASKS_BACKEND": "database"},
            "django_tasks_db.DatabaseBackend",
        ),
    ],
)
def test_task_backend_follows_redis_url_unless_told(env, backend):
    """RQ when REDIS_URL is set, the database backend otherwise; TASKS_BACKEND overrides."""
    result = task_backend_for(**env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend


def test_unknown_task_backend_is_refused():
    """A typo in TASKS_BACKEND stops the process with a message naming the choices."""
    result = task_backend_for(TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of database, rq, immediate" in result.stderr
