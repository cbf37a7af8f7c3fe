"""Thumbnails of post, comment, topic and reply photos are made by a background task after the
upload commits, not inside the request; until then the photo itself stands in, at the size
the page already knows."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from social import images, services
from social.models import Audience, Comment, PostPhoto, ReplyPhoto, TopicPhoto
from tests.factories import UserFactory, photo_upload

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def served_size(client: Client, url: str) -> tuple[int, int]:
    response = client.get(url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(b"".join(response.streaming_content))).size


@pytest.fixture
def database_backend(settings):
    """Tasks are queued in the database and wait for a worker (none runs in these tests)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_post_and_comment_thumbnails_come_from_the_task(django_capture_on_commit_callbacks):
    """With the task run after commit, the thumbnail URLs serve 480-pixel variants."""
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(
            author=author,
            text="",
            audience=Audience.EVERYONE,
            photos=[photo_upload(size=(1600, 1200))],
        )
        comment = services.comment_create(
            author=author, post_id=post.pk, text="", photo=photo_upload(size=(1000, 2000))
        )
    photo = post.photos.get()
    comment.refresh_from_db()
    assert photo.thumbnail and comment.photo_thumbnail
    client = client_for(author)
    assert served_size(client, photo.thumbnail_url) == (480, 360)
    assert served_size(client, photo.url) == (1600, 1200)
    assert served_size(client, comment.photo_thumbnail_url) == (240, 480)


def test_photo_stands_in_until_the_task_has_run(
    database_backend, django_capture_on_commit_callbacks
):
    """The request stores the photo and queues one task per photo; meanwhile the thumbnail URL
    serves the photo (never a broken picture) and a stranger still gets 404."""
    from django_tasks_db.models import DBTaskResult

    author, stranger = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(
            author=author,
            text="",
            audience=Audience.FRIENDS,
            photos=[photo_upload(size=(1600, 1200)), photo_upload(size=(900, 600))],
        )
    photos = list(post.photos.order_by("position"))
    queued = DBTaskResult.objects.filter(task_path="social.tasks.make_photo_thumbnail")
    assert sorted(r.args_kwargs["args"][1] for r in queued) == sorted(p.pk for p in photos)
    assert not any(p.thumbnail for p in photos)
    client = client_for(author)
    assert served_size(client, photos[0].thumbnail_url) == (1600, 1200)
    assert client_for(stranger).get(photos[0].thumbnail_url).status_code == 404
    html = client.get(f"/posts/{post.pk}/").content.decode()
    assert f'src="{photos[0].thumbnail_url}" width="1600" height="1200"' in html

    assert images.photo_thumbnail_make(kind="post", photo_id=photos[0].pk) is True
    assert images.photo_thumbnail_make(kind="post", photo_id=photos[0].pk) is False  # once
    assert served_size(client, photos[0].thumbnail_url) == (480, 360)


def test_board_photos_get_thumbnails_and_show_the_photo_meanwhile(
    database_backend, django_capture_on_commit_callbacks
):
    """Topic and reply photos (public media) link the photo until their thumbnail exists."""
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        topic = services.topic_create(
            author=author, title="t", body="b", photos=[photo_upload(size=(1000, 500))]
        )
        services.reply_create(
            author=author, topic_id=topic.pk, text="", photos=[photo_upload(size=(500, 1000))]
        )
    topic_photo, reply_photo = TopicPhoto.objects.get(), ReplyPhoto.objects.get()
    assert topic_photo.thumbnail_url == topic_photo.image.url
    for kind, row in (("topic", topic_photo), ("reply", reply_photo)):
        assert images.photo_thumbnail_make(kind=kind, photo_id=row.pk) is True
        row.refresh_from_db()
        assert row.thumbnail_url == row.thumbnail.url != row.image.url
        with default_storage.open(row.thumbnail.name) as thumb:
            assert max(Image.open(thumb).size) == images.THUMBNAIL_MAX_SIDE


def test_task_for_a_deleted_photo_does_nothing(django_capture_on_commit_callbacks):
    """A photo deleted before its task runs leaves no thumbnail file behind."""
    author = UserFactory()
    post = services.post_create(
        author=author, text="", audience=Audience.EVERYONE, photos=[photo_upload()]
    )
    photo_id = post.photos.get().pk
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(user=author, post_id=post.pk)
    assert not PostPhoto.objects.filter(pk=photo_id).exists()
    assert images.photo_thumbnail_make(kind="post", photo_id=photo_id) is False
    assert images.photo_thumbnail_make(kind="comment", photo_id=123456) is False


def test_comment_without_photo_queues_nothing(database_backend, django_capture_on_commit_callbacks):
    """Only photos get a thumbnail task."""
    from django_tasks_db.models import DBTaskResult

    author = UserFactory()
    post = services.post_create(author=author, text="x", audience=Audience.EVERYONE)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=author, post_id=post.pk, text="no photo")
    assert Comment.objects.count() == 1
    assert not DBTaskResult.objects.filter(task_path="social.tasks.make_photo_thumbnail").exists()


@pytest.mark.server
def test_a_database_backend_worker_makes_the_thumbnail(transactional_db, settings, tmp_path):
    """End to end with a real `manage.py tasks_worker` on the database backend: the post's
    row is stored without a thumbnail, and the worker stores one."""
    from tests.conftest import _database_url
    from tests.exports.test_worker_faults import BACKENDS, start_worker, stop

    if _database_url().startswith("postgres"):
        pytest.skip("the embedded mode's database backend is tested on SQLite")
    settings.TASKS = BACKENDS["database"]
    settings.MEDIA_ROOT = str(tmp_path)  # the worker's too
    author = UserFactory()
    post = services.post_create(
        author=author, text="", audience=Audience.EVERYONE, photos=[photo_upload(size=(960, 720))]
    )
    photo = post.photos.get()
    assert not photo.thumbnail
    worker = start_worker("database", "photo-thumbnail")
    try:
        deadline = time.monotonic() + 90
        while not PostPhoto.objects.filter(pk=photo.pk).exclude(thumbnail="").exists():
            assert worker.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, "no thumbnail within 90 s"
            time.sleep(0.05)  # polling the row: the worker's commit is the event
    finally:
        stop(worker)
    photo.refresh_from_db()
    with default_storage.open(photo.thumbnail.name) as thumb:
        assert Image.open(thumb).size == (480, 360)
