"""The discussion board: topic list, one topic and its replies, board search, and who may
moderate it.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.selectors import blocked_user_ids
from messenger.search import matching
from social.models import Reply, Topic
from social.selectors._kit import PAGE_SIZE, _count_per_row, search_words

BOARD_PAGE_SIZE = 20


def board_topics(viewer: User) -> QuerySet[Topic]:
    """Topics for the board list, most recently active first, each with `reply_count` (replies
    `viewer` may see). Topics by people in a blocked pair with `viewer` are left out."""
    blocked = list(blocked_user_ids(viewer))
    return (
        Topic.objects.filter(author__is_active=True)
        .exclude(author_id__in=blocked)
        .select_related("author")
        .annotate(reply_count=_count_per_row(Reply, "topic", "author_id", blocked))
        .order_by("-last_activity_at", "-id")
    )


def topic_get_for_user(viewer: User, topic_id: int) -> Topic:
    """A topic with its photos and `reply_count` (replies `viewer` may see) if `viewer` may
    see it (author active and not in a blocked pair with `viewer`); Http404 otherwise."""
    blocked = list(blocked_user_ids(viewer))
    topics = (
        Topic.objects.filter(author__is_active=True)
        .exclude(author_id__in=blocked)
        .select_related("author")
        .prefetch_related("photos")
        .annotate(reply_count=_count_per_row(Reply, "topic", "author_id", blocked))
    )
    return get_object_or_404(topics, pk=topic_id)


def topic_replies(viewer: User, topic: Topic) -> QuerySet[Reply]:
    """Replies in `topic` that `viewer` may see, oldest first, with authors and photos."""
    return (
        topic.replies.exclude(author_id__in=blocked_user_ids(viewer))
        .select_related("author")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )


def reply_get_for_user(viewer: User, reply_id: int) -> Reply:
    """A reply `viewer` may see, in a topic `viewer` may see; Http404 otherwise."""
    blocked = blocked_user_ids(viewer)
    return get_object_or_404(
        Reply.objects.select_related("topic", "author")
        .filter(topic__author__is_active=True)
        .exclude(topic__author_id__in=blocked)
        .exclude(author_id__in=blocked),
        pk=reply_id,
    )


def can_moderate_board(user: User) -> bool:
    """Board moderators (and superusers) may delete any topic or reply."""
    return user.is_active and user.has_perm("social.delete_topic")


def search_board(viewer: User, query: str) -> QuerySet[Topic]:
    """Board topics `viewer` may see whose title and text contain every word of `query`, or
    that have such a reply `viewer` may see; most recently active first. Each has
    `reply_count` and `matching_replies`: the first matching reply (with its author and
    `page`, the page of the topic it is on for `viewer`) or nothing.
    ValidationError (for the field "q") if the query is too long."""
    words = search_words(query)
    blocked = list(blocked_user_ids(viewer))
    topics = Topic.objects.filter(author__is_active=True).exclude(author_id__in=blocked)
    if not words:
        return topics.none()
    replies = matching(Reply.objects.exclude(author_id__in=blocked), words, "text")
    # A UNION of two index scans: an OR of the two conditions would scan every topic.
    hits = (
        matching(topics, words, "title", "body")
        .order_by()
        .values("pk")
        .union(replies.order_by().values("topic_id"))
    )
    earlier = (
        Reply.objects.filter(topic=OuterRef("topic"))
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .exclude(author_id__in=blocked)
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    first_match = (
        replies.select_related("author")
        .annotate(page=Coalesce(Subquery(earlier), 0) / PAGE_SIZE + 1)
        .order_by("created_at", "id")
    )
    return (
        topics.filter(pk__in=hits)
        .select_related("author")
        .prefetch_related(Prefetch("replies", first_match[:1], to_attr="matching_replies"))
        .annotate(reply_count=_count_per_row(Reply, "topic", "author_id", blocked))
        .order_by("-last_activity_at", "-id")
    )


# -- for "My data" exports (exports.selectors asks here: it reads no social table itself) -------
def topics_by(user: User) -> QuerySet[Topic]:
    """The user's board topics, oldest first, with photos."""
    return Topic.objects.filter(author=user).prefetch_related("photos").order_by("created_at")


def replies_by(user: User) -> QuerySet[Reply]:
    """The user's replies on the board, under topics by people the user may see."""
    return (
        Reply.objects.filter(author=user, topic__author__is_active=True)
        .exclude(topic__author_id__in=blocked_user_ids(user))
        .select_related("topic")
        .prefetch_related("photos")
        .order_by("created_at", "id")
    )
