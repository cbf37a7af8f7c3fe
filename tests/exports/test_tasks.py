"""Exports as tasks: claimed once, recovered when their worker dies, retried with backoff."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from exports import services, tasks
from exports.models import DataExport

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def running(user, *, silent_for: timedelta, attempts: int = 1) -> DataExport:
    return DataExport.objects.create(
        requester=user,
        kind=DataExport.Kind.USER,
        state="running",
        attempts=attempts,
        progress=40,
        heartbeat_at=timezone.now() - silent_for,
    )


def test_build_of_a_silent_export_is_recovered(late_join, settings):
    """A build whose worker died (no heartbeat past the lease) is built again, once."""
    settings.EXPORT_LEASE_SECONDS = 60
    export = running(late_join.anna, silent_for=timedelta(minutes=5))
    assert services.exports_recover() == 1
    export.refresh_from_db()
    assert (export.state, export.attempts, export.progress) == ("done", 2, 100)
    assert default_storage.exists(export.file.name)
    assert services.exports_recover() == 0


def test_build_held_by_a_live_worker_is_left_alone(late_join, settings):
    """A second task for an export whose build shows progress does nothing."""
    settings.EXPORT_LEASE_SECONDS = 60
    export = running(late_join.anna, silent_for=timedelta(seconds=5))
    assert services.exports_recover() == 0
    tasks.build_export.call(export.pk)
    export.refresh_from_db()
    assert (export.state, export.attempts, export.file.name) == ("running", 1, "")


def test_export_silent_after_its_last_attempt_fails(late_join, settings):
    """A build lost TASKS_MAX_ATTEMPTS times is given up: failed, "interrupted"."""
    settings.EXPORT_LEASE_SECONDS = 60
    export = running(
        late_join.anna, silent_for=timedelta(minutes=5), attempts=settings.TASKS_MAX_ATTEMPTS
    )
    services.exports_recover()
    export.refresh_from_db()
    assert (export.state, export.error, export.file.name) == ("failed", "interrupted", "")


def test_failed_build_is_retried_later(late_join, settings, tmp_path):
    """Storage failing mid-build puts the export back in the queue and enqueues attempt 2
    after the backoff; the recovery job leaves it alone until then."""
    settings.TASKS = DATABASE_TASKS
    settings.TASKS_RETRY_SECONDS = 30
    export = DataExport.objects.create(requester=late_join.anna, kind=DataExport.Kind.USER)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = str(blocker)
    tasks.build_export.call(export.pk)
    export.refresh_from_db()
    assert (export.state, export.attempts, export.file.name) == ("queued", 1, "")
    retry = DBTaskResult.objects.get(task_path="exports.tasks.build_export")
    assert retry.args_kwargs["kwargs"] == {"attempt": 2, "export_id": export.pk}
    assert retry.run_after > timezone.now() + timedelta(seconds=25)
    assert services.exports_recover() == 0


def test_failed_build_without_a_queue_fails(late_join, settings, tmp_path):
    """Where tasks cannot be deferred (the immediate backend), an error fails the export."""
    export = DataExport.objects.create(requester=late_join.anna, kind=DataExport.Kind.USER)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = str(blocker)
    tasks.build_export.call(export.pk)
    export.refresh_from_db()
    assert (export.state, export.error) == ("failed", "unexpected")
