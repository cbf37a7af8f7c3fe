"""The /ws/ consumer and the per-process hub: auth, addressing, limits, closing."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from messenger.asgi import application
from messenger.realtime import apublish, close_sockets
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1")


async def connect_as(user, *, origin=ORIGIN, session_key=None):
    """Open /ws/ as `user` through the real ASGI stack (origin check + session auth)."""
    # Host as a browser sends it: the origin check compares Origin with the handshake's host.
    headers = [(b"host", b"127.0.0.1"), *([origin] if origin else [])]
    if user is not None:
        session_key = session_key or await database_sync_to_async(_login)(user)
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def refusal_code(communicator, connected: bool, code) -> int | None:
    """The close code of a refused socket: an unauthenticated one is accepted and closed at
    once with 4401 (so a browser can read it); an Origin refusal closes the handshake itself
    (an HTTP 403 under a real server; its code here is None or 1000)."""
    if not connected:
        return code
    output = await communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close", output
    return output.get("code")


def _login(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def test_anonymous_socket_is_refused():
    """A socket without a session is closed with 4401 and receives nothing."""
    communicator, connected, code = await connect_as(None)
    assert await refusal_code(communicator, connected, code) == 4401
    assert await communicator.receive_nothing()


async def test_foreign_origin_is_refused():
    """A handshake from another site is refused even with a valid session cookie."""
    user = await database_sync_to_async(UserFactory)()
    _communicator, connected, _ = await connect_as(user, origin=(b"origin", b"http://evil.example"))
    assert not connected


async def test_missing_origin_with_cookie_is_refused():
    """A handshake without an Origin header and with a session cookie is refused."""
    user = await database_sync_to_async(UserFactory)()
    _communicator, connected, _ = await connect_as(user, origin=None)
    assert not connected


async def test_logged_in_socket_gets_hello_and_pong():
    """An authenticated socket is greeted with its user id and answers ping."""
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, _ = await connect_as(user)
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": user.pk}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_publish_reaches_only_addressed_users():
    """A published frame arrives at every socket of the addressed users and no one else."""
    alice, bob, carol = [await database_sync_to_async(UserFactory)() for _ in range(3)]
    sockets = {}
    for name, person in (("alice1", alice), ("alice2", alice), ("bob", bob), ("carol", carol)):
        communicator, connected, _ = await connect_as(person)
        assert connected
        await communicator.receive_json_from()  # hello
        sockets[name] = communicator

    await apublish({"type": "notification", "text": "hi"}, [alice.pk, bob.pk])

    for name in ("alice1", "alice2", "bob"):
        assert await sockets[name].receive_json_from() == {"type": "notification", "text": "hi"}
    assert await sockets["carol"].receive_nothing(timeout=0.2)
    for communicator in sockets.values():
        await communicator.disconnect()


async def test_close_sockets_keeps_the_current_session():
    """After a credential change the user's other sessions' sockets close; this one stays."""
    user = await database_sync_to_async(UserFactory)()
    keep_key = await database_sync_to_async(_login)(user)
    kept, connected, _ = await connect_as(user, session_key=keep_key)
    other, connected_other, _ = await connect_as(user)
    assert connected and connected_other
    await kept.receive_json_from()
    await other.receive_json_from()

    await database_sync_to_async(close_sockets)([user.pk], keep_session=keep_key)

    assert (await other.receive_output(timeout=1))["code"] == 4001
    await kept.send_json_to({"type": "ping"})
    assert await kept.receive_json_from() == {"type": "pong"}
    await kept.disconnect()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "invalid"),
        ('{"type": 5}', "invalid"),
        ('{"type": "no.such.frame"}', "unknown_type"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_usable(text, code):
    """Malformed frames are answered with an `error` frame; the connection keeps working."""
    user = await database_sync_to_async(UserFactory)()
    communicator, _, _ = await connect_as(user)
    await communicator.receive_json_from()
    await communicator.send_to(text_data=text)
    error = await communicator.receive_json_from()
    assert error["type"] == "error"
    assert error["code"] == code
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_oversized_frame_is_refused_and_closed():
    """A frame over the size limit gets `too_large` and the socket is closed with 4009."""
    user = await database_sync_to_async(UserFactory)()
    with override_settings(
        REALTIME={**settings.REALTIME, "MAX_FRAME_BYTES": 100, "RATE_BURST": 10}
    ):
        communicator, _, _ = await connect_as(user)
        await communicator.receive_json_from()
        await communicator.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 200}))
        assert (await communicator.receive_json_from())["code"] == "too_large"
        assert (await communicator.receive_output(timeout=1))["code"] == 4009


async def test_frame_flood_is_rate_limited():
    """Past the burst allowance frames get `rate_limited` instead of being handled."""
    user = await database_sync_to_async(UserFactory)()
    with override_settings(
        REALTIME={**settings.REALTIME, "RATE_PER_SECOND": 0.01, "RATE_BURST": 3}
    ):
        communicator, _, _ = await connect_as(user)
        await communicator.receive_json_from()
        replies = []
        for _ in range(5):
            await communicator.send_json_to({"type": "ping"})
            replies.append(await communicator.receive_json_from())
        assert [r["type"] for r in replies] == ["pong"] * 3 + ["error"] * 2
        assert replies[-1]["code"] == "rate_limited"
        await communicator.disconnect()
