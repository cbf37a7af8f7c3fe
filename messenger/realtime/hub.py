"""The per-process socket registry and its routed subscriptions to the channel layer.

Every worker process keeps the sockets it holds indexed by user id and listens on one channel
of the channel layer (in-memory by default, Redis pub/sub in production). Users are hashed into
`REALTIME["SHARDS"]` shards (`user_id % SHARDS`); a hub is a member of the group
`beseda.shard.<n>` exactly while it holds a socket of a user of shard n (joined before that
socket is accepted, left when the shard's last user goes). `publish` sends one envelope
`{user_ids, frame}` per shard that has recipients, carrying only that shard's user ids, so a
worker receives only envelopes for users it holds and writes the pre-serialised frame to its
own sockets of them. The publishing process delivers to its own sockets at once, without
waiting for the broker's echo, and skips the echo by its origin id. With the in-memory layer
the process's hubs are the only subscribers: that local delivery is all there is, and the layer
is not used for envelopes at all. A chat change's envelope carries its (chat, seq): each shard
of a hub releases those in seq order per chat (messenger/realtime/order.py), whatever order
they arrive in. See docs/realtime-protocol.md, "Routing".
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
import weakref
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from messenger.realtime.order import Reorder

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Generator

logger = logging.getLogger("beseda.realtime")

SHARD_GROUP = "beseda.shard.{}"
DELIVER = "beseda.deliver"
CLOSE = "beseda.close"
# Envelopes waiting for the broker in one process before the oldest are given up.
OUTBOX_LIMIT = 10_000
# The in-memory layer forgets group members after a day; re-join well before that.
REJOIN_SECONDS = 3600
# A shard whose join failed (broker unreachable) is tried again after this long.
JOIN_RETRY_SECONDS = 1.0


def shard_of(user_id: int, shards: int) -> int:
    """The shard of a user: stable across processes and restarts (documented, not secret)."""
    return user_id % shards


def shard_group(shard: int) -> str:
    return SHARD_GROUP.format(shard)


_origin: tuple[int, str] | None = None


def origin_id() -> str:
    """This process's id on envelopes it publishes (new after a fork: the pid is checked)."""
    global _origin
    pid = os.getpid()
    if _origin is None or _origin[0] != pid:
        _origin = (pid, uuid.uuid4().hex[:12])
    return _origin[1]


class Socket(Protocol):
    """What the hub needs of a connected socket (RealtimeConsumer implements it)."""

    user_id: int
    session_key: str | None

    def enqueue(self, text: str) -> None: ...

    def force_close(self, code: int) -> None: ...


def encode(frame: Mapping[str, Any]) -> str:
    """Serialise a frame once; the same text goes to every recipient."""
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False, default=str)


