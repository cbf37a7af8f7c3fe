"""The per-process socket registry and its single subscription to the channel layer.

Every worker process keeps the sockets it holds indexed by user id and listens on one channel
of the channel layer (in-memory by default, Redis pub/sub in production). `publish` sends one
envelope `{user_ids, frame}` per event; every process writes the pre-serialised frame to its
own sockets of those users. Measured on this hardware this is several times faster than one
Channels group per socket with `group_send` per message (docs/realtime-protocol.md). With the
in-memory layer the process's hubs are the only subscribers, and envelopes go to them without
the layer's copy and queue. A chat change's envelope carries its (chat, seq): the hub releases
those in seq order per chat (messenger/realtime/order.py), whatever order they arrive in.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
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

BROADCAST_GROUP = "beseda.broadcast"
DELIVER = "beseda.deliver"
CLOSE = "beseda.close"
# Envelopes waiting for the broker in one process before the oldest are given up.
OUTBOX_LIMIT = 10_000
# The in-memory layer forgets group members after a day; re-join well before that.
REJOIN_SECONDS = 3600


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
    """Sockets of this process by user id, fed by one channel-layer subscription."""

    def __init__(self) -> None:
        self.sockets: dict[int, set[Socket]] = {}
        self.channel_name: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.stats = {"envelopes": 0, "frames_written": 0, "dropped_slow": 0}
        # Numbered frames (a chat's changes) go out per stream in number order.
        self.order = Reorder(
            self._write,
            wait=settings.REALTIME["ORDER_WAIT_SECONDS"],
            capacity=settings.REALTIME["ORDER_STREAMS"],
        )

    # -- registry --------------------------------------------------------------------------
    async def register(self, socket: Socket) -> None:
        self.sockets.setdefault(socket.user_id, set()).add(socket)
        await self.start()

    def unregister(self, socket: Socket) -> None:
        held = self.sockets.get(socket.user_id)
        if held is not None:
            held.discard(socket)
            if not held:
                del self.sockets[socket.user_id]

    @property
    def subscribed(self) -> bool:
        """The listener has joined the broadcast group (layer deliveries reach this hub)."""
        return self._ready.is_set()

    def count_for(self, user_id: int) -> int:
        return len(self.sockets.get(user_id, ()))

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
                    await layer.group_add(BROADCAST_GROUP, self.channel_name)
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
                self.order.reset()
                self._ready.set()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                joined_at = 0.0
                continue
            self.dispatch(message)

    def dispatch(self, message: dict[str, Any]) -> None:
        self.stats["envelopes"] += 1
        kind = message.get("type")
        user_ids = message.get("u") or ()
        if kind == DELIVER:
            stream = message.get("k")
            if stream is None:
                self._write(message)
            else:
                self.order.offer(stream, message["s"], message)
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


def _dispatch_in_process(envelope: dict[str, Any]) -> None:
    """With the in-memory layer this process is the whole deployment and its subscribed hubs
    are every recipient the layer would reach: they get the envelope directly, skipping the
    layer's deep copy, its queue and the listener's next turn (together more than the
    delivery itself costs). Order is kept: envelopes are dispatched as they are sent."""
    here = asyncio.get_running_loop()
    for loop, hub in list(_hubs.items()):
        if not hub.subscribed:
            continue
        if loop is here:
            hub.dispatch(envelope)
        elif loop.is_running():
            loop.call_soon_threadsafe(hub.dispatch, envelope)


async def _group_send(envelope: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        _dispatch_in_process(envelope)
        return
    try:
        await layer.group_send(BROADCAST_GROUP, envelope)
    except Exception:
        # Stored data is the source of truth: clients catch up with `sync` after a broker fault.
        logger.warning(
            "event=publish_failed kind=%s recipients=%d",
            envelope["type"],
            len(envelope["u"]),
            exc_info=True,
        )


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
