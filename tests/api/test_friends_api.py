"""/api/v1/friends…: my friends, requests both ways, and every friend action allowed and denied."""

import pytest

from accounts.services import block_create
from social.models import FriendRequest, Friendship
from tests.api.conftest import pages_of, usernames
from tests.factories import FriendRequestFactory, UserFactory, befriend, friend_state

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/friends/requests"


def both_ways(a, b):
    return sorted([(a.pk, b.pk), (b.pk, a.pk)])


# -- GET /friends -------------------------------------------------------------------------------
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


@pytest.mark.parametrize("count", [2, 25])
def test_friends_query_count_does_not_grow(api_as, user, count, django_assert_max_num_queries):
    """A friends page costs the same few queries however many friends there are."""
    for _ in range(count):
        befriend(user, UserFactory())
    api = api_as(user)
    with django_assert_max_num_queries(5):
        assert len(usernames(api.get("/api/v1/friends", limit=50))) == count


# -- GET /friends/requests/{incoming,outgoing} ------------------------------------------------
def test_incoming_lists_requests_to_me_newest_first(api_as, user):
    """Incoming shows who asked me (newest first) with the request's id and time; not the
    requests I sent or requests between other people."""
    first, second = UserFactory(), UserFactory()
    old = FriendRequestFactory(from_user=first, to_user=user)
    new = FriendRequestFactory(from_user=second, to_user=user)
    FriendRequestFactory(from_user=user, to_user=UserFactory())
    FriendRequestFactory()
    body = api_as(user).get(f"{REQUESTS}/incoming").json()
    assert [item["id"] for item in body["items"]] == [new.pk, old.pk]
    assert [item["user"]["username"] for item in body["items"]] == [
        second.username,
        first.username,
    ]
    assert body["items"][0]["created_at"]


def test_outgoing_lists_requests_i_sent(api_as, user):
    """Outgoing shows the people I asked, not those who asked me."""
    asked = UserFactory()
    FriendRequestFactory(from_user=user, to_user=asked)
    FriendRequestFactory(from_user=UserFactory(), to_user=user)
    body = api_as(user).get(f"{REQUESTS}/outgoing").json()
    assert [item["user"]["username"] for item in body["items"]] == [asked.username]


def test_request_lists_hide_blocked_people(api_as, user):
    """A request from or to someone in a blocked pair with me is not listed."""
    blocker, blocked = UserFactory(), UserFactory()
    FriendRequestFactory(from_user=blocker, to_user=user)
    FriendRequestFactory(from_user=user, to_user=blocked)
    block_create(blocker=blocker, blocked=user)
    block_create(blocker=user, blocked=blocked)
    api = api_as(user)
    assert api.get(f"{REQUESTS}/incoming").json()["items"] == []
    assert api.get(f"{REQUESTS}/outgoing").json()["items"] == []


def test_request_lists_page_with_a_cursor(api_as, user):
    """`next` walks through every incoming request once, newest first."""
    senders = [UserFactory() for _ in range(5)]
    for sender in senders:
        FriendRequestFactory(from_user=sender, to_user=user)
    pages = pages_of(api_as(user), f"{REQUESTS}/incoming", limit=2)
    assert [len(items) for items in pages] == [2, 2, 1]
    seen = [item["user"]["username"] for items in pages for item in items]
    assert seen == [sender.username for sender in reversed(senders)]


@pytest.mark.parametrize("count", [2, 25])
def test_request_list_query_count_does_not_grow(api_as, user, count, django_assert_max_num_queries):
    """A page of requests costs the same few queries however many there are."""
    for _ in range(count):
        FriendRequestFactory(to_user=user)
    api = api_as(user)
    with django_assert_max_num_queries(5):
        assert len(api.get(f"{REQUESTS}/incoming", limit=50).json()["items"]) == count


# -- POST /friends/requests ---------------------------------------------------------------------
def test_send_request(api_as, user, other_user):
    """Sending a request stores it (201, relation `requested`); sending it again is harmless."""
    api = api_as(user)
    response = api.post(REQUESTS, {"username": other_user.username})
    assert response.status_code == 201, response.content
    assert response.json()["relation"] == "requested"
    assert response.json()["user"]["username"] == other_user.username
    assert api.post(REQUESTS, {"username": other_user.username}).status_code == 201
    assert friend_state(user, other_user) == ([(user.pk, other_user.pk)], [])


