"""Friend requests and friendships: services, the /friends/ page, the friend button."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from accounts.services import block_create
from social import selectors, services
from social.models import FriendRequest, Friendship
from tests.factories import FriendRequestFactory, UserFactory, befriend, friend_state

pytestmark = pytest.mark.django_db


def action_url(person, action):
    return reverse("social:friend_action", args=[person.username, action])


# -- services -----------------------------------------------------------------------------------
def test_request_then_accept_makes_two_friendship_rows(user, other_user):
    """Accepting a request removes it and stores the friendship in both directions."""
    services.friend_request_send(from_user=user, to_user=other_user)
    services.friend_request_accept(user=other_user, from_user=user)
    assert friend_state(user, other_user) == (
        [],
        sorted([(user.pk, other_user.pk), (other_user.pk, user.pk)]),
    )
    assert selectors.are_friends(user.pk, other_user.pk)
    assert selectors.friend_ids(other_user) == {user.pk}


def test_crossed_requests_become_a_friendship(user, other_user):
    """Asking someone who already asked you accepts their request."""
    services.friend_request_send(from_user=other_user, to_user=user)
    assert services.friend_request_send(from_user=user, to_user=other_user) is None
    assert selectors.are_friends(user.pk, other_user.pk)
    assert not FriendRequest.objects.exists()


def test_request_twice_keeps_one_request(user, other_user):
    """Sending the same request again changes nothing."""
    first = services.friend_request_send(from_user=user, to_user=other_user)
    second = services.friend_request_send(from_user=user, to_user=other_user)
    assert first.pk == second.pk
    assert FriendRequest.objects.count() == 1


def test_request_to_self_or_friend_is_refused(user, other_user):
    """Asking yourself or an existing friend is a clear validation error."""
    with pytest.raises(ValidationError, match="yourself"):
        services.friend_request_send(from_user=user, to_user=user)
    befriend(user, other_user)
    with pytest.raises(ValidationError, match="already friends"):
        services.friend_request_send(from_user=user, to_user=other_user)
    assert not FriendRequest.objects.exists()


def test_blocked_people_cannot_send_or_accept(user, other_user):
    """A block in either direction makes the other person unreachable (404) for requests."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    block_create(blocker=other_user, blocked=user)
    before = friend_state(user, other_user)
    with pytest.raises(Http404):
        services.friend_request_send(from_user=user, to_user=other_user)
    with pytest.raises(Http404):
        services.friend_request_accept(user=user, from_user=other_user)
    assert friend_state(user, other_user) == before


def test_cancel_decline_remove_without_a_relation_are_404(user, other_user):
    """Cancelling, declining or unfriending what does not exist is a 404 and changes nothing."""
    for call in (
        lambda: services.friend_request_cancel(from_user=user, to_user=other_user),
        lambda: services.friend_request_decline(user=user, from_user=other_user),
        lambda: services.friend_request_accept(user=user, from_user=other_user),
        lambda: services.friendship_remove(user=user, friend=other_user),
    ):
        with pytest.raises(Http404):
            call()
    assert friend_state(user, other_user) == ([], [])


def test_remove_friend_deletes_both_rows(user, other_user):
    """Unfriending ends the friendship for both people."""
    befriend(user, other_user)
    services.friendship_remove(user=other_user, friend=user)
    assert friend_state(user, other_user) == ([], [])


def test_relations_for_every_friend_state(user):
    """relations_for names each state the friend button shows."""
    asked, asker, friend, stranger = UserFactory.create_batch(4)
    FriendRequestFactory(from_user=user, to_user=asked)
    FriendRequestFactory(from_user=asker, to_user=user)
    befriend(user, friend)
    got = selectors.relations_for(user, [user.pk, asked.pk, asker.pk, friend.pk, stranger.pk])
    assert got == {
        user.pk: "self",
        asked.pk: "requested",
        asker.pk: "respond",
        friend.pk: "friends",
        stranger.pk: "add",
    }


def test_mutual_friends_exclude_blocked(user, other_user):
    """Mutual friends are the shared friends the viewer may see."""
    shared, hidden, only_mine = UserFactory.create_batch(3)
    befriend(user, shared)
    befriend(other_user, shared)
    befriend(user, hidden)
    befriend(other_user, hidden)
    befriend(user, only_mine)
    block_create(blocker=hidden, blocked=user)
    assert list(selectors.mutual_friends_of(user, other_user)) == [shared]
    social = selectors.profile_social_context(user, other_user)["social"]
    assert social.mutual_friend_count == 1
    assert social.relation == "add"


