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
from asgiref.sync import async_to_sync, sync_to_async

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
# The owner's first message (seq 1), then every message, edit and reaction.
EXPECTED_CHANGES = 1 + SENDERS * (MESSAGES_PER_SENDER + 2 * TOUCHES_PER_SENDER)


@dataclass
class Member:
    """One socket of a chat member. It records the seq of every live change frame per chat
    and, for the chat under test, applies them the way docs/realtime-protocol.md tells a
    client to: the next seq is applied, a smaller one is a duplicate, a larger one is a gap
    the client would answer with `sync` (counted here, not sent)."""

    name: str
    ws: websockets.ClientConnection
    chat_id: int | None = None
    seen: dict[int, list[int]] = field(default_factory=dict)  # chat -> seqs as received
    acks: asyncio.Queue = field(default_factory=asyncio.Queue)
    errors: list[dict] = field(default_factory=list)
    opened: asyncio.Event = field(default_factory=asyncio.Event)  # got seq 1
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)

    def apply(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message.ack":
            self.acks.put_nowait(frame["message"])
        elif kind == "error":
            self.errors.append(frame)
        seq, chat = frame.get("seq"), frame.get("chat")
        if kind == "read" or not isinstance(seq, int) or chat is None:
            return  # `read` carries a read mark, not a change number
        self.seen.setdefault(chat, []).append(seq)
        if chat == self.chat_id and seq == 1:
            self.opened.set()
        if chat == self.chat_id and seq >= EXPECTED_CHANGES:
            self.caught_up.set()

    def replay(self) -> tuple[int, list[tuple[int, int]], list[tuple[int, int]]]:
        """(last seq applied, frames out of order as (seq, after seq), syncs a client
        following the protocol would send as (seq received, seq expected))."""
        last = highest = 0
        held: set[int] = set()
        out_of_order, syncs = [], []
        for seq in self.seen.get(self.chat_id, []):
            if seq < highest:
                out_of_order.append((seq, highest))
            highest = max(highest, seq)
            if seq <= last:
                continue
            if seq > last + 1:
                if not held:
                    syncs.append((seq, last + 1))
                held.add(seq)
                continue
            last = seq
            while last + 1 in held:
                held.discard(last + 1)
                last += 1
        return last, out_of_order, syncs

    async def read(self) -> None:
        try:
            async for text in self.ws:
                self.apply(json.loads(text))
        except websockets.ConnectionClosed:
            pass


async def _connect(server, user, name: str) -> Member:
    cookie = await sync_to_async(session_cookie_for)(user, server)
    ws = await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"{cookie['name']}={cookie['value']}"},
        open_timeout=10,
        max_queue=None,
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert hello["type"] == "hello", hello
    return Member(name, ws)


async def _say(member: Member, text: str) -> None:
    await member.ws.send(
        json.dumps(
            {
                "type": "message.send",
                "chat": member.chat_id,
                "client_id": str(uuid.uuid4()),
                "text": text,
            }
        )
    )


async def _write(member: Member, index: int) -> None:
    """Send this member's messages back to back; edit and react to every TOUCH_EVERY-th one
    as soon as it is acknowledged, while the others are still writing."""
    for number in range(MESSAGES_PER_SENDER):
        await _say(member, f"{index}:{number}")
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
    """Members spread over `servers`; the owner opens the group with a first message that
    every member receives (so every worker has seen the group: see "Live order" in
    docs/realtime-protocol.md), then the senders write into it at once. Assert every
    socket's stream of the group's changes is in order."""
    users = [UserFactory() for _ in range(SENDERS + LISTENERS)]
    chat = GroupFactory(created_by=users[0], members=users[1:])
    assert chat.last_seq == 0

    async def scenario():
        members = [
            await _connect(servers[i % len(servers)], user, f"member{i}")
            for i, user in enumerate(users)
        ]
        for m in members:
            m.chat_id = chat.pk
        readers = [asyncio.create_task(m.read()) for m in members]
        try:
            await _say(members[0], "hello")
            await asyncio.wait_for(members[0].acks.get(), 30)
            await asyncio.wait_for(asyncio.gather(*(m.opened.wait() for m in members)), timeout=30)
            await asyncio.gather(*(_write(members[i], i) for i in range(SENDERS)))
            await asyncio.wait_for(
                asyncio.gather(*(m.caught_up.wait() for m in members)), timeout=120
            )
        finally:
            for m in members:
                await m.ws.close()
            await asyncio.gather(*readers)
        return members

    members = async_to_sync(scenario)()
    chat.refresh_from_db()
    assert chat.last_seq == EXPECTED_CHANGES
    for m in members:
        assert m.errors == [], (m.name, m.errors[:3])
        last, out_of_order, syncs = m.replay()
        assert last == EXPECTED_CHANGES, m.name
        assert out_of_order == [], (m.name, len(out_of_order), out_of_order[:5])
        assert syncs == [], (m.name, len(syncs), syncs[:5])


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