class Hub:
    """Sockets of this process by user id, fed by the shard groups of the users it holds."""

    def __init__(self) -> None:
        self.sockets: dict[int, set[Socket]] = {}
        self.channel_name: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.shards: int = settings.REALTIME["SHARDS"]
        # Per shard: users held plus connects under way (`reserve`); the hub is a member of
        # the shard's group while this is positive.
        self._holds: dict[int, int] = {}
        self._joined: set[int] = set()
        self._membership = asyncio.Lock()
        self._chores: set[asyncio.Task[None]] = set()
        self._retrying: set[int] = set()
        # envelopes: received from the broker (echoes included); echoes: of this process's own
        # publishes, skipped (delivered locally already); local: delivered in-process.
        self.stats = {
            "envelopes": 0,
            "echoes": 0,
            "local": 0,
            "frames_written": 0,
            "dropped_slow": 0,
            "joins": 0,
            "leaves": 0,
        }
        # Numbered frames (a chat's changes) go out per stream in number order; one stage per
        # held shard, since each shard gets its own envelope of every change (created when the
        # shard is first held, dropped when it is left: a shard held again starts afresh).
        self.orders: dict[int, Reorder] = {}

    # -- registry --------------------------------------------------------------------------
    async def reserve(self, user_id: int) -> None:
        """Join `user_id`'s shard before its socket is accepted: once the client sees the
        socket open, every frame published to the user reaches this hub. Pair with
        `release` after `register` (or if the connect fails)."""
        shard = shard_of(user_id, self.shards)
        self._hold(shard)
        try:
            await self.start()
            await self._join(shard)
        except BaseException:
            self._unhold(shard)
            raise

    def release(self, user_id: int) -> None:
        self._unhold(shard_of(user_id, self.shards))

    async def register(self, socket: Socket) -> None:
        held = self.sockets.get(socket.user_id)
        shard = shard_of(socket.user_id, self.shards)
        if held is None:
            held = self.sockets[socket.user_id] = set()
            self._hold(shard)
        held.add(socket)
        await self.start()
        await self._join(shard)

    def unregister(self, socket: Socket) -> None:
        held = self.sockets.get(socket.user_id)
        if held is not None and socket in held:
            held.discard(socket)
            if not held:
                del self.sockets[socket.user_id]
                self._unhold(shard_of(socket.user_id, self.shards))

    @property
    def subscribed(self) -> bool:
        """The listener runs (envelopes for the shards this hub holds reach it)."""
        return self._ready.is_set()

    def count_for(self, user_id: int) -> int:
        return len(self.sockets.get(user_id, ()))

    def joined_shards(self) -> set[int]:
        return set(self._joined)

    async def settled(self) -> None:
        """Wait until the shard joins and leaves under way are done."""
        while self._chores:
            await asyncio.gather(*list(self._chores), return_exceptions=True)

    # -- shard membership --------------------------------------------------------------------
    def _hold(self, shard: int) -> None:
        count = self._holds.get(shard, 0)
        self._holds[shard] = count + 1
        if count == 0 and shard not in self.orders:
            self.orders[shard] = Reorder(
                self._write,
                wait=settings.REALTIME["ORDER_WAIT_SECONDS"],
                capacity=settings.REALTIME["ORDER_STREAMS"],
            )

    def _unhold(self, shard: int) -> None:
        count = self._holds.get(shard, 0) - 1
        if count > 0:
            self._holds[shard] = count
            return
        self._holds.pop(shard, None)
        order = self.orders.pop(shard, None)
        if order is not None:
            order.close()
        if shard in self._joined:
            self._chore(self._sync(shard))

    def _chore(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _join(self, shard: int) -> None:
        if shard not in self._joined:  # a socket of a held shard registers without a wait
            await self._sync(shard)

    async def _sync(self, shard: int) -> None:
        async with self._membership:
            await self._sync_locked(shard)

    async def _sync_locked(self, shard: int) -> None:
        """Make the group membership of `shard` what the holds say. Serialised by the lock,
        and decided on the state at the time it runs, so joins and leaves of one shard that
        race each other settle on the last word."""
        if self.channel_name is None:
            return  # the listener joins every held shard once it has a channel
        layer = get_channel_layer()
        wanted, joined = shard in self._holds, shard in self._joined
        try:
            if wanted and not joined:
                await layer.group_add(shard_group(shard), self.channel_name)
                self._joined.add(shard)
                self.stats["joins"] += 1
            elif joined and not wanted:
                # Marked left first: a socket of the shard registering meanwhile joins again.
                self._joined.discard(shard)
                self.stats["leaves"] += 1
                await layer.group_discard(shard_group(shard), self.channel_name)
        except Exception:
            # Broker unreachable: the socket is still served (writes commit, clients sync
            # when it is back); the join is retried until it holds.
            logger.warning("event=shard_join_failed shard=%d", shard, exc_info=True)
            if wanted and shard not in self._retrying:
                self._retrying.add(shard)
                asyncio.get_running_loop().call_later(JOIN_RETRY_SECONDS, self._retry_join, shard)

    def _retry_join(self, shard: int) -> None:
        self._retrying.discard(shard)
        if shard in self._holds and shard not in self._joined:
            self._chore(self._sync(shard))

    async def _rejoin_all(self) -> None:
        """(Re-)join every held shard: at start, hourly, and after the broker was lost (a
        restarted Redis has forgotten every subscription)."""
        async with self._membership:
            self._joined.clear()
            for shard in list(self._holds):
                await self._sync_locked(shard)

    # -- subscription ----------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen())
        await self._ready.wait()

    async def _listen(self) -> None:
        layer = get_channel_layer()
        backoff = 0.1
        joined_at = 0.0
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        while True:
            # A cancellation swallowed further down (Python 3.11's wait_for could lose one that
            # arrived as a receive completed, gh-86296) is still counted on the task: honour it
            # here, or the loop never ends and a worker (or a test's event loop) waits forever.
            if task is not None and task.cancelling():
                raise asyncio.CancelledError
            try:
                if self.channel_name is None:
                    self.channel_name = await layer.new_channel("beseda.process.")
                if loop.time() - joined_at > REJOIN_SECONDS or not self._ready.is_set():
                    await self._rejoin_all()
                    joined_at = loop.time()
                    self._ready.set()
                async with asyncio.timeout(REJOIN_SECONDS):
                    message = await layer.receive(self.channel_name)
                backoff = 0.1
            except TimeoutError:
                continue
            except asyncio.CancelledError:
                raise
            except Exception:
                # The broker went away (Redis restart): keep the sockets, re-subscribe, and let
                # clients catch up from the database with `sync`.
                logger.warning("event=broker_lost action=resubscribe", exc_info=True)
                for order in self.orders.values():
                    order.reset()
                self._ready.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                joined_at = 0.0
                continue
            self.receive(message)

    def receive(self, message: dict[str, Any]) -> None:
        """An envelope from the broker: this process's own were delivered when published."""
        self.stats["envelopes"] += 1
        if message.get("o") == origin_id():
            self.stats["echoes"] += 1
            return
        self.dispatch(message)

    def dispatch(self, message: dict[str, Any]) -> None:
        """Deliver one shard's envelope to the sockets of its users held here."""
        kind = message.get("type")
        user_ids = message.get("u") or ()
        if kind == DELIVER:
            stream = message.get("k")
            if stream is None:
                self._write(message)
                return
            order = self.orders.get(message.get("h", -1))
            if order is not None:  # None: no user of the shard is held here
                order.offer(stream, message["s"], message)
        elif kind == CLOSE:
            keep, only, code = message.get("keep"), message.get("only"), message.get("code", 4001)
            for user_id in user_ids:
                for socket in list(self.sockets.get(user_id, ())):
                    if keep is not None and socket.session_key == keep:
                        continue
                    if only is not None and socket.session_key != only:
                        continue
                    socket.force_close(code)

    def _write(self, envelope: dict[str, Any]) -> None:
        text = envelope["f"]
        for user_id in envelope.get("u") or ():
            for socket in self.sockets.get(user_id, ()):
                socket.enqueue(text)
                self.stats["frames_written"] += 1

    def pending(self) -> int:
        """Numbered frames held for their predecessors now, over all shards."""
        return sum(order.pending() for order in self.orders.values())


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    """The hub of the running event loop (one per process in production, one per test loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub


class SendQueue:
    """A bounded per-socket queue so one slow client never stalls delivery to the others.

    A frame for an idle socket is written at once, in the caller's turn of the event loop:
    the server's send normally completes without waiting (the transport buffers it), so no
    task per delivery is needed. Only a write that has to wait (flow control of a slow peer)
    becomes a task, and frames that arrive meanwhile queue behind it."""

    __slots__ = ("_items", "_limit", "_on_overflow", "_send", "_task")

    def __init__(
        self,
        send: Callable[[str], Coroutine[Any, Any, None]],
        limit: int,
        on_overflow: Callable[[], None],
    ) -> None:
        self._items: deque[str] = deque()
        self._limit = limit
        self._send = send
        self._on_overflow = on_overflow
        self._task: asyncio.Task[None] | None = None

    def put(self, text: str) -> bool:
        if self._task is None:
            try:
                waiting = _run_until_it_waits(self._send(text))
            except Exception:
                logger.info("event=socket_write_failed", exc_info=True)
                return False
            if waiting is not None:
                self._task = asyncio.get_running_loop().create_task(self._drain(waiting))
            return True
        if len(self._items) >= self._limit:
            self._items.clear()
            self._on_overflow()
            return False
        self._items.append(text)
        return True

    async def _drain(self, waiting: Awaitable[Any]) -> None:
        try:
            await waiting
            while self._items:
                await self._send(self._items.popleft())
        except Exception:
            logger.info("event=socket_write_failed action=drop_queue", exc_info=True)
            self._items.clear()
        finally:
            self._task = None

    def cancel(self) -> None:
        self._items.clear()
        if self._task is not None:
            self._task.cancel()


def _run_until_it_waits(coroutine: Coroutine[Any, Any, Any]) -> Awaitable[Any] | None:
    """Run `coroutine` now up to its first real suspension. None if it finished; otherwise an
    awaitable that resumes it exactly where it stopped (await it from one task)."""
    try:
        first = coroutine.send(None)
    except StopIteration:
        return None
    return _Resumed(coroutine, first)


class _Resumed:
    """Hands a started coroutine to the awaiting task: forwards what the coroutine yields (the
    future it waits on) and what the task sends or throws back in."""

    __slots__ = ("_coroutine", "_first")

    def __init__(self, coroutine: Coroutine[Any, Any, Any], first: Any) -> None:
        self._coroutine = coroutine
        self._first = first

    def __await__(self) -> Generator[Any, Any, Any]:
        coroutine, value = self._coroutine, self._first
        while True:
            try:
                try:
                    received = yield value
                except GeneratorExit:
                    coroutine.close()
                    raise
                except BaseException as exc:
                    value = coroutine.throw(exc)
                else:
                    value = coroutine.send(received)
            except StopIteration as stop:
                return stop.value


# -- publishing -------------------------------------------------------------------------------
def _deliver_envelope(
    frame: Mapping[str, Any], user_ids: Iterable[int], order: tuple[Any, int] | None
) -> dict[str, Any] | None:
    ids = sorted({int(u) for u in user_ids})
    if not ids:
        return None
    envelope: dict[str, Any] = {"type": DELIVER, "u": ids, "f": encode(frame)}
    if order is not None:
        envelope["k"], envelope["s"] = order
    return envelope


def _by_shard(envelope: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """One envelope per shard with recipients, each with only that shard's user ids, tagged
    with the shard (its reorder stage) and this process's origin (to skip the echo)."""
    shards: int = settings.REALTIME["SHARDS"]
    groups: dict[int, list[int]] = {}
    for user_id in envelope["u"]:
        groups.setdefault(shard_of(user_id, shards), []).append(user_id)
    origin = origin_id()
    return [
        (shard, {**envelope, "u": ids, "h": shard, "o": origin}) for shard, ids in groups.items()
    ]


def _dispatch_in_process(parts: list[tuple[int, dict[str, Any]]]) -> None:
    """Local delivery: the process's own hubs get its envelopes at once, skipping the layer's
    copy, its queue and the broker's round trip (together more than the delivery itself
    costs). With the in-memory layer this process is the whole deployment and this is every
    delivery; with Redis each hub skips the broker's echo of them (`Hub.receive`). A hub
    drops a shard's envelope it holds no user of. Order is kept: envelopes are dispatched as
    they are sent."""
    here = asyncio.get_running_loop()
    for loop, hub in list(_hubs.items()):
        if not hub.subscribed:
            continue
        for _shard, part in parts:
            if loop is here:
                hub.stats["local"] += 1
                hub.dispatch(part)
            elif loop.is_running():
                loop.call_soon_threadsafe(_dispatch_local, hub, part)


def _dispatch_local(hub: Hub, envelope: dict[str, Any]) -> None:
    hub.stats["local"] += 1
    hub.dispatch(envelope)


async def _group_send(envelope: dict[str, Any]) -> None:
    parts = _by_shard(envelope)
    _dispatch_in_process(parts)
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        return
    for shard, part in parts:
        try:
            await layer.group_send(shard_group(shard), part)
        except Exception:
            # Stored data is the source of truth: clients catch up with `sync` after a broker
            # fault. The other shards of this event would fail the same way: give them up too.
            logger.warning(
                "event=publish_failed kind=%s recipients=%d shards=%d",
                envelope["type"],
                len(envelope["u"]),
                len(parts),
                exc_info=True,
            )
            return


async def apublish(
    frame: Mapping[str, Any], user_ids: Iterable[int], *, order: tuple[Any, int] | None = None
) -> None:
    """Deliver `frame` to every open socket of `user_ids`, in any worker process. `order`
    (stream, number) for numbered frames: see `publish`."""
    envelope = _deliver_envelope(frame, user_ids, order)
    if envelope is not None:
        await _group_send(envelope)


class _Outbox:
    """Envelopes handed over by database threads, sent to the layer in order by one task."""

    def __init__(self) -> None:
        self.envelopes: deque[dict[str, Any]] = deque()
        self.task: asyncio.Task[None] | None = None

    def post(self, envelope: dict[str, Any]) -> None:
        if len(self.envelopes) >= OUTBOX_LIMIT:
            # The broker has been unreachable for a while: live delivery of the oldest is
            # given up (it is stored; clients catch up with `sync`), memory stays bounded.
            self.envelopes.popleft()
            logger.warning("event=publish_dropped reason=outbox_full")
        self.envelopes.append(envelope)
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._send_all())

    async def _send_all(self) -> None:
        try:
            while self.envelopes:
                await _group_send(self.envelopes.popleft())
        finally:
            self.task = None


