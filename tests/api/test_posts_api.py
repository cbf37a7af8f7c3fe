"""/api/v1/ posts: feed, wall, one post, publish with images, edit, delete — allowed and denied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import block_create
from social.models import Audience, Post, PostPhoto
from tests.api.conftest import pages_of
from tests.factories import (
    CommentFactory,
    PostFactory,
    PostLikeFactory,
    PostPhotoFactory,
    UserFactory,
    befriend,
    photo_upload,
)

pytestmark = pytest.mark.django_db

POST_KEYS = {
    "id",
    "author",
    "text",
    "audience",
    "images",
    "like_count",
    "comment_count",
    "liked_by_me",
    "created_at",
    "edited_at",
}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def snapshot(post: Post) -> tuple:
    post = Post.objects.get(pk=post.pk)
    return post.text, post.audience, post.edited_at, post.photos.count()


@pytest.fixture
def stranger(db):
    return UserFactory()


# -- feed and wall --------------------------------------------------------------------------------
def test_feed_shows_mine_and_friends_posts_newest_first(api_as, user, other_user, stranger):
    """The feed lists my posts and my friends' posts, newest first; strangers' are not there."""
    befriend(user, other_user)
    mine = PostFactory(author=user, audience=Audience.FRIENDS)
    theirs = PostFactory(author=other_user, audience=Audience.FRIENDS)
    PostFactory(author=stranger, audience=Audience.EVERYONE)
    response = api_as(user).get("/api/v1/feed")
    assert ids(response) == [theirs.pk, mine.pk]
    item = response.json()["items"][0]
    assert set(item) == POST_KEYS
    assert set(item["author"]) == {"id", "username", "display_name", "avatar_url"}
    assert item["author"]["username"] == other_user.username


def test_feed_pages_with_a_cursor(api_as, user):
    """`next` walks through the whole feed once, newest first."""
    posts = [PostFactory(author=user) for _ in range(5)]
    pages = [[p["id"] for p in items] for items in pages_of(api_as(user), "/api/v1/feed", limit=2)]
    assert pages == [[posts[4].pk, posts[3].pk], [posts[2].pk, posts[1].pk], [posts[0].pk]]


@pytest.mark.parametrize("cursor", ["abc", "12", "1-", "999999999999999999-1", "-1-2"])
def test_feed_with_a_broken_cursor_is_400(api_as, user, cursor):
    """A cursor that is not one the API gave out is a 400 naming `cursor`."""
    response = api_as(user).get("/api/v1/feed", cursor=cursor)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"cursor"}


def test_feed_with_the_largest_cursor_is_a_page(api_as, user):
    """Every cursor the schema allows is answered (the largest means "older than year 5138")."""
    post = PostFactory(author=user)
    assert ids(api_as(user).get("/api/v1/feed", cursor="99999999999999999-1")) == [post.pk]


def test_post_shows_counts_images_and_my_like(api_as, user, other_user):
    """A post carries its images (url, thumbnail, size), counts and whether I liked it; likes
    and comments by someone in a blocked pair with me are not counted."""
    post = PostFactory(author=other_user, text="<b>raw</b>")
    PostPhotoFactory(post=post)
    PostLikeFactory(post=post, user=user)
    PostLikeFactory(post=post)
    CommentFactory(post=post)
    hidden = UserFactory()
    PostLikeFactory(post=post, user=hidden)
    CommentFactory(post=post, author=hidden)
    block_create(blocker=hidden, blocked=user)
    body = api_as(user).get(f"/api/v1/posts/{post.pk}").json()
    assert body["text"] == "<b>raw</b>"
    assert (body["like_count"], body["comment_count"], body["liked_by_me"]) == (2, 1, True)
    [image] = body["images"]
    assert set(image) == {"url", "thumbnail_url", "width", "height"}
    # Post photos are served after the post's access check, not from public /media/.
    photo = post.photos.get()
    assert image["url"] == f"/posts/{post.pk}/photos/{photo.pk}/"
    assert image["thumbnail_url"] == f"/posts/{post.pk}/photos/{photo.pk}/thumb/"
    assert (image["width"], image["height"]) == (40, 30)


@pytest.mark.parametrize("count", [3, 30])
def test_feed_query_count_does_not_grow(api_as, user, count, django_assert_max_num_queries):
    """A feed page with photos, likes and comments costs the same few queries at any size."""
    friend = UserFactory()
    befriend(user, friend)
    commenter = UserFactory()
    for _ in range(count):
        post = PostFactory(author=friend, audience=Audience.FRIENDS)
        PostPhotoFactory.create_batch(2, post=post)
        PostLikeFactory(post=post, user=commenter)
        CommentFactory.create_batch(2, post=post, author=commenter)
    api = api_as(user)
    with django_assert_max_num_queries(6):
        assert len(ids(api.get("/api/v1/feed", limit=50))) == count


def test_wall_shows_what_i_may_see(api_as, user, other_user, stranger):
    """A wall shows everyone-posts to strangers and friends-only posts to friends too."""
    public = PostFactory(author=other_user, audience=Audience.EVERYONE)
    friends_only = PostFactory(author=other_user, audience=Audience.FRIENDS)
    befriend(user, other_user)
    path = f"/api/v1/users/{other_user.username}/posts"
    assert ids(api_as(user).get(path)) == [friends_only.pk, public.pk]
    assert ids(api_as(stranger).get(path)) == [public.pk]


@pytest.mark.parametrize("blocker_is_author", [True, False])
def test_wall_across_a_block_is_404(api_as, user, other_user, blocker_is_author):
    """Neither side of a block can open the other's wall."""
    PostFactory(author=other_user)
    if blocker_is_author:
        block_create(blocker=other_user, blocked=user)
    else:
        block_create(blocker=user, blocked=other_user)
    assert api_as(user).get(f"/api/v1/users/{other_user.username}/posts").status_code == 404
    assert api_as(other_user).get(f"/api/v1/users/{user.username}/posts").status_code == 404


