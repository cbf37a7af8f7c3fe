"""Posts, likes, comments: who may see and do what, what is stored, what pages show."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.services import block_create
from social import selectors, services
from social.models import Audience, Comment, Post, PostLike
from tests.factories import (
    CommentFactory,
    PostFactory,
    PostLikeFactory,
    UserFactory,
    befriend,
    photo_upload,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"social:{name}", args=args)


def snapshot(post):
    post.refresh_from_db()
    return (
        post.text,
        post.audience,
        post.edited_at,
        sorted(post.likes.values_list("user_id", flat=True)),
        sorted(post.comments.values_list("pk", flat=True)),
    )


# -- visibility ---------------------------------------------------------------------------------
def test_visibility_rules(user, other_user):
    """Everyone-posts are visible to all; friends-only to friends and the author; blocked
    authors to no one on the other side."""
    stranger = UserFactory()
    public = PostFactory(author=other_user, audience=Audience.EVERYONE)
    private = PostFactory(author=other_user, audience=Audience.FRIENDS)
    befriend(user, other_user)

    def visible(viewer):
        return set(Post.objects.visible_to(viewer).values_list("pk", flat=True))

    assert visible(user) == {public.pk, private.pk}
    assert visible(other_user) == {public.pk, private.pk}
    assert visible(stranger) == {public.pk}
    block_create(blocker=other_user, blocked=stranger)
    assert visible(stranger) == set()


def test_friends_only_post_is_404_to_strangers(client, user, other_user):
    """A stranger asking for a friends-only post, its likes or comments gets 404."""
    post = PostFactory(author=other_user, audience=Audience.FRIENDS)
    client.force_login(user)
    for name in ("post", "post_likes"):
        assert client.get(url(name, post.pk)).status_code == 404
    before = snapshot(post)
    assert client.post(url("post_like", post.pk)).status_code == 404
    assert client.post(url("comment_create", post.pk), {"text": "hi"}).status_code == 404
    assert snapshot(post) == before


def test_friends_only_post_is_shown_to_friends(client, user, other_user):
    """A friend sees the friends-only post and can like and comment on it."""
    post = PostFactory(author=other_user, audience=Audience.FRIENDS, text="for friends")
    befriend(user, other_user)
    client.force_login(user)
    response = client.get(url("post", post.pk))
    assert response.status_code == 200
    assert "for friends" in response.content.decode()
    assert client.post(url("post_like", post.pk)).status_code == 302
    assert client.post(url("comment_create", post.pk), {"text": "hi"}).status_code == 302
    assert post.likes.filter(user=user).exists()
    assert post.comments.filter(author=user, text="hi").exists()


def test_missing_post_is_404(user_client):
    """An id that does not exist (or is out of range) is a 404, never an error page."""
    assert user_client.get(url("post", 999999)).status_code == 404
    assert user_client.get("/posts/99999999999999999999999/").status_code == 404


def test_feed_shows_own_and_friends_posts_only(user_client, user, other_user):
    """The feed has my posts and my friends' posts, newest first, and nothing else."""
    befriend(user, other_user)
    stranger_post = PostFactory(text="stranger", audience=Audience.EVERYONE)
    friend_private = PostFactory(author=other_user, audience=Audience.FRIENDS)
    mine = PostFactory(author=user)
    page = selectors.feed_for(user)
    assert [p.pk for p in page.posts] == [mine.pk, friend_private.pk]
    assert stranger_post.pk not in [p.pk for p in page.posts]
    response = user_client.get(url("feed"))
    assert response.status_code == 200
    assert "stranger" not in response.content.decode()


def test_blocking_hides_posts_comments_and_likes(user, other_user):
    """After a block, neither sees the other's posts, comments or likes anywhere."""
    third = UserFactory()
    befriend(user, other_user, third)
    post = PostFactory(author=third)
    CommentFactory(post=post, author=other_user, text="from the blocked one")
    CommentFactory(post=post, author=user)
    PostLikeFactory(post=post, user=other_user)
    PostLikeFactory(post=post, user=user)
    their_post = PostFactory(author=other_user)
    block_create(blocker=user, blocked=other_user)

    card = selectors.post_card_for_user(user, post.pk)
    assert card.like_count == 1
    assert card.comment_count == 1
    assert [c.author_id for c in card.latest_comments] == [user.pk]
    assert [c.author_id for c in selectors.comments_of(user, post)] == [user.pk]
    assert list(selectors.likers_of(user, post)) == [user]
    assert their_post.pk not in [p.pk for p in selectors.feed_for(user).posts]
    assert selectors.post_card_for_user(third, post.pk).like_count == 2


def test_blocked_users_get_404_on_each_others_wall(client, user, other_user):
    """A blocked pair gets 404 on each other's wall in both directions."""
    block_create(blocker=user, blocked=other_user)
    for viewer, person in ((user, other_user), (other_user, user)):
        client.force_login(viewer)
        assert client.get(url("wall", person.username)).status_code == 404


