"""social 0005 moves the files of post and comment photos out of the public social/ folder into
posts/ (and back when reversed); board photos stay where they are."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [("social", "0004_text_search_trigram")]
AFTER = [("social", "0005_post_photos_private")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_post_and_comment_photos_move_to_the_private_folder_and_back():
    """Rows and files follow each other both ways; a board photo is left alone."""
    user = UserFactory()
    apps = migrate(BEFORE)
    Post = apps.get_model("social", "Post")
    PostPhoto = apps.get_model("social", "PostPhoto")
    Comment = apps.get_model("social", "Comment")
    Topic = apps.get_model("social", "Topic")
    TopicPhoto = apps.get_model("social", "TopicPhoto")
    names = {}
    for key in ("image", "thumb", "comment", "comment_thumb", "topic"):
        names[key] = default_storage.save(f"social/2026/12/{key}.jpg", ContentFile(key.encode()))
    post = Post.objects.create(author_id=user.pk, text="x", audience="friends")
    photo = PostPhoto.objects.create(
        post=post, image=names["image"], thumbnail=names["thumb"], width=1, height=1
    )
    comment = Comment.objects.create(
        post=post,
        author_id=user.pk,
        photo=names["comment"],
        photo_thumbnail=names["comment_thumb"],
    )
    topic = Topic.objects.create(author_id=user.pk, title="t", body="b")
    TopicPhoto.objects.create(
        topic=topic, image=names["topic"], thumbnail=names["topic"], width=1, height=1
    )

    apps = migrate(AFTER)
    moved = apps.get_model("social", "PostPhoto").objects.get(pk=photo.pk)
    moved_comment = apps.get_model("social", "Comment").objects.get(pk=comment.pk)
    stored = [moved.image.name, moved.thumbnail.name]
    stored += [moved_comment.photo.name, moved_comment.photo_thumbnail.name]
    assert all(name.startswith("posts/2026/12/") for name in stored), stored
    assert [default_storage.open(name).read() for name in stored] == [
        b"image",
        b"thumb",
        b"comment",
        b"comment_thumb",
    ]
    assert not any(default_storage.exists(names[k]) for k in ("image", "comment"))
    topic_photo = apps.get_model("social", "TopicPhoto").objects.get()
    assert topic_photo.image.name == names["topic"]

    apps = migrate(BEFORE)
    back = apps.get_model("social", "PostPhoto").objects.get(pk=photo.pk)
    assert back.image.name.startswith("social/")
    assert default_storage.open(back.image.name).read() == b"image"
    migrate(AFTER)
