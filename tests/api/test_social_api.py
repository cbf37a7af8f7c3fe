"""/api/v1/posts/{id}/like, likes and comments — every operation allowed and denied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import block_create
from social.models import Audience, Comment, PostLike
from tests.api.conftest import pages_of, usernames
from tests.factories import (
    CommentFactory,
    PostFactory,
    PostLikeFactory,
    UserFactory,
    befriend,
    photo_upload,
)

pytestmark = pytest.mark.django_db


def comment_rows() -> list[tuple]:
    return sorted(Comment.objects.values_list("pk", "post_id", "author_id", "text"))


@pytest.fixture
def post(other_user):
    """An everyone-post by other_user."""
    return PostFactory(author=other_user, audience=Audience.EVERYONE)


@pytest.fixture
def friends_post(other_user):
    return PostFactory(author=other_user, audience=Audience.FRIENDS)


def block(user, other_user, *, blocker_is_me: bool) -> None:
    if blocker_is_me:
        block_create(blocker=user, blocked=other_user)
    else:
        block_create(blocker=other_user, blocked=user)


# -- like ---------------------------------------------------------------------------------------
def test_like_and_unlike(api_as, user, post):
    """PUT likes (once, however often), DELETE takes the like back; both answer the count."""
    PostLikeFactory(post=post)
    api = api_as(user)
    path = f"/api/v1/posts/{post.pk}/like"
    assert api.put(path).json() == {"liked": True, "like_count": 2}
    assert api.put(path).json() == {"liked": True, "like_count": 2}
    assert PostLike.objects.filter(post=post, user=user).count() == 1
    assert api.get(f"/api/v1/posts/{post.pk}").json()["liked_by_me"] is True
    assert api.delete(path).json() == {"liked": False, "like_count": 1}
    assert api.delete(path).json() == {"liked": False, "like_count": 1}
    assert not PostLike.objects.filter(user=user).exists()


def test_like_a_friends_only_post_as_a_stranger_is_404(api_as, user, friends_post):
    """A post I may not see cannot be liked; no like is stored."""
    response = api_as(user).put(f"/api/v1/posts/{friends_post.pk}/like")
    assert response.status_code == 404
    assert not PostLike.objects.exists()


@pytest.mark.parametrize("blocker_is_me", [True, False])
def test_like_across_a_block_is_404(api_as, user, other_user, post, blocker_is_me):
    """Neither side of a block can like or unlike the other's post; likes stay as they were."""
    PostLikeFactory(post=post, user=user)
    block(user, other_user, blocker_is_me=blocker_is_me)
    api = api_as(user)
    assert api.put(f"/api/v1/posts/{post.pk}/like").status_code == 404
    assert api.delete(f"/api/v1/posts/{post.pk}/like").status_code == 404
    assert PostLike.objects.filter(post=post, user=user).count() == 1


def test_likers_latest_first_without_hidden_people(api_as, user, post):
    """Who liked: latest first, and nobody in a blocked pair with me."""
    first, second, hidden = UserFactory(), UserFactory(), UserFactory()
    for person in (first, hidden, second):
        PostLikeFactory(post=post, user=person)
    block_create(blocker=hidden, blocked=user)
    response = api_as(user).get(f"/api/v1/posts/{post.pk}/likes")
    assert usernames(response) == [second.username, first.username]


def test_likers_page_with_a_cursor(api_as, user, post):
    """`next` walks through every liker once."""
    likers = [UserFactory() for _ in range(5)]
    for person in likers:
        PostLikeFactory(post=post, user=person)
    pages = pages_of(api_as(user), f"/api/v1/posts/{post.pk}/likes", limit=2)
    seen = [item["username"] for items in pages for item in items]
    assert seen == [person.username for person in reversed(likers)]


def test_likers_of_a_hidden_post_is_404(api_as, user, friends_post):
    """The likers of a post I may not see are not shown."""
    PostLikeFactory(post=friends_post)
    assert api_as(user).get(f"/api/v1/posts/{friends_post.pk}/likes").status_code == 404


