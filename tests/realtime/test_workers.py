"""Two real uvicorn worker processes sharing Redis: events and session ends cross processes.

These run in the PostgreSQL + Redis pass (`make test-services`); with the in-memory layer two
processes cannot share events, so they are skipped there.
"""

import asyncio
import json
import os

import pytest
import websockets
from asgiref.sync import async_to_sync
from django.conf import settings

from messenger.realtime import close_sockets, publish
from tests.conftest import session_cookie_for, start_asgi_server
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (make test-services)"),
]


@pytest.fixture
def two_workers(transactional_db, smtp_sink):
    servers = [start_asgi_server(smtp_sink), start_asgi_server(smtp_sink)]
    yield servers
    for server in servers:
        server.process.terminate()
    for server in servers:
        server.process.wait(timeout=10)


async def open_socket(server, user):
    # The session is saved with the ORM: not on the event loop (Django's async-safety check).
    cookie = await asyncio.to_thread(session_cookie_for, user, server)
    return await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"{cookie['name']}={cookie['value']}"},
    )


async def next_frame(ws, timeout=5.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_event_reaches_sockets_on_both_workers(two_workers):
    """One published event reaches the addressed user's sockets on worker A and on worker B."""
    alice, bob = UserFactory(), UserFactory()

    async def scenario():
        a1 = await open_socket(two_workers[0], alice)
        a2 = await open_socket(two_workers[1], alice)
        b = await open_socket(two_workers[1], bob)
        for ws in (a1, a2, b):
            assert (await next_frame(ws))["type"] == "hello"
        # Publish from a third process (this test) through the same Redis.
        await asyncio.to_thread(publish, {"type": "notification", "n": 1}, [alice.pk])
        assert await next_frame(a1) == {"type": "notification", "n": 1}
        assert await next_frame(a2) == {"type": "notification", "n": 1}
        with pytest.raises(asyncio.TimeoutError):
            await next_frame(b, timeout=0.5)
        for ws in (a1, a2, b):
            await ws.close()

    async_to_sync(scenario)()


def test_ended_session_closes_sockets_on_every_worker(two_workers):
    """Closing a user's sockets (logout elsewhere) closes them on both workers with 4001."""
    alice = UserFactory()

    async def scenario():
        sockets = [await open_socket(server, alice) for server in two_workers]
        for ws in sockets:
            await next_frame(ws)
        await asyncio.to_thread(close_sockets, [alice.pk])
        for ws in sockets:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await next_frame(ws)
            assert closed.value.rcvd.code == 4001

    async_to_sync(scenario)()


def test_settings_use_redis_pubsub_layer():
    """The production pass really runs on the Redis pub/sub channel layer."""
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisPubSubChannelLayer")
