"""/api/v1/search/posts and /api/v1/search/board: allowed and denied, any script and case,
only what the caller may see, cursor paging."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import block_create
from social.models import Audience
from tests.api.conftest import pages_of
from tests.factories import (
    CommentFactory,
    PostFactory,
    PostPhotoFactory,
    ReplyFactory,
    ReplyPhotoFactory,
    TopicFactory,
    UserFactory,
    befriend,
)

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/search/posts"
BOARD = "/api/v1/search/board"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# -- posts --------------------------------------------------------------------------------------
def test_post_search_finds_cyrillic_text_in_any_case(api_as, user):
    """ "МОСКВА", "москва" and "ёлк" find the post; the item is a full post."""
    post = PostFactory(text="Москва. Ёлки на Тверской")
    PostFactory(text="Петербург")
    api = api_as(user)
    assert ids(api.get(POSTS, q="МОСКВА")) == [post.pk]
    assert ids(api.get(POSTS, q="елки москва")) == [post.pk]
    body = api.get(POSTS, q="ёлк").json()
    assert body["items"][0]["text"] == "Москва. Ёлки на Тверской"
    assert {"author", "like_count", "comment_count", "liked_by_me"} <= set(body["items"][0])


def test_post_search_hides_friends_only_posts_from_strangers(api_as, user, other_user):
    """A friends-only post is not found by a stranger; the same request finds it once the two
    are friends."""
    post = PostFactory(author=other_user, text="Только для друзей", audience=Audience.FRIENDS)
    api = api_as(user)
    assert ids(api.get(POSTS, q="друзей")) == []
    befriend(user, other_user)
    assert ids(api.get(POSTS, q="друзей")) == [post.pk]


def test_post_search_hides_blocked_authors(api_as, user, other_user):
    """Posts by someone who blocked me, or whom I blocked, are not found."""
    PostFactory(author=other_user, text="Объявление")
    mine = PostFactory(author=user, text="Объявление")
    block_create(blocker=other_user, blocked=user)
    assert ids(api_as(user).get(POSTS, q="объявление")) == [mine.pk]
    assert ids(api_as(other_user).get(POSTS, q="объявление")) == [
        p.pk for p in other_user.posts.all()
    ]


def test_post_search_pages_newest_first(api_as, user):
    """Results come newest first in pages of `limit`; `next` leads through all exactly once."""
    now = timezone.now()
    posts = [PostFactory(text="кот", created_at=now - timedelta(minutes=n)) for n in range(5)]
    pages = pages_of(api_as(user), POSTS, q="КОТ", limit=2)
    assert [[item["id"] for item in page] for page in pages] == [
        [posts[0].pk, posts[1].pk],
        [posts[2].pk, posts[3].pk],
        [posts[4].pk],
    ]


# -- board --------------------------------------------------------------------------------------
def test_board_search_finds_topics_by_text_and_by_reply(api_as, user):
    """A topic is found by its own words or by a reply's; the reply is named."""
    by_title = TopicFactory(title="Лифт сломался", body="Опять")
    by_reply = TopicFactory(title="Подъезд", body="Уборка")
    reply = ReplyFactory(topic=by_reply, text="И ЛИФТ тоже грязный")
    body = api_as(user).get(BOARD, q="лифт").json()
    found = {item["id"]: item["matching_reply_id"] for item in body["items"]}
    assert found == {by_title.pk: None, by_reply.pk: reply.pk}


def test_board_search_hides_blocked_people(api_as, user, other_user):
    """Topics and replies by someone in a blocked pair with me do not make a topic found."""
    TopicFactory(author=other_user, title="Собака")
    mine = TopicFactory(author=user, title="Кошка")
    ReplyFactory(topic=mine, author=other_user, text="собака тоже")
    block_create(blocker=user, blocked=other_user)
    assert ids(api_as(user).get(BOARD, q="собака")) == []
    assert sorted(ids(api_as(UserFactory()).get(BOARD, q="собака"))) == sorted(
        [mine.pk, other_user.topics.get().pk]
    )


def test_board_search_pages_most_recently_active_first(api_as, user):
    """Results follow the board order in pages of `limit`."""
    now = timezone.now()
    topics = [
        TopicFactory(title="Сад", last_activity_at=now - timedelta(minutes=n)) for n in range(3)
    ]
    pages = pages_of(api_as(user), BOARD, q="сад", limit=2)
    assert [[item["id"] for item in page] for page in pages] == [
        [topics[0].pk, topics[1].pk],
        [topics[2].pk],
    ]


# -- refused ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [POSTS, BOARD])
def test_search_needs_credentials(anon_api, path):
    """Without a token the search is a 401 and reveals nothing."""
    PostFactory(text="Публичный пост")
    TopicFactory(title="Публичная тема")
    response = anon_api.get(path, q="публичн")
    assert response.status_code == 401
    assert "items" not in response.json()


@pytest.mark.parametrize("path", [POSTS, BOARD])
@pytest.mark.parametrize("q", ["я" * 101, "", "a\x00"], ids=["too long", "empty", "nul"])
def test_search_with_a_bad_query_is_400(api_as, user, path, q):
    """An over-long, empty or NUL-carrying query is a 400 naming `q`."""
    response = api_as(user).get(path, q=q)
    assert response.status_code == 400, response.content
    assert "q" in response.json()["fields"]


@pytest.mark.parametrize("path", [POSTS, BOARD])
def test_search_query_count_does_not_grow_with_results(api_as, user, path):
    """2 and 15 results (with photos, replies and comments) cost the same number of queries."""

    def grow(n):
        for _ in range(n):
            post = PostFactory(text="Ярмарка")
            PostPhotoFactory(post=post)
            CommentFactory(post=post)
            ReplyPhotoFactory(reply=ReplyFactory(topic=TopicFactory(title="x"), text="ярмарка"))

    api = api_as(user)
    api.get(path, q="ярмарка")
    counts = []
    for n in (2, 13):
        grow(n)
        with CaptureQueriesContext(connection) as captured:
            found = ids(api.get(path, q="ярмарка", limit=20))
        counts.append((len(captured.captured_queries), len(found)))
    assert counts[0][0] == counts[1][0]
    assert [found for _, found in counts] == [2, 15]
