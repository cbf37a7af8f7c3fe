"""Reads for social pages, the API and other apps.

Who sees what:
- Posts: the author, everyone for an "everyone" post, friends for a "friends" post
  (Post.objects.visible_to). The feed is the viewer's own and their friends' posts.
- Blocking (either direction) hides both people from each other everywhere: search, lists,
  walls (404), posts, comments, likes and the counts of those.
- The board is public to every signed-in person, but a blocked pair does not see each other's
  topics (404) or replies (left out of pages and counts). A topic's "last activity" still moves
  when a hidden person replies: the ordering is the board's, not the viewer's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Block, User
from accounts.selectors import blocked_user_ids, is_blocked_between, visible_users
from messenger.search import matching, normalise
from social.models import (
    Audience,
    Comment,
    FriendRequest,
    Friendship,
    Post,
    PostLike,
    PostPhoto,
    Reply,
    Topic,
)

PAGE_SIZE = 20
MUTUAL_FRIENDS_SHOWN = 6
FEED_PAGE_SIZE = 20
LATEST_COMMENTS_SHOWN = 3
COMMENTS_PAGE_SIZE = 50


class Relation:
    """How the viewer relates to another person (drives the profile's friend button)."""

    SELF = "self"
    ADD = "add"
    REQUESTED = "requested"  # the viewer asked, the other has not answered
    RESPOND = "respond"  # the other asked the viewer
    FRIENDS = "friends"
    BLOCKED = "blocked"


def friend_ids(user) -> set[int]:
    """Ids of `user`'s friends."""
    return set(Friendship.objects.filter(user=user).values_list("friend_id", flat=True))


def are_friends(user_a_id: int, user_b_id: int) -> bool:
    """True if the two users are friends."""
    return Friendship.objects.filter(user_id=user_a_id, friend_id=user_b_id).exists()


def relations_for(viewer: User, person_ids: Iterable[int]) -> dict[int, str]:
    """Relation of `viewer` to each of `person_ids` in three queries, whatever their number.

    Blocked pairs are not looked up here: lists never contain blocked people.
    """
    ids = {int(i) for i in person_ids}
    result = dict.fromkeys(ids, Relation.ADD)
    if viewer.pk in result:
        result[viewer.pk] = Relation.SELF
    others = ids - {viewer.pk}
    if not others:
        return result
    for person_id in FriendRequest.objects.filter(
        from_user=viewer, to_user_id__in=others
    ).values_list("to_user_id", flat=True):
        result[person_id] = Relation.REQUESTED
    # An incoming request outranks an outgoing one (both exist after crossed requests).
    for person_id in FriendRequest.objects.filter(
        to_user=viewer, from_user_id__in=others
    ).values_list("from_user_id", flat=True):
        result[person_id] = Relation.RESPOND
    for person_id in Friendship.objects.filter(user=viewer, friend_id__in=others).values_list(
        "friend_id", flat=True
    ):
        result[person_id] = Relation.FRIENDS
    return result


def relation_between(viewer: User, person: User) -> str:
    """Relation of `viewer` to `person`, including "blocked" (either side blocked the other)."""
    if viewer.pk != person.pk and is_blocked_between(viewer.pk, person.pk):
        return Relation.BLOCKED
    return relations_for(viewer, [person.pk])[person.pk]


def people_with_relations(viewer: User, people: Iterable[User]) -> list[User]:
    """`people` as a list, each with `.relation` set for `viewer` (three queries in all)."""
    people = list(people)
    relations = relations_for(viewer, [p.pk for p in people])
    for person in people:
        person.relation = relations[person.pk]
    return people


# -- friends page -------------------------------------------------------------------------------
def friends_of(viewer: User) -> QuerySet[User]:
    """`viewer`'s friends that `viewer` may see, by name."""
    return (
        visible_users(viewer)
        .filter(friendships__friend=viewer)
        .order_by("first_name", "last_name", "username")
    )


def incoming_requests_of(viewer: User) -> QuerySet[User]:
    """People who asked `viewer` to be friends, newest request first, each with the request's
    `request_id` and `requested_at`."""
    return (
        visible_users(viewer)
        .filter(friend_requests_sent__to_user=viewer)
        .annotate(
            request_id=F("friend_requests_sent__id"),
            requested_at=F("friend_requests_sent__created_at"),
        )
        .order_by("-request_id")
    )


def outgoing_requests_of(viewer: User) -> QuerySet[User]:
    """People `viewer` asked to be friends, newest request first, each with the request's
    `request_id` and `requested_at`."""
    return (
        visible_users(viewer)
        .filter(friend_requests_received__from_user=viewer)
        .annotate(
            request_id=F("friend_requests_received__id"),
            requested_at=F("friend_requests_received__created_at"),
        )
        .order_by("-request_id")
    )


def incoming_request_count(user: User) -> int:
    """Pending requests to `user` from people `user` may see (the navigation badge)."""
    return incoming_requests_of(user).count()


FRIEND_LISTS = {
    "friends": friends_of,
    "incoming": incoming_requests_of,
    "outgoing": outgoing_requests_of,
}


def friend_list_counts(viewer: User) -> dict[str, int]:
    """Size of each of the three lists on /friends/ (three small counts)."""
    return {key: list_of(viewer).count() for key, list_of in FRIEND_LISTS.items()}


def mutual_friends_of(viewer: User, person: User) -> QuerySet[User]:
    """Friends that `viewer` and `person` have in common (and `viewer` may see)."""
    return (
        friends_of(viewer)
        .filter(pk__in=Friendship.objects.filter(user=person).values("friend_id"))
        .exclude(pk__in=[viewer.pk, person.pk])
    )


# -- search -------------------------------------------------------------------------------------
SEARCH_MAX_LENGTH = 100


def search_words(query: str) -> list[str]:
    """The folded words of a search `query` (see messenger.search.normalise); ValidationError (for
    the field "q") if the query is longer than SEARCH_MAX_LENGTH."""
    if len(query.strip()) > SEARCH_MAX_LENGTH:
        message = _("The search text is too long (at most %(limit)d characters).") % {
            "limit": SEARCH_MAX_LENGTH
        }
        raise ValidationError({"q": message}, code="too_long")
    return normalise(query).split()


def search_people(viewer: User, query: str) -> QuerySet[User]:
    """People with a verified email matching every word of `query` in first name, last name or
    username, or whose id is `query`; case-insensitive in any script, blocked pairs never see
    each other.
    ValidationError (for the field "q") if the query is longer than SEARCH_MAX_LENGTH."""
    words = search_words(query)
    # Accounts that never confirmed an email are not findable (they may be typos or spam).
    verified = EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)
    people = visible_users(viewer).exclude(pk=viewer.pk).filter(Exists(verified))
    if not words:
        return people.none()
    matches = matching(people, words, "first_name", "last_name", "username")
    if query.strip().isdecimal() and len(query.strip()) < 19:
        matches = matches | people.filter(pk=int(query.strip()))
    return matches.order_by("first_name", "last_name", "username", "pk")


