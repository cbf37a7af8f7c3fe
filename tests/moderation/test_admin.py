"""The moderators' admin: the queue, actions with a reason, read-only logs, and a moderators
group that can do only what moderation needs."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from moderation import services
from moderation.groups import MODERATORS_GROUP
from moderation.models import ModerationAction, Report
from social.models import Audience, Post
from tests.factories import (
    CommentFactory,
    PostFactory,
    PostLikeFactory,
    PostPhotoFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:moderation_report_changelist")


@pytest.fixture
def as_moderator(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def post_report(reporter, author):
    post = PostFactory(author=author, text="cheap pills", audience=Audience.EVERYONE)
    return services.report_create(reporter=reporter, kind="post", object_id=post.pk, reason="spam")


def act(client, action, report, **fields):
    return client.post(
        QUEUE,
        {"action": action, "_selected_action": [report.pk], "index": 0, **fields},
        follow=True,
    )


def test_migration_made_the_moderators_group_without_account_changes():
    group = Group.objects.get(name=MODERATORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_report", "suspend_user", "warn_user", "delete_post", "view_user"} <= codenames
    assert not {"change_user", "add_user", "delete_user", "change_group"} & codenames


def test_moderator_sees_the_queue_with_filters_and_the_frozen_copy(as_moderator, post_report):
    Post.objects.filter(pk=post_report.object_id).update(text="edited away")
    queue = as_moderator.get(QUEUE, {"state__exact": "open", "kind__exact": "post"})
    assert queue.status_code == 200
    assert "cheap pills" in queue.content.decode()
    page = as_moderator.get(reverse("admin:moderation_report_change", args=[post_report.pk]))
    assert page.status_code == 200
    assert "cheap pills" in page.content.decode()


def test_moderator_suspends_the_author_from_the_queue(as_moderator, moderator, post_report, author):
    response = act(as_moderator, "suspend_author", post_report, days=7, reason="Spam ring")
    assert response.status_code == 200
    author.refresh_from_db()
    post_report.refresh_from_db()
    assert author.is_suspended
    assert post_report.state == Report.State.ACTIONED
    logged = ModerationAction.objects.get()
    assert (logged.moderator, logged.kind, logged.reason) == (moderator, "suspend", "Spam ring")


def test_suspending_without_days_or_reason_changes_nothing(as_moderator, post_report, author):
    act(as_moderator, "suspend_author", post_report, reason="Spam")
    act(as_moderator, "suspend_author", post_report, days=3, reason="")
    author.refresh_from_db()
    assert not author.is_suspended
    assert not ModerationAction.objects.exists()


def test_moderator_removes_content_warns_and_dismisses(as_moderator, post_report, reporter):
    act(as_moderator, "remove_content", post_report, reason="advertising")
    assert not Post.objects.filter(pk=post_report.object_id).exists()
    other = services.report_create(
        reporter=reporter, kind="user", object_id=post_report.target_user_id, reason="spam"
    )
    act(as_moderator, "warn_author", other, reason="Last chance")
    third = services.report_create(
        reporter=UserFactory(), kind="user", object_id=reporter.pk, reason="other"
    )
    act(as_moderator, "dismiss", third)
    kinds = list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["remove", "warn", "dismiss"]


def test_ban_from_the_user_list(as_moderator, author):
    as_moderator.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "ban_users", "_selected_action": [author.pk], "index": 0, "reason": "Bot"},
    )
    author.refresh_from_db()
    assert author.is_banned


def test_staff_outside_the_group_cannot_open_or_act_on_the_queue(client, post_report, author):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(QUEUE).status_code == 403
    assert act(client, "suspend_author", post_report, days=3, reason="x").status_code == 403
    author.refresh_from_db()
    assert not author.is_suspended


def test_non_staff_cannot_reach_the_queue(client, reporter, post_report):
    client.force_login(reporter)
    assert client.get(QUEUE).status_code == 302
    act(client, "ban_author", post_report, reason="x")
    post_report.refresh_from_db()
    assert post_report.state == Report.State.OPEN


def test_moderator_cannot_edit_accounts_or_the_log(as_moderator, author, post_report):
    """View-only on users (no granting staff rights); the moderation log cannot be changed."""
    act(as_moderator, "dismiss", post_report, reason="fine")
    change = reverse("admin:accounts_user_change", args=[author.pk])
    assert as_moderator.get(change).status_code == 200
    as_moderator.post(change, {"username": author.username, "is_staff": "on"})
    assert not User.objects.get(pk=author.pk).is_staff
    entry = ModerationAction.objects.get()
    log_change = reverse("admin:moderation_moderationaction_change", args=[entry.pk])
    assert as_moderator.post(log_change, {"reason": "rewritten"}).status_code == 403
    delete = reverse("admin:moderation_moderationaction_delete", args=[entry.pk])
    assert as_moderator.post(delete, {"post": "yes"}).status_code == 403
    assert ModerationAction.objects.get().reason == "fine"


def test_user_autocomplete_works_for_moderators(as_moderator, author):
    response = as_moderator.get(
        reverse("admin:autocomplete"),
        {"term": "auth", "app_label": "social", "model_name": "post", "field_name": "author"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["author"]


def test_deleting_a_post_in_the_admin_is_logged(as_moderator, moderator, author):
    """Its likes, photos and comments go with it without separate permissions."""
    post = PostFactory(author=author)
    PostLikeFactory(post=post)
    PostPhotoFactory(post=post)
    CommentFactory(post=post)
    as_moderator.post(reverse("admin:social_post_delete", args=[post.pk]), {"post": "yes"})
    assert not Post.objects.filter(pk=post.pk).exists()
    assert ModerationAction.objects.get().details == {"kind": "post", "id": post.pk}


def _registered():
    from django.contrib import admin

    return sorted(
        (m._meta.app_label, m._meta.model_name)
        for m in admin.site._registry
        if m._meta.app_label in {"accounts", "social", "chats", "moderation"}
    )


@pytest.mark.parametrize(("app", "model"), _registered())
def test_every_list_opens_and_searches_for_a_superuser(admin_client, app, model):
    """Each registered list (with its search, where it has one) renders."""
    url = reverse(f"admin:{app}_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "x"}).status_code == 200


def test_moderator_opens_what_reports_point_at_but_not_sticker_packs(as_moderator):
    for name in ("social_post", "social_comment", "chats_message", "accounts_user"):
        assert as_moderator.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert as_moderator.get(reverse("admin:chats_stickerpack_changelist")).status_code == 403


def test_queue_search_finds_reports_by_the_reported_text(as_moderator, post_report):
    found = as_moderator.get(QUEUE, {"q": "cheap pills"})
    assert found.context["cl"].result_count == 1
    assert as_moderator.get(QUEUE, {"q": "nothing like it"}).context["cl"].result_count == 0


def test_user_list_shows_who_is_suspended(admin_client, moderator, author):
    services.user_suspend(moderator=moderator, user=author, days=None, reason="bot")
    url = reverse("admin:accounts_user_changelist")
    suspended = admin_client.get(url, {"suspended": "yes"}).context["cl"].result_list
    assert [u.username for u in suspended] == ["author"]
    others = admin_client.get(url, {"suspended": "no"}).context["cl"].result_list
    assert "author" not in [u.username for u in others]
