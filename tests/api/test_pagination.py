"""One cursor pagination for every list (messenger/api_kit.py): boundaries and bad cursors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import block_create
from messenger.api import api
from messenger.api_kit import KEY_CURSOR_PATTERN, TIME_CURSOR_PATTERN, Cursor
from social.models import Audience
from tests.api.conftest import pages_of
from tests.factories import CommentFactory, PostFactory, UserFactory

API = "/api/v1"


@pytest.fixture
def post(user):
    return PostFactory(author=user, audience=Audience.EVERYONE)


def _comments(post, n: int, *, start=None) -> list:
    start = start or timezone.now() - timedelta(hours=1)
    made = []
    for i in range(n):
        comment = CommentFactory(post=post, author=post.author)
        # Two share a time: the id breaks the tie, so none is skipped or repeated.
        comment.created_at = start + timedelta(seconds=i // 2)
        comment.save(update_fields=["created_at"])
        made.append(comment)
    return made


def _blocks(user, n: int) -> list:
    return [block_create(blocker=user, blocked=UserFactory()) for _ in range(n)]


@pytest.mark.parametrize("extra", [0, 1])
def test_time_list_boundary(api_as, user, post, extra):
    """A time-ordered list of exactly `limit` rows has no next page; one more row makes one
    page more holding only that row."""
    comments = _comments(post, 4 + extra)
    pages = pages_of(api_as(user), f"{API}/posts/{post.pk}/comments", limit=4)
    assert [[item["id"] for item in items] for items in pages] == (
        [[c.pk for c in comments]]
        if not extra
        else [[c.pk for c in comments[:4]], [comments[4].pk]]
    )


@pytest.mark.parametrize("extra", [0, 1])
def test_key_list_boundary(api_as, user, extra):
    """A list in key order (my blocks, newest first) has the same boundary."""
    blocks = _blocks(user, 3 + extra)
    pages = pages_of(api_as(user), f"{API}/blocks", limit=3)
    newest_first = [b.blocked.username for b in reversed(blocks)]
    got = [[item["user"]["username"] for item in items] for items in pages]
    assert got == ([newest_first] if not extra else [newest_first[:3], newest_first[3:]])


def test_rows_added_between_pages_do_not_shift_them(api_as, user, post):
    """A comment added after the first page was read is not repeated on the second."""
    comments = _comments(post, 3)
    api = api_as(user)
    first = api.get(f"{API}/posts/{post.pk}/comments", limit=2).json()
    _comments(post, 1, start=timezone.now())
    second = api.get(f"{API}/posts/{post.pk}/comments", limit=2, cursor=first["next"]).json()
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert seen[:3] == [c.pk for c in comments]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/posts/{post}/comments", "42"),  # a key-order cursor given to a time-order list
        ("/feed", "42"),
        ("/blocks", "1763889164120000-42"),  # a time-order cursor given to a key-order list
        ("/users", "1763889164120000-42"),
        ("/chats", "1763889164120000-42"),
        ("/notifications", "1763889164120000-42"),
    ],
)
def test_a_cursor_of_another_list_is_400_with_the_reason(api_as, user, post, path, cursor):
    """A cursor of the other kind of list is refused: 400 naming `cursor`, saying why."""
    url = f"{API}{path.format(post=post.pk)}"
    response = api_as(user).get(url, cursor=cursor, **({"q": "a"} if path == "/users" else {}))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["cursor"]
    assert "next" in body["fields"]["cursor"][0]


@pytest.mark.parametrize("cursor", ["abc", "-1", "1-", "1-2-3", "9999999999999999999"])
def test_a_malformed_cursor_is_400(api_as, user, post, cursor):
    """Text that is no cursor at all: 400 naming `cursor` on both kinds of list."""
    for url in (f"{API}/posts/{post.pk}/comments", f"{API}/blocks"):
        response = api_as(user).get(url, cursor=cursor)
        assert response.status_code == 400, (url, response.content)
        assert list(response.json()["fields"]) == ["cursor"]


def test_the_schema_states_each_list_cursor_pattern():
    """The OpenAPI document tells clients which cursor each list takes."""
    schema = api.get_openapi_schema()

    def pattern(path: str) -> str:
        (param,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "cursor"]
        return next(s["pattern"] for s in param["schema"]["anyOf"] if "pattern" in s)

    assert pattern("/api/v1/blocks") == KEY_CURSOR_PATTERN
    assert pattern("/api/v1/posts/{post_id}/comments") == TIME_CURSOR_PATTERN


def test_cursor_round_trip():
    """Both kinds of cursor decode to what they were made from, and only as their own kind."""
    at = timezone.now().replace(microsecond=123456)
    timed = Cursor(42, at).encode()
    assert Cursor.decode(timed) == Cursor(42, at)
    assert Cursor.decode("42", timed=False) == Cursor(42)
    for text, timed_kind in ((timed, False), ("42", True)):
        with pytest.raises(ValueError):
            Cursor.decode(text, timed=timed_kind)
