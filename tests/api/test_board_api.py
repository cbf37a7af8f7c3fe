"""/api/v1/board/…: topics and replies with images — every operation allowed and denied."""

import pytest
from django.contrib.auth.models import Permission

from accounts.services import block_create
from social.models import Reply, ReplyPhoto, Topic, TopicPhoto
from tests.api.conftest import pages_of
from tests.factories import ReplyFactory, ReplyPhotoFactory, TopicFactory, UserFactory, photo_upload

pytestmark = pytest.mark.django_db

TOPICS = "/api/v1/board/topics"


def board_rows() -> tuple[list, list]:
    return (
        sorted(Topic.objects.values_list("pk", "title", "body")),
        sorted(Reply.objects.values_list("pk", "topic_id", "text")),
    )


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def topic(other_user):
    return TopicFactory(author=other_user)


@pytest.fixture
def moderator(db):
    person = UserFactory()
    person.user_permissions.add(Permission.objects.get(codename="delete_topic"))
    return person


# -- list and read ------------------------------------------------------------------------------
def test_topics_most_recently_active_first(api_as, user):
    """The board lists topics by latest activity: a reply moves its topic to the top."""
    old, new = TopicFactory(), TopicFactory()
    api = api_as(user)
    assert ids(api.get(TOPICS)) == [new.pk, old.pk]
    response = api.upload(f"{TOPICS}/{old.pk}/replies", {"text": "up you go"})
    assert response.status_code == 201
    body = api.get(TOPICS).json()
    assert [t["id"] for t in body["items"]] == [old.pk, new.pk]
    assert set(body["items"][0]) == {
        "id",
        "author",
        "title",
        "reply_count",
        "created_at",
        "last_activity_at",
    }
    assert body["items"][0]["reply_count"] == 1


def test_topics_hide_blocked_people(api_as, user):
    """Topics by someone in a blocked pair with me are not listed; their replies are not
    counted."""
    blocker, blocked = UserFactory(), UserFactory()
    visible = TopicFactory()
    TopicFactory(author=blocker)
    TopicFactory(author=blocked)
    ReplyFactory(topic=visible, author=blocker)
    ReplyFactory(topic=visible)
    block_create(blocker=blocker, blocked=user)
    block_create(blocker=user, blocked=blocked)
    body = api_as(user).get(TOPICS).json()
    assert [(t["id"], t["reply_count"]) for t in body["items"]] == [(visible.pk, 1)]


def test_topics_page_with_a_cursor(api_as, user):
    """`next` walks through every topic once, most recently active first."""
    topics = TopicFactory.create_batch(5)
    pages = pages_of(api_as(user), TOPICS, limit=2)
    assert [len(items) for items in pages] == [2, 2, 1]
    assert [t["id"] for items in pages for t in items] == [t.pk for t in reversed(topics)]


@pytest.mark.parametrize("count", [3, 30])
def test_topics_query_count_does_not_grow(api_as, user, count, django_assert_max_num_queries):
    """A page of topics costs the same few queries however many there are."""
    for _ in range(count):
        ReplyFactory(topic=TopicFactory())
    api = api_as(user)
    with django_assert_max_num_queries(4):
        assert len(ids(api.get(TOPICS, limit=50))) == count


def test_topic_with_images(api_as, user, topic):
    """One topic: title, raw body, images and reply count."""
    topic.body = "<script>raw</script>"
    topic.save()
    TopicPhoto.objects.create(
        topic=topic, image="social/a.jpg", thumbnail="social/a_t.jpg", width=10, height=20
    )
    body = api_as(user).get(f"{TOPICS}/{topic.pk}").json()
    assert (body["title"], body["body"], body["reply_count"]) == (
        topic.title,
        "<script>raw</script>",
        0,
    )
    assert body["images"] == [
        {
            "url": "/media/social/a.jpg",
            "thumbnail_url": "/media/social/a_t.jpg",
            "width": 10,
            "height": 20,
        }
    ]


@pytest.mark.parametrize("blocker_is_me", [True, False])
def test_topic_across_a_block_is_404(api_as, user, other_user, topic, blocker_is_me):
    """Neither side of a block sees the other's topic or its replies."""
    if blocker_is_me:
        block_create(blocker=user, blocked=other_user)
    else:
        block_create(blocker=other_user, blocked=user)
    api = api_as(user)
    assert api.get(f"{TOPICS}/{topic.pk}").status_code == 404
    assert api.get(f"{TOPICS}/{topic.pk}/replies").status_code == 404


