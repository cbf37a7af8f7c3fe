"""Shapes of the realtime frames the social app publishes (see docs/realtime-social.md)."""

from __future__ import annotations

from typing import TypedDict

from accounts.models import User
from social.text import linkify


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


class FriendshipRemoved(TypedDict):
    type: str  # "friendship.removed"
    friend: int  # the id of the person who is no longer a friend


class PostNew(TypedDict):
    type: str  # "post.new"
    post: int
    author: UserBrief


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


def friendship_removed(*, friend_id: int) -> FriendshipRemoved:
    return {"type": "friendship.removed", "friend": friend_id}


def post_new(*, post_id: int, author: User) -> PostNew:
    return {"type": "post.new", "post": post_id, "author": user_brief(author)}


# -- posts --------------------------------------------------------------------------------------
class PhotoBrief(TypedDict):
    url: str
    thumbnail_url: str
    width: int
    height: int


class CommentBrief(TypedDict):
    id: int
    author: UserBrief
    html: str  # escaped and linkified by social.text.linkify: safe to insert as HTML
    photo: PhotoBrief | None
    created_at: str


class PostLiked(TypedDict):
    type: str  # "post.liked"
    post: int
    user: int
    liked: bool
    count: int


class CommentNew(TypedDict):
    type: str  # "comment.new"
    post: int
    comment: CommentBrief
    count: int


class CommentDeleted(TypedDict):
    type: str  # "comment.deleted"
    post: int
    comment: int
    count: int


class PostDeleted(TypedDict):
    type: str  # "post.deleted"
    post: int


def comment_brief(comment) -> CommentBrief:
    photo = None
    if comment.photo:
        photo = {
            "url": comment.photo_url,
            "thumbnail_url": comment.photo_thumbnail_url,
            "width": comment.photo_width,
            "height": comment.photo_height,
        }
    return {
        "id": comment.pk,
        "author": user_brief(comment.author),
        "html": str(linkify(comment.text)),
        "photo": photo,
        "created_at": comment.created_at.isoformat(),
    }


def post_liked(*, post_id: int, user_id: int, liked: bool, count: int) -> PostLiked:
    return {"type": "post.liked", "post": post_id, "user": user_id, "liked": liked, "count": count}


def comment_new(*, comment, count: int) -> CommentNew:
    return {
        "type": "comment.new",
        "post": comment.post_id,
        "comment": comment_brief(comment),
        "count": count,
    }


def comment_deleted(*, post_id: int, comment_id: int, count: int) -> CommentDeleted:
    return {"type": "comment.deleted", "post": post_id, "comment": comment_id, "count": count}


def post_deleted(*, post_id: int) -> PostDeleted:
    return {"type": "post.deleted", "post": post_id}
