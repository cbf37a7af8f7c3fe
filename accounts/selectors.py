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


# -- used by the REST API (accounts/api.py) ----------------------------------------------------
SEARCH_FIELDS = ("username", "first_name", "last_name")
SEARCH_MAX_WORDS = 5


def users_search(viewer: User, q: str, *, limit: int, after_id: int | None = None) -> list[User]:
    """Visible users other than `viewer` whose username or name contains every word of `q`,
    in id order after `after_id`. Blocked pairs never find each other.

    Case-insensitive in any script: SQLite folds case for ASCII only (LIKE, LOWER), so each
    word is also matched as written in lower, upper and capitalised form ("иван" finds
    "Иван"). PostgreSQL folds Unicode itself; the extra variants are then redundant.
    """
    words = q.split()[:SEARCH_MAX_WORDS]
    if not words:
        return []
    users = visible_users(viewer).exclude(pk=viewer.pk)
    for word in words:
        matches = Q()
        for variant in {word, word.lower(), word.upper(), word.capitalize()}:
            for field in SEARCH_FIELDS:
                matches |= Q(**{f"{field}__icontains": variant})
        users = users.filter(matches)
    if after_id is not None:
        users = users.filter(pk__gt=after_id)
    return list(users.order_by("pk")[:limit])


def blocks_made(user: User, *, limit: int, after_id: int | None = None) -> list[Block]:
    """Blocks `user` made, newest first (before block id `after_id`), with the blocked user."""
    blocks = Block.objects.filter(blocker=user).select_related("blocked")
    if after_id is not None:
        blocks = blocks.filter(pk__lt=after_id)
    return list(blocks.order_by("-pk")[:limit])


def block_get(blocker: User, username: str) -> Block:
    """`blocker`'s block of the user named `username`; raises Http404 if there is none."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Block.objects.select_related("blocked"), blocker=blocker, blocked__username=username
    )


def has_blocked(blocker: User, username: str) -> bool:
    """True if `blocker` blocked the user named `username`."""
    return Block.objects.filter(blocker=blocker, blocked__username=username).exists()
