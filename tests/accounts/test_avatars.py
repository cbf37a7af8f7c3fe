"""Avatar upload with crop, the gallery (use again, delete) and what is refused."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from accounts import services
from accounts.models import Avatar, User
from tests.accounts.images import bomb_png, picture_bytes, two_halves_png, upload

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
UPLOAD = reverse("accounts:avatar_upload")


def stored_files(user) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "avatars" / str(user.pk)
    return sorted(folder.rglob("*")) if folder.exists() else []


def add_avatar(user, color=(0, 128, 0)) -> Avatar:
    """An uploaded avatar, with the thumbnail its task makes after commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        avatar = services.avatar_upload(
            user=user, uploaded_file=upload(picture_bytes(color=color)), crop=None
        )
    avatar.refresh_from_db()
    return avatar


def test_upload_with_crop_becomes_the_current_avatar(
    user_client, user, django_capture_on_commit_callbacks
):
    """A cropped upload is stored as a main image and a thumbnail (made by a task after the
    upload commits) and shown in the top bar."""
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(
            UPLOAD,
            {
                "image": upload(two_halves_png((400, 200))),
                "crop_x": "200",
                "crop_y": "0",
                "crop_width": "200",
                "crop_height": "200",
            },
        )
    assert response.status_code == 302
    avatar = Avatar.objects.get(user=user)
    user.refresh_from_db()
    assert user.current_avatar == avatar
    assert user.avatar_url == avatar.thumbnail.url
    assert len(stored_files(user)) == 2

    with default_storage.open(avatar.image.name) as main:
        picture = Image.open(main)
        assert picture.size == (200, 200)
        assert picture.getpixel((100, 100))[2] > 200  # the blue right half was kept
    with default_storage.open(avatar.thumbnail.name) as thumb:
        assert Image.open(thumb).format == "JPEG"
    html = user_client.get(reverse("accounts:profile_edit"), **EN).content.decode()
    assert f'src="{avatar.thumbnail.url}"' in html


