"""Hot pages cost the same number of queries with 5 or 50 items (no N+1), pinned."""

import pytest
from django.urls import reverse

from social.models import Audience
from tests.factories import (
    CommentFactory,
    PostFactory,
    PostLikeFactory,
    PostPhotoFactory,
    UserFactory,
    befriend,
)

pytestmark = pytest.mark.django_db

FEED_QUERIES = 11
WALL_QUERIES = 17


def add_posts(author, count, *, commenters, audience=Audience.FRIENDS):
    """`count` posts by `author`, each with two photos, two likes and comments with authors."""
    for _ in range(count):
        post = PostFactory(author=author, audience=audience)
        PostPhotoFactory.create_batch(2, post=post)
        for person in commenters:
            PostLikeFactory(post=post, user=person)
            CommentFactory(post=post, author=person)
            CommentFactory(post=post, author=person)


def measure(client, count_queries, path, grow):
    """Query counts of `path` before and after `grow()` adds 45 more items."""
    assert client.get(path).status_code == 200  # session bookkeeping happens once
    small = count_queries(lambda: client.get(path))
    grow()
    large = count_queries(lambda: client.get(path))
    return small, large


def test_feed_queries_do_not_grow(client, count_queries):
    """The feed: 5 or 50 friends' posts with photos, likes and comments, same queries."""
    viewer, friend = UserFactory(), UserFactory()
    commenters = UserFactory.create_batch(2)
    befriend(viewer, friend)
    add_posts(friend, 5, commenters=commenters)
    client.force_login(viewer)
    small, large = measure(
        client,
        count_queries,
        reverse("social:feed"),
        lambda: add_posts(friend, 45, commenters=commenters),
    )
    assert small == large == FEED_QUERIES


def test_wall_queries_do_not_grow(client, count_queries):
    """A profile wall with mutual friends: 5 or 50 posts, same queries."""
    viewer, person = UserFactory(), UserFactory()
    commenters = UserFactory.create_batch(2)
    befriend(viewer, person)
    for commenter in commenters:
        befriend(viewer, commenter)
        befriend(person, commenter)
    add_posts(person, 5, commenters=commenters)
    client.force_login(viewer)
    small, large = measure(
        client,
        count_queries,
        reverse("social:wall", args=[person.username]),
        lambda: add_posts(person, 45, commenters=commenters),
    )
    assert small == large == WALL_QUERIES


def test_post_page_queries_do_not_grow(client, count_queries):
    """A post page with 5 or 50 comments costs the same."""
    viewer = UserFactory()
    post = PostFactory(audience=Audience.EVERYONE)
    PostPhotoFactory.create_batch(3, post=post)
    CommentFactory.create_batch(5, post=post)
    client.force_login(viewer)
    small, large = measure(
        client,
        count_queries,
        reverse("social:post", args=[post.pk]),
        lambda: CommentFactory.create_batch(45, post=post),
    )
    assert small == large
