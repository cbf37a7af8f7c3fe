"""Reads about users used by pages, the API and other apps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Avatar, Block, User
from accounts.relations import friend_graph
from accounts.services import presence_online_ids


def blocked_user_ids(user: User | AnonymousUser) -> set[int]:
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


def visible_users(viewer: User | AnonymousUser) -> QuerySet[User]:
    """Active users that `viewer` may see (blocked pairs hidden both ways)."""
    qs = User.objects.filter(is_active=True)
    if viewer.is_authenticated:
        qs = qs.exclude(blocks_made__blocked=viewer).exclude(blocks_received__blocker=viewer)
    return qs


def user_get_visible(viewer: User | AnonymousUser, username: str) -> User:
    """The active user named `username` if `viewer` may see them; raises Http404 otherwise."""

    return get_object_or_404(visible_users(viewer), username=username)


def online_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` have an open socket right now (presence; see accounts.services)."""

    return presence_online_ids(user_ids)


def blocks_made(user: User, *, limit: int, after_id: int | None = None) -> list[Block]:
    """Blocks `user` made, newest first (before block id `after_id`), with the blocked user."""
    blocks = Block.objects.filter(blocker=user).select_related("blocked")
    if after_id is not None:
        blocks = blocks.filter(pk__lt=after_id)
    return list(blocks.order_by("-pk")[:limit])


def block_get(blocker: User, username: str) -> Block:
    """`blocker`'s block of the user named `username`; raises Http404 if there is none."""

    return get_object_or_404(
        Block.objects.select_related("blocked"), blocker=blocker, blocked__username=username
    )


def has_blocked(blocker: User, username: str) -> bool:
    """True if `blocker` blocked the user named `username`."""
    return Block.objects.filter(blocker=blocker, blocked__username=username).exists()


def birth_date_visible(viewer: User, person: User) -> bool:
    """May `viewer` see `person`'s birth date (and age)? Owners always see their own."""
    if person.birth_date is None:
        return False
    if viewer.pk == person.pk:
        return True
    visibility = person.birth_date_visibility
    if visibility == User.BirthDateVisibility.EVERYONE:
        return True
    if visibility == User.BirthDateVisibility.FRIENDS and viewer.is_authenticated:
        return friend_graph().are_friends(viewer.pk, person.pk)
    return False


@dataclass(frozen=True)
class ProfilePage:
    """What the profile page of `person` shows to the viewer."""

    person: User
    is_self: bool
    blocked_by_viewer: bool
    show_birth_date: bool
    online: bool


def profile_page_get(viewer: User, username: str) -> ProfilePage:
    """The profile of the active user `username` as `viewer` sees it.

    Raises Http404 if there is no such user or they blocked the viewer. Someone the viewer
    blocked is found (so they can be unblocked) but shows nothing else.
    """
    person = User.objects.filter(is_active=True, username=username).first()
    if person is None:
        raise Http404
    is_self = viewer.pk == person.pk
    blocks = set()
    if not is_self:
        blocks = set(
            Block.objects.filter(
                Q(blocker=viewer, blocked=person) | Q(blocker=person, blocked=viewer)
            ).values_list("blocker_id", flat=True)
        )
    if person.pk in blocks:
        raise Http404
    if blocks:
        return ProfilePage(person, False, True, False, False)
    return ProfilePage(
        person=person,
        is_self=is_self,
        blocked_by_viewer=False,
        show_birth_date=birth_date_visible(viewer, person),
        online=person.pk in online_user_ids([person.pk]),
    )


def blocked_user_get(blocker: User, username: str) -> User:
    """The user named `username` whom `blocker` blocked; raises Http404 otherwise."""
    person = User.objects.filter(username=username, blocks_received__blocker=blocker).first()
    if person is None:
        raise Http404
    return person


def blocked_users(user: User) -> QuerySet[User]:
    """People `user` blocked, most recent first (for the blocked-users page)."""
    return User.objects.filter(blocks_received__blocker=user).order_by(
        "-blocks_received__created_at"
    )


def avatars_of(user: User) -> list[Avatar]:
    """The user's avatars, newest first (the gallery on the profile-edit page)."""
    return list(Avatar.objects.filter(user=user))