def search_posts(
    viewer: User, query: str, *, blocked_ids: set[int] | None = None
) -> QuerySet[Post]:
    """Posts `viewer` may see (Post.objects.visible_to) whose text contains every word of
    `query`, case-insensitive in any script, newest first, with their authors.
    ValidationError (for the field "q") if the query is too long."""
    words = search_words(query)
    posts = Post.objects.visible_to(viewer, blocked_ids=blocked_ids)
    if not words:
        return posts.none()
    return matching(posts, words, "text").select_related("author").order_by("-created_at", "-id")


def search_posts_feed(
    viewer: User, query: str, *, before: Cursor | None = None, limit: int = FEED_PAGE_SIZE
) -> FeedPage:
    """search_posts() as a page of full post cards (counts, photos, latest comments)."""
    blocked = blocked_user_ids(viewer)
    posts = search_posts(viewer, query, blocked_ids=blocked)
    return _feed_page(viewer, posts, before=before, limit=limit, blocked=blocked)


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


# -- profile ------------------------------------------------------------------------------------
@dataclass
class ProfileSocial:
    """What the social part of a profile page shows to one viewer."""

    person: User
    relation: str
    mutual_friends: list[User] = field(default_factory=list)
    mutual_friend_count: int = 0
    friend_count: int = 0
    wall: FeedPage | None = None

    @property
    def wall_url(self) -> str:
        """Where the wall's "older posts" button asks for the next page."""

        return reverse("social:wall", args=[self.person.username])


def profile_social_context(viewer: User, person: User, *, before: Cursor | None = None) -> dict:
    """Template context for templates/social/_profile_social.html: {"social": ProfileSocial}.
    `before` shows older wall posts (the wall's "older" link)."""
    blocked = blocked_user_ids(viewer)
    if person.pk in blocked:
        relation = Relation.BLOCKED
    else:
        relation = relations_for(viewer, [person.pk])[person.pk]
    person.relation = relation
    social = ProfileSocial(person=person, relation=relation)
    if relation != Relation.BLOCKED:
        if relation != Relation.SELF:
            mutual = mutual_friends_of(viewer, person)
            social.mutual_friends = list(mutual[:MUTUAL_FRIENDS_SHOWN])
            social.mutual_friend_count = (
                len(social.mutual_friends)
                if len(social.mutual_friends) < MUTUAL_FRIENDS_SHOWN
                else mutual.count()
            )
        social.friend_count = friends_of(person).exclude(pk__in=blocked).count()
        social.wall = wall_for(viewer, person, before=before, blocked_ids=blocked)
    return {"social": social}


