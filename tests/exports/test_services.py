"""Requesting, building and purging exports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone

from chats import services as chat_services
from exports import services
from exports.models import DataExport
from tests.factories import UserFactory


def test_request_then_build(late_join, build_inline):
    """A requested export is built after commit: done, stored privately, expiring later."""
    with build_inline():
        export = services.export_request(requester=late_join.carol, chat_id=late_join.chat.pk)
    export.refresh_from_db()
    assert export.state == "done" and export.progress == 100
    assert export.size == default_storage.size(export.file.name) > 0
    assert export.file.name.startswith(f"exports/{late_join.carol.pk}/")
    assert export.expires_at > timezone.now() + timedelta(days=6)
    assert export.chat_title == late_join.chat.title


def test_request_is_not_built_before_commit(late_join, django_capture_on_commit_callbacks):
    """Nothing starts until the transaction commits (the build reads committed rows)."""
    with django_capture_on_commit_callbacks() as callbacks:
        export = services.export_request(requester=late_join.anna)
    assert len(callbacks) == 1
    assert DataExport.objects.get(pk=export.pk).state == "queued"


def test_second_request_while_one_is_active_is_refused(late_join):
    """One export at a time per person: the second raises "busy" and adds no row."""
    services.export_request(requester=late_join.anna)
    with pytest.raises(ValidationError) as refused:
        services.export_request(requester=late_join.anna, chat_id=late_join.chat.pk)
    assert refused.value.code == "busy"
    assert DataExport.objects.filter(requester=late_join.anna).count() == 1
    # Someone else is not held up by it.
    services.export_request(requester=late_join.boris)


def test_request_for_a_foreign_chat_is_404(late_join):
    """A chat the requester is not in is refused like a missing one; nothing is queued."""
    with pytest.raises(Http404):
        services.export_request(requester=UserFactory(), chat_id=late_join.chat.pk)
    assert not DataExport.objects.exists()


def test_build_fails_when_the_requester_left_meanwhile(
    late_join, django_capture_on_commit_callbacks
):
    """Removed between request and build: the export fails with a reason, no file."""
    with django_capture_on_commit_callbacks():
        export = services.export_request(requester=late_join.boris, chat_id=late_join.chat.pk)
    chat_services.chat_member_remove(
        actor=late_join.anna, chat=late_join.chat, user=late_join.boris
    )
    export = services.export_build(export_id=export.pk)
    assert (export.state, export.error, export.file.name) == ("failed", "not_member", "")
    assert export.error_message


def test_build_runs_once(late_join, build_inline):
    """A second build of the same export does nothing."""
    with build_inline():
        export = services.export_request(requester=late_join.anna)
    export.refresh_from_db()
    again = services.export_build(export_id=export.pk)
    assert again.file.name == export.file.name and again.finished_at == export.finished_at


def test_request_enqueues_the_build_after_commit(
    late_join, settings, django_capture_on_commit_callbacks
):
    """With a queue (the database backend), the request stores the export and, once committed,
    a `build_export` task for it; nothing is built in the request."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks() as callbacks:
        export = services.export_request(requester=late_join.anna)
    assert not DBTaskResult.objects.exists()  # not before commit
    for callback in callbacks:
        callback()
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"], task.status) == (
        "exports.tasks.build_export",
        [export.pk],
        "READY",
    )
    assert DataExport.objects.get(pk=export.pk).state == "queued"


def test_purge_removes_expired_and_fails_stale(late_join, build_inline):
    """Expired archives go with their files; builds stuck for hours are marked failed."""
    with build_inline():
        old = services.export_request(requester=late_join.anna)
    old.refresh_from_db()
    DataExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    stuck = DataExport.objects.create(
        requester=late_join.boris,
        kind=DataExport.Kind.USER,
        state="running",
        created_at=timezone.now() - timedelta(hours=7),
    )
    fresh = DataExport.objects.create(requester=late_join.carol, kind=DataExport.Kind.USER)
    with build_inline():
        deleted, failed = services.exports_purge()
    assert (deleted, failed) == (1, 1)
    assert not DataExport.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old.file.name)
    stuck.refresh_from_db()
    assert (stuck.state, stuck.error) == ("failed", "interrupted")
    fresh.refresh_from_db()
    assert fresh.state == "queued"


def test_build_of_a_deleted_group_fails_instead_of_exporting_the_account(
    late_join, django_capture_on_commit_callbacks
):
    """The group is deleted while its export waits: the export fails; no account archive."""
    with django_capture_on_commit_callbacks():
        export = services.export_request(requester=late_join.boris, chat_id=late_join.chat.pk)
    chat_services.group_delete(actor=late_join.anna, chat=late_join.chat)
    export = services.export_build(export_id=export.pk)
    assert (export.kind, export.state, export.error, export.file.name) == (
        "chat",
        "failed",
        "not_member",
        "",
    )


def test_purge_removes_archives_of_deleted_accounts(late_join, build_inline):
    """Deleting one's account takes its archives away at the next housekeeping run."""
    from accounts.services import account_delete

    with build_inline():
        export = services.export_request(requester=late_join.anna)
    export.refresh_from_db()
    account_delete(user=late_join.anna)
    with build_inline():
        assert services.exports_purge() == (1, 0)
    assert not DataExport.objects.exists()
    assert not default_storage.exists(export.file.name)
