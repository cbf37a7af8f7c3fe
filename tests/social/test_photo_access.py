"""Issue 14, item 6: photos of posts and of comments are served only to people who may see the
post, through the permission check that serves chat files (messenger/private_files.py). The
URLs the feed, the post page and the API hand out work for the friend and answer 404 to a
stranger, to someone blocked and to a logged-out visitor; the stored file is not under a
public /media/ folder."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import block_create
from social import services
from social.models import Audience
from tests.api.conftest import JsonApi, login_tokens
from tests.factories import UserFactory, befriend, photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people():
    author, friend, stranger = UserFactory(), UserFactory(), UserFactory()
    befriend(author, friend)
    return author, friend, stranger


@pytest.fixture
def friends_post(people):
    author, friend, _stranger = people
    post = services.post_create(
        author=author, text="only friends", audience=Audience.FRIENDS, photos=[photo_upload()]
    )
    comment = services.comment_create(
        author=friend, post_id=post.pk, text="", photo=photo_upload("c.jpg")
    )
    return post, comment


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def photo_urls(user, post) -> list[str]:
    """Every photo URL of the post and of its comment, as the API gives them to `user`."""
    api = JsonApi(client=client_for(user))
    body = api.get(f"/api/v1/posts/{post.pk}").json()
    urls = [u for image in body["images"] for u in (image["url"], image["thumbnail_url"])]
    comments = api.get(f"/api/v1/posts/{post.pk}/comments").json()["items"]
    urls += [
        u for c in comments if c["image"] for u in (c["image"]["url"], c["image"]["thumbnail_url"])
    ]
    assert len(urls) == 4
    return urls


def fetch(client: Client, url: str):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def test_friend_gets_every_photo(people, friends_post):
    """The allowed case: the friend (and the author) get each photo and thumbnail as JPEG."""
    author, friend, _ = people
    post, _comment = friends_post
    for viewer in (friend, author):
        for url in photo_urls(viewer, post):
            status, body = fetch(client_for(viewer), url)
            assert status == 200, url
            assert body.startswith(b"\xff\xd8"), url


@pytest.mark.parametrize("who", ["stranger", "blocked", "logged out"])
def test_others_get_404_for_the_friends_urls(people, friends_post, who):
    """A stranger, a blocked friend and a logged-out visitor get 404 for the same URLs."""
    author, friend, stranger = people
    post, _comment = friends_post
    urls = photo_urls(friend, post)
    viewer = {"stranger": stranger, "blocked": friend, "logged out": None}[who]
    if who == "blocked":
        block_create(blocker=author, blocked=friend)
    for url in urls:
        status, body = fetch(client_for(viewer), url)
        assert status == 404, (who, url)
        assert not body.startswith(b"\xff\xd8")


def test_stored_files_are_not_under_public_media(people, friends_post):
    """The files themselves cannot be fetched by their storage name under /media/."""
    post, comment = friends_post
    names = [post.photos.get().image.name, post.photos.get().thumbnail.name]
    names += [comment.photo.name, comment.photo_thumbnail.name]
    for name in names:
        assert fetch(Client(), f"/media/{name}")[0] == 404, name


def test_photo_urls_work_with_a_bearer_token(people, friends_post):
    """API clients fetch the photos with their access token, as they do chat files."""
    _author, friend, stranger = people
    post, _comment = friends_post
    urls = photo_urls(friend, post)
    friend_token = login_tokens(friend).access
    stranger_token = login_tokens(stranger).access
    for url in urls:
        ok = Client().get(url, headers={"Authorization": f"Bearer {friend_token}"})
        assert ok.status_code == 200, url
        refused = Client().get(url, headers={"Authorization": f"Bearer {stranger_token}"})
        assert refused.status_code == 404, url


def test_public_post_photos_are_for_signed_in_people(people):
    """A post for everyone: any signed-in person gets its photo, a logged-out visitor 404."""
    author, _friend, stranger = people
    post = services.post_create(
        author=author, text="", audience=Audience.EVERYONE, photos=[photo_upload()]
    )
    url = photo_urls_of_post(stranger, post)[0]
    assert fetch(client_for(stranger), url)[0] == 200
    assert fetch(Client(), url)[0] == 404


def photo_urls_of_post(user, post) -> list[str]:
    body = JsonApi(client=client_for(user)).get(f"/api/v1/posts/{post.pk}").json()
    return [u for image in body["images"] for u in (image["url"], image["thumbnail_url"])]


def test_post_page_links_the_checked_urls(people, friends_post):
    """The post page's <img> and link point at the permission-checked URLs."""
    _author, friend, _ = people
    post, _comment = friends_post
    html = client_for(friend).get(f"/posts/{post.pk}/").content.decode()
    for url in photo_urls(friend, post):
        assert f'"{url}"' in html, url
    assert "/media/" not in html.replace("/media/avatars/", "")