# -- posts --------------------------------------------------------------------------------------
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Microseconds since 1970 (17 digits reach the year 5138, so a cursor can never overflow
# datetime) and a row id (18 digits stay in the 64-bit range).
CURSOR_PATTERN = r"^([0-9]{1,17})-([0-9]{1,18})$"
_CURSOR_RE = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (time, id): the row at `at`, `id` ended the previous
    page. Rows added at the newest end never shift it, so pages have no gaps and no repeats."""

    at: datetime
    id: int

    def encode(self) -> str:
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse `encode()`'s output; ValueError for anything else."""
        match = _CURSOR_RE.match(text or "")
        if not match:
            raise ValueError("bad cursor")
        micros, row_id = int(match[1]), int(match[2])
        try:
            return cls(_EPOCH + timedelta(microseconds=micros), row_id)
        except OverflowError:
            raise ValueError("bad cursor") from None

    def older(self, field: str = "created_at") -> Q:
        return Q(**{f"{field}__lt": self.at}) | Q(**{field: self.at, "id__lt": self.id})

    def newer(self, field: str = "created_at") -> Q:
        return Q(**{f"{field}__gt": self.at}) | Q(**{field: self.at, "id__gt": self.id})


def keyset_page(
    rows: QuerySet,
    *,
    after: Cursor | None,
    limit: int,
    field: str = "created_at",
    newest_first: bool = True,
) -> tuple[list, str | None]:
    """Up to `limit` of `rows` in (`field`, id) order continuing after `after`, and the cursor
    of the next page (None on the last)."""
    if after is not None:
        rows = rows.filter(after.older(field) if newest_first else after.newer(field))
    order = (f"-{field}", "-id") if newest_first else (field, "id")
    found = list(rows.order_by(*order)[: limit + 1])
    page = found[:limit]
    more = len(found) > limit
    return page, Cursor(getattr(page[-1], field), page[-1].pk).encode() if more else None


@dataclass
class FeedPage:
    posts: list[Post]
    next_cursor: str | None


def _count_per_row(model, parent: str, person_field: str, hidden: list[int]) -> Subquery:
    """Rows of `model` per outer row (`parent` = OuterRef), leaving out those by `hidden`."""
    rows = (
        model.objects.filter(**{parent: OuterRef("pk")})
        .exclude(**{f"{person_field}__in": hidden})
        .order_by()
        .values(parent)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def _with_post_details(viewer: User, posts: QuerySet[Post], blocked: set[int]) -> QuerySet[Post]:
    """Everything a post card shows, in a fixed number of queries: author, photos, counts
    and the latest comments without anyone in a blocked pair with `viewer`."""
    hidden = list(blocked)
    latest = (
        Comment.objects.exclude(author_id__in=hidden)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    return (
        posts.select_related("author")
        .prefetch_related(
            "photos",
            Prefetch("comments", latest[:LATEST_COMMENTS_SHOWN], to_attr="latest_comments_desc"),
        )
        .annotate(
            like_count=_count_per_row(PostLike, "post", "user_id", hidden),
            comment_count=_count_per_row(Comment, "post", "author_id", hidden),
            liked=Exists(PostLike.objects.filter(post=OuterRef("pk"), user_id=viewer.pk)),
        )
    )


def _feed_page(
    viewer: User, posts: QuerySet[Post], *, before: Cursor | None, limit: int, blocked: set[int]
) -> FeedPage:
    rows, cursor = keyset_page(
        _with_post_details(viewer, posts, blocked), after=before, limit=limit
    )
    for post in rows:
        post.latest_comments = list(reversed(post.latest_comments_desc))
    return FeedPage(posts=rows, next_cursor=cursor)


def feed_for(
    viewer: User, *, before: Cursor | None = None, limit: int = FEED_PAGE_SIZE
) -> FeedPage:
    """The viewer's news feed: their own and their friends' posts they may see, newest first."""
    blocked = blocked_user_ids(viewer)
    friends = Friendship.objects.filter(user=viewer).values("friend_id")
    posts = Post.objects.visible_to(viewer, blocked_ids=blocked).filter(
        Q(author=viewer) | Q(author_id__in=friends)
    )
    return _feed_page(viewer, posts, before=before, limit=limit, blocked=blocked)


def wall_for(
    viewer: User,
    person: User,
    *,
    before: Cursor | None = None,
    limit: int = FEED_PAGE_SIZE,
    blocked_ids: set[int] | None = None,
) -> FeedPage:
    """`person`'s posts that `viewer` may see, newest first (empty for a blocked pair)."""
    blocked = blocked_user_ids(viewer) if blocked_ids is None else blocked_ids
    posts = Post.objects.visible_to(viewer, blocked_ids=blocked).filter(author=person)
    return _feed_page(viewer, posts, before=before, limit=limit, blocked=blocked)


def post_get_for_user(viewer: User, post_id: int) -> Post:
    """The post if `viewer` may see it; Http404 for missing and forbidden alike."""
    return get_object_or_404(Post.objects.visible_to(viewer).select_related("author"), pk=post_id)


def post_photo_get_for_user(viewer: User, post_id: int, photo_id: int) -> PostPhoto:
    """A photo of a post `viewer` may see; Http404 for missing and forbidden alike."""
    post = post_get_for_user(viewer, post_id)
    return get_object_or_404(PostPhoto.objects.filter(post=post), pk=photo_id)


def post_card_for_user(viewer: User, post_id: int) -> Post:
    """post_get_for_user() with everything its card shows (the post page)."""
    blocked = blocked_user_ids(viewer)
    posts = _with_post_details(
        viewer, Post.objects.visible_to(viewer, blocked_ids=blocked), blocked
    )
    post = get_object_or_404(posts, pk=post_id)
    post.latest_comments = list(reversed(post.latest_comments_desc))
    return post


def post_get_for_author(user: User, post_id: int) -> Post:
    """`user`'s own post; Http404 for a missing post and for anyone else's."""
    return get_object_or_404(Post.objects.filter(author__is_active=True), pk=post_id, author=user)


def comments_of(viewer: User, post: Post) -> QuerySet[Comment]:
    """Comments under `post` that `viewer` may see, oldest first (the post page)."""
    return (
        post.comments.exclude(author_id__in=blocked_user_ids(viewer))
        .select_related("author")
        .order_by("created_at", "id")
    )


def comment_get_for_user(viewer: User, comment_id: int) -> Comment:
    """A comment `viewer` may see (visible post, author not in a blocked pair); Http404."""
    blocked = blocked_user_ids(viewer)
    return get_object_or_404(
        Comment.objects.select_related("post", "author")
        .filter(post__in=Post.objects.visible_to(viewer, blocked_ids=blocked))
        .exclude(author_id__in=blocked),
        pk=comment_id,
    )


def likers_of(viewer: User, post: Post) -> QuerySet[User]:
    """People who liked `post`, as `viewer` may see them, latest first, each with the like's
    `like_id` and `liked_at`."""
    return (
        visible_users(viewer)
        .filter(post_likes__post=post)
        .annotate(like_id=F("post_likes__id"), liked_at=F("post_likes__created_at"))
        .order_by("-like_id")
    )


def hidden_pairs(user_ids: Iterable[int], others: Iterable[int]) -> dict[int, set[int]]:
    """For each of `user_ids`, which of `others` are in a blocked pair with them (one query);
    users with none are left out."""

    users, others = set(user_ids), set(others)
    result: dict[int, set[int]] = {}
    if not users or not others:
        return result
    pairs = Block.objects.filter(
        Q(blocker_id__in=users, blocked_id__in=others)
        | Q(blocker_id__in=others, blocked_id__in=users)
    ).values_list("blocker_id", "blocked_id")
    for a, b in pairs:
        if a in users and b in others:
            result.setdefault(a, set()).add(b)
        if b in users and a in others:
            result.setdefault(b, set()).add(a)
    return result


def post_event_recipients(post: Post, *, actor: User, also: Iterable[int] = ()) -> set[int]:
    """Who gets live events about `post`: its author, the author's friends and `actor`, plus
    (for an everyone-post) people who commented on or liked it and `also`; never anyone in a
    blocked pair with the author or with `actor`. Other people who merely have an everyone-post
    open are not tracked: they see the change when they reload."""

    author = post.author
    ids = {author.pk, actor.pk} | friend_ids(author)
    if post.audience == Audience.EVERYONE:
        ids |= set(also)
        ids |= set(post.comments.values_list("author_id", flat=True))
        ids |= set(post.likes.values_list("user_id", flat=True))
    ids -= blocked_user_ids(author)
    if actor.pk != author.pk:
        ids -= blocked_user_ids(actor)
    return ids


# -- discussion board ---------------------------------------------------------------------------
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
