"""Live frames about the friend graph and new posts, registered by the services after a commit.

Kept apart from `social/services/` so each service adds one call: a friend's new post (the
feed's "new posts" pill) and an ended friendship (the friends lists of both people).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from messenger.realtime import publish_on_commit
from social import events, selectors

if TYPE_CHECKING:
    from accounts.models import User
    from social.models import Post


def post_published(post: Post) -> None:
    """Once the transaction commits, tell everyone who gets events about `post` (the author's
    friends, never across a block) except its author that it was published."""
    recipients = selectors.post_event_recipients(post, actor=post.author) - {post.author_id}
    publish_on_commit(events.post_new(post_id=post.pk, author=post.author), recipients)


def friendship_ended(user: User, friend: User) -> None:
    """Once the transaction commits, tell both people that they are no longer friends."""
    publish_on_commit(events.friendship_removed(friend_id=friend.pk), [user.pk])
    publish_on_commit(events.friendship_removed(friend_id=user.pk), [friend.pk])
