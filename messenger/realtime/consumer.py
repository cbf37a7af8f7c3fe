"""The one WebSocket consumer at /ws/: authentication, limits, dispatch, and delivery."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.sessions import InstanceSessionWrapper
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from messenger.realtime import frames, lifecycle
from messenger.realtime.hub import SendQueue, encode, get_hub

logger = logging.getLogger("beseda.realtime")

# Close codes (4000-4999 are the application's; documented in docs/realtime-protocol.md).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_SESSION_ENDED = 4001
CLOSE_TOKEN_EXPIRED = 4003
CLOSE_TOO_SLOW = 4008
# Not 1009 ("message too big"): daphne (Autobahn) lets an application send only 1000 and
# 3000-4999 and turns 1009 into 1011. A frame past the server's own bound (uvicorn's
# --ws-max-size) is still closed by the server with 1009.
CLOSE_TOO_LARGE = 4009
CLOSE_RATE_LIMIT = 4029

# Strong references to fire-and-forget tasks so they are not collected mid-flight.
_background_tasks: set[asyncio.Task[None]] = set()


class RealtimeConsumer(AsyncWebsocketConsumer):
    """One socket per tab. Anonymous connections are refused; frames dispatch to handlers."""

    user_id: int
    session_key: str | None
    # Sockets get frames only through the process hub. An alias that names no layer keeps
    # Channels from giving every socket its own layer channel (a Redis subscription each).
    channel_layer_alias = "beseda.sockets-use-the-hub"

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before each handler: a hop
        to the sync thread for every frame received (a third of a ping's cost). Socket code
        reaches the database only through `db()` or `database_sync_to_async`, which close
        stale connections in the thread that uses them, before and after each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Accept, then close: a handshake refused before accept reaches the client as an
            # HTTP 403 that browsers hide (the page sees 1006, as for a network fault), and
            # the client could not tell "log in again" from "try again later".
            self._closing = True
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None) or self.scope.get(
            "auth_session_key"
        )
        limits = settings.REALTIME
        self._max_bytes = limits["MAX_FRAME_BYTES"]
        self._rate = limits["RATE_PER_SECOND"]
        self._burst = float(limits["RATE_BURST"])
        self._tokens = self._burst
        self._refilled = time.monotonic()
        self._closing = False
        self._expiry: asyncio.TimerHandle | None = None
        self._queue = SendQueue(self._send_text, limits["SEND_QUEUE"], self._overflow)
        self._hub = get_hub()
        # Subscribed to the user's shard before the client sees the socket open, and
        # registered before anything else can run after the accept: a frame published once the
        # client has the socket reaches it (docs/realtime-protocol.md, "Routing").
        await self._hub.reserve(self.user_id)
        try:
            await self.accept()
            self._server_send = _server_send(self.base_send)
            await self._hub.register(self)
        finally:
            self._hub.release(self.user_id)
        await self.send_frame({"type": "hello", "user": self.user_id})
        expires_at = self.scope.get("auth_expires_at")
        if expires_at is not None:
            # A token socket lives as long as its access token: the client refreshes the
            # token and reconnects (docs/realtime-protocol.md, "Token expiry").
            delay = max(0.0, expires_at - time.time())
            self._expiry = asyncio.get_running_loop().call_later(
                delay, self.force_close, CLOSE_TOKEN_EXPIRED
            )
        await self.on_connected()

    async def disconnect(self, code: int) -> None:
        hub = getattr(self, "_hub", None)
        if hub is None:
            return
        if self._expiry is not None:
            self._expiry.cancel()
        hub.unregister(self)
        self._queue.cancel()
        await self.on_disconnected()

    # The apps' connect/disconnect receivers (messenger/realtime/lifecycle.py): presence.
    async def on_connected(self) -> None:
        try:
            await database_sync_to_async(lifecycle.connected)(user_id=self.user_id)
        except Exception:
            # Presence is a nicety: with its store (Redis) down the socket still serves,
            # and friends see this user online once the store is back and they reconnect.
            logger.warning("event=presence_join_failed user=%s", self.user_id, exc_info=True)

    async def on_disconnected(self) -> None:
        # Every page load closes the tab's socket and opens a new one: counting the close a
        # moment later keeps friends from seeing an offline/online blip on each navigation.
        grace = settings.REALTIME["PRESENCE_GRACE_SECONDS"]
        if grace > 0:
            task = asyncio.get_running_loop().create_task(self._presence_leave(grace))
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
        else:
            await self._presence_leave(0)

    async def _presence_leave(self, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        still_open = self._hub.count_for(self.user_id)
        try:
            await database_sync_to_async(lifecycle.disconnected)(
                user_id=self.user_id, sockets_left_here=still_open
            )
        except Exception:
            logger.warning("event=presence_leave_failed user=%s", self.user_id, exc_info=True)

    # -- delivery (called by the hub) ------------------------------------------------------
    def enqueue(self, text: str) -> None:
        if not self._closing:
            self._queue.put(text)

    def force_close(self, code: int) -> None:
        if self._closing:
            return
        self._closing = True
        self._queue.cancel()
        self._hub.unregister(self)
        # Closing is a write to this socket only; schedule it rather than await in the hub.
        asyncio.get_running_loop().create_task(self.close(code=code))

    def _overflow(self) -> None:
        logger.info("event=socket_dropped reason=send_queue_full user=%s", self.user_id)
        self._hub.stats["dropped_slow"] += 1
        self.force_close(CLOSE_TOO_SLOW)

    async def _send_text(self, text: str) -> None:
        try:
            # Straight to the server's send: this runs for every delivery.
            await self._server_send({"type": "websocket.send", "text": text})
        except Exception:
            # The peer went away between our read and this write (daphne raises autobahn's
            # Disconnected). The frame is stored anyway; the client catches up with `sync`.
            self._closing = True
            logger.debug("event=write_after_close user=%s", self.user_id)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Reply to this socket only (acks, errors, results)."""
        if not self._closing:
            await self._send_text(encode(frame))

    async def send_error(self, code: str, detail: str, ref: Any = None) -> None:
        frame: dict[str, Any] = {"type": "error", "code": code, "detail": detail}
        if ref is not None:
            frame["ref"] = ref
        await self.send_frame(frame)

    # -- receiving -------------------------------------------------------------------------
    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self._closing:
            return
        if text_data is None:
            await self.send_error("invalid", "binary frames are not supported")
            return
        if len(text_data) > self._max_bytes:
            await self.send_error("too_large", f"frames are limited to {self._max_bytes} bytes")
            await self.close(code=CLOSE_TOO_LARGE)
            return
        # Parsed before the rate check so that every error answering a parseable frame,
        # `rate_limited` included, carries its `ref` (the frame is at most _max_bytes).
        try:
            payload = json.loads(text_data)
        except (ValueError, RecursionError):
            # RecursionError: "[[[[..." a few thousand deep fits in one frame and would
            # otherwise end the socket with an unhandled exception.
            payload = _UNPARSEABLE
        ref = frame_ref(payload)
        if not self._take_token():
            await self.send_error("rate_limited", "too many frames; slow down", ref)
            return
        if payload is _UNPARSEABLE:
            await self.send_error("bad_json", "frame is not valid JSON")
            return
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            await self.send_error("invalid", "a frame is a JSON object with a string 'type'", ref)
            return
        handler = frames.get_handler(payload["type"])
        if handler is None:
            await self.send_error("unknown_type", f"unknown frame type {payload['type']!r}", ref)
            return
        try:
            await handler(self, payload)
        except frames.FrameError as exc:
            await self.send_error(exc.code, exc.detail, ref)
        except (Http404, PermissionDenied):
            await self.send_error("not_found", "no such object, or it is not yours to use", ref)
        except ValidationError as exc:
            await self.send_error("invalid", "; ".join(exc.messages), ref)
        except Exception:
            logger.exception("frame %s failed", payload["type"])
            await self.send_error("internal", "the server could not handle this frame", ref)


