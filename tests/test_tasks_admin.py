"""Moderators and operators see background tasks in the admin and retry failed ones."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from exports.models import DataExport
from exports.tasks import recover_exports
from tests.factories import UserFactory
from tests.moderation.conftest import make_moderator

pytestmark = pytest.mark.django_db

LIST = reverse("admin:django_tasks_database_dbtaskresult_changelist")
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def results(settings):
    """One queued task and one failed one, on the database backend."""
    settings.TASKS = DATABASE_TASKS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    queued = recover_exports.enqueue()
    failed = DBTaskResult.objects.create(
        task_path="exports.tasks.build_export",
        args_kwargs={"args": [], "kwargs": {"export_id": 999_999, "attempt": 5}},
        status="FAILED",
        backend_name="default",
        exception_class_path="builtins.OSError",
        traceback="OSError: disk full",
    )
    return DBTaskResult.objects.get(pk=queued.id), failed


def retry(client, *rows):
    return client.post(
        LIST,
        {"action": "retry", "_selected_action": [row.pk for row in rows], "index": 0},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ru",
    )


def test_moderator_sees_queued_and_failed_tasks(client, results):
    """The list shows each task by name, filterable by state."""
    client.force_login(make_moderator())
    page = client.get(LIST, {"status__exact": "FAILED"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "build_export" in html and "recover_exports" not in html
    assert "recover_exports" in client.get(LIST).content.decode()


def test_moderator_retries_a_failed_task(client, results):
    """Retry enqueues the failed task again with a fresh attempt count; a queued one is not
    duplicated."""
    queued, failed = results
    client.force_login(make_moderator())
    response = retry(client, queued, failed)
    assert response.status_code == 200
    assert "1 задача снова поставлена в очередь." in response.content.decode()
    again = DBTaskResult.objects.exclude(pk__in=[queued.pk, failed.pk]).get()
    assert (again.task_path, again.status) == ("exports.tasks.build_export", "READY")
    assert again.args_kwargs["kwargs"] == {"export_id": 999_999, "attempt": 1}


def test_staff_without_the_permission_cannot_see_or_retry(client, results):
    """A staff member outside the moderators group gets 403 and nothing is enqueued."""
    _queued, failed = results
    client.force_login(UserFactory(is_staff=True))
    assert client.get(LIST).status_code == 403
    assert retry(client, failed).status_code == 403
    assert DBTaskResult.objects.count() == 2


def test_member_is_sent_to_the_admin_login(client, results):
    """An ordinary account never reaches the task list."""
    client.force_login(UserFactory())
    response = client.get(LIST)
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not DataExport.objects.exists()
