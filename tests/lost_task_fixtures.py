"""Tasks the lost-worker tests enqueue; importable by the worker processes they start."""

from __future__ import annotations

import threading
from pathlib import Path

from django_tasks import task

from messenger.tasks.reaper import rerun_when_lost


@task()
def hold(started: str) -> str:
    """Say it started (a file), then hold the worker until the test kills it."""
    Path(started).write_text("started")
    threading.Event().wait(120)
    return "held"


@rerun_when_lost
@task()
def hold_first_time(started: str) -> str:
    """An idempotent job: the first run holds (and is killed), a rerun finishes at once."""
    if Path(started).exists():
        return "finished"
    return hold.call(started)