_UNPARSEABLE = object()


def frame_ref(payload: Any) -> str | int | None:
    """The `ref` an error about this client frame echoes: its `ref`, else its `client_id`
    (`message.send`), if that is a string or an integer; None for anything else."""
    if not isinstance(payload, dict):
        return None
    ref = payload.get("ref", payload.get("client_id"))
    if not isinstance(ref, (str, int)) or isinstance(ref, bool):
        return None
    return ref


def _server_send(
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """The ASGI server's own send under Channels' session middleware, whose wrapper acts only
    on HTTP responses but reads the session on every call (~5% of a busy worker, py-spy)."""
    wrapper = getattr(send, "__self__", None)
    while isinstance(wrapper, InstanceSessionWrapper):
        send = wrapper.real_send
        wrapper = getattr(send, "__self__", None)
    return send


@frames.frame_handler("ping")
async def handle_ping(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Liveness check: answers `pong` to this socket only."""
    await consumer.send_frame({"type": "pong"})


@frames.frame_handler("realtime.stats")
async def handle_realtime_stats(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Operators' view of this worker's hub: counters and the shards it has joined. Staff
    only; anyone else gets `not_found`, as for any object that is not theirs."""
    if not consumer.user.is_staff:
        raise PermissionDenied
    hub = consumer._hub
    await consumer.send_frame(
        {
            "type": "realtime.stats",
            **hub.stats,
            "shards": sorted(hub.joined_shards()),
            "users": len(hub.sockets),
            "pid": os.getpid(),
        }
    )
