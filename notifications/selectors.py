"""Every read of notifications a page, the API, the socket or the digest uses."""

from __future__ import annotations

from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.models import User
from notifications.models import Notification, NotificationSettings

PAGE_SIZE = 30


def _with_subjects(queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    """Everything the "why" line, the excerpt and the link read, in the same query."""
    return queryset.select_related("actor", "post", "comment", "chat", "message")


def notifications_for(
    user: User, *, limit: int = PAGE_SIZE, after_id: int | None = None, unread_only: bool = False
) -> list[Notification]:
    """`user`'s notifications newest first, those older than `after_id` (one query)."""
    rows = Notification.objects.filter(recipient=user).shown()
    if unread_only:
        rows = rows.unread()
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    return list(_with_subjects(rows).order_by("-pk")[:limit])


def notification_get_for_user(user: User, notification_id: int) -> Notification:
    """One of `user`'s own notifications; Http404 for anyone else's (or a missing one)."""
    found = _with_subjects(Notification.objects.filter(recipient=user).shown()).filter(
        pk=notification_id
    )
    notification = found.first()
    if notification is None:
        raise Http404
    return notification


def unread_count(user: User) -> int:
    """How many of `user`'s notifications are unread (the badge)."""
    return Notification.objects.filter(recipient=user).shown().unread().count()


def unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Unread counts of several people at once (for the live frames after a write)."""
    ids = set(user_ids)
    rows = (
        Notification.objects.filter(recipient_id__in=ids)
        .shown()
        .unread()
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return dict.fromkeys(ids, 0) | dict(rows)


def settings_for(user: User) -> NotificationSettings:
    """`user`'s notification settings (the defaults, unsaved, if they never changed them)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def switched_off(user_ids: Iterable[int], kind: str) -> set[int]:
    """Which of `user_ids` switched notifications of `kind` off."""
    rows = NotificationSettings.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "muted_kinds"
    )
    return {user_id for user_id, kinds in rows if kind in (kinds or [])}


def digest_recipients() -> QuerySet[User]:
    """Active people who asked for the email digest and have something new to be told."""

    pending = Notification.objects.shown().unread().filter(emailed_at__isnull=True)
    verified = EmailAddress.objects.filter(
        user_id=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    return User.objects.filter(
        Exists(verified),
        is_active=True,
        notification_settings__email_digest=True,
        pk__in=pending.values("recipient_id"),
    ).order_by("pk")


def digest_for(user: User) -> list[Notification]:
    """`user`'s unread notifications not yet emailed, of kinds they still want, oldest first."""
    muted = settings_for(user).muted_kinds or []
    rows = (
        Notification.objects.filter(recipient=user, emailed_at__isnull=True)
        .shown()
        .unread()
        .exclude(kind__in=muted)
    )
    return list(_with_subjects(rows).order_by("pk"))