# -- one post -----------------------------------------------------------------------------------
def test_friends_only_post_is_404_to_strangers(api_as, user, other_user, stranger):
    """A friends-only post: its author and friends see it; a stranger gets a 404 like a
    missing post."""
    post = PostFactory(author=other_user, audience=Audience.FRIENDS)
    befriend(user, other_user)
    assert api_as(other_user).get(f"/api/v1/posts/{post.pk}").status_code == 200
    assert api_as(user).get(f"/api/v1/posts/{post.pk}").status_code == 200
    hidden = api_as(stranger).get(f"/api/v1/posts/{post.pk}")
    missing = api_as(stranger).get("/api/v1/posts/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("blocker_is_author", [True, False])
def test_post_across_a_block_is_404_both_ways(api_as, user, other_user, blocker_is_author):
    """An everyone-post is hidden from both sides of a block."""
    theirs = PostFactory(author=other_user, audience=Audience.EVERYONE)
    mine = PostFactory(author=user, audience=Audience.EVERYONE)
    if blocker_is_author:
        block_create(blocker=other_user, blocked=user)
    else:
        block_create(blocker=user, blocked=other_user)
    assert api_as(user).get(f"/api/v1/posts/{theirs.pk}").status_code == 404
    assert api_as(other_user).get(f"/api/v1/posts/{mine.pk}").status_code == 404


def test_post_of_a_deactivated_author_is_404(api_as, user):
    """Posts of deactivated accounts are gone for everyone."""
    post = PostFactory(author=UserFactory(is_active=False), audience=Audience.EVERYONE)
    assert api_as(user).get(f"/api/v1/posts/{post.pk}").status_code == 404


# -- publish ------------------------------------------------------------------------------------
def test_publish_a_text_post(api_as, user):
    """A text post is stored with its audience and returned (201)."""
    response = api_as(user).upload("/api/v1/posts", {"text": "  Привет  ", "audience": "everyone"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["text"], body["audience"], body["images"]) == ("Привет", "everyone", [])
    post = Post.objects.get(pk=body["id"])
    assert (post.author, post.text, post.audience) == (user, "Привет", Audience.EVERYONE)


def test_publish_defaults_to_friends_only(api_as, user):
    """Without an audience a post is for friends, as on the page."""
    response = api_as(user).upload("/api/v1/posts", {"text": "hi"})
    assert response.json()["audience"] == "friends"


def test_publish_with_images(api_as, user):
    """Images are re-encoded and listed in the order sent, with their sizes."""
    images = [photo_upload("a.png", size=(300, 200), fmt="PNG"), photo_upload(size=(50, 80))]
    response = api_as(user).upload("/api/v1/posts", {"images": images})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == ""
    assert [(i["width"], i["height"]) for i in body["images"]] == [(300, 200), (50, 80)]
    photos = PostPhoto.objects.filter(post_id=body["id"])
    assert [p.image.name.endswith(".jpg") for p in photos] == [True, True]
    assert [i["url"] for i in body["images"]] == [p.url for p in photos]


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (lambda: {}, "text"),
        (lambda: {"text": "   "}, "text"),
        (lambda: {"text": "x" * 10_001}, "text"),
        (lambda: {"text": "a\x00b"}, "text"),
        (lambda: {"text": "x", "audience": "martians"}, "audience"),
        (lambda: {"images": [photo_upload() for _ in range(11)]}, "images"),
        (lambda: {"text": "x", "images": [photo_upload(), not_an_image()]}, "images"),
    ],
    ids=["empty", "blank", "too long", "nul", "audience", "11 images", "not an image"],
)
def test_publish_bad_input_is_400_with_fields(api_as, user, data, field):
    """Bad posts are refused with 400 naming the field; nothing is stored."""
    response = api_as(user).upload("/api/v1/posts", data())
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]
    assert not Post.objects.exists()


