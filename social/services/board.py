"""The discussion board: topics and replies, and their removal by moderators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from messenger.storage import delete_files_on_commit
from social import selectors, tasks
from social.models import (
    POST_PHOTOS_MAX,
    REPLY_TEXT_MAX,
    TOPIC_BODY_MAX,
    TOPIC_TITLE_MAX,
    Reply,
    ReplyPhoto,
    Topic,
    TopicPhoto,
)
from social.services._kit import (
    _clean_text,
    _invalid,
    _photo_rows,
    _process_photos,
    _staff_remove,
)


def topic_create(
    *, author: User, title: str, body: str, photos: Sequence[IO[bytes] | None] = ()
) -> Topic:
    """Start a board topic with a title, text and up to POST_PHOTOS_MAX photos;
    ValidationError for missing, too long or unreadable input."""
    title = _clean_text(title, limit=TOPIC_TITLE_MAX, field="title").replace("\n", " ")
    body = _clean_text(body, limit=TOPIC_BODY_MAX, field="body")
    if not title:
        raise _invalid("title", _("Give the topic a title."), "empty")
    if not body:
        raise _invalid("body", _("Write what the topic is about."), "empty")
    processed = _process_photos(photos, limit=POST_PHOTOS_MAX)
    with transaction.atomic():
        topic = Topic.objects.create(author=author, title=title, body=body)
        rows = TopicPhoto.objects.bulk_create(_photo_rows(TopicPhoto, processed, topic=topic))
        tasks.thumbnails_on_commit("topic", rows)
    return topic


def reply_create(
    *, author: User, topic_id: int, text: str, photos: Sequence[IO[bytes] | None] = ()
) -> Reply:
    """Answer a topic `author` may see (text and/or photos) and move the topic up the board;
    Http404 if they may not see it, ValidationError for empty or bad input."""
    text = _clean_text(text, limit=REPLY_TEXT_MAX)
    processed = _process_photos(photos, limit=POST_PHOTOS_MAX)
    if not text and not processed:
        raise _invalid("text", _("Write a reply or add a photo."), "empty")
    with transaction.atomic():
        topic = selectors.topic_get_for_user(author, topic_id)
        reply = Reply.objects.create(topic=topic, author=author, text=text)
        rows = ReplyPhoto.objects.bulk_create(_photo_rows(ReplyPhoto, processed, reply=reply))
        tasks.thumbnails_on_commit("reply", rows)
        Topic.objects.filter(pk=topic.pk).update(last_activity_at=reply.created_at)
    return reply


def topic_delete(*, user: User, topic_id: int) -> None:
    """Delete a topic with its replies: its author or a board moderator may; Http404 else."""
    with transaction.atomic():
        topic = selectors.topic_get_for_user(user, topic_id)
        if topic.author_id != user.pk and not selectors.can_moderate_board(user):
            raise Http404
        _topic_remove(topic)


def _topic_remove(topic: Topic) -> None:
    names = [n for photo in topic.photos.all() for n in photo.file_names()]
    names += [
        n for photo in ReplyPhoto.objects.filter(reply__topic=topic) for n in photo.file_names()
    ]
    topic.delete()
    delete_files_on_commit(names)


def reply_delete(*, user: User, reply_id: int, topic_id: int | None = None) -> Topic:
    """Delete a reply: its author or a board moderator may; Http404 for anyone else, and when
    `topic_id` is given but the reply is in another topic. Returns the topic it was in."""
    with transaction.atomic():
        reply = selectors.reply_get_for_user(user, reply_id)
        if reply.author_id != user.pk and not selectors.can_moderate_board(user):
            raise Http404
        if topic_id is not None and reply.topic_id != topic_id:
            raise Http404
        _reply_remove(reply)
    return reply.topic


def _reply_remove(reply: Reply) -> None:
    delete_files_on_commit([n for photo in reply.photos.all() for n in photo.file_names()])
    reply.delete()


def topic_remove_by_staff(*, moderator: User, topic_id: int) -> None:
    """Site moderation: delete any board topic with its replies. PermissionDenied, Http404."""
    _staff_remove(moderator, Topic, topic_id, _topic_remove)


def reply_remove_by_staff(*, moderator: User, reply_id: int) -> None:
    """Site moderation: delete any board reply. PermissionDenied, Http404."""
    _staff_remove(moderator, Reply, reply_id, _reply_remove)