# -- views --------------------------------------------------------------------------------------
def test_friend_action_request_allowed(user_client, user, other_user):
    """Pressing "Add friend" stores a request and shows "Request sent"."""
    response = user_client.post(action_url(other_user, "request"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert FriendRequest.objects.filter(from_user=user, to_user=other_user).exists()
    assert b"Request sent" in response.content
    assert b'data-relation="requested"' in response.content


def test_friend_action_request_to_blocked_is_404(user_client, user, other_user):
    """Asking someone who blocked you is a 404 and stores nothing."""
    block_create(blocker=other_user, blocked=user)
    response = user_client.post(action_url(other_user, "request"))
    assert response.status_code == 404
    assert not FriendRequest.objects.exists()


def test_friend_action_unknown_action_is_404(user_client, user, other_user):
    """An action name that does not exist is a 404."""
    response = user_client.post(action_url(other_user, "hug"))
    assert response.status_code == 404
    assert friend_state(user, other_user) == ([], [])


def test_friend_action_needs_post_and_login(user_client, user, other_user):
    """GET is refused (405) and an anonymous POST goes to the login page; nothing changes."""
    assert user_client.get(action_url(other_user, "request")).status_code == 405
    response = Client().post(action_url(other_user, "request"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert friend_state(user, other_user) == ([], [])


def test_accept_via_page_redirects_back(user_client, user, other_user):
    """Without htmx the form redirects to the page it came from, with the new state stored."""
    FriendRequestFactory(from_user=other_user, to_user=user)
    response = user_client.post(
        action_url(other_user, "accept"), {"next": "/friends/?tab=incoming"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/friends/?tab=incoming"
    assert selectors.are_friends(user.pk, other_user.pk)


def test_next_to_another_site_is_ignored(user_client, user, other_user):
    """A `next` pointing off-site falls back to the person's page (no open redirect)."""
    response = user_client.post(
        action_url(other_user, "request"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("social:wall", args=[other_user.username])


def test_decline_of_someone_elses_request_is_404(user_client, user, other_user):
    """A user cannot decline a request addressed to someone else."""
    third = UserFactory()
    FriendRequestFactory(from_user=other_user, to_user=third)
    response = user_client.post(action_url(other_user, "decline"))
    assert response.status_code == 404
    assert FriendRequest.objects.filter(from_user=other_user, to_user=third).exists()


def test_already_friends_error_is_shown(user_client, user, other_user):
    """A refused action answers with the reason, not an error page."""
    befriend(user, other_user)
    response = user_client.post(action_url(other_user, "request"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"You are already friends." in response.content
    response = user_client.post(action_url(other_user, "request"), follow=True)
    assert "You are already friends." in response.content.decode()


def test_friends_page_lists_and_counts(user_client, user):
    """/friends/ shows the three lists with their sizes; blocked people are left out."""
    friends = UserFactory.create_batch(2)
    for friend in friends:
        befriend(user, friend)
    asker = UserFactory(first_name="Asker")
    FriendRequestFactory(from_user=asker, to_user=user)
    blocked_asker = UserFactory(first_name="Hidden")
    FriendRequestFactory(from_user=blocked_asker, to_user=user)
    block_create(blocker=user, blocked=blocked_asker)
    FriendRequestFactory(from_user=user)

    response = user_client.get(reverse("social:friends"))
    assert response.status_code == 200
    assert response.context["counts"] == {"friends": 2, "incoming": 1, "outgoing": 1}
    assert {p.pk for p in response.context["people"]} == {f.pk for f in friends}

    response = user_client.get(reverse("social:friends") + "?tab=incoming")
    assert [p.pk for p in response.context["people"]] == [asker.pk]
    assert "Hidden" not in response.content.decode()
    assert reverse("social:friend_request_count")
    assert user_client.get(reverse("social:friend_request_count")).json() == {"incoming": 1}


def test_friends_page_needs_login(client):
    """An anonymous visitor is sent to log in."""
    response = client.get(reverse("social:friends"))
    assert response.status_code == 302


def test_wall_page_allowed_and_blocked(user_client, user, other_user):
    """A person's page shows their friend button; after a block it is a 404 both ways."""
    response = user_client.get(reverse("social:wall", args=[other_user.username]))
    assert response.status_code == 200
    assert b"Add friend" in response.content
    block_create(blocker=user, blocked=other_user)
    assert user_client.get(reverse("social:wall", args=[other_user.username])).status_code == 404


def test_friends_page_query_count_is_flat(client, count_queries):
    """The friends page costs the same number of queries with 5 or 50 friends and requests."""
    viewer = UserFactory()
    client.force_login(viewer)

    def grow_to(size):
        while Friendship.objects.filter(user=viewer).count() < size:
            befriend(viewer, UserFactory())
            FriendRequestFactory(from_user=UserFactory(), to_user=viewer)

    def load():
        for tab in ("friends", "incoming", "outgoing"):
            assert client.get(reverse("social:friends") + f"?tab={tab}").status_code == 200

    grow_to(5)
    load()  # the first request of a session writes session bookkeeping
    small = count_queries(load)
    grow_to(50)
    assert count_queries(load) == small == FRIENDS_PAGE_QUERIES


FRIENDS_PAGE_QUERIES = 41
