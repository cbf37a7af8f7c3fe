"""Every write about users: profile, blocks, presence, sessions."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Block, User
from messenger.realtime import close_sockets

PRESENCE_WRITE_INTERVAL = timedelta(seconds=60)


def block_create(*, blocker: User, blocked: User) -> Block:
    """Block `blocked` for `blocker` (idempotent); raises ValueError when blocking oneself."""
    if blocker.pk == blocked.pk:
        raise ValueError("cannot block yourself")
    with transaction.atomic():
        block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


def block_delete(*, blocker: User, blocked: User) -> None:
    """Remove `blocker`'s block of `blocked` if there is one."""
    with transaction.atomic():
        Block.objects.filter(blocker=blocker, blocked=blocked).delete()


def presence_connected(*, user_id: int) -> None:
    """Record that a socket of the user opened (last_seen is written at most once a minute)."""
    now = timezone.now()
    User.objects.filter(
        Q(last_seen__isnull=True) | Q(last_seen__lt=now - PRESENCE_WRITE_INTERVAL), pk=user_id
    ).update(last_seen=now)


def presence_disconnected(*, user_id: int, sockets_left_here: int) -> None:
    """Record that a socket of the user closed."""
    User.objects.filter(pk=user_id).update(last_seen=timezone.now())


def sessions_end_other(*, user: User, keep_session_key: str | None) -> None:
    """Close the user's sockets except those of `keep_session_key` (after a credential change)."""
    transaction.on_commit(lambda: close_sockets([user.pk], keep_session=keep_session_key))


def presence_online_ids(user_ids) -> set[int]:
    """Which of `user_ids` are online. Presence tracking lands with the accounts work."""
    return set()
