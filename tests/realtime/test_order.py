"""Per-chat live order under concurrent writers, on real server processes.

Several members write into one group at once (messages, and edits and reactions of their own
messages) from separate sockets, so their changes commit on different database threads and,
with two workers, in different processes. Every member's socket must receive the chat's
changes in strictly increasing seq with no gap: a client that follows docs/realtime-protocol.md
then never has a reason to `sync`.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from dataclasses import dataclass, field

import pytest
import websockets
from asgiref.sync import async_to_sync

from chats.models import Chat
from tests.conftest import session_cookie_for, start_asgi_server
from tests.factories import GroupFactory, UserFactory
from tests.realtime.faults import FAST_SENDERS, stop_server

pytestmark = pytest.mark.server

SENDERS = 3
MESSAGES_PER_SENDER = 200
# Every this many messages a sender edits and reacts to one of its own: changes that take the
# chat's next seq like a send, racing the other senders' messages.
TOUCH_EVERY = 20
LISTENERS = 2  # members who only read
TOUCHES_PER_SENDER = MESSAGES_PER_SENDER // TOUCH_EVERY
EXPECTED_CHANGES = SENDERS * (MESSAGES_PER_SENDER + 2 * TOUCHES_PER_SENDER)


@dataclass
class Member:
    """One socket of a chat member that applies live frames the way docs/realtime-protocol.md
    tells a client to: the next seq is applied, a smaller one is a duplicate, a larger one is
    a gap the client would answer with `sync` (counted here, not sent)."""

    name: str
    ws: websockets.ClientConnection
    chat_id: int
    last: int = 0
    highest: int = 0
    out_of_order: list[tuple[int, int]] = field(default_factory=list)  # (seq, after seq)
    syncs: list[tuple[int, int]] = field(default_factory=list)  # (seq, expected seq)
    held: set[int] = field(default_factory=set)
    acks: asyncio.Queue = field(default_factory=asyncio.Queue)
    errors: list[dict] = field(default_factory=list)
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)

    def apply(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message.ack":
            self.acks.put_nowait(frame["message"])
        elif kind == "error":
            self.errors.append(frame)
        if frame.get("chat") != self.chat_id or kind == "read":
            return  # `read` carries a read mark, not a change number
        seq = frame.get("seq")
        if not isinstance(seq, int):
            return
        if seq < self.highest:
            self.out_of_order.append((seq, self.highest))
        self.highest = max(self.highest, seq)
        if seq <= self.last:
            return
        if seq > self.last + 1:
            if not self.held:
                self.syncs.append((seq, self.last + 1))
            self.held.add(seq)
            return
        self.last = seq
        while self.last + 1 in self.held:
            self.held.discard(self.last + 1)
            self.last += 1
        if self.last >= EXPECTED_CHANGES:
            self.caught_up.set()

    async def read(self) -> None:
        try:
            async for text in self.ws:
                self.apply(json.loads(text))
        except websockets.ConnectionClosed:
            pass


async def _connect(server, user, chat_id: int, name: str) -> Member:
    cookie = session_cookie_for(user, server)
    ws = await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"{cookie['name']}={cookie['value']}"},
        open_timeout=10,
        max_queue=None,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert hello["type"] == "hello", hello
    return Member(name, ws, chat_id)


async def _write(member: Member, index: int) -> None:
    """Send this member's messages back to back; edit and react to every TOUCH_EVERY-th one
    as soon as it is acknowledged, while the others are still writing."""
    for number in range(MESSAGES_PER_SENDER):
        await member.ws.send(
            json.dumps(
                {
                    "type": "message.send",
                    "chat": member.chat_id,
                    "client_id": str(uuid.uuid4()),
                    "text": f"{index}:{number}",
                }
            )
        )
    for number in range(MESSAGES_PER_SENDER):
        message = await asyncio.wait_for(member.acks.get(), 60)
        if number % TOUCH_EVERY == 0:
            await member.ws.send(
                json.dumps({"type": "message.edit", "message": message["id"], "text": "edited"})
            )
            await member.ws.send(
                json.dumps({"type": "reaction.add", "message": message["id"], "emoji": "👍"})
            )


def _run(servers) -> None:
    """Senders and listeners spread over `servers`; assert every socket's stream is in order."""
    users = [UserFactory() for _ in range(SENDERS + LISTENERS)]
    chat = GroupFactory(created_by=users[0], members=users[1:])
    assert chat.last_seq == 0

    async def scenario():
        members = [
            await _connect(servers[i % len(servers)], user, chat.pk, f"member{i}")
            for i, user in enumerate(users)
        ]
        readers = [asyncio.create_task(m.read()) for m in members]
        await asyncio.gather(*(_write(members[i], i) for i in range(SENDERS)))
        try:
            await asyncio.wait_for(
                asyncio.gather(*(m.caught_up.wait() for m in members)), timeout=120
            )
        finally:
            for m in members:
                await m.ws.close()
            await asyncio.gather(*readers)
        return members

    members = async_to_sync(scenario)()
    chat = Chat.objects.get(pk=chat.pk)
    assert chat.last_seq == EXPECTED_CHANGES
    for m in members:
        assert m.errors == [], (m.name, m.errors[:3])
        assert m.last == EXPECTED_CHANGES, m.name
        assert m.out_of_order == [], (m.name, len(m.out_of_order), m.out_of_order[:5])
        assert m.syncs == [], (m.name, len(m.syncs), m.syncs[:5])


@pytest.fixture
def start_workers(transactional_db, smtp_sink):
    """`start_workers(n)` → n server processes on the test database with fast senders."""
    started = []

    def start(count: int):
        servers = [start_asgi_server(smtp_sink, extra_env=FAST_SENDERS) for _ in range(count)]
        started.extend(servers)
        return servers

    yield start
    for server in started:
        stop_server(server)


def test_concurrent_writers_reach_every_socket_in_seq_order_on_one_worker(start_workers):
    """3 members × 200 messages (with edits and reactions) at once through one worker: every
    member's socket receives all changes in strictly increasing seq, with no gap to sync."""
    _run(start_workers(1))


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (make test-services)")
def test_concurrent_writers_reach_every_socket_in_seq_order_across_workers(start_workers):
    """The same writers split over two workers sharing Redis: changes committed in different
    processes still reach every socket on either worker in seq order, with no gap to sync."""
    _run(start_workers(2))