def test_send_request_to_someone_who_asked_me_accepts_theirs(api_as, user, other_user):
    """Asking someone who already asked me makes us friends (200, relation `friends`)."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    response = api_as(user).post(REQUESTS, {"username": other_user.username})
    assert response.status_code == 200, response.content
    assert response.json()["relation"] == "friends"
    assert friend_state(user, other_user) == ([], both_ways(user, other_user))


def test_send_request_to_a_friend_is_409(api_as, user, other_user):
    """Asking a friend again is a conflict; nothing changes."""
    befriend(user, other_user)
    response = api_as(user).post(REQUESTS, {"username": other_user.username})
    assert response.status_code == 409
    assert response.json()["code"] == "already_friends"
    assert friend_state(user, other_user) == ([], both_ways(user, other_user))


def test_send_request_to_myself_is_400(api_as, user):
    """Asking myself is a 400 naming the username field; nothing is stored."""
    response = api_as(user).post(REQUESTS, {"username": user.username})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username"}
    assert not FriendRequest.objects.exists()


@pytest.mark.parametrize("body", [{}, {"username": ""}, {"username": 5}, {"name": "x"}], ids=repr)
def test_send_request_with_bad_input_is_400(api_as, user, body):
    """A missing or malformed username is a 400 with fields; nothing is stored."""
    response = api_as(user).post(REQUESTS, body)
    assert response.status_code == 400
    assert response.json()["fields"]
    assert not FriendRequest.objects.exists()


@pytest.mark.parametrize("direction", ["i_blocked", "blocked_me", "inactive", "missing"])
def test_send_request_to_hidden_people_is_404(api_as, user, direction):
    """Blocked (either way), deactivated and missing people cannot be asked: 404, no request."""
    person = UserFactory(is_active=direction != "inactive")
    if direction == "i_blocked":
        block_create(blocker=user, blocked=person)
    elif direction == "blocked_me":
        block_create(blocker=person, blocked=user)
    name = "nobody-here" if direction == "missing" else person.username
    response = api_as(user).post(REQUESTS, {"username": name})
    assert response.status_code == 404
    assert not FriendRequest.objects.exists()


# -- cancel, accept, decline, remove ------------------------------------------------------------
def test_cancel_my_request(api_as, user, other_user):
    """Withdrawing my request removes it (204)."""
    FriendRequestFactory(from_user=user, to_user=other_user)
    response = api_as(user).delete(f"{REQUESTS}/outgoing/{other_user.username}")
    assert response.status_code == 204
    assert friend_state(user, other_user) == ([], [])


def test_cancel_cannot_withdraw_their_request(api_as, user, other_user):
    """ "Cancelling" a request someone sent me is a 404; their request stays."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    response = api_as(user).delete(f"{REQUESTS}/outgoing/{other_user.username}")
    assert response.status_code == 404
    assert friend_state(user, other_user) == ([(other_user.pk, user.pk)], [])


def test_accept_a_request(api_as, user, other_user):
    """Accepting makes us friends both ways and removes the request."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    response = api_as(user).post(f"{REQUESTS}/incoming/{other_user.username}/accept")
    assert response.status_code == 200, response.content
    assert response.json()["relation"] == "friends"
    assert friend_state(user, other_user) == ([], both_ways(user, other_user))


def test_accept_my_own_request_is_404(api_as, user, other_user):
    """I cannot accept the request I sent: 404, and it still waits for them."""
    FriendRequestFactory(from_user=user, to_user=other_user)
    response = api_as(user).post(f"{REQUESTS}/incoming/{other_user.username}/accept")
    assert response.status_code == 404
    assert friend_state(user, other_user) == ([(user.pk, other_user.pk)], [])


@pytest.mark.parametrize("blocker_is_me", [True, False])
def test_accept_across_a_block_is_404(api_as, user, other_user, blocker_is_me):
    """A request from someone in a blocked pair with me cannot be accepted."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    if blocker_is_me:
        block_create(blocker=user, blocked=other_user)
    else:
        block_create(blocker=other_user, blocked=user)
    before = friend_state(user, other_user)
    response = api_as(user).post(f"{REQUESTS}/incoming/{other_user.username}/accept")
    assert response.status_code == 404
    assert friend_state(user, other_user) == before
    assert before[1] == []


def test_decline_a_request(api_as, user, other_user):
    """Declining removes the request without a friendship."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    response = api_as(user).post(f"{REQUESTS}/incoming/{other_user.username}/decline")
    assert response.status_code == 204
    assert friend_state(user, other_user) == ([], [])


def test_decline_my_own_request_is_404(api_as, user, other_user):
    """Declining is for requests sent to me; my own request stays."""
    FriendRequestFactory(from_user=user, to_user=other_user)
    response = api_as(user).post(f"{REQUESTS}/incoming/{other_user.username}/decline")
    assert response.status_code == 404
    assert friend_state(user, other_user) == ([(user.pk, other_user.pk)], [])


def test_remove_a_friend(api_as, user, other_user):
    """Removing a friend ends the friendship both ways."""
    befriend(user, other_user)
    response = api_as(user).delete(f"/api/v1/friends/{other_user.username}")
    assert response.status_code == 204
    assert friend_state(user, other_user) == ([], [])


def test_remove_someone_who_is_not_a_friend_is_404(api_as, user, other_user):
    """Removing a non-friend is a 404 and touches nobody else's friendships."""
    third = UserFactory()
    befriend(other_user, third)
    response = api_as(user).delete(f"/api/v1/friends/{other_user.username}")
    assert response.status_code == 404
    assert friend_state(other_user, third) == ([], both_ways(other_user, third))


# -- anonymous and rate limit -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/friends"),
        ("get", f"{REQUESTS}/incoming"),
        ("get", f"{REQUESTS}/outgoing"),
        ("post", REQUESTS),
        ("delete", f"{REQUESTS}/outgoing/{{name}}"),
        ("post", f"{REQUESTS}/incoming/{{name}}/accept"),
        ("post", f"{REQUESTS}/incoming/{{name}}/decline"),
        ("delete", "/api/v1/friends/{name}"),
    ],
)
def test_friend_operations_need_a_login(anon_api, user, other_user, method, path):
    """Every friend operation is a 401 without credentials, and changes nothing."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    befriend(user, UserFactory(username="pal"))
    before = (friend_state(user, other_user), Friendship.objects.count())
    path = path.format(name=other_user.username)
    response = (
        anon_api.post(path, {"username": other_user.username})
        if method == "post"
        else getattr(anon_api, method)(path)
    )
    assert response.status_code == 401
    assert (friend_state(user, other_user), Friendship.objects.count()) == before


def test_friend_writes_are_rate_limited(api_as, user, settings):
    """Friend requests count against the write limit: the one over it is 429 and not stored."""
    settings.API_WRITE_RATE = "2/m"
    people = [UserFactory() for _ in range(3)]
    api = api_as(user)
    assert [api.post(REQUESTS, {"username": p.username}).status_code for p in people] == [
        201,
        201,
        429,
    ]
    assert not FriendRequest.objects.filter(to_user=people[2]).exists()
