"""Hostile and random socket frames (hypothesis, fixed seed): bad JSON, wrong types, every frame
type with random payloads, deep nesting, huge frames and floods. Every frame gets an `error`
frame, a normal answer or a documented close code; never an `internal` error, and the socket
(unless closed on purpose) and the server keep answering `ping`."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import messenger.realtime.consumer  # noqa: F401  (registers `ping`)
from messenger.realtime.frames import registered_types
from tests.factories import DialogFactory, GroupFactory, MessageFactory, UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = pytest.mark.django_db(transaction=True)

FUZZ = hypothesis_settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
ID_KEYS = ["chat", "message", "seq", "reply_to", "sticker", "chats", "attachments", "call"]
STRING_KEYS = ["client_id", "text", "emoji", "for", "reason", "state", "sdp", "ref"]


def frame_payloads():
    """Objects with a known type and keys the handlers read, holding random values."""
    keys = st.sampled_from(ID_KEYS + STRING_KEYS + ["candidate", "video", "duration"])
    small_ids = st.integers(min_value=-2, max_value=6)
    values = small_ids | json_values
    return st.builds(
        lambda frame_type, body: json.dumps({**body, "type": frame_type}),
        st.sampled_from([*registered_types(), "nope", ""]),
        st.dictionaries(keys, values, max_size=6),
    )


def raw_texts():
    return (
        st.text(max_size=200)
        | st.binary(max_size=100).map(lambda b: b.decode("latin-1"))
        | json_values.map(json.dumps)
        | st.sampled_from(["", "{", "null", "[]", '{"type": 1}', '{"type": null}', '"ping"'])
    )


def nested(depth: int) -> str:
    return '{"type": "sync", "chats": ' + "[" * depth + "]" * depth + "}"


async def answers_ping(communicator) -> list[dict]:
    """Send `ping`, return what came before `pong` (fails if the socket closed instead)."""
    await communicator.send_json_to({"type": "ping"})
    before = []
    while True:
        output = await communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.send", f"socket closed: {output}"
        frame = json.loads(output["text"])
        if frame["type"] == "pong":
            return before
        before.append(frame)


def world():
    """A user in a group and a dialog with a message each, so small ids hit real objects."""
    user, friend = UserFactory(), UserFactory()
    group = GroupFactory(created_by=user, members=[friend])
    MessageFactory(sender=friend, chat=group, text="hello")
    MessageFactory(sender=user, chat=DialogFactory(user=user, other=friend), text="hi")
    return user


@pytest.fixture
def fuzz_user(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REALTIME = {**settings.REALTIME, "RATE_PER_SECOND": 10_000.0, "RATE_BURST": 10_000}
    return world()


async def send_all(user, texts: list[str]) -> None:
    communicator, connected, _code = await connect_as(user)
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    for text in texts:
        await communicator.send_input({"type": "websocket.receive", "text": text})
        for frame in await answers_ping(communicator):
            assert frame.get("code") != "internal", (text, frame)
    await communicator.disconnect()


@FUZZ
@given(texts=st.lists(raw_texts() | frame_payloads(), min_size=1, max_size=8))
def test_random_frames_get_answers_and_the_socket_stays_usable(fuzz_user, texts):
    """Random text, random JSON, and every frame type with random payloads."""
    async_to_sync(send_all)(fuzz_user, texts)


@pytest.mark.asyncio
@pytest.mark.parametrize("depth", [50, 1_000, 30_000])
async def test_deep_nesting_is_an_error_not_a_crash(fuzz_user, depth):
    """A frame nested thousands deep (within the size limit) is refused with an error frame."""
    communicator, connected, _ = await connect_as(fuzz_user)
    assert connected
    await communicator.receive_json_from()
    await communicator.send_input({"type": "websocket.receive", "text": nested(depth)})
    replies = await answers_ping(communicator)
    assert [reply["type"] for reply in replies] == ["error"]
    assert replies[0]["code"] in ("invalid", "bad_json")
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_huge_frame_is_refused_and_closed_and_the_server_stays_usable(fuzz_user, settings):
    """A frame over MAX_FRAME_BYTES gets `too_large` and close 4009; a new socket works."""
    communicator, connected, _ = await connect_as(fuzz_user)
    assert connected
    await communicator.receive_json_from()
    huge = json.dumps({"type": "message.send", "text": "x" * settings.REALTIME["MAX_FRAME_BYTES"]})
    await communicator.send_input({"type": "websocket.receive", "text": huge})
    assert (await communicator.receive_json_from())["code"] == "too_large"
    assert (await communicator.receive_output(timeout=5)) == {
        "type": "websocket.close",
        "code": 4009,
    }
    again, connected, _ = await connect_as(fuzz_user)
    assert connected
    await again.receive_json_from()
    assert await answers_ping(again) == []
    await again.disconnect()


@pytest.mark.asyncio
async def test_flood_is_rate_limited_and_the_socket_recovers(transactional_db, settings):
    """Past the burst, frames get `rate_limited`; once the bucket refills, ping works again."""
    settings.REALTIME = {**settings.REALTIME, "RATE_PER_SECOND": 50.0, "RATE_BURST": 20}
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, _ = await connect_as(user)
    assert connected
    await communicator.receive_json_from()
    for _ in range(100):
        await communicator.send_input(
            {"type": "websocket.receive", "text": '{"type": "typing", "chat": 1}'}
        )
    codes = [(await communicator.receive_json_from(timeout=5))["code"] for _ in range(100)]
    assert codes.count("rate_limited") >= 70
    assert "internal" not in codes
    await communicator.receive_nothing(timeout=0.5)  # the bucket refills
    assert await answers_ping(communicator) == []
    await communicator.disconnect()


@pytest.mark.server
def test_real_server_answers_hostile_frames_and_survives_a_huge_one(live):
    """Against a real uvicorn worker: broken, deep and oversized frames get `error` frames, a 2 MB
    frame closes that socket, and the server still answers HTTP and new sockets."""
    import urllib.request

    from websockets.exceptions import ConnectionClosed

    from tests.realtime.test_chat_sync import Client as SocketClient

    user = UserFactory()
    client = SocketClient(live, user)
    many_chats = json.dumps({"type": "sync", "chats": {str(i): 0 for i in range(1000)}})
    for text in ["{", nested(30_000), '{"type": 7}', many_chats, '{"type": "nope"}']:
        client.ws.send(text)
        assert client.next()["type"] == "error", text
    # The server may close while the 2 MB are still being written: the client then sees the
    # close, or a reset of the half-sent write. Either way that socket is gone.
    with pytest.raises((ConnectionClosed, ConnectionResetError, BrokenPipeError)):
        client.ws.send("x" * (2 * 1024 * 1024))
        while True:
            client.next()
    with urllib.request.urlopen(f"{live.url}/healthz", timeout=5) as response:
        assert response.status == 200
    again = SocketClient(live, user)
    again.send({"type": "ping"})
    assert again.next() == {"type": "pong"}
    again.ws.close()
