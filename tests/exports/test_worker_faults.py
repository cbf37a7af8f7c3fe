"""A task worker killed with SIGKILL in the middle of an export: a new worker finishes it, and
the export ends with exactly one archive. Real worker processes (`manage.py tasks_worker`) on
SQLite with the database backend, and on PostgreSQL + Redis with RQ (bin/with-services)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from exports import services
from exports.models import DataExport
from tests.conftest import ROOT, _database_url
from tests.exports.conftest import send
from tests.factories import GroupFactory, UserFactory
from tests.factories.social import befriend

MESSAGES = 150
BACKENDS = {
    "database": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    "rq": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
}


def start_worker(backend: str, name: str, **extra_env: str) -> subprocess.Popen:
    """`manage.py tasks_worker` in a session of its own (so a kill takes its children too)."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": backend,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "messenger.settings",
        "PYTHONUNBUFFERED": "1",
        "EXPORT_LEASE_SECONDS": "1",
        "TASKS_HOUSEKEEPING_SECONDS": "0.5",
        **extra_env,
    }
    log = open(ROOT / "var" / f"test-worker-{name}.log", "w")  # noqa: SIM115 (lives with the process)
    return subprocess.Popen(
        [sys.executable, "manage.py", "tasks_worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def children(pid: int) -> list[int]:
    found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


def stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal the worker's process group; a SIGKILL also takes the child an RQ worker forks
    for the job (it runs in a session of its own), as losing the machine would."""
    if worker.poll() is None:
        if sig == signal.SIGKILL:
            for child in children(worker.pid):
                os.kill(child, signal.SIGKILL)
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=20)


def wait_for(predicate, *, timeout: float, what: str, worker: subprocess.Popen) -> DataExport:
    """Poll the export row until `predicate(row)` holds (the worker's commits are the event)."""
    deadline = time.monotonic() + timeout
    while True:
        export = DataExport.objects.get()
        if predicate(export):
            return export
        if worker.poll() is not None:
            raise AssertionError(f"worker exited ({worker.returncode}) before: {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}; export {export.__dict__}")
        time.sleep(0.05)


@pytest.mark.server
@pytest.mark.parametrize("backend", ["database", "rq"])
def test_export_survives_a_killed_worker(transactional_db, settings, tmp_path, backend):
    """Kill -9 the worker mid-build; a new worker builds the export again, and one archive is
    stored: complete, with every message."""
    if backend == "rq" and not os.environ.get("REDIS_URL"):
        pytest.skip("RQ needs Redis: run under bin/with-services")
    if backend == "database" and _database_url().startswith("postgres"):
        pytest.skip("the embedded mode's database backend is tested on SQLite")
    settings.TASKS = BACKENDS[backend]
    settings.MEDIA_ROOT = str(tmp_path)  # the workers' too: only this test's archives in it
    anna, boris = UserFactory(), UserFactory()
    befriend(anna, boris)
    chat = GroupFactory(created_by=anna, members=[boris])
    for number in range(MESSAGES):
        send(anna if number % 2 else boris, chat, f"message {number}")
    export = services.export_request(requester=anna, chat_id=chat.pk)

    first = start_worker(backend, f"{backend}-first", EXPORT_STEP_PAUSE_SECONDS="0.05")
    try:
        wait_for(
            lambda row: row.state == "running" and row.progress >= 10,
            timeout=90,
            what="the first worker is building",
            worker=first,
        )
    finally:
        stop(first, signal.SIGKILL)
    killed = DataExport.objects.get(pk=export.pk)
    assert (killed.state, killed.attempts, killed.file.name) == ("running", 1, "")
    assert killed.progress < 100

    second = start_worker(backend, f"{backend}-second")
    try:
        done = wait_for(
            lambda row: row.state in ("done", "failed"),
            timeout=150,
            what="the second worker finished the export",
            worker=second,
        )
    finally:
        stop(second)
    assert (done.state, done.attempts, done.progress) == ("done", 2, 100)
    folder = Path(django_settings.MEDIA_ROOT) / "exports" / str(anna.pk)
    archives = list(folder.rglob("*.zip"))
    assert len(archives) == 1
    assert archives[0].relative_to(django_settings.MEDIA_ROOT).as_posix() == done.file.name
    bundle = zipfile.ZipFile(io.BytesIO(archives[0].read_bytes()))
    assert bundle.testzip() is None
    data = json.loads(bundle.read("data.json"))
    texts = {message["text"] for one in data["chats"] for message in one["messages"]}
    assert texts == {f"message {number}" for number in range(MESSAGES)}
