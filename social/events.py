"""Shapes of the realtime frames the social app publishes (see docs/realtime-social.md)."""

from __future__ import annotations

from typing import TypedDict

from accounts.models import User


class UserBrief(TypedDict):
    id: int
    username: str
    display_name: str
    avatar_url: str | None


class FriendRequestNew(TypedDict):
    type: str  # "friend_request.new"
    request: dict  # {"id": int, "from": UserBrief}
    incoming: int


class FriendRequestCount(TypedDict):
    type: str  # "friend_request.count"
    incoming: int


class FriendshipNew(TypedDict):
    type: str  # "friendship.new"
    friend: UserBrief


def user_brief(user: User) -> UserBrief:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url,
    }


def friend_request_new(*, request_id: int, from_user: User, incoming: int) -> FriendRequestNew:
    return {
        "type": "friend_request.new",
        "request": {"id": request_id, "from": user_brief(from_user)},
        "incoming": incoming,
    }


def friend_request_count(*, incoming: int) -> FriendRequestCount:
    return {"type": "friend_request.count", "incoming": incoming}


def friendship_new(*, friend: User) -> FriendshipNew:
    return {"type": "friendship.new", "friend": user_brief(friend)}