def test_wall_shows_posts_the_viewer_may_see(client, user, other_user):
    """A stranger sees only everyone-posts on a wall; a friend sees friends-only ones too."""
    PostFactory(author=other_user, audience=Audience.EVERYONE, text="public words")
    PostFactory(author=other_user, audience=Audience.FRIENDS, text="private words")
    client.force_login(user)
    html = client.get(url("wall", other_user.username)).content.decode()
    assert "public words" in html
    assert "private words" not in html
    befriend(user, other_user)
    html = client.get(url("wall", other_user.username)).content.decode()
    assert "private words" in html


# -- create / edit / delete ---------------------------------------------------------------------
def test_create_post_with_photos(user_client, user):
    """A post with text and two photos is stored with re-encoded photos and thumbnails."""
    response = user_client.post(
        url("post_create"),
        {
            "text": "Hello https://example.org",
            "audience": "friends",
            "photos": [photo_upload("a.jpg"), photo_upload("b.png", fmt="PNG")],
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(author=user)
    assert post.audience == "friends"
    photos = list(post.photos.all())
    assert [p.position for p in photos] == [0, 1]
    for photo in photos:
        assert photo.image.name.endswith(".jpg")
        assert default_storage.exists(photo.thumbnail.name)
    html = user_client.get(url("feed")).content.decode()
    assert 'href="https://example.org" rel="nofollow noopener noreferrer"' in html
    assert html.count('class="post-photos post-photos-2"') == 1


def test_post_needs_text_or_photo(user_client, user):
    """An empty post is refused with a clear message."""
    response = user_client.post(url("post_create"), {"text": "   ", "audience": "friends"})
    assert response.status_code == 400
    assert "Write something or add a photo." in response.content.decode()
    assert not Post.objects.exists()


def test_more_than_ten_photos_are_refused(user_client):
    """Eleven photos are refused, and nothing is stored."""
    photos = [photo_upload(f"{n}.jpg") for n in range(11)]
    response = user_client.post(
        url("post_create"), {"text": "x", "audience": "friends", "photos": photos}
    )
    assert response.status_code == 400
    assert "At most 10 photos" in response.content.decode()
    assert not Post.objects.exists()


def test_non_image_upload_is_refused(user_client):
    """A script disguised as a photo is refused with the reason."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = user_client.post(
        url("post_create"), {"text": "x", "audience": "friends", "photos": [fake]}
    )
    assert response.status_code == 400
    assert "not an image we can read" in response.content.decode()
    assert not Post.objects.exists()


def test_edit_own_post(user_client, user):
    """The author can change text and audience; the post shows it was edited."""
    post = PostFactory(author=user, audience=Audience.EVERYONE)
    assert user_client.get(url("post_edit", post.pk)).status_code == 200
    response = user_client.post(url("post_edit", post.pk), {"text": "new", "audience": "friends"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.text, post.audience) == ("new", "friends")
    assert post.edited_at is not None


def test_editing_someone_elses_post_is_refused(user_client, user, other_user):
    """Editing another person's post is a 404 (even a friend's) and changes nothing."""
    befriend(user, other_user)
    post = PostFactory(author=other_user, text="original")
    before = snapshot(post)
    assert user_client.get(url("post_edit", post.pk)).status_code == 404
    response = user_client.post(
        url("post_edit", post.pk), {"text": "hacked", "audience": "friends"}
    )
    assert response.status_code == 404
    assert snapshot(post) == before


def test_delete_own_post_removes_its_files(user_client, user, django_capture_on_commit_callbacks):
    """Deleting a post removes it with its photos' files."""
    user_client.post(
        url("post_create"), {"text": "x", "audience": "friends", "photos": [photo_upload()]}
    )
    post = Post.objects.get()
    names = post.photos.get().file_names()
    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.post(url("post_delete", post.pk))
    assert response.status_code == 302
    assert not Post.objects.exists()
    assert not any(default_storage.exists(n) for n in names)


def test_deleting_someone_elses_post_is_refused(user_client, user, other_user):
    """Deleting another person's post is a 404 and the post stays."""
    post = PostFactory(author=other_user)
    assert user_client.post(url("post_delete", post.pk)).status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


# -- likes and comments -------------------------------------------------------------------------
def test_like_toggles(user_client, user):
    """Liking twice takes the like back; the htmx answer shows the new state."""
    post = PostFactory()
    response = user_client.post(url("post_like", post.pk), HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode()
    assert post.likes.count() == 1
    response = user_client.post(url("post_like", post.pk), HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    assert post.likes.count() == 0


def test_who_liked_lists_likers(user_client, user):
    """The likers page lists the people who liked the post."""
    post = PostFactory()
    liker = UserFactory(first_name="Лариса", last_name="Лайк")
    PostLikeFactory(post=post, user=liker)
    response = user_client.get(url("post_likes", post.pk))
    assert response.status_code == 200
    assert "Лариса Лайк" in response.content.decode()


def test_comment_with_photo(user_client, user):
    """A comment can carry a photo; the htmx answer is the rendered comment."""
    post = PostFactory()
    response = user_client.post(
        url("comment_create", post.pk),
        {"text": "nice", "photo": photo_upload()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    comment = Comment.objects.get()
    assert comment.photo.name.endswith(".jpg")
    assert f'id="comment-{comment.pk}"' in response.content.decode()


def test_refused_comment_explains_itself(user_client):
    """An empty or oversized comment is refused with the reason; nothing is stored."""
    post = PostFactory()
    response = user_client.post(
        url("comment_create", post.pk), {"text": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#comment-error-{post.pk}"
    assert "Write a comment or add a photo." in response.content.decode()
    response = user_client.post(
        url("comment_create", post.pk), {"text": "x" * 100_000}, follow=True
    )
    assert "at most 2000 characters" in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_delete_rules(client, user, other_user):
    """A comment can be deleted by its author and by the post's author, by no one else."""
    post = PostFactory(author=user)
    third = UserFactory()
    theirs = CommentFactory(post=post, author=other_user)
    another = CommentFactory(post=post, author=other_user)
    client.force_login(third)
    assert client.post(url("comment_delete", theirs.pk)).status_code == 404
    assert Comment.objects.count() == 2
    client.force_login(other_user)
    assert client.post(url("comment_delete", theirs.pk)).status_code == 302
    client.force_login(user)
    assert client.post(url("comment_delete", another.pk), HTTP_HX_REQUEST="true").status_code == 200
    assert not Comment.objects.exists()


# -- hostile input ------------------------------------------------------------------------------
HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    '"><svg onload=alert(1)>',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_stored_and_shown_escaped(user_client, user, payload):
    """Markup and javascript: links in posts and comments are shown as plain text."""
    user_client.post(url("post_create"), {"text": payload, "audience": "everyone"})
    post = Post.objects.get()
    assert post.text == payload
    user_client.post(url("comment_create", post.pk), {"text": payload})
    for page in (url("feed"), url("post", post.pk), url("wall", user.username)):
        html = user_client.get(page).content.decode()
        assert escape(payload) in html
        assert "<" not in payload or payload not in html
        assert "<script>alert" not in html
        assert 'href="javascript:' not in html
        assert 'onerror="alert' not in html


def test_100k_post_text_is_refused(user_client):
    """100 kB of text is refused with the limit stated."""
    response = user_client.post(url("post_create"), {"text": "я" * 100_000, "audience": "friends"})
    assert response.status_code == 400
    assert "at most 10000 characters" in response.content.decode()
    assert not Post.objects.exists()


def test_bad_audience_is_refused(user_client):
    """An audience that does not exist is a form error."""
    response = user_client.post(url("post_create"), {"text": "x", "audience": "aliens"})
    assert response.status_code == 400
    assert not Post.objects.exists()


# -- paging -------------------------------------------------------------------------------------
def test_feed_cursor_has_no_gaps_or_repeats_when_new_posts_arrive(user_client, user):
    """Paging with the cursor returns every post once, even if posts are added meanwhile."""
    now = timezone.now()
    same_time = [PostFactory(author=user, created_at=now) for _ in range(25)]
    first = selectors.feed_for(user, limit=10)
    PostFactory(author=user)  # a new post at the top
    cursor = selectors.Cursor.decode(first.next_cursor)
    second = selectors.feed_for(user, before=cursor, limit=10)
    third = selectors.feed_for(user, before=selectors.Cursor.decode(second.next_cursor), limit=10)
    seen = [p.pk for page in (first, second, third) for p in page.posts]
    assert sorted(seen) == sorted(p.pk for p in same_time)
    assert len(seen) == len(set(seen))
    assert third.next_cursor is None


def test_older_posts_via_htmx_and_bad_cursor(user_client, user):
    """ "Older" returns the next posts as a fragment; a broken cursor is a clear 400."""
    for n in range(22):
        PostFactory(author=user, text=f"post number {n}")
    page = user_client.get(url("feed"))
    cursor = page.context["feed"].next_cursor
    assert f"?before={cursor}" in page.content.decode()
    more = user_client.get(url("feed"), {"before": cursor}, HTTP_HX_REQUEST="true")
    assert more.status_code == 200
    assert more.content.decode().count('class="card post"') == 2
    assert "<html" not in more.content.decode()
    for broken in ("drop table", "999999999999999999-1", "1-2-3"):
        bad = user_client.get(url("feed"), {"before": broken})
        assert bad.status_code == 400
        assert "broken" in bad.content.decode()


def test_post_page_counts_likes_and_comments(user_client):
    """The post page shows counts and every comment."""
    post = PostFactory()
    PostLikeFactory.create_batch(3, post=post)
    CommentFactory.create_batch(4, post=post)
    response = user_client.get(url("post", post.pk))
    assert response.context["post"].like_count == 3
    assert len(response.context["comments"]) == 4


def test_like_service_returns_count(user, other_user):
    """post_like_toggle returns the new state and the count the user sees."""
    post = PostFactory(author=other_user)
    PostLikeFactory(post=post)
    assert services.post_like_toggle(user=user, post_id=post.pk) == (True, 2)
    assert services.post_like_toggle(user=user, post_id=post.pk) == (False, 1)
    assert PostLike.objects.count() == 1