def test_replies_oldest_first_without_hidden_people(api_as, user, topic):
    """Replies come oldest first with their images; replies by a blocked person are left out."""
    first = ReplyFactory(topic=topic)
    hidden = ReplyFactory(topic=topic)
    second = ReplyFactory(topic=topic)
    ReplyPhotoFactory(reply=second)
    block_create(blocker=hidden.author, blocked=user)
    items = api_as(user).get(f"{TOPICS}/{topic.pk}/replies").json()["items"]
    assert [r["id"] for r in items] == [first.pk, second.pk]
    assert set(items[1]) == {"id", "topic_id", "author", "text", "images", "created_at"}
    assert len(items[1]["images"]) == 1


def test_replies_page_with_a_cursor(api_as, user, topic):
    """`next` walks through every reply once, oldest first."""
    replies = ReplyFactory.create_batch(5, topic=topic)
    pages = pages_of(api_as(user), f"{TOPICS}/{topic.pk}/replies", limit=2)
    assert [r["id"] for items in pages for r in items] == [r.pk for r in replies]


@pytest.mark.parametrize("count", [3, 30])
def test_replies_query_count_does_not_grow(
    api_as, user, topic, count, django_assert_max_num_queries
):
    """A page of replies with their photos costs the same few queries at any size."""
    for _ in range(count):
        ReplyPhotoFactory(reply=ReplyFactory(topic=topic))
    api = api_as(user)
    with django_assert_max_num_queries(8):
        assert len(ids(api.get(f"{TOPICS}/{topic.pk}/replies", limit=50))) == count


# -- write --------------------------------------------------------------------------------------
def test_start_a_topic_with_images(api_as, user):
    """A topic is stored with its title, body and re-encoded images (201)."""
    response = api_as(user).upload(
        TOPICS,
        {"title": " Субботник ", "body": "В субботу в 10", "images": [photo_upload()] * 1},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["body"], len(body["images"])) == ("Субботник", "В субботу в 10", 1)
    topic = Topic.objects.get(pk=body["id"])
    assert (topic.author, topic.photos.count()) == (user, 1)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (lambda: {"body": "b"}, "title"),
        (lambda: {"title": "   ", "body": "b"}, "title"),
        (lambda: {"title": "t" * 201, "body": "b"}, "title"),
        (lambda: {"title": "t", "body": " "}, "body"),
        (
            lambda: {"title": "t", "body": "b", "images": [photo_upload() for _ in range(11)]},
            "images",
        ),
        (lambda: {"title": "t", "body": "b", "images": "x.jpg"}, "images"),
    ],
    ids=["no title", "blank title", "long title", "blank body", "11 images", "images as text"],
)
def test_start_a_topic_with_bad_input_is_400(api_as, user, data, field):
    """Bad topics are refused with 400 naming the field; nothing is stored."""
    response = api_as(user).upload(TOPICS, data())
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Topic.objects.exists()


def test_start_a_topic_with_an_oversized_image_is_413(api_as, user, settings):
    """An image over IMAGE_MAX_BYTES is a 413; nothing is stored."""
    settings.IMAGE_MAX_BYTES = 300
    response = api_as(user).upload(
        TOPICS, {"title": "t", "body": "b", "images": [photo_upload(size=(300, 300))]}
    )
    assert response.status_code == 413
    assert set(response.json()["fields"]) == {"images"}
    assert not Topic.objects.exists()


def test_board_writes_are_rate_limited(api_as, user, topic, settings):
    """Topics and replies count against the write limit: the one over it is 429, not stored."""
    settings.API_WRITE_RATE = "2/m"
    api = api_as(user)
    assert api.upload(TOPICS, {"title": "t", "body": "b"}).status_code == 201
    assert api.upload(f"{TOPICS}/{topic.pk}/replies", {"text": "r1"}).status_code == 201
    assert api.upload(f"{TOPICS}/{topic.pk}/replies", {"text": "r2"}).status_code == 429
    assert list(Reply.objects.values_list("text", flat=True)) == ["r1"]


