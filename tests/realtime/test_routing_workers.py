"""Routed delivery across two real uvicorn workers on Redis: a worker receives only envelopes
for users whose sockets it holds, a just-opened socket misses nothing, a worker's own
envelopes are delivered once, and session ends are routed too.

The counters are read with the staff-only `realtime.stats` frame through a staff socket on
each worker (its own user's shard differs from the recipients'). These run in the PostgreSQL
+ Redis pass (`make test-services`); with the in-memory layer two processes share nothing.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import websockets
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import override_settings

from chats import services
from messenger.realtime import close_sockets, publish
from messenger.realtime.hub import shard_of
from tests.factories import GroupFactory, UserFactory
from tests.realtime.test_workers import next_frame, open_socket

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (make test-services)"),
]

SHARDS = 64  # what the workers are started with (REALTIME_SHARDS; the default 1 broadcasts)


@pytest.fixture
def two_workers(transactional_db, smtp_sink):
    from tests.conftest import start_asgi_server

    env = {"REALTIME_SHARDS": str(SHARDS)}
    servers = [
        start_asgi_server(smtp_sink, extra_env=env),
        start_asgi_server(smtp_sink, extra_env=env),
    ]
    # The tests publish from this process too: with the same shards as the workers.
    with override_settings(REALTIME={**settings.REALTIME, "SHARDS": SHARDS}):
        yield servers
    for server in servers:
        server.process.terminate()
    for server in servers:
        server.process.wait(timeout=10)


def distinct_shard_users(count: int, *, staff: int = 0) -> list:
    """`count` users of pairwise different shards, the last `staff` of them staff."""
    users, shards = [], set()
    while len(users) < count:
        is_staff = len(users) >= count - staff
        user = UserFactory(is_staff=is_staff)
        if shard_of(user.pk, SHARDS) not in shards:
            shards.add(shard_of(user.pk, SHARDS))
            users.append(user)
    return users


async def until(ws, frame_type: str, timeout: float = 5.0) -> dict:
    """The next frame of `frame_type` (hello, presence and the like are passed over)."""
    while True:
        frame = await next_frame(ws, timeout)
        if frame["type"] == frame_type:
            return frame


async def stats(ws) -> dict:
    ref = uuid.uuid4().hex
    await ws.send(f'{{"type":"realtime.stats","ref":"{ref}"}}')
    return await until(ws, "realtime.stats")


def test_a_worker_holding_no_recipient_receives_no_envelope(two_workers):
    """100 events to a user on worker A: A receives them, B (holding another shard's user
    only) receives none; each event is one broker message to A."""
    alice, watcher_a, watcher_b = distinct_shard_users(3, staff=2)
    a, b = two_workers

    async def scenario():
        alice_ws = await open_socket(a, alice)
        stats_a, stats_b = await open_socket(a, watcher_a), await open_socket(b, watcher_b)
        for ws in (alice_ws, stats_a, stats_b):
            await until(ws, "hello")
        before_a, before_b = await stats(stats_a), await stats(stats_b)
        for n in range(100):
            await asyncio.to_thread(publish, {"type": "notification", "n": n}, [alice.pk])
        received = [(await until(alice_ws, "notification"))["n"] for _ in range(100)]
        assert received == list(range(100))
        after_a, after_b = await stats(stats_a), await stats(stats_b)
        assert after_b["envelopes"] - before_b["envelopes"] == 0
        assert after_a["envelopes"] - before_a["envelopes"] == 100
        assert after_b["shards"] == [shard_of(watcher_b.pk, SHARDS)]
        for ws in (alice_ws, stats_a, stats_b):
            await ws.close()

    async_to_sync(scenario)()


def test_a_socket_gets_a_frame_published_right_after_it_opened(two_workers):
    """A frame published the moment the handshake completes reaches the socket, for users
    whose shard the worker did not hold before (the join is done before the accept)."""
    users = distinct_shard_users(10)

    async def scenario():
        for n, user in enumerate(users):
            ws = await open_socket(two_workers[n % 2], user)
            await asyncio.to_thread(publish, {"type": "notification", "n": n}, [user.pk])
            assert (await until(ws, "notification"))["n"] == n
            await ws.close()

    async_to_sync(scenario)()


def test_a_workers_own_event_reaches_its_sockets_once(two_workers):
    """A message sent on worker A to a member also on A arrives once (delivered locally; the
    broker's echo is skipped), and a member on B gets it through the broker."""
    anna, boris, vera, watcher = distinct_shard_users(4, staff=1)
    chat = GroupFactory(created_by=anna, members=[boris, vera])
    a, b = two_workers

    async def scenario():
        anna_ws, boris_ws = await open_socket(a, anna), await open_socket(a, boris)
        vera_ws, watcher_ws = await open_socket(b, vera), await open_socket(a, watcher)
        for ws in (anna_ws, boris_ws, vera_ws, watcher_ws):
            await until(ws, "hello")
        before = await stats(watcher_ws)
        await anna_ws.send(
            f'{{"type":"message.send","chat":{chat.pk},"client_id":"{uuid.uuid4()}","text":"hi"}}'
        )
        assert (await until(boris_ws, "message.new"))["message"]["text"] == "hi"
        assert (await until(vera_ws, "message.new"))["message"]["text"] == "hi"
        # A second message from elsewhere: boris gets it, and nothing more.
        await asyncio.to_thread(
            services.message_send, sender=vera, chat=chat, text="second", client_id=uuid.uuid4()
        )
        assert (await until(boris_ws, "message.new"))["message"]["text"] == "second"
        after = await stats(watcher_ws)
        for _ in range(50):  # the echo of the first may still be on its way: wait for it
            if after["echoes"] - before["echoes"] >= 2:
                break
            after = await stats(watcher_ws)
        assert after["echoes"] - before["echoes"] >= 2  # anna's and boris's shards
        assert after["local"] - before["local"] >= 2
        with pytest.raises(asyncio.TimeoutError):
            await until(boris_ws, "message.new", timeout=0.5)
        for ws in (anna_ws, boris_ws, vera_ws, watcher_ws):
            await ws.close()

    async_to_sync(scenario)()


def test_ended_session_is_routed_to_the_worker_holding_it(two_workers):
    """Closing alice's sockets closes them on A (4001); B, holding no socket of hers,
    receives no envelope for it."""
    alice, watcher_b = distinct_shard_users(2, staff=1)
    a, b = two_workers

    async def scenario():
        alice_ws, stats_b = await open_socket(a, alice), await open_socket(b, watcher_b)
        for ws in (alice_ws, stats_b):
            await until(ws, "hello")
        before = await stats(stats_b)
        await asyncio.to_thread(close_sockets, [alice.pk])
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await until(alice_ws, "never")
        assert closed.value.rcvd.code == 4001
        after = await stats(stats_b)
        assert after["envelopes"] == before["envelopes"]
        await stats_b.close()

    async_to_sync(scenario)()
