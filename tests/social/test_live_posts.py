"""Like and comment frames: exact shapes, exact recipients, per-viewer counts, never to blocked."""

import pytest
from channels.db import database_sync_to_async

from accounts.services import block_create
from social import services
from social.models import Audience
from tests.factories import CommentFactory, PostFactory, PostLikeFactory, UserFactory, befriend
from tests.social.test_live_friends import open_socket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


@db
def make_people(n):
    return [UserFactory() for _ in range(n)]


async def sockets_for(*people):
    return [await open_socket(person) for person in people]


async def assert_silent(*sockets):
    for communicator in sockets:
        assert await communicator.receive_nothing(timeout=0.2)


async def close(*sockets):
    for communicator in sockets:
        await communicator.disconnect()


async def test_like_on_friends_post_reaches_author_and_friends_only():
    """A like on a friends-only post goes to the author and the author's friends, not to a
    stranger and not to a friend who blocked the liker."""
    author, friend, liker_friend, blocking_friend, stranger = await make_people(5)
    await db(befriend)(author, friend)
    await db(befriend)(author, liker_friend)
    await db(befriend)(author, blocking_friend)
    await db(block_create)(blocker=blocking_friend, blocked=liker_friend)
    post = await db(PostFactory)(author=author, audience=Audience.FRIENDS)
    sockets = await sockets_for(author, friend, liker_friend, blocking_friend, stranger)

    await db(services.post_like_toggle)(user=liker_friend, post_id=post.pk)

    expected = {
        "type": "post.liked",
        "post": post.pk,
        "user": liker_friend.pk,
        "liked": True,
        "count": 1,
    }
    for communicator in sockets[:3]:
        assert await communicator.receive_json_from() == expected
    await assert_silent(sockets[3], sockets[4])
    await close(*sockets)


async def test_like_count_excludes_blocked_likers_per_recipient():
    """Each recipient's count leaves out likes by people in a blocked pair with them."""
    author, friend, hidden_liker, liker = await make_people(4)
    await db(befriend)(author, friend)
    await db(befriend)(author, hidden_liker)
    await db(befriend)(author, liker)
    post = await db(PostFactory)(author=author, audience=Audience.FRIENDS)
    await db(PostLikeFactory)(post=post, user=hidden_liker)
    await db(block_create)(blocker=friend, blocked=hidden_liker)
    author_socket, friend_socket = await sockets_for(author, friend)

    await db(services.post_like_toggle)(user=liker, post_id=post.pk)

    assert (await author_socket.receive_json_from())["count"] == 2
    assert (await friend_socket.receive_json_from())["count"] == 1
    await close(author_socket, friend_socket)


async def test_comment_on_everyone_post_reaches_commenters_too():
    """A comment on an everyone-post reaches the author, friends and earlier commenters."""
    author, friend, earlier, commenter, stranger = await make_people(5)
    await db(befriend)(author, friend)
    post = await db(PostFactory)(author=author, audience=Audience.EVERYONE)
    await db(CommentFactory)(post=post, author=earlier)
    sockets = await sockets_for(author, friend, earlier, commenter, stranger)

    comment = await db(services.comment_create)(
        author=commenter, post_id=post.pk, text="<b>hi</b> https://ex.org"
    )

    expected = {
        "type": "comment.new",
        "post": post.pk,
        "comment": {
            "id": comment.pk,
            "author": {
                "id": commenter.pk,
                "username": commenter.username,
                "display_name": commenter.display_name,
                "avatar_url": None,
            },
            "html": '&lt;b&gt;hi&lt;/b&gt; <a href="https://ex.org" rel="nofollow noopener '
            'noreferrer" target="_blank">https://ex.org</a>',
            "photo": None,
            "created_at": comment.created_at.isoformat(),
        },
        "count": 2,
    }
    for communicator in sockets[:4]:
        assert await communicator.receive_json_from() == expected
    await assert_silent(sockets[4])

    await db(services.comment_delete)(user=author, comment_id=comment.pk)
    deleted = {"type": "comment.deleted", "post": post.pk, "comment": comment.pk, "count": 1}
    for communicator in sockets[:4]:
        assert await communicator.receive_json_from() == deleted
    await close(*sockets)


async def test_refused_comment_publishes_nothing():
    """A stranger's comment on a friends-only post is refused and nobody hears of it."""
    author, stranger = await make_people(2)
    post = await db(PostFactory)(author=author, audience=Audience.FRIENDS)
    (author_socket,) = await sockets_for(author)
    from django.http import Http404

    with pytest.raises(Http404):
        await db(services.comment_create)(author=stranger, post_id=post.pk, text="hi")
    await assert_silent(author_socket)
    await close(author_socket)


async def test_deleted_post_is_announced():
    """Deleting a post tells the people who may have it open."""
    author, friend = await make_people(2)
    await db(befriend)(author, friend)
    post = await db(PostFactory)(author=author)
    (friend_socket,) = await sockets_for(friend)
    await db(services.post_delete)(user=author, post_id=post.pk)
    assert await friend_socket.receive_json_from() == {"type": "post.deleted", "post": post.pk}
    await close(friend_socket)


async def test_setting_a_like_twice_announces_it_once():
    """post_like_set (the API's PUT/DELETE) announces a change, not a repeat of the same state."""
    author, liker = await make_people(2)
    await db(befriend)(author, liker)
    post = await db(PostFactory)(author=author, audience=Audience.FRIENDS)
    [author_socket] = await sockets_for(author)

    await db(services.post_like_set)(user=liker, post_id=post.pk, liked=True)
    await db(services.post_like_set)(user=liker, post_id=post.pk, liked=True)
    assert (await author_socket.receive_json_from())["liked"] is True
    await assert_silent(author_socket)

    await db(services.post_like_set)(user=liker, post_id=post.pk, liked=False)
    await db(services.post_like_set)(user=liker, post_id=post.pk, liked=False)
    assert (await author_socket.receive_json_from())["liked"] is False
    await assert_silent(author_socket)
    await close(author_socket)