# -- comments: list -----------------------------------------------------------------------------
def test_comments_oldest_first_without_hidden_people(api_as, user, post):
    """Comments come oldest first with their author; comments by a blocked person are left
    out. Text is raw (clients escape it)."""
    first = CommentFactory(post=post, text="<i>first</i>")
    hidden = CommentFactory(post=post)
    second = CommentFactory(post=post)
    block_create(blocker=user, blocked=hidden.author)
    response = api_as(user).get(f"/api/v1/posts/{post.pk}/comments")
    items = response.json()["items"]
    assert [c["id"] for c in items] == [first.pk, second.pk]
    assert set(items[0]) == {"id", "post_id", "author", "text", "image", "created_at"}
    assert (items[0]["text"], items[0]["post_id"], items[0]["image"]) == (
        "<i>first</i>",
        post.pk,
        None,
    )
    assert items[0]["author"]["username"] == first.author.username


def test_comments_page_with_a_cursor(api_as, user, post):
    """`next` walks through every comment once, oldest first."""
    comments = CommentFactory.create_batch(5, post=post)
    pages = pages_of(api_as(user), f"/api/v1/posts/{post.pk}/comments", limit=2)
    assert [len(items) for items in pages] == [2, 2, 1]
    seen = [item["id"] for items in pages for item in items]
    assert seen == [comment.pk for comment in comments]


@pytest.mark.parametrize("count", [3, 40])
def test_comments_query_count_does_not_grow(
    api_as, user, post, count, django_assert_max_num_queries
):
    """A page of comments costs the same few queries however many there are."""
    for _ in range(count):
        CommentFactory(post=post, author=UserFactory())
    api = api_as(user)
    with django_assert_max_num_queries(6):
        response = api.get(f"/api/v1/posts/{post.pk}/comments", limit=50)
    assert len(response.json()["items"]) == count


@pytest.mark.parametrize("blocker_is_me", [True, False])
def test_comments_of_a_post_across_a_block_are_404(api_as, user, other_user, post, blocker_is_me):
    """The comments of a post by someone in a blocked pair with me are not shown."""
    CommentFactory(post=post)
    block(user, other_user, blocker_is_me=blocker_is_me)
    assert api_as(user).get(f"/api/v1/posts/{post.pk}/comments").status_code == 404


def test_comments_of_a_friends_only_post_are_404_to_strangers(api_as, user, friends_post):
    """A stranger cannot read comments under a friends-only post."""
    CommentFactory(post=friends_post)
    assert api_as(user).get(f"/api/v1/posts/{friends_post.pk}/comments").status_code == 404


# -- comments: create ---------------------------------------------------------------------------
def test_comment_with_text_and_an_image(api_as, user, post):
    """A comment is stored with its text and re-encoded image (201)."""
    response = api_as(user).upload(
        f"/api/v1/posts/{post.pk}/comments",
        {"text": " Класс! ", "image": photo_upload(size=(120, 90))},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["text"], body["post_id"]) == ("Класс!", post.pk)
    assert (body["image"]["width"], body["image"]["height"]) == (120, 90)
    assert body["author"]["username"] == user.username
    assert Comment.objects.get(pk=body["id"]).author == user


def test_comment_on_a_friends_post(api_as, user, other_user, friends_post):
    """Friends may comment on a friends-only post."""
    befriend(user, other_user)
    response = api_as(user).upload(f"/api/v1/posts/{friends_post.pk}/comments", {"text": "hi"})
    assert response.status_code == 201


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.png", b"GIF89a but not really", content_type="image/png")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (lambda: {}, "text"),
        (lambda: {"text": " \n "}, "text"),
        (lambda: {"text": "x" * 2001}, "text"),
        (lambda: {"text": "x", "image": not_an_image()}, "image"),
        (lambda: {"text": "x", "image": "photo.jpg"}, "image"),
    ],
    ids=["empty", "blank", "too long", "not an image", "image as text"],
)
def test_comment_bad_input_is_400(api_as, user, post, data, field):
    """Bad comments are refused with 400 naming the field; nothing is stored."""
    response = api_as(user).upload(f"/api/v1/posts/{post.pk}/comments", data())
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Comment.objects.exists()


