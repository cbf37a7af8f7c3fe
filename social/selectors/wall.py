"""Posts: the news feed, walls and the profile's social part, one post and its photos,
comments, likes, post search, and who gets live events about a post.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import Block, User
from accounts.selectors import blocked_user_ids, visible_users
from messenger.api_kit import Cursor, keyset_page
from messenger.search import matching
from social.models import Audience, Comment, Friendship, Post, PostLike, PostPhoto
from social.selectors._kit import _count_per_row, search_words
from social.selectors.friends import (
    MUTUAL_FRIENDS_SHOWN,
    Relation,
    friend_ids,
    friends_of,
    mutual_friends_of,
    relations_for,
)

FEED_PAGE_SIZE = 20
LATEST_COMMENTS_SHOWN = 3
COMMENTS_PAGE_SIZE = 50

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _PostCardAttributes(TypedDict):
        """What `_with_post_details` adds to a post: its counts, whether the viewer liked it,
        and its latest comments, newest first (`Post.latest_comments` has them oldest first)."""

        latest_comments_desc: list[Comment]
        like_count: Any  # the plugin types the Coalesce subqueries as Any
        comment_count: Any
        liked: bool

    # A post as a card shows it (`_with_post_details`).
    PostCard = WithAnnotations[Post, _PostCardAttributes]


@dataclass
class FeedPage:
    posts: list[PostCard]
    next_cursor: str | None


def _with_post_details(
    viewer: User, posts: QuerySet[Post], blocked: set[int]
) -> QuerySet[PostCard]:
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
    # Declared: the plugin loses a WithAnnotations type's attributes through a generic call.
    rows: list[PostCard]
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
    post: PostCard = get_object_or_404(posts, pk=post_id)  # declared, as in `_feed_page`
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


def profile_social_context(
    viewer: User, person: User, *, before: Cursor | None = None
) -> dict[str, ProfileSocial]:
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


# -- for "My data" exports (exports.selectors asks here: it reads no social table itself) -------
def posts_by(user: User) -> QuerySet[Post]:
    """The user's posts, oldest first, with photos and the comments the user may see."""
    blocked = blocked_user_ids(user)
    return (
        Post.objects.filter(author=user)
        .prefetch_related(
            Prefetch("photos", queryset=PostPhoto.objects.order_by("position", "id")),
            Prefetch(
                "comments",
                queryset=Comment.objects.exclude(author_id__in=blocked)
                .select_related("author")
                .order_by("created_at", "id"),
            ),
        )
        .order_by("created_at", "id")
    )


def comments_by(user: User) -> QuerySet[Comment]:
    """The user's comments under other people's posts that the user can still see."""
    return (
        Comment.objects.filter(author=user, post__in=Post.objects.visible_to(user))
        .exclude(post__author=user)
        .select_related("post", "post__author")
        .order_by("created_at", "id")
    )
