"""Reports freeze what the reporter saw; moderator actions check rights, act, log, close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.models import SUSPENDED_FOREVER, User
from chats.models import Message
from chats.services import message_delete
from moderation import services
from moderation.models import ModerationAction, Notice, Report
from social.models import Audience, Comment, Post, Reply, Topic
from tests.factories import (
    BlockFactory,
    CommentFactory,
    DialogFactory,
    GroupFactory,
    MessageFactory,
    PostFactory,
    ReplyFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def report(reporter, kind, object_id, **kwargs):
    return services.report_create(
        reporter=reporter, kind=kind, object_id=object_id, reason="spam", **kwargs
    )


# -- reports ----------------------------------------------------------------------------------
def test_post_report_freezes_text_author_and_photo_names(reporter, author):
    """The copy keeps the text as it was, even after the author edits the post."""
    post = PostFactory(author=author, text="buy cheap pills", audience=Audience.EVERYONE)
    made = report(reporter, "post", post.pk, details="again")
    Post.objects.filter(pk=post.pk).update(text="harmless now")
    made.refresh_from_db()
    assert made.target_user == author
    assert made.state == Report.State.OPEN
    assert made.snapshot["text"] == "buy cheap pills"
    assert made.snapshot["author"]["username"] == "author"
    assert made.details == "again"


def test_friends_only_post_of_a_stranger_cannot_be_reported(reporter, author):
    """What the reporter cannot see is missing to them: 404, and no report."""
    post = PostFactory(author=author, audience=Audience.FRIENDS)
    with pytest.raises(Http404):
        report(reporter, "post", post.pk)
    assert not Report.objects.exists()


def test_blocked_author_cannot_be_reported_either(reporter, author):
    BlockFactory(blocker=author, blocked=reporter)
    with pytest.raises(Http404):
        report(reporter, "user", author.pk)
    assert not Report.objects.exists()


def test_comment_topic_reply_and_person_reports_carry_their_context(reporter, author):
    post = PostFactory(author=UserFactory(), text="the post", audience=Audience.EVERYONE)
    comment = CommentFactory(post=post, author=author, text="rude comment")
    topic = TopicFactory(author=author, title="Loud title", body="topic body")
    reply = ReplyFactory(topic=topic, author=author, text="rude reply")
    author.bio = "my bio"
    author.save()

    assert report(reporter, "comment", comment.pk).snapshot["post"]["text"] == "the post"
    assert report(reporter, "topic", topic.pk).snapshot["title"] == "Loud title"
    assert report(reporter, "reply", reply.pk).snapshot["topic"]["title"] == "Loud title"
    person = report(reporter, "user", author.pk)
    assert person.snapshot["bio"] == "my bio"
    assert person.target_user == author


def test_message_report_keeps_the_messages_around_it_the_reporter_could_see(reporter, author):
    """Messages deleted for everyone are copied as deleted, without their text."""
    chat = DialogFactory(user=reporter, other=author)
    MessageFactory(sender=reporter, chat=chat, text="hi")
    gone = MessageFactory(sender=author, chat=chat, text="secret gone")
    message_delete(actor=author, message_id=gone.pk, scope="all")
    bad = MessageFactory(sender=author, chat=chat, text="threat")
    MessageFactory(sender=reporter, chat=chat, text="stop it")
    MessageFactory(sender=author, chat=chat, text="no")
    MessageFactory(sender=author, chat=chat, text="too far")

    copy = report(reporter, "message", bad.pk).snapshot
    assert copy["text"] == "threat"
    assert copy["chat"]["id"] == chat.pk
    assert [m["text"] for m in copy["context_before"]] == ["hi", ""]
    assert copy["context_before"][1]["deleted"] is True
    assert [m["text"] for m in copy["context_after"]] == ["stop it", "no"]


def test_message_of_a_chat_the_reporter_is_not_in_cannot_be_reported(reporter, author):
    group = GroupFactory(created_by=author, members=[UserFactory()])
    message = MessageFactory(sender=author, chat=group, text="inside")
    with pytest.raises(Http404):
        report(reporter, "message", message.pk)
    assert not Report.objects.exists()


def test_reporting_oneself_or_without_a_reason_is_refused(reporter):
    post = PostFactory(author=reporter)
    with pytest.raises(services.SelfReport):
        report(reporter, "post", post.pk)
    with pytest.raises(ValidationError):
        services.report_create(reporter=reporter, kind="user", object_id=1, reason="bored")
    assert not Report.objects.exists()


def test_reporting_again_while_open_returns_the_same_report(reporter, author):
    post = PostFactory(author=author, audience=Audience.EVERYONE)
    first = report(reporter, "post", post.pk)
    assert report(reporter, "post", post.pk) == first
    assert Report.objects.count() == 1


# -- moderator actions: allowed and denied -------------------------------------------------------
@pytest.fixture
def post_report(reporter, author):
    post = PostFactory(author=author, text="spam", audience=Audience.EVERYONE)
    return report(reporter, "post", post.pk)


def test_moderator_removes_reported_post_logged_and_report_closed(moderator, post_report):
    action = services.content_remove(
        moderator=moderator,
        kind="post",
        object_id=post_report.object_id,
        reason="advertising",
        report_id=post_report.pk,
    )
    post_report.refresh_from_db()
    assert not Post.objects.filter(pk=post_report.object_id).exists()
    assert post_report.state == Report.State.ACTIONED
    assert post_report.handled_by == moderator
    assert (action.moderator, action.kind, action.reason) == (moderator, "remove", "advertising")
    assert action.details == {"kind": "post", "id": post_report.object_id}


def test_plain_user_cannot_remove_content(reporter, post_report):
    with pytest.raises(PermissionDenied):
        services.content_remove(
            moderator=reporter,
            kind="post",
            object_id=post_report.object_id,
            reason="x",
            report_id=post_report.pk,
        )
    post_report.refresh_from_db()
    assert Post.objects.filter(pk=post_report.object_id).exists()
    assert post_report.state == Report.State.OPEN
    assert not ModerationAction.objects.exists()


def test_removal_needs_a_reason(moderator, post_report):
    with pytest.raises(ValidationError):
        services.content_remove(
            moderator=moderator,
            kind="post",
            object_id=post_report.object_id,
            reason=" ",
            report_id=post_report.pk,
        )
    assert Post.objects.filter(pk=post_report.object_id).exists()


def test_moderator_removes_comments_board_posts_and_messages(moderator, reporter, author):
    post = PostFactory(author=UserFactory(), audience=Audience.EVERYONE)
    comment = CommentFactory(post=post, author=author)
    topic = TopicFactory(author=author)
    reply = ReplyFactory(topic=TopicFactory(), author=author)
    chat = DialogFactory(user=reporter, other=author)
    message = MessageFactory(sender=author, chat=chat, text="bad")
    for kind, pk in (
        ("comment", comment.pk),
        ("topic", topic.pk),
        ("reply", reply.pk),
        ("message", message.pk),
    ):
        services.content_remove(moderator=moderator, kind=kind, object_id=pk, reason="rules")
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert not Reply.objects.filter(pk=reply.pk).exists()
    assert Message.objects.get(pk=message.pk).is_deleted
    assert ModerationAction.objects.filter(kind="remove").count() == 4


def test_dismiss_closes_the_report_and_logs_it(moderator, post_report):
    services.report_dismiss(moderator=moderator, report_id=post_report.pk, reason="fine")
    post_report.refresh_from_db()
    assert post_report.state == Report.State.DISMISSED
    assert ModerationAction.objects.get().kind == "dismiss"
    assert Post.objects.filter(pk=post_report.object_id).exists()


def test_plain_user_cannot_dismiss(reporter, post_report):
    with pytest.raises(PermissionDenied):
        services.report_dismiss(moderator=reporter, report_id=post_report.pk)
    post_report.refresh_from_db()
    assert post_report.state == Report.State.OPEN


def test_warning_is_logged_emailed_and_waits_for_the_next_page(
    moderator, author, post_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_warn(
            moderator=moderator, user=author, reason="Mind your language", report_id=post_report.pk
        )
    author.refresh_from_db()
    assert author.has_moderation_notice
    assert Notice.objects.get(user=author).text == "Mind your language"
    assert "Mind your language" in mail.outbox[0].body
    assert mail.outbox[0].to == [author.email]
    taken = services.notices_take(user=author)
    assert [n.text for n in taken] == ["Mind your language"]
    author.refresh_from_db()
    assert not author.has_moderation_notice
    assert services.notices_take(user=author) == []


def test_plain_user_cannot_warn(reporter, author):
    with pytest.raises(PermissionDenied):
        services.user_warn(moderator=reporter, user=author, reason="x")
    assert not Notice.objects.exists()
    assert mail.outbox == []


def test_suspension_ends_sessions(moderator, author, post_report, client):
    """(Sockets: tests/moderation/test_sockets.py.)"""
    client.force_login(author)
    action = services.user_suspend(
        moderator=moderator, user=author, days=3, reason="spam", report_id=post_report.pk
    )
    author.refresh_from_db()
    assert author.is_suspended and not author.is_banned
    assert timezone.now() + timedelta(days=2) < author.suspended_until
    assert action.kind == "suspend" and action.suspended_until == author.suspended_until
    # The old session no longer logs anyone in.
    assert client.get("/api/v1/me").status_code == 401


def test_ban_is_an_indefinite_suspension_and_can_be_lifted(moderator, author):
    services.user_suspend(moderator=moderator, user=author, days=None, reason="bot")
    author.refresh_from_db()
    assert author.is_banned and author.suspended_until == SUSPENDED_FOREVER
    services.user_suspension_lift(moderator=moderator, user=author, reason="appeal")
    author.refresh_from_db()
    assert not author.is_suspended
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == ["lift", "ban"]


def test_plain_user_cannot_suspend(reporter, author):
    with pytest.raises(PermissionDenied):
        services.user_suspend(moderator=reporter, user=author, days=3, reason="x")
    author.refresh_from_db()
    assert not author.is_suspended
    assert not ModerationAction.objects.exists()


def test_moderator_cannot_suspend_staff_or_themselves(moderator):
    other_staff = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        services.user_suspend(moderator=moderator, user=other_staff, days=1, reason="x")
    with pytest.raises(ValidationError):
        services.user_suspend(moderator=moderator, user=moderator, days=1, reason="x")
    assert not User.objects.filter(suspended_until__isnull=False).exists()


def test_suspension_days_must_be_sensible(moderator, author):
    for days in (0, -1, 100_000):
        with pytest.raises(ValidationError):
            services.user_suspend(moderator=moderator, user=author, days=days, reason="x")
    author.refresh_from_db()
    assert author.suspended_until is None


def test_suspension_runs_out_by_itself(author):
    author.suspended_until = timezone.now() - timedelta(seconds=1)
    assert not author.is_suspended


def test_staff_without_the_delete_permission_cannot_remove_posts(author):
    """The social removal service checks social.delete_post itself."""
    staff = UserFactory(is_staff=True)
    post = PostFactory(author=author)
    with pytest.raises(PermissionDenied):
        services.content_remove(moderator=staff, kind="post", object_id=post.pk, reason="x")
    assert Post.objects.filter(pk=post.pk).exists()
    assert not ModerationAction.objects.exists()


def test_moderators_group_command_is_idempotent():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from moderation.groups import MODERATOR_PERMISSIONS, MODERATORS_GROUP

    group = Group.objects.get(name=MODERATORS_GROUP)
    group.permissions.clear()
    call_command("sync_moderators_group", stdout=__import__("io").StringIO())
    call_command("sync_moderators_group", stdout=__import__("io").StringIO())
    assert Group.objects.filter(name=MODERATORS_GROUP).count() == 1
    assert group.permissions.count() == len(MODERATOR_PERMISSIONS)