def test_comment_with_an_oversized_image_is_413(api_as, user, post, settings):
    """An image over IMAGE_MAX_BYTES is a 413 naming `image`; nothing is stored."""
    settings.IMAGE_MAX_BYTES = 300
    response = api_as(user).upload(
        f"/api/v1/posts/{post.pk}/comments", {"image": photo_upload(size=(300, 300))}
    )
    assert response.status_code == 413
    assert set(response.json()["fields"]) == {"image"}
    assert not Comment.objects.exists()


def test_comment_on_a_hidden_post_is_404(api_as, user, other_user, friends_post, post):
    """No comments on a friends-only post I may not see, nor across a block."""
    api = api_as(user)
    assert api.upload(f"/api/v1/posts/{friends_post.pk}/comments", {"text": "x"}).status_code == 404
    block_create(blocker=other_user, blocked=user)
    assert api.upload(f"/api/v1/posts/{post.pk}/comments", {"text": "x"}).status_code == 404
    assert not Comment.objects.exists()


def test_comments_are_rate_limited(api_as, user, post, settings):
    """Comments count against the write limit: the one over it is 429 and not stored."""
    settings.API_WRITE_RATE = "2/m"
    api = api_as(user)
    path = f"/api/v1/posts/{post.pk}/comments"
    assert [api.upload(path, {"text": f"c{n}"}).status_code for n in range(3)] == [201, 201, 429]
    assert sorted(Comment.objects.values_list("text", flat=True)) == ["c0", "c1"]


# -- comments: delete ---------------------------------------------------------------------------
def test_delete_my_comment(api_as, user, post):
    """I delete my own comment under someone else's post."""
    comment = CommentFactory(post=post, author=user)
    response = api_as(user).delete(f"/api/v1/posts/{post.pk}/comments/{comment.pk}")
    assert response.status_code == 204
    assert not Comment.objects.exists()


def test_post_author_deletes_any_comment_under_their_post(api_as, other_user, post):
    """The post's author may remove anyone's comment under it."""
    comment = CommentFactory(post=post)
    response = api_as(other_user).delete(f"/api/v1/posts/{post.pk}/comments/{comment.pk}")
    assert response.status_code == 204
    assert not Comment.objects.exists()


def test_delete_someone_elses_comment_is_404(api_as, user, post):
    """A comment by someone else under someone else's post is not mine to delete."""
    CommentFactory(post=post)
    comment = CommentFactory(post=post)
    before = comment_rows()
    response = api_as(user).delete(f"/api/v1/posts/{post.pk}/comments/{comment.pk}")
    assert response.status_code == 404
    assert comment_rows() == before


def test_delete_a_comment_through_another_posts_url_is_404(api_as, user, post):
    """Comment X addressed under post Y (even my own post) is not found; X stays."""
    mine = PostFactory(author=user)
    comment = CommentFactory(post=post, author=user)
    before = comment_rows()
    response = api_as(user).delete(f"/api/v1/posts/{mine.pk}/comments/{comment.pk}")
    assert response.status_code == 404
    assert comment_rows() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/posts/{post}/like"),
        ("delete", "/api/v1/posts/{post}/like"),
        ("get", "/api/v1/posts/{post}/likes"),
        ("get", "/api/v1/posts/{post}/comments"),
        ("upload", "/api/v1/posts/{post}/comments"),
        ("delete", "/api/v1/posts/{post}/comments/{comment}"),
    ],
)
def test_like_and_comment_operations_need_a_login(anon_api, user, post, method, path):
    """Every like and comment operation is a 401 without credentials, and changes nothing."""
    comment = CommentFactory(post=post, author=user)
    PostLikeFactory(post=post, user=user)
    before = (comment_rows(), PostLike.objects.count())
    path = path.format(post=post.pk, comment=comment.pk)
    if method == "upload":
        response = anon_api.upload(path, {"text": "anon"})
    else:
        response = getattr(anon_api, method)(path)
    assert response.status_code == 401
    assert (comment_rows(), PostLike.objects.count()) == before
