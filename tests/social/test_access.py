"""Every social view refuses anonymous visitors and changes nothing for them; the remaining
allowed/denied pairs not covered next to their feature."""

import pytest
from django.test import Client
from django.urls import resolve, reverse

from accounts.services import block_create
from social.models import Comment, FriendRequest, Friendship, Post, PostLike, Reply, Topic
from social.selectors import profile_social_context
from tests.factories import (
    CommentFactory,
    FriendRequestFactory,
    PostFactory,
    ReplyFactory,
    TopicFactory,
    UserFactory,
    befriend,
)

pytestmark = pytest.mark.django_db


def everything():
    return [
        m.objects.count()
        for m in (Post, PostLike, Comment, FriendRequest, Friendship, Topic, Reply)
    ]


@pytest.fixture
def world(user, other_user):
    post = PostFactory(author=other_user)
    comment = CommentFactory(post=post, author=other_user)
    topic = TopicFactory(author=other_user)
    reply = ReplyFactory(topic=topic, author=other_user)
    FriendRequestFactory(from_user=other_user, to_user=user)
    return {"post": post, "comment": comment, "topic": topic, "reply": reply, "person": other_user}


def routes(w):
    """(method, path, data) for every social view."""
    person, post = w["person"].username, w["post"].pk
    return [
        ("get", reverse("social:feed"), None),
        ("get", reverse("social:friends"), None),
        ("get", reverse("social:friend_request_count"), None),
        ("post", reverse("social:friend_action", args=[person, "accept"]), {}),
        ("get", reverse("social:search") + "?q=a", None),
        ("get", reverse("social:wall", args=[person]), None),
        ("post", reverse("social:post_create"), {"text": "x", "audience": "everyone"}),
        ("get", reverse("social:post", args=[post]), None),
        ("post", reverse("social:post_edit", args=[post]), {"text": "x", "audience": "everyone"}),
        ("post", reverse("social:post_delete", args=[post]), {}),
        ("post", reverse("social:post_like", args=[post]), {}),
        ("get", reverse("social:post_likes", args=[post]), None),
        ("post", reverse("social:comment_create", args=[post]), {"text": "x"}),
        ("post", reverse("social:comment_delete", args=[w["comment"].pk]), {}),
        ("get", reverse("social:board"), None),
        ("post", reverse("social:topic_create"), {"title": "t", "body": "b"}),
        ("get", reverse("social:topic", args=[w["topic"].pk]), None),
        ("post", reverse("social:reply_create", args=[w["topic"].pk]), {"text": "x"}),
        ("post", reverse("social:topic_delete", args=[w["topic"].pk]), {}),
        ("post", reverse("social:reply_delete", args=[w["reply"].pk]), {}),
    ]


def test_every_view_sends_anonymous_visitors_to_log_in(world):
    """Each view answers an anonymous request with the login redirect and stores nothing."""
    before = everything()
    anonymous = Client()
    for method, path, data in routes(world):
        response = getattr(anonymous, method)(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path
    assert everything() == before


def test_every_view_works_for_a_signed_in_person(world, user_client, user):
    """The same requests by a signed-in person who may do them succeed (2xx or redirect),
    except the author-only ones, which are 404 for someone else's content."""
    befriend(user, world["person"])
    FriendRequestFactory(from_user=world["person"], to_user=UserFactory())
    author_only = {"post_edit", "post_delete", "comment_delete", "topic_delete", "reply_delete"}
    for method, path, data in routes(world):
        response = getattr(user_client, method)(path, data)
        name = resolve(path.split("?")[0]).url_name
        if name in author_only:
            assert response.status_code == 404, path
        else:
            assert response.status_code in (200, 302), (path, response.status_code)


def test_post_edit_refuses_hostile_and_huge_text(user_client, user):
    """Editing keeps the post unchanged when the new text is too long, and stores markup as
    text that is shown escaped."""
    post = PostFactory(author=user, text="before")
    response = user_client.post(
        reverse("social:post_edit", args=[post.pk]), {"text": "x" * 100_000, "audience": "friends"}
    )
    assert response.status_code == 400
    assert "at most 10000 characters" in response.content.decode()
    post.refresh_from_db()
    assert post.text == "before"
    user_client.post(
        reverse("social:post_edit", args=[post.pk]),
        {"text": "<script>alert(1)</script>", "audience": "friends"},
    )
    html = user_client.get(reverse("social:post", args=[post.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_profile_button_reflects_each_relation(user, other_user):
    """The profile context names the relation: add, requested, respond, friends, blocked."""

    def relation():
        return profile_social_context(user, other_user)["social"].relation

    assert relation() == "add"
    request = FriendRequestFactory(from_user=user, to_user=other_user)
    assert relation() == "requested"
    request.delete()
    FriendRequestFactory(from_user=other_user, to_user=user)
    assert relation() == "respond"
    befriend(user, other_user)
    assert relation() == "friends"
    block_create(blocker=other_user, blocked=user)
    social = profile_social_context(user, other_user)["social"]
    assert social.relation == "blocked"
    assert social.wall is None
    assert profile_social_context(user, user)["social"].relation == "self"


def test_wall_older_posts(user_client, user, other_user):
    """A wall pages with the cursor: htmx gets a fragment, a plain request the whole page."""
    for n in range(23):
        PostFactory(author=other_user, text=f"wall post {n}")
    path = reverse("social:wall", args=[other_user.username])
    first = user_client.get(path)
    cursor = first.context["social"].wall.next_cursor
    assert f"{path}?before={cursor}" in first.content.decode()
    more = user_client.get(path, {"before": cursor}, HTTP_HX_REQUEST="true")
    assert more.content.decode().count('class="card post"') == 3
    page = user_client.get(path, {"before": cursor})
    assert len(page.context["social"].wall.posts) == 3
    assert user_client.get(path, {"before": "x"}).status_code == 400
