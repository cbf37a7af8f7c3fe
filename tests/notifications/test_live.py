"""The `notification` and `notification.count` frames: exact shape, exact recipient, after
commit, never across a block."""

import pytest
from channels.db import database_sync_to_async

from accounts.services import block_create
from notifications import services
from social import services as social
from tests.factories import GroupFactory, MessageFactory, PostFactory, UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


async def open_socket(user):
    communicator, connected, _code = await connect_as(user)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def next_of(communicator, frame_type: str) -> dict:
    """The next frame of `frame_type`, reading past the social app's own frames."""
    while True:
        frame = await communicator.receive_json_from(timeout=2)
        if frame["type"] == frame_type:
            return frame


async def none_of(communicator, types: set[str]) -> bool:
    """True if no frame of `types` is waiting."""
    while not await communicator.receive_nothing(timeout=0.2):
        if (await communicator.receive_json_from())["type"] in types:
            return False
    return True


NOTIFICATION_FRAMES = {"notification", "notification.count"}


async def test_like_reaches_the_author_as_a_notification_frame():
    """The author's socket gets `notification` with the payload and the unread count; the
    liker's socket gets no notification frame."""
    author, liker = await db(UserFactory)(), await db(UserFactory)()
    post = await db(PostFactory)(author=author)
    author_socket, liker_socket = await open_socket(author), await open_socket(liker)

    await db(social.post_like_toggle)(user=liker, post_id=post.pk)

    frame = await next_of(author_socket, "notification")
    assert set(frame) == {"type", "notification", "unread"}
    assert frame["unread"] == 1
    payload = frame["notification"]
    assert set(payload) == {
        "id", "kind", "actor", "post", "comment", "chat", "message", "url", "created_at", "read",
    }  # fmt: skip
    assert payload["kind"] == "post_liked"
    assert payload["actor"] == {
        "id": liker.pk,
        "username": liker.username,
        "display_name": liker.display_name,
        "avatar_url": None,
    }
    assert (payload["post"], payload["url"], payload["read"]) == (
        post.pk,
        f"/posts/{post.pk}/",
        False,
    )
    assert await none_of(liker_socket, NOTIFICATION_FRAMES)
    await author_socket.disconnect()
    await liker_socket.disconnect()


async def test_mention_across_a_block_sends_no_frame():
    """In a group, a mention by someone I blocked reaches me as a message but makes no
    notification frame; the same mention by someone else does."""
    me, blocked, friend = [await db(UserFactory)() for _ in range(3)]
    chat = await db(GroupFactory)(created_by=friend, members=[me, blocked])
    await db(block_create)(blocker=me, blocked=blocked)
    my_socket = await open_socket(me)

    await db(MessageFactory)(sender=blocked, chat=chat, text=f"@{me.username} hi")
    await next_of(my_socket, "message.new")
    assert await none_of(my_socket, NOTIFICATION_FRAMES)

    await db(MessageFactory)(sender=friend, chat=chat, text=f"@{me.username} hi")
    frame = await next_of(my_socket, "notification")
    assert (frame["notification"]["kind"], frame["notification"]["actor"]["id"]) == (
        "message_mention",
        friend.pk,
    )
    await my_socket.disconnect()


async def test_mark_all_read_sends_the_new_count_to_every_tab():
    """Marking all read on one tab tells the person's other sockets the count is 0."""
    author = await db(UserFactory)()
    post = await db(PostFactory)(author=author)
    await db(social.post_like_toggle)(user=await db(UserFactory)(), post_id=post.pk)
    other_tab = await open_socket(author)

    await db(services.notifications_mark_all_read)(user=author)

    assert await next_of(other_tab, "notification.count") == {
        "type": "notification.count",
        "unread": 0,
    }
    await other_tab.disconnect()
