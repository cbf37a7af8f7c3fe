"""The per-socket send queue: direct writes to idle sockets, order and bounds for slow ones."""

import asyncio

import pytest

from messenger.realtime.hub import SendQueue

pytestmark = pytest.mark.asyncio


class Peer:
    """A socket's write side; `slow` makes every write wait until `release()`."""

    def __init__(self, *, slow: bool = False) -> None:
        self.written: list[str] = []
        self.slow = slow
        self.gate = asyncio.Event()

    async def send(self, text: str) -> None:
        if self.slow:
            await self.gate.wait()
        self.written.append(text)

    def release(self) -> None:
        self.slow = False
        self.gate.set()


async def test_frame_to_an_idle_socket_is_written_at_once():
    """A frame for a socket with nothing pending is on the wire before put() returns."""
    peer = Peer()
    queue = SendQueue(peer.send, 10, lambda: None)
    assert queue.put("a")
    assert peer.written == ["a"]
    assert queue.put("b")
    assert peer.written == ["a", "b"]


async def test_frames_behind_a_waiting_write_keep_their_order():
    """When a write must wait, later frames queue and follow it in order."""
    peer = Peer(slow=True)
    queue = SendQueue(peer.send, 10, lambda: None)
    for text in ("a", "b", "c"):
        assert queue.put(text)
    await asyncio.sleep(0)
    assert peer.written == []
    peer.release()
    for _ in range(10):
        await asyncio.sleep(0)
    assert peer.written == ["a", "b", "c"]
    assert queue.put("d")
    assert peer.written == ["a", "b", "c", "d"]


async def test_a_socket_that_does_not_read_is_dropped_not_waited_for():
    """Past the limit the queue empties and the overflow callback closes the socket."""
    peer = Peer(slow=True)
    dropped = []
    queue = SendQueue(peer.send, 3, lambda: dropped.append(True))
    results = [queue.put(str(i)) for i in range(5)]
    assert results == [True, True, True, True, False]
    assert dropped == [True]
    queue.cancel()
    peer.release()
    await asyncio.sleep(0)
    assert peer.written == []


async def test_a_failing_write_does_not_raise_into_the_publisher():
    """A write to a socket that went away is dropped; the caller (the hub) goes on."""

    async def broken(text: str) -> None:
        raise ConnectionResetError

    queue = SendQueue(broken, 10, lambda: None)
    assert queue.put("a") is False


@pytest.mark.django_db(transaction=True)
async def test_publishes_from_a_database_thread_arrive_in_order_without_blocking_it():
    """Frames a service publishes from a worker thread reach the socket in publish order."""
    from channels.db import database_sync_to_async

    from messenger.realtime import publish
    from messenger.realtime.db import db
    from tests.factories import UserFactory
    from tests.realtime.test_hub import connect_as

    user, other = [await database_sync_to_async(UserFactory)() for _ in range(2)]
    communicator, connected, _ = await connect_as(user)
    assert connected
    await communicator.receive_json_from()  # hello
    bystander, _, _ = await connect_as(other)
    await bystander.receive_json_from()

    def publish_many() -> None:
        for n in range(50):
            publish({"type": "notification", "n": n}, [user.pk])

    await db(publish_many)()
    received = [(await communicator.receive_json_from())["n"] for _ in range(50)]
    assert received == list(range(50))
    assert await bystander.receive_nothing(timeout=0.2)
    await communicator.disconnect()
    await bystander.disconnect()


async def test_publishes_wait_in_order_for_a_slow_broker_and_stay_bounded(monkeypatch):
    """While the broker does not answer, envelopes queue in order; past the limit the oldest
    are given up (they are stored; clients catch up with `sync`), newer ones go out after."""
    from messenger.realtime import hub

    broker_back = asyncio.Event()
    sent: list[int] = []

    async def slow_group_send(envelope):
        await broker_back.wait()
        sent.append(envelope["n"])

    monkeypatch.setattr(hub, "_group_send", slow_group_send)
    monkeypatch.setattr(hub, "OUTBOX_LIMIT", 3)
    outbox = hub._Outbox()
    for n in range(6):
        outbox.post({"n": n})
    await asyncio.sleep(0)
    broker_back.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert sent == [3, 4, 5]