def test_publish_an_oversized_image_is_413(api_as, user, settings):
    """An image over IMAGE_MAX_BYTES is a 413 naming `images`; nothing is stored."""
    settings.IMAGE_MAX_BYTES = 500
    response = api_as(user).upload(
        "/api/v1/posts", {"text": "big", "images": [photo_upload(size=(400, 400))]}
    )
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "too_large"
    assert set(response.json()["fields"]) == {"images"}
    assert not Post.objects.exists()


def test_publish_is_rate_limited(api_as, user, settings):
    """Posts count against the write limit: the one over it is 429 and not stored."""
    settings.API_WRITE_RATE = "2/m"
    api = api_as(user)
    statuses = [api.upload("/api/v1/posts", {"text": f"n{n}"}).status_code for n in range(3)]
    assert statuses == [201, 201, 429]
    assert sorted(Post.objects.values_list("text", flat=True)) == ["n0", "n1"]


# -- edit and delete ----------------------------------------------------------------------------
def test_edit_my_post(api_as, user):
    """The author changes the text and/or the audience; edited_at is set."""
    post = PostFactory(author=user, text="old", audience=Audience.FRIENDS)
    api = api_as(user)
    body = api.patch(f"/api/v1/posts/{post.pk}", {"text": "new"}).json()
    assert (body["text"], body["audience"]) == ("new", "friends")
    assert body["edited_at"]
    body = api.patch(f"/api/v1/posts/{post.pk}", {"audience": "everyone"}).json()
    assert (body["text"], body["audience"]) == ("new", "everyone")
    assert snapshot(post)[:2] == ("new", "everyone")


def test_edit_to_empty_text_keeps_a_photo_post_valid(api_as, user):
    """Emptying the text is refused for a text-only post (400 `text`), allowed with photos."""
    text_only = PostFactory(author=user, text="words")
    with_photo = PostFactory(author=user, text="caption")
    PostPhotoFactory(post=with_photo)
    api = api_as(user)
    before = snapshot(text_only)
    response = api.patch(f"/api/v1/posts/{text_only.pk}", {"text": ""})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"text"}
    assert snapshot(text_only) == before
    assert api.patch(f"/api/v1/posts/{with_photo.pk}", {"text": ""}).status_code == 200


@pytest.mark.parametrize(
    "body", [{"text": None}, {"audience": "all"}, {"author": 1}, {"text": "x" * 10_001}], ids=repr
)
def test_edit_bad_input_is_400(api_as, user, body):
    """Malformed changes are a 400 naming the field; the post is unchanged."""
    post = PostFactory(author=user)
    before = snapshot(post)
    response = api_as(user).patch(f"/api/v1/posts/{post.pk}", body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(body)
    assert snapshot(post) == before


@pytest.mark.parametrize("who", ["friend", "stranger"])
def test_edit_someone_elses_post_is_404(api_as, user, other_user, who):
    """Only the author edits a post; a friend who can see it gets 404 too. Nothing changes."""
    post = PostFactory(author=other_user, audience=Audience.EVERYONE)
    if who == "friend":
        befriend(user, other_user)
    before = snapshot(post)
    api = api_as(user)
    assert api.patch(f"/api/v1/posts/{post.pk}", {"text": "mine now"}).status_code == 404
    assert api.patch(f"/api/v1/posts/{post.pk}", {}).status_code == 404
    assert snapshot(post) == before


def test_delete_my_post(api_as, user):
    """The author deletes a post with its photos."""
    post = PostFactory(author=user)
    PostPhotoFactory(post=post)
    assert api_as(user).delete(f"/api/v1/posts/{post.pk}").status_code == 204
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not PostPhoto.objects.exists()


def test_delete_someone_elses_post_is_404(api_as, user, other_user):
    """Nobody but the author deletes a post; it stays."""
    post = PostFactory(author=other_user, audience=Audience.EVERYONE)
    befriend(user, other_user)
    assert api_as(user).delete(f"/api/v1/posts/{post.pk}").status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/feed"),
        ("get", "/api/v1/users/{author}/posts"),
        ("get", "/api/v1/posts/{post}"),
        ("upload", "/api/v1/posts"),
        ("patch", "/api/v1/posts/{post}"),
        ("delete", "/api/v1/posts/{post}"),
    ],
)
def test_post_operations_need_a_login(anon_api, user, method, path):
    """Every post operation is a 401 without credentials, and changes nothing."""
    post = PostFactory(author=user, audience=Audience.EVERYONE, text="kept")
    path = path.format(author=user.username, post=post.pk)
    if method == "upload":
        response = anon_api.upload(path, {"text": "anon"})
    elif method == "patch":
        response = anon_api.patch(path, {"text": "anon"})
    else:
        response = getattr(anon_api, method)(path)
    assert response.status_code == 401
    assert list(Post.objects.values_list("text", flat=True)) == ["kept"]


def test_publish_with_images_sent_as_text_is_400(api_as, user):
    """`images` sent as a plain form field (not a file) is refused rather than ignored."""
    response = api_as(user).upload("/api/v1/posts", {"text": "hi", "images": "photo.jpg"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"images"}
    assert not Post.objects.exists()