def test_reply_with_images(api_as, user, topic):
    """A reply may be images alone (201)."""
    response = api_as(user).upload(
        f"{TOPICS}/{topic.pk}/replies", {"images": [photo_upload(), photo_upload()]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["text"], body["topic_id"], len(body["images"])) == ("", topic.pk, 2)
    assert ReplyPhoto.objects.count() == 2


@pytest.mark.parametrize("data", [{}, {"text": "x" * 10_001}], ids=["empty", "too long"])
def test_reply_with_bad_input_is_400(api_as, user, topic, data):
    """An empty or over-long reply is a 400 naming `text`; nothing is stored."""
    response = api_as(user).upload(f"{TOPICS}/{topic.pk}/replies", data)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"text"}
    assert not Reply.objects.exists()


def test_reply_in_a_hidden_topic_is_404(api_as, user, other_user, topic):
    """No replies in a topic by someone who blocked me; nothing is stored."""
    block_create(blocker=other_user, blocked=user)
    response = api_as(user).upload(f"{TOPICS}/{topic.pk}/replies", {"text": "hi"})
    assert response.status_code == 404
    assert not Reply.objects.exists()


# -- delete -------------------------------------------------------------------------------------
def test_delete_my_topic_with_its_replies(api_as, other_user, topic):
    """The author deletes a topic and every reply in it."""
    ReplyFactory(topic=topic)
    assert api_as(other_user).delete(f"{TOPICS}/{topic.pk}").status_code == 204
    assert board_rows() == ([], [])


def test_delete_someone_elses_topic_is_404(api_as, user, topic):
    """Only the author (or a moderator) deletes a topic; it stays."""
    ReplyFactory(topic=topic, author=user)
    before = board_rows()
    assert api_as(user).delete(f"{TOPICS}/{topic.pk}").status_code == 404
    assert board_rows() == before


def test_delete_my_reply(api_as, user, topic):
    """I delete my own reply in someone else's topic."""
    reply = ReplyFactory(topic=topic, author=user)
    assert api_as(user).delete(f"{TOPICS}/{topic.pk}/replies/{reply.pk}").status_code == 204
    assert not Reply.objects.exists()


def test_delete_someone_elses_reply_is_404(api_as, other_user, topic):
    """Even the topic's author cannot delete another person's reply."""
    reply = ReplyFactory(topic=topic)
    before = board_rows()
    response = api_as(other_user).delete(f"{TOPICS}/{topic.pk}/replies/{reply.pk}")
    assert response.status_code == 404
    assert board_rows() == before


def test_moderator_deletes_any_topic_and_reply(api_as, moderator, topic):
    """A board moderator removes anyone's reply and topic."""
    reply = ReplyFactory(topic=topic)
    api = api_as(moderator)
    assert api.delete(f"{TOPICS}/{topic.pk}/replies/{reply.pk}").status_code == 204
    assert api.delete(f"{TOPICS}/{topic.pk}").status_code == 204
    assert board_rows() == ([], [])


def test_delete_a_reply_through_another_topics_url_is_404(api_as, user, moderator, topic):
    """Reply X addressed under topic Y is not found, for its author and a moderator alike."""
    mine = TopicFactory(author=user)
    reply = ReplyFactory(topic=topic, author=user)
    before = board_rows()
    for person in (user, moderator):
        response = api_as(person).delete(f"{TOPICS}/{mine.pk}/replies/{reply.pk}")
        assert response.status_code == 404
    assert board_rows() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", TOPICS),
        ("upload", TOPICS),
        ("get", TOPICS + "/{topic}"),
        ("delete", TOPICS + "/{topic}"),
        ("get", TOPICS + "/{topic}/replies"),
        ("upload", TOPICS + "/{topic}/replies"),
        ("delete", TOPICS + "/{topic}/replies/{reply}"),
    ],
)
def test_board_operations_need_a_login(anon_api, user, topic, method, path):
    """Every board operation is a 401 without credentials, and changes nothing."""
    reply = ReplyFactory(topic=topic, author=user)
    before = board_rows()
    path = path.format(topic=topic.pk, reply=reply.pk)
    if method == "upload":
        response = anon_api.upload(path, {"title": "t", "body": "b", "text": "t"})
    else:
        response = getattr(anon_api, method)(path)
    assert response.status_code == 401
    assert board_rows() == before
