"""Friend-request frames reach exactly the person they concern, after commit."""

import pytest
from channels.db import database_sync_to_async
from django.http import Http404

from accounts.services import block_create
from social import services
from tests.factories import UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


# Frames of other features that reach the same sockets: friends' presence, and the
# notifications app's frames (tests/notifications/ checks those).
OTHER_FEATURES = {"presence", "notification", "notification.count"}


class SocialSocket:
    """A test socket that reads past other features' frames: friends' sockets opening and
    closing around a test, and notifications, are not what these tests are about."""

    def __init__(self, communicator):
        self.communicator = communicator

    async def receive_json_from(self, timeout: float = 1):
        while True:
            frame = await self.communicator.receive_json_from(timeout=timeout)
            if frame.get("type") not in OTHER_FEATURES:
                return frame

    async def receive_nothing(self, timeout: float = 0.1) -> bool:
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self.communicator.receive_json_from()
            if frame.get("type") not in OTHER_FEATURES:
                return False
        return True

    async def disconnect(self):
        await self.communicator.disconnect()


async def open_socket(user):
    communicator, connected, _ = await connect_as(user)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return SocialSocket(communicator)


async def test_request_arrives_live_with_the_badge_count():
    """The addressee gets `friend_request.new` with the sender and the new badge count."""
    alice, bob, carol = [await database_sync_to_async(UserFactory)() for _ in range(3)]
    bob_socket, carol_socket = await open_socket(bob), await open_socket(carol)

    request = await database_sync_to_async(services.friend_request_send)(
        from_user=alice, to_user=bob
    )

    assert await bob_socket.receive_json_from() == {
        "type": "friend_request.new",
        "request": {
            "id": request.pk,
            "from": {
                "id": alice.pk,
                "username": alice.username,
                "display_name": alice.display_name,
                "avatar_url": None,
            },
        },
        "incoming": 1,
    }
    assert await carol_socket.receive_nothing(timeout=0.2)
    await bob_socket.disconnect()
    await carol_socket.disconnect()


async def test_cancel_and_accept_update_counts():
    """Cancelling lowers the addressee's badge; accepting tells the sender."""
    alice, bob = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    alice_socket, bob_socket = await open_socket(alice), await open_socket(bob)

    await database_sync_to_async(services.friend_request_send)(from_user=alice, to_user=bob)
    assert (await bob_socket.receive_json_from())["incoming"] == 1
    await database_sync_to_async(services.friend_request_cancel)(from_user=alice, to_user=bob)
    assert await bob_socket.receive_json_from() == {"type": "friend_request.count", "incoming": 0}

    await database_sync_to_async(services.friend_request_send)(from_user=alice, to_user=bob)
    await bob_socket.receive_json_from()
    await database_sync_to_async(services.friend_request_accept)(user=bob, from_user=alice)
    frame = await alice_socket.receive_json_from()
    assert frame["type"] == "friendship.new"
    assert frame["friend"]["id"] == bob.pk
    assert await bob_socket.receive_json_from() == {"type": "friend_request.count", "incoming": 0}
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_blocked_sender_sends_nothing():
    """A refused request (blocked pair) publishes nothing."""
    alice, bob = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    await database_sync_to_async(block_create)(blocker=bob, blocked=alice)
    bob_socket = await open_socket(bob)
    with pytest.raises(Http404):
        await database_sync_to_async(services.friend_request_send)(from_user=alice, to_user=bob)
    assert await bob_socket.receive_nothing(timeout=0.2)
    await bob_socket.disconnect()
