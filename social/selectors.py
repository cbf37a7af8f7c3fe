"""Reads for social pages, the API and other apps."""

from __future__ import annotations

from social.models import Friendship


def friend_ids(user) -> set[int]:
    """Ids of `user`'s friends."""
    return set(Friendship.objects.filter(user=user).values_list("friend_id", flat=True))


def are_friends(user_a_id: int, user_b_id: int) -> bool:
    """True if the two users are friends."""
    return Friendship.objects.filter(user_id=user_a_id, friend_id=user_b_id).exists()
