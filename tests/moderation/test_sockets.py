"""A suspension closes the user's open sockets at once, and a new socket is refused."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from accounts.models import User
from moderation import services
from tests.factories import UserFactory
from tests.moderation.conftest import make_moderator
from tests.realtime.test_hub import _login, connect_as, refusal_code

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def test_suspended_users_sockets_close_and_others_stay_open():
    """The suspended author's socket is told why and until when, then closes with 4001; a
    bystander's keeps working."""
    moderator = await database_sync_to_async(make_moderator)()
    author, bystander = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    author_socket, connected, _ = await connect_as(author)
    bystander_socket, connected_too, _ = await connect_as(bystander)
    assert connected and connected_too
    await author_socket.receive_json_from()
    await bystander_socket.receive_json_from()

    await database_sync_to_async(services.user_suspend)(
        moderator=moderator, user=author, days=2, reason="spam"
    )

    notice = await author_socket.receive_json_from(timeout=1)
    assert notice == {
        "type": "account.suspended",
        "until": (
            await database_sync_to_async(User.objects.get)(pk=author.pk)
        ).suspended_until.isoformat(),
        "banned": False,
    }
    assert (await author_socket.receive_output(timeout=1))["code"] == 4001
    await bystander_socket.send_json_to({"type": "ping"})
    assert await bystander_socket.receive_json_from() == {"type": "pong"}
    await bystander_socket.disconnect()


async def test_a_ban_is_announced_as_a_ban():
    """A ban's notice says `banned` (its far-future date is not worth showing)."""
    moderator = await database_sync_to_async(make_moderator)()
    author = await database_sync_to_async(UserFactory)()
    author_socket, connected, _ = await connect_as(author)
    assert connected
    await author_socket.receive_json_from()

    await database_sync_to_async(services.user_suspend)(
        moderator=moderator, user=author, days=None, reason="bot"
    )

    notice = await author_socket.receive_json_from(timeout=1)
    assert (notice["type"], notice["banned"]) == ("account.suspended", True)
    assert (await author_socket.receive_output(timeout=1))["code"] == 4001


async def test_a_surviving_session_of_a_suspended_user_opens_no_socket():
    """Even a session the suspension did not end no longer authenticates a socket (4401)."""
    author = await database_sync_to_async(UserFactory)()
    key = await database_sync_to_async(_login)(author)
    until = timezone.now() + timedelta(days=1)
    await database_sync_to_async(
        lambda: User.objects.filter(pk=author.pk).update(suspended_until=until)
    )()
    socket, connected, code = await connect_as(author, session_key=key)
    assert await refusal_code(socket, connected, code) == 4401


async def test_post_removed_by_a_moderator_disappears_live_for_friends_only():
    """Staff removal tells the same people as the author's own delete."""
    from social.models import Audience
    from tests.factories import PostFactory, befriend
    from tests.social.test_live_friends import open_socket

    moderator = await database_sync_to_async(make_moderator)()
    author, friend, stranger = [await database_sync_to_async(UserFactory)() for _ in range(3)]
    await database_sync_to_async(befriend)(author, friend)
    post = await database_sync_to_async(PostFactory)(author=author, audience=Audience.FRIENDS)
    friend_socket, stranger_socket = await open_socket(friend), await open_socket(stranger)

    await database_sync_to_async(services.content_remove)(
        moderator=moderator, kind="post", object_id=post.pk, reason="rules"
    )

    assert await friend_socket.receive_json_from() == {"type": "post.deleted", "post": post.pk}
    assert await stranger_socket.receive_nothing(timeout=0.2)
    await friend_socket.disconnect()
    await stranger_socket.disconnect()
