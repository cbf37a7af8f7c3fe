"""Every write of the social app, one module per domain, imported from here
(`from social import services; services.post_create(...)`):

- `friends`: friend requests and friendships;
- `wall`: posts (wall and feed), likes, comments;
- `board`: discussion board topics and replies;
- `_kit`: what they share (input checks, photos, moderators' removal).
"""

from social.services.board import (
    reply_create,
    reply_delete,
    reply_remove_by_staff,
    topic_create,
    topic_delete,
    topic_remove_by_staff,
)
from social.services.friends import (
    friend_request_accept,
    friend_request_cancel,
    friend_request_decline,
    friend_request_send,
    friendship_remove,
    friendships_end_between,
    friendships_forget,
)
from social.services.wall import (
    comment_create,
    comment_delete,
    comment_remove_by_staff,
    post_create,
    post_delete,
    post_like_set,
    post_like_toggle,
    post_remove_by_staff,
    post_update,
)

__all__ = [
    "comment_create",
    "comment_delete",
    "comment_remove_by_staff",
    "friend_request_accept",
    "friend_request_cancel",
    "friend_request_decline",
    "friend_request_send",
    "friendship_remove",
    "friendships_end_between",
    "friendships_forget",
    "post_create",
    "post_delete",
    "post_like_set",
    "post_like_toggle",
    "post_remove_by_staff",
    "post_update",
    "reply_create",
    "reply_delete",
    "reply_remove_by_staff",
    "topic_create",
    "topic_delete",
    "topic_remove_by_staff",
]
