"""Every mail goes out from a task: enqueued after commit, delivered by the worker, retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from messenger.mail import send_email
from tests.conftest import free_port

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def via_tasks(settings):
    """The project's mail path (pytest-django's own locmem backend bypasses it)."""
    settings.EMAIL_BACKEND = "messenger.mail.TaskEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = LOCMEM
    return settings


def test_mail_is_delivered_after_commit(via_tasks, db, django_capture_on_commit_callbacks):
    """A mail sent inside a transaction leaves only once it commits, with subject and body."""
    with django_capture_on_commit_callbacks(execute=True):
        mail.send_mail("Привет", "Тело письма", None, ["anna@example.org"])
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.subject, sent.body.strip(), sent.to) == (
        "Привет",
        "Тело письма",
        ["anna@example.org"],
    )


def test_rolled_back_transaction_sends_nothing(via_tasks, db, django_capture_on_commit_callbacks):
    """A mail of a write that did not commit is never sent."""
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        mail.send_mail("Lost", "body", None, ["anna@example.org"])
        raise RuntimeError("rolled back")
    assert mail.outbox == []


def test_signup_mail_is_a_task_not_sent_in_the_request(
    via_tasks, db, client, django_capture_on_commit_callbacks
):
    """Signing up queues the verification mail for a worker; the request sends nothing."""
    via_tasks.TASKS = DATABASE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new@example.org",
                "username": "newbie",
                "password1": "a-long-pass-phrase-9",
                "password2": "a-long-pass-phrase-9",
            },
            **EN,
        )
    assert response.status_code == 302
    assert mail.outbox == []
    queued = DBTaskResult.objects.get(task_path="messenger.mail.send_email")
    assert queued.status == "READY"
    assert queued.args_kwargs["kwargs"]["recipients"] == ["new@example.org"]

    send_email.call(**queued.args_kwargs["kwargs"])
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_unreachable_smtp_is_retried_with_backoff(via_tasks, db):
    """SMTP refusing connections: the task enqueues attempt 2 for later instead of failing."""
    via_tasks.TASKS = DATABASE_TASKS
    via_tasks.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    via_tasks.EMAIL_HOST, via_tasks.EMAIL_PORT = "127.0.0.1", free_port()
    via_tasks.TASKS_RETRY_SECONDS = 30
    raw = "U3ViamVjdDogaGkKCmJvZHkK"  # "Subject: hi\n\nbody\n"
    assert send_email.call(raw=raw, from_email="a@b.org", recipients=["c@d.org"]) == 0
    retry = DBTaskResult.objects.get(task_path="messenger.mail.send_email")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now() + timedelta(seconds=25)


def test_last_attempt_fails_loudly(via_tasks, db):
    """After TASKS_MAX_ATTEMPTS the error propagates (the task shows as failed in the admin)."""
    via_tasks.TASKS = DATABASE_TASKS
    via_tasks.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    via_tasks.EMAIL_HOST, via_tasks.EMAIL_PORT = "127.0.0.1", free_port()
    with pytest.raises(OSError):
        send_email.call(
            raw="U3ViamVjdDogaGkKCmJvZHkK",
            from_email="a@b.org",
            recipients=["c@d.org"],
            attempt=via_tasks.TASKS_MAX_ATTEMPTS,
        )
    assert not DBTaskResult.objects.exists()
