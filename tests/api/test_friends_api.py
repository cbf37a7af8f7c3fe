"""/api/v1/friends: my friends only, paged, hidden people left out."""

import pytest

from accounts.services import block_create
from social.models import Friendship
from tests.api.conftest import usernames
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def befriend(a, b) -> None:
    Friendship.objects.bulk_create([Friendship(user=a, friend=b), Friendship(user=b, friend=a)])


def test_friends_lists_my_friends_only(api_as, user):
    """GET /friends shows my friends, not other people's friends or strangers."""
    friend, stranger, their_friend = UserFactory(), UserFactory(), UserFactory()
    befriend(user, friend)
    befriend(stranger, their_friend)
    assert usernames(api_as(user).get("/api/v1/friends")) == [friend.username]
    assert usernames(api_as(stranger).get("/api/v1/friends")) == [their_friend.username]


def test_friends_leaves_out_blocked_and_inactive(api_as, user):
    """A friend who is deactivated or on either side of a block is not listed."""
    kept, blocked, gone = UserFactory(), UserFactory(), UserFactory(is_active=False)
    for person in (kept, blocked, gone):
        befriend(user, person)
    block_create(blocker=blocked, blocked=user)
    assert usernames(api_as(user).get("/api/v1/friends")) == [kept.username]


def test_friends_pages_with_a_cursor(api_as, user):
    """`next` walks through every friend once."""
    friends = [UserFactory() for _ in range(3)]
    for friend in friends:
        befriend(user, friend)
    api = api_as(user)
    first = api.get("/api/v1/friends", limit=2).json()
    second = api.get("/api/v1/friends", limit=2, cursor=first["next"]).json()
    assert [f["username"] for f in first["items"] + second["items"]] == [
        f.username for f in friends
    ]
    assert second["next"] is None


def test_friends_anonymous_is_401(anon_api):
    """The friend list needs a signed-in viewer."""
    assert anon_api.get("/api/v1/friends").status_code == 401


@pytest.mark.parametrize("count", [2, 25])
def test_friends_query_count_does_not_grow(api_as, user, count, django_assert_max_num_queries):
    """A friends page costs the same few queries however many friends there are."""
    for _ in range(count):
        befriend(user, UserFactory())
    api = api_as(user)
    with django_assert_max_num_queries(5):
        assert len(usernames(api.get("/api/v1/friends", limit=50))) == count
