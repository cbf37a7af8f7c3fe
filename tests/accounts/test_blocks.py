"""Blocking: friendships and requests end, both people vanish for each other, the list page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import selectors, services
from accounts.models import Block
from social.models import FriendRequest, Friendship
from tests.factories import BlockFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BLOCKED = reverse("accounts:blocked")


def test_block_ends_friendship_and_requests_both_ways(user, other_user):
    """Blocking removes both friendship rows and pending requests in either direction,
    and leaves other people's friendships alone."""
    third = UserFactory()
    for a, b in ((user, other_user), (other_user, user), (user, third), (third, user)):
        Friendship.objects.create(user=a, friend=b)
    FriendRequest.objects.create(from_user=other_user, to_user=user)
    FriendRequest.objects.create(from_user=third, to_user=other_user)

    services.block_create(blocker=user, blocked=other_user)

    assert not Friendship.objects.filter(
        user__in=[user, other_user], friend__in=[user, other_user]
    ).exists()
    assert Friendship.objects.filter(user=user, friend=third).exists()
    assert not FriendRequest.objects.filter(to_user=user).exists()
    assert FriendRequest.objects.filter(from_user=third).exists()


def test_block_is_idempotent_and_refuses_self(user, other_user):
    """Blocking twice keeps one block; blocking oneself is a validation error."""
    services.block_create(blocker=user, blocked=other_user)
    services.block_create(blocker=user, blocked=other_user)
    assert Block.objects.count() == 1
    with pytest.raises(ValidationError):
        services.block_create(blocker=user, blocked=user)
    assert Block.objects.count() == 1


def test_blocked_people_are_hidden_both_ways(user, other_user):
    """After a block neither sees the other among visible users."""
    services.block_create(blocker=user, blocked=other_user)
    assert other_user not in selectors.visible_users(user)
    assert user not in selectors.visible_users(other_user)
    assert selectors.is_blocked_between(other_user.pk, user.pk)
    services.block_delete(blocker=user, blocked=other_user)
    assert other_user in selectors.visible_users(user)


def test_blocked_page_lists_only_my_blocks(user_client, user, other_user):
    """The page lists the people I blocked with Unblock buttons, not who blocked me."""
    mine = BlockFactory(blocker=user).blocked
    BlockFactory(blocker=other_user, blocked=user)
    html = user_client.get(BLOCKED, **EN).content.decode()
    assert mine.username in html
    assert reverse("accounts:unblock", args=[mine.username]) in html
    assert other_user.username not in html


def test_blocked_page_empty_state(user_client):
    """With nobody blocked the page says so."""
    assert "You haven" in user_client.get(BLOCKED, **EN).content.decode()


def test_blocked_page_needs_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get(BLOCKED)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_unblock_from_the_list(user_client, user, other_user):
    """Unblock on the list removes the block and comes back to the list."""
    BlockFactory(blocker=user, blocked=other_user)
    response = user_client.post(reverse("accounts:unblock", args=[other_user.username]))
    assert response.url == BLOCKED
    assert not Block.objects.exists()


def test_block_button_ends_friendship(user_client, user, other_user):
    """The profile's Block button goes through the same service: the friendship ends."""
    Friendship.objects.create(user=user, friend=other_user)
    Friendship.objects.create(user=other_user, friend=user)
    user_client.post(reverse("accounts:block", args=[other_user.username]))
    assert not Friendship.objects.exists()
