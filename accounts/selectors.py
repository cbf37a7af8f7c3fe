"""Reads about users used by pages, the API and other apps."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Block, User


def blocked_user_ids(user: User) -> set[int]:
    """Ids of everyone `user` blocked or was blocked by (hidden from `user` everywhere)."""
    if not user.is_authenticated:
        return set()
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {b if a == user.pk else a for a, b in pairs}


def is_blocked_between(user_a_id: int, user_b_id: int) -> bool:
    """True if either of the two users blocked the other."""
    return Block.objects.filter(
        Q(blocker_id=user_a_id, blocked_id=user_b_id)
        | Q(blocker_id=user_b_id, blocked_id=user_a_id)
    ).exists()


def visible_users(viewer: User):
    """Active users that `viewer` may see (blocked pairs hidden both ways)."""
    qs = User.objects.filter(is_active=True)
    if viewer.is_authenticated:
        qs = qs.exclude(blocks_made__blocked=viewer).exclude(blocks_received__blocker=viewer)
    return qs


def user_get_visible(viewer: User, username: str) -> User:
    """The active user named `username` if `viewer` may see them; raises Http404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(visible_users(viewer), username=username)


def online_user_ids(user_ids) -> set[int]:
    """Which of `user_ids` have an open socket right now (presence; see accounts.services)."""
    from accounts.services import presence_online_ids

    return presence_online_ids(user_ids)
