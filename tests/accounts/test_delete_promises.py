"""What the delete-account page promises is what happens to the account's content."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services import account_delete
from social import services as social
from tests.factories import PostFactory, UserFactory
from tests.factories.social import befriend

pytestmark = pytest.mark.django_db


def test_delete_page_promises_what_happens(client):
    """The page says posts go and comments and messages stay as "Deleted user"; after the
    deletion a friend gets 404 for the post, and sees the comment on their own post under
    "Deleted user"."""
    leaver, friend = UserFactory(), UserFactory()
    befriend(leaver, friend)
    own_post = PostFactory(author=leaver, text="My own post")
    friends_post = PostFactory(author=friend, text="Friend's post")
    social.comment_create(author=leaver, post_id=friends_post.pk, text="A comment that stays")

    client.force_login(leaver)
    page = client.get(reverse("accounts:delete"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "removes your posts and board topics" in page
    assert "keeps your comments, replies and chat messages" in page
    assert "keeps your posts" not in page

    account_delete(user=leaver)
    client.force_login(friend)
    assert client.get(reverse("social:post", args=[own_post.pk])).status_code == 404
    kept = client.get(reverse("social:post", args=[friends_post.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "A comment that stays" in kept.content.decode()
    assert "Deleted user" in kept.content.decode()
