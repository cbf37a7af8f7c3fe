"""The discussion board: topics, replies, paging, ordering, deleting, blocking, bad input."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.services import block_create
from social.models import Reply, Topic
from tests.factories import (
    ReplyFactory,
    ReplyPhotoFactory,
    TopicFactory,
    UserFactory,
    photo_upload,
)

pytestmark = pytest.mark.django_db

BOARD_QUERIES = 10
TOPIC_QUERIES = 16


def url(name, *args):
    return reverse(f"social:{name}", args=args)


def test_board_needs_login():
    """Anonymous visitors are sent to log in for the board, a topic and posting."""
    topic = TopicFactory()
    anonymous = Client()
    for path in (url("board"), url("topic", topic.pk), url("topic_create")):
        assert anonymous.get(path).status_code == 302
    assert anonymous.post(url("reply_create", topic.pk), {"text": "x"}).status_code == 302
    assert not Reply.objects.exists()


def test_start_a_topic_with_photos(user_client, user):
    """Anyone signed in can start a topic with photos and lands on it."""
    response = user_client.post(
        url("topic_create"),
        {"title": "Походы", "body": "Куда пойдём?", "photos": [photo_upload(), photo_upload()]},
    )
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("topic", topic.pk)
    assert (topic.author, topic.photos.count()) == (user, 2)
    assert "Походы" in user_client.get(url("board")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "x"}, "This field is required"),
        ({"title": "t", "body": ""}, "Write what the topic is about."),
        ({"title": "t" * 201, "body": "x"}, "at most 200 characters"),
        ({"title": "t", "body": "я" * 100_000}, "at most 20000 characters"),
    ],
)
def test_bad_topics_are_refused(user_client, data, message):
    """Missing or oversized title and text are refused with the reason."""
    response = user_client.post(url("topic_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Topic.objects.exists()


def test_hostile_topic_and_reply_are_escaped(user_client):
    """Markup in titles, topics and replies is shown as text; javascript: is never a link."""
    payload = "<script>alert(1)</script> javascript:alert(2) <img src=x onerror=alert(3)>"
    user_client.post(url("topic_create"), {"title": payload, "body": payload})
    topic = Topic.objects.get()
    user_client.post(url("reply_create", topic.pk), {"text": payload})
    for page in (url("board"), url("topic", topic.pk)):
        html = user_client.get(page).content.decode()
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert 'href="javascript:' not in html
        assert escape(payload) in html


def test_reply_goes_to_last_page_and_bumps_the_topic(user_client, user):
    """A reply lands on the topic's last page and moves the topic to the top of the board."""
    old = TopicFactory(last_activity_at=timezone.now() - timedelta(days=2))
    TopicFactory(last_activity_at=timezone.now() - timedelta(days=1))
    ReplyFactory.create_batch(20, topic=old)
    response = user_client.post(url("reply_create", old.pk), {"text": "me too"})
    reply = Reply.objects.get(text="me too")
    assert response["Location"] == f"{url('topic', old.pk)}?page=2#reply-{reply.pk}"
    board = user_client.get(url("board"))
    assert board.context["page"].object_list[0].pk == old.pk
    assert board.context["page"].object_list[0].reply_count == 21


def test_replies_are_paginated_by_twenty(user_client):
    """A topic shows 20 replies a page with page links."""
    topic = TopicFactory()
    ReplyFactory.create_batch(45, topic=topic)
    first = user_client.get(url("topic", topic.pk))
    assert len(first.context["replies"].object_list) == 20
    assert 'href="?page=3"' in first.content.decode()
    assert len(user_client.get(url("topic", topic.pk), {"page": 3}).context["replies"]) == 5


def test_empty_or_oversized_reply_is_refused(user_client):
    """An empty reply or 100 kB of text gets a clear error and is not stored."""
    topic = TopicFactory()
    response = user_client.post(url("reply_create", topic.pk), {"text": " "})
    assert response.status_code == 400
    assert "Write a reply or add a photo." in response.content.decode()
    response = user_client.post(url("reply_create", topic.pk), {"text": "x" * 100_000})
    assert "at most 10000 characters" in response.content.decode()
    assert not Reply.objects.exists()


