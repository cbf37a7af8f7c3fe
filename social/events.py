"""Shapes of the realtime frames the social app publishes (see docs/realtime-social.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from accounts.models import User
from accounts.payloads import UserRef, user_ref
from social.text import linkify

if TYPE_CHECKING:
    from social.models import Comment


# "from" is a keyword: the functional form.
FriendRequestBrief = TypedDict("FriendRequestBrief", {"id": int, "from": UserRef})


class FriendRequestNew(TypedDict):
    type: str  # "friend_request.new"
    request: FriendRequestBrief
    incoming: int


class FriendRequestCount(TypedDict):
    type: str  # "friend_request.count"
    incoming: int


class FriendshipNew(TypedDict):
    type: str  # "friendship.new"
    friend: UserRef


class FriendshipRemoved(TypedDict):
    type: str  # "friendship.removed"
    friend: int  # the id of the person who is no longer a friend


class PostNew(TypedDict):
    type: str  # "post.new"
    post: int
    author: UserRef


def friend_request_new(*, request_id: int, from_user: User, incoming: int) -> FriendRequestNew:
    return {
        "type": "friend_request.new",
        "request": {"id": request_id, "from": user_ref(from_user)},
        "incoming": incoming,
    }


def friend_request_count(*, incoming: int) -> FriendRequestCount:
    return {"type": "friend_request.count", "incoming": incoming}


def friendship_new(*, friend: User) -> FriendshipNew:
    return {"type": "friendship.new", "friend": user_ref(friend)}


def friendship_removed(*, friend_id: int) -> FriendshipRemoved:
    return {"type": "friendship.removed", "friend": friend_id}


def post_new(*, post_id: int, author: User) -> PostNew:
    return {"type": "post.new", "post": post_id, "author": user_ref(author)}


# -- posts --------------------------------------------------------------------------------------
class PhotoBrief(TypedDict):
    url: str
    thumbnail_url: str
    width: int | None  # nullable columns, though always set with the photo
    height: int | None


class CommentBrief(TypedDict):
    id: int
    author: UserRef
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


def comment_brief(comment: Comment) -> CommentBrief:
    photo: PhotoBrief | None = None
    if comment.photo:
        photo = {
            "url": comment.photo_url,
            "thumbnail_url": comment.photo_thumbnail_url,
            "width": comment.photo_width,
            "height": comment.photo_height,
        }
    return {
        "id": comment.pk,
        "author": user_ref(comment.author),
        "html": str(linkify(comment.text)),
        "photo": photo,
        "created_at": comment.created_at.isoformat(),
    }


def post_liked(*, post_id: int, user_id: int, liked: bool, count: int) -> PostLiked:
    return {"type": "post.liked", "post": post_id, "user": user_id, "liked": liked, "count": count}


def comment_new(*, comment: Comment, count: int) -> CommentNew:
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
