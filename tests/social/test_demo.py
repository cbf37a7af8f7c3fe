"""The demo data: social content appears once, however often seed_demo runs."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from social.models import Comment, FriendRequest, Friendship, Post, PostPhoto, Reply, Topic

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (Friendship, FriendRequest, Post, PostPhoto, Comment, Topic, Reply)
    ]


def test_seed_demo_is_idempotent_and_pages_show_it(client):
    """Running seed_demo twice leaves the same data, and Anna's feed and board show it."""
    call_command("seed_demo", "--insecure-demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", "--insecure-demo", stdout=io.StringIO())
    assert counts() == first
    assert all(first)
    client.force_login(User.objects.get(username="anna"))
    feed = client.get(reverse("social:feed"))
    assert len(feed.context["feed"].posts) >= 4
    assert "Эльбрус" in feed.content.decode()
    assert (
        client.get(reverse("social:friends") + "?tab=incoming").context["counts"]["incoming"] == 1
    )
    assert "Куда поехать летом?" in client.get(reverse("social:board")).content.decode()


def test_demo_leaves_no_pending_request_between_friends():
    """After the whole demo (the chats demo befriends the group's members), every pending
    friend request is between people who are not friends, and some remain to try."""
    call_command("seed_demo", "--insecure-demo", stdout=io.StringIO())
    pending = list(FriendRequest.objects.values_list("from_user_id", "to_user_id"))
    assert pending
    for sender, receiver in pending:
        assert not Friendship.objects.filter(user_id=sender, friend_id=receiver).exists()
        assert not Friendship.objects.filter(user_id=receiver, friend_id=sender).exists()
