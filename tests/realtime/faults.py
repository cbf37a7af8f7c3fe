"""Helpers of the fault tests: worker processes, a Redis of their own to restart, and a chat
client that keeps an outbox and catches up with `sync` the way the browser does
(static/js/socket.js)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from django.conf import settings

from tests.conftest import ROOT, LiveServer, free_port, session_cookie_for

# Fast senders: the default per-socket rate limit (20/s) would make a 2,000 message stream
# take minutes; the limit itself is tested in tests/realtime/test_hub.py.
FAST_SENDERS = {"REALTIME_RATE_PER_SECOND": "5000", "REALTIME_RATE_BURST": "5000"}


# -- processes -------------------------------------------------------------------------------
def stop_server(server: LiveServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def health(server: LiveServer) -> tuple[int, dict]:
    """The worker's /healthz answer: (status, {"ok", "database", "channel_layer"})."""
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class OwnRedis:
    """A throwaway Redis of one fault test (bin/redis-up on a free port, files in its own
    folder). A test that stops Redis stops this one, never the Redis of bin/with-services that
    the other test processes share; give its `url` to the servers the test starts."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.port = 0
        for _attempt in range(3):  # the free port may be taken before redis-server binds it
            self.port = free_port()
            if self._up().returncode == 0 and self._serves_this_directory():
                return
        raise RuntimeError(f"redis-server did not start; see {directory / 'redis.log'}")

    def _serves_this_directory(self) -> bool:
        """The Redis answering on the port is this one, not another process's."""
        answer = subprocess.run(
            ["redis-cli", "-p", str(self.port), "config", "get", "dir"],
            capture_output=True,
            text=True,
        ).stdout.split()
        return answer[1:] == [str(self.directory.resolve())]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _up(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ROOT / "bin" / "redis-up"), str(self.port), str(self.directory)],
            capture_output=True,
        )

    def stop(self) -> None:
        """Shut it down without saving, as losing the broker would."""
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )

    def start(self) -> None:
        """Start it again on the same port and folder; return once it answers."""
        result = self._up()
        assert result.returncode == 0, result.stderr.decode()


async def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.02)


def terminate_backends(database_url: str, application_name: str) -> int:
    """Kill every PostgreSQL backend of `application_name` (a worker's connections); how many."""
    import psycopg

    with psycopg.connect(database_url.split("?")[0], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name = %s",
            [application_name],
        ).fetchall()
    return sum(1 for (done,) in rows if done)


# -- a chat client -----------------------------------------------------------------------------
@dataclass
class Device:
    """One browser tab of `user`: sends with unique client_ids, remembers acks, collects every
    message it learns of (live `message.new` or `sync.result`) by seq, and after a reconnect
    sends `sync` from its last contiguous seq and resends its unacknowledged outbox."""

    name: str
    cookie: str
    chat_id: int
    server: LiveServer
    received: dict[int, int] = field(default_factory=dict)  # seq -> message id
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> message id
    outbox: dict[str, str] = field(default_factory=dict)  # client_id -> text, not acked yet
    sent_ids: set[str] = field(default_factory=set)  # every client_id this tab ever used
    errors: list[dict] = field(default_factory=list)  # not yet handled by resend_errored
    error_log: list[dict] = field(default_factory=list)  # every error frame received
    conflicts: list[str] = field(default_factory=list)
    live_duplicates: list[int] = field(default_factory=list)  # seqs sent twice on one socket
    _live_seqs: set[int] = field(default_factory=set)  # seqs of message.new on this socket
    ws: object = None
    _reader: asyncio.Task | None = None
    _synced: asyncio.Event = field(default_factory=asyncio.Event)
    _sync_done: bool = True

    @classmethod
    def for_user(cls, user, chat_id: int, server: LiveServer, name: str) -> Device:
        cookie = session_cookie_for(user, server)
        return cls(name, f"{settings.SESSION_COOKIE_NAME}={cookie['value']}", chat_id, server)

    @property
    def alive(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def contiguous_seq(self) -> int:
        seq = 0
        while seq + 1 in self.received:
            seq += 1
        return seq

    async def connect(self, server: LiveServer | None = None) -> None:
        self.server = server or self.server
        self.ws = await websockets.connect(
            self.server.ws_url,
            origin=self.server.url,
            additional_headers={"Cookie": self.cookie},
            open_timeout=10,
            max_queue=None,
        )
        self._live_seqs = set()
        hello = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert hello["type"] == "hello", hello
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for text in self.ws:
                self._apply(json.loads(text))
        except websockets.ConnectionClosed:
            pass

    def _learn(self, seq: int, message_id: int) -> None:
        known = self.received.setdefault(seq, message_id)
        if known != message_id:
            self.conflicts.append(f"{self.name}: seq {seq} was {known}, now {message_id}")

    def _apply(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message.ack":
            self.acked[frame["client_id"]] = frame["message"]["id"]
            self.outbox.pop(frame["client_id"], None)
        elif kind == "message.new":
            if frame["seq"] in self._live_seqs:
                self.live_duplicates.append(frame["seq"])
            self._live_seqs.add(frame["seq"])
            self._learn(frame["seq"], frame["message"]["id"])
        elif kind == "sync.result":
            result = frame["chats"][str(self.chat_id)]
            for event in result["events"]:
                if event["type"] == "message.new":
                    self._learn(event["seq"], event["message"]["id"])
            self._sync_done = result["complete"]
            self._synced.set()
        elif kind == "error":
            self.errors.append(frame)
            self.error_log.append(frame)
            # An errored send stays in the outbox: the client resends it with its client_id.

    async def send(self, text: str, client_id: str | None = None) -> str:
        client_id = client_id or str(uuid.uuid4())
        self.outbox[client_id] = text
        self.sent_ids.add(client_id)
        frame = {"type": "message.send", "chat": self.chat_id, "client_id": client_id}
        await self.ws.send(json.dumps({**frame, "text": text}))
        return client_id

    async def sync(self, timeout: float = 20.0) -> None:
        """Ask for everything after the last contiguous seq until the answer is complete."""
        self._sync_done = False
        while not self._sync_done:
            self._synced.clear()
            since = self.contiguous_seq()
            await self.ws.send(json.dumps({"type": "sync", "chats": {str(self.chat_id): since}}))
            await asyncio.wait_for(self._synced.wait(), timeout)

    async def resend_outbox(self) -> None:
        for client_id, text in list(self.outbox.items()):
            await self.send(text, client_id)

    async def resend_errored(self) -> int:
        """Resend the sends answered with an `error` frame (same client_id); how many."""
        refs = [e.get("ref") for e in self.errors if e.get("ref") in self.outbox]
        self.errors.clear()
        for client_id in dict.fromkeys(refs):
            await self.send(self.outbox[client_id], client_id)
        return len(refs)

    async def reconnect(self, server: LiveServer) -> None:
        """After the socket died: connect (to `server`), catch up, resend the outbox."""
        await self.close()
        await self.connect(server)
        await self.sync()
        await self.resend_outbox()

    async def wait_outbox_empty(self, timeout: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.outbox and self.alive:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name}: {len(self.outbox)} sends never acked")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
