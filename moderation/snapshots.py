"""Frozen copies of reported things, taken when the report is made.

Each function checks that the reporter may see the thing (Http404 otherwise, like every
access helper) and returns the author and a JSON-ready copy: text, author, file names and, for
a message, the few messages around it that the reporter could see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404

from accounts.models import User
from accounts.selectors import visible_users
from chats.selectors import chat_get_for_user, history_window, message_get_for_user
from social.selectors import (
    comment_get_for_user,
    post_get_for_user,
    reply_get_for_user,
    topic_get_for_user,
)

MESSAGE_CONTEXT_BEFORE = 3
MESSAGE_CONTEXT_AFTER = 2

Snapshot = dict[str, Any]


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.display_name}


def _files(photos) -> list[str]:
    return [photo.image.name for photo in photos]


def _post(reporter: User, object_id: int) -> tuple[User, Snapshot]:
    post = post_get_for_user(reporter, object_id)
    return post.author, {
        "author": _person(post.author),
        "text": post.text,
        "audience": post.audience,
        "photos": _files(post.photos.all()),
        "created_at": post.created_at.isoformat(),
    }


def _comment(reporter: User, object_id: int) -> tuple[User, Snapshot]:
    comment = comment_get_for_user(reporter, object_id)
    return comment.author, {
        "author": _person(comment.author),
        "text": comment.text,
        "photos": [comment.photo.name] if comment.photo else [],
        "created_at": comment.created_at.isoformat(),
        "post": {"id": comment.post_id, "text": comment.post.text[:500]},
    }


def _topic(reporter: User, object_id: int) -> tuple[User, Snapshot]:
    topic = topic_get_for_user(reporter, object_id)
    return topic.author, {
        "author": _person(topic.author),
        "title": topic.title,
        "text": topic.body,
        "photos": _files(topic.photos.all()),
        "created_at": topic.created_at.isoformat(),
    }


def _reply(reporter: User, object_id: int) -> tuple[User, Snapshot]:
    reply = reply_get_for_user(reporter, object_id)
    return reply.author, {
        "author": _person(reply.author),
        "text": reply.text,
        "photos": _files(reply.photos.all()),
        "created_at": reply.created_at.isoformat(),
        "topic": {"id": reply.topic_id, "title": reply.topic.title},
    }


def _message_brief(message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "seq": message.seq,
        "sender": _person(message.sender),
        "text": "" if message.is_deleted else message.text,
        "deleted": message.is_deleted,
        "attachments": [a.name for a in message.attachments.all()],
        "sticker": bool(message.sticker_id),
        "created_at": message.created_at.isoformat(),
    }


def _message(reporter: User, object_id: int) -> tuple[User, Snapshot]:
    found = message_get_for_user(reporter, object_id)
    chat = chat_get_for_user(reporter, found.chat_id)
    # Only what the reporter can see: not hidden or cleared for them, not deleted.
    before, _more = history_window(
        reporter, chat, before=found.seq + 1, limit=1 + MESSAGE_CONTEXT_BEFORE
    )
    if not before or before[-1].pk != found.pk or found.is_deleted or found.sender is None:
        raise Http404
    message = before.pop()
    after, _more = history_window(reporter, chat, after=found.seq, limit=MESSAGE_CONTEXT_AFTER)
    return message.sender, {
        **_message_brief(message),
        "author": _person(message.sender),
        "chat": {"id": chat.pk, "kind": chat.kind, "title": chat.title},
        "context_before": [_message_brief(m) for m in before],
        "context_after": [_message_brief(m) for m in after],
    }


def _user(reporter: User, object_id: int) -> tuple[User, Snapshot]:
    person = visible_users(reporter).filter(pk=object_id).first()
    if person is None:
        raise Http404
    return person, {
        "author": _person(person),
        "bio": person.bio,
        "photos": [person.current_avatar.image.name] if person.current_avatar_id else [],
    }


FREEZERS: dict[str, Callable[[User, int], tuple[User, Snapshot]]] = {
    "post": _post,
    "comment": _comment,
    "topic": _topic,
    "reply": _reply,
    "message": _message,
    "user": _user,
}


def freeze(reporter: User, kind: str, object_id: int) -> tuple[User, Snapshot]:
    """The author of what `reporter` reports and a copy of it; Http404 if they cannot see it."""
    freezer = FREEZERS.get(kind)
    if freezer is None:
        raise Http404
    return freezer(reporter, object_id)
