"""Routed delivery inside one process: shard groups follow the sockets, one envelope per shard,
local delivery with the broker's echo skipped, per-shard order, and the staff stats frame.

These run on the in-memory layer and, in the PostgreSQL + Redis pass, on Redis pub/sub (where
the publishing process also receives the broker's echo of its own envelopes).
"""

from __future__ import annotations

import os

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import override_settings

from messenger.realtime import apublish, close_sockets
from messenger.realtime.hub import get_hub, shard_group, shard_of
from tests.factories import UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

SHARDS = 4
ON_REDIS = bool(os.environ.get("REDIS_URL"))


@pytest.fixture(autouse=True)
def four_shards():
    with override_settings(REALTIME={**settings.REALTIME, "SHARDS": SHARDS}):
        yield


async def users_in_shards(*shards: int) -> list:
    """One new user per requested shard (ids are sequential: create until each one fits)."""
    found: dict[int, object] = {}
    while len(found) < len(set(shards)):
        user = await database_sync_to_async(UserFactory)()
        shard = shard_of(user.pk, SHARDS)
        if shard in shards and shard not in found:
            found[shard] = user
    return [found[shard] for shard in shards]


async def open_socket(user):
    communicator, connected, _ = await connect_as(user)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def test_hub_joins_a_shard_with_its_first_user_and_leaves_with_the_last():
    """The hub is in `beseda.shard.<n>` exactly while it holds a socket of a user of shard n."""
    alice, bob = await users_in_shards(1, 2)
    hub = get_hub()
    a1 = await open_socket(alice)
    assert hub.joined_shards() == {1}
    a2 = await open_socket(alice)
    b = await open_socket(bob)
    assert hub.joined_shards() == {1, 2}
    await a1.disconnect()
    await hub.settled()
    assert hub.joined_shards() == {1, 2}  # alice still has a socket here
    await a2.disconnect()
    await hub.settled()
    assert hub.joined_shards() == {2}
    if not ON_REDIS:
        groups = get_channel_layer().groups
        assert hub.channel_name not in groups.get(shard_group(1), {})
        assert hub.channel_name in groups[shard_group(2)]
    await b.disconnect()
    await hub.settled()
    assert hub.joined_shards() == set()


async def test_one_envelope_per_shard_with_recipients_reaches_only_its_users():
    """An event for users of two shards is split in two envelopes; a third user, in another
    shard, receives nothing."""
    alice, bob, carol = await users_in_shards(0, 3, 1)
    sockets = [await open_socket(user) for user in (alice, bob, carol)]
    hub = get_hub()
    local_before = hub.stats["local"]
    await apublish({"type": "notification", "n": 1}, [alice.pk, bob.pk])
    assert await sockets[0].receive_json_from() == {"type": "notification", "n": 1}
    assert await sockets[1].receive_json_from() == {"type": "notification", "n": 1}
    assert await sockets[2].receive_nothing(timeout=0.2)
    assert hub.stats["local"] - local_before == 2
    for socket in sockets:
        await socket.disconnect()


async def test_local_delivery_is_not_repeated_by_the_brokers_echo():
    """A frame published in the process that holds its recipient arrives once: the broker's
    copy (on Redis) is recognised by its origin and skipped."""
    (alice,) = await users_in_shards(2)
    socket = await open_socket(alice)
    hub = get_hub()
    echoes_before = hub.stats["echoes"]
    await apublish({"type": "notification", "n": 1}, [alice.pk])
    assert await socket.receive_json_from() == {"type": "notification", "n": 1}
    # A marker from another origin, on the same group after the echo: once it arrives, the
    # echo (sent before it on the same connection) has been handled.
    await get_channel_layer().group_send(
        shard_group(2),
        {
            "type": "beseda.deliver",
            "u": [alice.pk],
            "f": '{"type":"notification","n":2}',
            "h": 2,
            "o": "elsewhere",
        },
    )
    assert await socket.receive_json_from() == {"type": "notification", "n": 2}
    assert await socket.receive_nothing(timeout=0.2)
    assert hub.stats["echoes"] - echoes_before == (1 if ON_REDIS else 0)
    await socket.disconnect()


async def test_changes_for_two_shards_keep_seq_order_in_each():
    """A chat's changes handed over backwards reach members of both shards in seq order."""
    alice, bob = await users_in_shards(0, 1)
    with override_settings(
        REALTIME={**settings.REALTIME, "SHARDS": SHARDS, "ORDER_WAIT_SECONDS": 60}
    ):
        a, b = await open_socket(alice), await open_socket(bob)
        for seq in (1, 3, 2):
            frame = {"type": "message.new", "chat": 5, "seq": seq}
            await apublish(frame, [alice.pk, bob.pk], order=(5, seq))
        for socket in (a, b):
            assert [(await socket.receive_json_from())["seq"] for _ in range(3)] == [1, 2, 3]
    await a.disconnect()
    await b.disconnect()


async def test_a_shard_held_again_starts_its_order_afresh():
    """After the last user of a shard left, the hub forgets the shard's order: the next
    change seen there goes out at once, not after waiting for the ones it missed."""
    (alice,) = await users_in_shards(3)
    with override_settings(
        REALTIME={**settings.REALTIME, "SHARDS": SHARDS, "ORDER_WAIT_SECONDS": 60}
    ):
        socket = await open_socket(alice)
        await apublish({"type": "message.new", "chat": 5, "seq": 1}, [alice.pk], order=(5, 1))
        assert (await socket.receive_json_from())["seq"] == 1
        await socket.disconnect()
        await get_hub().settled()
        await apublish({"type": "message.new", "chat": 5, "seq": 2}, [alice.pk], order=(5, 2))
        socket = await open_socket(alice)
        await apublish({"type": "message.new", "chat": 5, "seq": 3}, [alice.pk], order=(5, 3))
        assert (await socket.receive_json_from(timeout=1))["seq"] == 3
    await socket.disconnect()


async def test_close_reaches_only_the_addressed_users_shard():
    """Closing a user's sockets closes theirs (4001) and leaves another shard's user open."""
    alice, bob = await users_in_shards(1, 2)
    a, b = await open_socket(alice), await open_socket(bob)
    await database_sync_to_async(close_sockets)([alice.pk])
    output = await a.receive_output(timeout=3)
    assert (output["type"], output.get("code")) == ("websocket.close", 4001)
    await b.send_json_to({"type": "ping"})
    assert await b.receive_json_from() == {"type": "pong"}
    await b.disconnect()


async def test_staff_reads_the_hub_stats():
    """A staff member's `realtime.stats` is answered with this worker's counters and shards."""
    staff = await database_sync_to_async(UserFactory)(is_staff=True)
    socket = await open_socket(staff)
    await socket.send_json_to({"type": "realtime.stats", "ref": 1})
    stats = await socket.receive_json_from()
    assert stats["type"] == "realtime.stats"
    assert stats["shards"] == [shard_of(staff.pk, SHARDS)]
    assert stats["users"] == 1
    assert {"envelopes", "echoes", "local", "frames_written"} <= set(stats)
    await socket.disconnect()


async def test_non_staff_cannot_read_the_hub_stats():
    """Anyone else gets `not_found` and no counters."""
    user = await database_sync_to_async(UserFactory)()
    socket = await open_socket(user)
    await socket.send_json_to({"type": "realtime.stats", "ref": 1})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "not_found",
        "detail": "no such object, or it is not yours to use",
        "ref": 1,
    }
    await socket.disconnect()