_outboxes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Outbox] = (
    weakref.WeakKeyDictionary()
)


def _post_here(envelope: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    outbox = _outboxes.get(loop)
    if outbox is None:
        outbox = _outboxes[loop] = _Outbox()
    outbox.post(envelope)


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop that handed this worker thread its call (`sync_to_async`), if running."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _hand_over(envelope: dict[str, Any]) -> None:
    """Send an envelope from sync code without waiting for the broker.

    Services publish from a database thread that a socket's event loop called: the envelope
    (already serialised here) goes to that loop's outbox and the thread returns at once
    instead of blocking on `async_to_sync`. The outbox keeps publish order. In a thread with
    a running loop (Playwright's sync API drives one in browser tests) the loop gets it
    directly; with no loop anywhere (management commands, the admin under WSGI) it is sent
    to the layer before returning."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        _post_here(envelope)
        return
    loop = _calling_loop()
    if loop is not None:
        try:
            loop.call_soon_threadsafe(_post_here, envelope)
            return
        except RuntimeError:  # the loop closed meanwhile
            pass
    async_to_sync(_group_send)(envelope)


def publish(
    frame: Mapping[str, Any], user_ids: Iterable[int], *, order: tuple[Any, int] | None = None
) -> None:
    """Sync form of `apublish`; services reach it through `publish_on_commit` (commit.py).

    `order=(stream, number)` marks a frame of a gapless numbered stream (a chat's changes:
    `(chat id, seq)`, numbers from 1, every number published): every socket receives a
    stream's frames in number order, whichever thread or worker publishes them first
    (messenger/realtime/order.py)."""
    envelope = _deliver_envelope(frame, user_ids, order)
    if envelope is not None:
        _hand_over(envelope)


def close_sockets(
    user_ids: Iterable[int],
    *,
    keep_session: str | None = None,
    only_session: str | None = None,
    code: int = 4001,
) -> None:
    """Close open sockets of users (all, all but one session, or only one session)."""
    ids = sorted({int(u) for u in user_ids})
    if not ids:
        return
    _hand_over({"type": CLOSE, "u": ids, "keep": keep_session, "only": only_session, "code": code})