def test_main_image_stands_in_until_the_thumbnail_task_has_run(
    user_client, user, settings, django_capture_on_commit_callbacks
):
    """The upload request makes no thumbnail: it queues a task, and meanwhile the main image
    is shown wherever the avatar is; the task (run twice) stores one thumbnail once."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(UPLOAD, {"image": upload(picture_bytes((300, 300)))})
    avatar = Avatar.objects.get(user=user)
    queued = DBTaskResult.objects.get(task_path="accounts.tasks.make_avatar_thumbnail")
    assert queued.args_kwargs["args"] == [avatar.pk]
    user.refresh_from_db()
    assert not avatar.thumbnail
    assert user.avatar_url == avatar.image.url
    html = user_client.get(reverse("accounts:profile_edit"), **EN).content.decode()
    assert f'src="{avatar.image.url}"' in html

    assert services.avatar_thumbnail_make(avatar_id=avatar.pk) is True
    assert services.avatar_thumbnail_make(avatar_id=avatar.pk) is False  # once
    avatar.refresh_from_db()
    user.refresh_from_db()
    assert avatar.thumbnail and user.avatar_url == avatar.thumbnail.url
    with default_storage.open(avatar.thumbnail.name) as thumb:
        assert Image.open(thumb).size == (services.AVATAR_THUMB_SIDE,) * 2
    assert len(stored_files(user)) == 2


def test_thumbnail_of_an_avatar_no_longer_current_leaves_the_current_one(user):
    """A thumbnail made late for an older avatar does not replace the current picture."""
    first = add_avatar(user, (255, 0, 0))
    Avatar.objects.filter(pk=first.pk).update(thumbnail="")
    second = add_avatar(user, (0, 0, 255))
    assert services.avatar_thumbnail_make(avatar_id=first.pk) is True
    user.refresh_from_db()
    assert user.avatar_thumb == second.thumbnail.name


def test_upload_without_crop_takes_the_centred_square(user_client, user):
    """Without JavaScript (no crop fields) the centred square is used."""
    user_client.post(UPLOAD, {"image": upload(picture_bytes((300, 200)))})
    avatar = Avatar.objects.get(user=user)
    with default_storage.open(avatar.image.name) as main:
        assert Image.open(main).size == (200, 200)


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda: upload(b"I am plain text, not a picture.", "cat.png"), "not an image"),
        (lambda: upload(bomb_png(20000, 20000), "bomb.png"), "too large"),
        (
            lambda: upload(b"\xff\xd8\xff" + b"\0" * (30 * 1024 * 1024), "huge.jpg", "image/jpeg"),
            "too large",
        ),
    ],
    ids=["text-renamed-png", "decompression-bomb", "30-MB-file"],
)
def test_bad_uploads_show_a_form_error_and_store_nothing(user_client, user, make_file, message):
    """Non-images, decompression bombs and over-size files: form error, no row, no file."""
    add_avatar(user)
    before_files = stored_files(user)
    before_thumb = User.objects.get(pk=user.pk).avatar_thumb
    response = user_client.post(UPLOAD, {"image": make_file()}, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert message in html
    assert Avatar.objects.filter(user=user).count() == 1
    assert stored_files(user) == before_files
    assert User.objects.get(pk=user.pk).avatar_thumb == before_thumb


@pytest.mark.parametrize(
    "crop",
    [
        {"crop_x": "10"},
        {"crop_x": "a", "crop_y": "0", "crop_width": "5", "crop_height": "5"},
        {"crop_x": "0", "crop_y": "0", "crop_width": "0", "crop_height": "10"},
        {"crop_x": "5000", "crop_y": "5000", "crop_width": "10", "crop_height": "10"},
    ],
)
def test_bad_crop_is_a_form_error(user_client, user, crop):
    """Incomplete, non-numeric, empty or off-picture crop boxes are refused."""
    response = user_client.post(UPLOAD, {"image": upload(picture_bytes()), **crop}, **EN)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Avatar.objects.exists()
    assert stored_files(user) == []


def test_missing_file_is_a_form_error(user_client, user):
    """Submitting without choosing a file asks for one."""
    response = user_client.post(UPLOAD, {}, **EN)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Avatar.objects.exists()


def test_anonymous_upload_is_refused(client, user):
    """Anonymous uploads go to the login page; nothing is stored."""
    response = client.post(UPLOAD, {"image": upload(picture_bytes())})
    assert response.status_code == 302
    assert not Avatar.objects.exists()


def test_gallery_switch_back_and_delete(user_client, user, django_capture_on_commit_callbacks):
    """Past avatars can be made current again; deleting the current one falls back."""
    first = add_avatar(user, (255, 0, 0))
    second = add_avatar(user, (0, 0, 255))
    user.refresh_from_db()
    assert user.current_avatar == second

    html = user_client.get(reverse("accounts:profile_edit"), **EN).content.decode()
    assert first.thumbnail.url in html and second.thumbnail.url in html

    user_client.post(reverse("accounts:avatar_use", args=[first.pk]))
    user.refresh_from_db()
    assert user.current_avatar == first
    assert user.avatar_url == first.thumbnail.url

    files = [first.image.name, first.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(reverse("accounts:avatar_delete", args=[first.pk]))
    user.refresh_from_db()
    assert user.current_avatar == second
    assert not any(default_storage.exists(name) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(reverse("accounts:avatar_delete", args=[second.pk]))
    user.refresh_from_db()
    assert user.current_avatar is None
    assert user.avatar_url is None
    assert stored_files(user) == []


def test_cannot_use_or_delete_someone_elses_avatar(user_client, user, other_user):
    """Another user's avatar ids are 404 and nothing of theirs changes."""
    theirs = add_avatar(other_user)
    mine = add_avatar(user)
    for name in ("accounts:avatar_use", "accounts:avatar_delete"):
        assert user_client.post(reverse(name, args=[theirs.pk])).status_code == 404
    other_user.refresh_from_db()
    user.refresh_from_db()
    assert other_user.current_avatar == theirs
    assert user.current_avatar == mine
    assert default_storage.exists(theirs.image.name)


def test_gallery_actions_need_post_and_login(client, user):
    """GET is 405; anonymous POSTs go to login; the avatar stays."""
    avatar = add_avatar(user)
    client.force_login(user)
    assert client.get(reverse("accounts:avatar_delete", args=[avatar.pk])).status_code == 405
    client.logout()
    assert client.post(reverse("accounts:avatar_delete", args=[avatar.pk])).status_code == 302
    assert Avatar.objects.filter(pk=avatar.pk).exists()


def test_avatar_url_needs_no_query(user, django_assert_num_queries):
    """A loaded user knows its avatar URL without touching the database."""
    add_avatar(user)
    person = User.objects.get(pk=user.pk)
    with django_assert_num_queries(0):
        assert person.avatar_url.startswith(settings.MEDIA_URL)
