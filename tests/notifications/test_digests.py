"""`manage.py send_digests`: unread notifications by email to those who asked, once each."""

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.services import block_create
from notifications import services
from notifications.models import Kind, Notification
from social import services as social
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def wants_digest(user, *, muted_kinds=()):
    services.notification_settings_update(user=user, email_digest=True, muted_kinds=muted_kinds)


def liked(author, *, by=None, text="Autumn in the park"):
    post = PostFactory(author=author, text=text)
    social.post_like_toggle(user=by or UserFactory(), post_id=post.pk)
    return post


def run() -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue()


def test_digest_lists_unread_notifications_and_a_second_run_sends_nothing(user, settings):
    """Someone who asked gets one email listing their unread notifications with links; the
    next run sends nothing until something new happens, and then only the new one."""
    settings.SITE_URL = "https://beseda.example.org"
    wants_digest(user)
    anna = UserFactory(first_name="Anna", last_name="Petrova")
    post = liked(user, by=anna)

    assert "sent 1 digest(s)" in run()
    (email,) = mail.outbox
    assert email.to == [user.email]
    assert "Anna Petrova" in email.body and "Autumn in the park" in email.body
    assert f"https://beseda.example.org/posts/{post.pk}/" in email.body
    assert "https://beseda.example.org/notifications/settings/" in email.body
    assert email.alternatives and "Anna Petrova" in email.alternatives[0][0]

    assert "sent 0 digest(s)" in run()
    assert len(mail.outbox) == 1

    liked(user, text="Second post")
    run()
    assert len(mail.outbox) == 2
    assert "Second post" in mail.outbox[1].body and "Autumn" not in mail.outbox[1].body


def test_no_digest_without_asking_or_when_all_is_read(user, other_user):
    """People who did not ask get nothing; read notifications are not emailed."""
    liked(other_user)
    wants_digest(user)
    liked(user)
    services.notifications_mark_all_read(user=user)
    run()
    assert mail.outbox == []


def test_digest_leaves_out_switched_off_kinds_and_blocked_people(user):
    """Kinds switched off after they came, and people blocked since, stay out of the email."""
    wants_digest(user)
    blocked = UserFactory(first_name="Blocked", last_name="Person")
    liked(user, by=blocked)
    social.comment_create(author=UserFactory(), post_id=PostFactory(author=user).pk, text="hey")
    block_create(blocker=user, blocked=blocked)
    services.notification_settings_update(
        user=user, email_digest=True, muted_kinds=[Kind.POST_COMMENTED]
    )
    run()
    assert mail.outbox == []


def test_unverified_address_gets_no_digest(user):
    """An account whose address was never verified is not emailed."""
    unverified = UserFactory(verified=False)
    wants_digest(unverified)
    liked(unverified)
    run()
    assert mail.outbox == []
    assert Notification.objects.get(recipient=unverified).emailed_at is None


def test_dry_run_sends_nothing(user):
    """--dry-run names who would get how many and sends nothing."""
    from io import StringIO

    wants_digest(user)
    liked(user)
    out = StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    assert f"{user.username}: 1 notification(s)" in out.getvalue()
    assert mail.outbox == []
    assert Notification.objects.get(recipient=user).emailed_at is None


def test_digest_goes_through_smtp(user, settings, smtp_sink):
    """With a real SMTP server (the local sink) the digest arrives there."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_sink.host, smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    wants_digest(user)
    liked(user)
    run()
    message = smtp_sink.wait_for(user.email)
    assert "[Beseda]" in message["Subject"]


def test_unreachable_smtp_keeps_notifications_for_the_next_run(user, settings):
    """If the mail server is down the notifications are not marked emailed."""
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    wants_digest(user)
    liked(user)
    assert "1 failed" in run()
    assert Notification.objects.get(recipient=user).emailed_at is None


def test_scheduled_digest_task_goes_through_the_mail_task(
    user, settings, django_capture_on_commit_callbacks
):
    """The periodic `send_digests` task queues each digest as a mail task (delivered after
    commit, never twice), the way the task worker runs it every DIGEST_HOURS."""
    from notifications.tasks import send_digests

    settings.EMAIL_BACKEND = "messenger.mail.TaskEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    wants_digest(user)
    liked(user, text="Scheduled post")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.call() == 1
        assert mail.outbox == []
    (email,) = mail.outbox
    assert email.to == [user.email] and "Scheduled post" in email.body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.call() == 0
    assert len(mail.outbox) == 1


def test_digest_subject_carries_the_site_name(user, settings, mailoutbox):
    """The digest's subject names the site as SITE_NAME says, not a fixed "[Beseda]"."""
    settings.SITE_NAME = "Школа 42"
    wants_digest(user)
    liked(user)
    run()
    subjects = [m.subject for m in mailoutbox if user.email in m.to]
    assert subjects and all(s.startswith("[Школа 42] ") for s in subjects)
    assert not any("Beseda" in s for s in subjects)