def test_delete_own_topic_and_reply(user_client, user):
    """Authors can delete their own topics and replies."""
    mine = TopicFactory(author=user)
    reply = ReplyFactory(author=user)
    assert user_client.post(url("reply_delete", reply.pk)).status_code == 302
    assert user_client.post(url("topic_delete", mine.pk)).status_code == 302
    assert not Topic.objects.filter(pk=mine.pk).exists()
    assert not Reply.objects.filter(pk=reply.pk).exists()


def test_others_cannot_delete(user_client, user, other_user):
    """Deleting someone else's topic or reply is a 404 and both stay."""
    topic = TopicFactory(author=other_user)
    reply = ReplyFactory(topic=topic, author=other_user)
    assert user_client.post(url("reply_delete", reply.pk)).status_code == 404
    assert user_client.post(url("topic_delete", topic.pk)).status_code == 404
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert Reply.objects.filter(pk=reply.pk).exists()
    assert "Delete topic" not in user_client.get(url("topic", topic.pk)).content.decode()


def test_moderators_and_superusers_may_delete_anything(client, other_user):
    """A user with the delete-topic permission, or a superuser, may delete any topic/reply."""
    moderator = UserFactory()
    moderator.user_permissions.add(Permission.objects.get(codename="delete_topic"))
    admin = UserFactory(is_superuser=True, is_staff=True)
    topic = TopicFactory(author=other_user)
    reply = ReplyFactory(topic=topic, author=other_user)
    client.force_login(moderator)
    assert "Delete topic" in client.get(url("topic", topic.pk)).content.decode()
    assert client.post(url("reply_delete", reply.pk)).status_code == 302
    client.force_login(admin)
    assert client.post(url("topic_delete", topic.pk)).status_code == 302
    assert not Topic.objects.exists()


def test_blocked_people_do_not_see_each_others_topics_or_replies(client, user, other_user):
    """A blocked pair's topics are hidden (404) from each other, and their replies in
    third-party topics are left out and not counted."""
    theirs = TopicFactory(author=other_user, title="their topic")
    shared = TopicFactory(title="shared topic")
    ReplyFactory(topic=shared, author=other_user, text="hidden reply")
    ReplyFactory(topic=shared, author=user, text="visible reply")
    block_create(blocker=other_user, blocked=user)
    client.force_login(user)
    board = client.get(url("board"))
    assert [t.pk for t in board.context["page"].object_list] == [shared.pk]
    assert board.context["page"].object_list[0].reply_count == 1
    assert client.get(url("topic", theirs.pk)).status_code == 404
    html = client.get(url("topic", shared.pk)).content.decode()
    assert "hidden reply" not in html
    assert "visible reply" in html
    assert client.post(url("reply_create", theirs.pk), {"text": "x"}).status_code == 404
    assert not Reply.objects.filter(topic=theirs).exists()


def test_missing_topic_is_404(user_client):
    """An unknown topic id is a 404."""
    assert user_client.get(url("topic", 424242)).status_code == 404


def test_board_list_queries_do_not_grow(client, count_queries):
    """The board list costs the same with 5 or 50 topics with replies."""
    viewer = UserFactory()
    client.force_login(viewer)

    def add(n):
        for topic in TopicFactory.create_batch(n):
            ReplyFactory.create_batch(2, topic=topic)

    add(5)
    client.get(url("board"))
    small = count_queries(lambda: client.get(url("board")))
    add(45)
    assert count_queries(lambda: client.get(url("board"))) == small == BOARD_QUERIES


def test_topic_page_queries_do_not_grow(client, count_queries):
    """A topic page costs the same with 5 or 50 replies with photos."""
    viewer = UserFactory()
    topic = TopicFactory()
    client.force_login(viewer)

    def add(n):
        for reply in ReplyFactory.create_batch(n, topic=topic):
            ReplyPhotoFactory(reply=reply)

    add(5)
    client.get(url("topic", topic.pk))
    small = count_queries(lambda: client.get(url("topic", topic.pk)))
    add(45)
    assert count_queries(lambda: client.get(url("topic", topic.pk))) == small == TOPIC_QUERIES
