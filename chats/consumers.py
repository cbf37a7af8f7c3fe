"""Chat frame handlers for the realtime consumer (messenger/realtime/consumer.py).

Each handler checks the payload's shape, calls one service or selector in a worker thread and
replies to this socket if the protocol says so; everything else reaches sockets through the
services' `publish` after commit. Shapes of the frames sent are in chats/events.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chats import events, selectors, services
from chats.models import Chat
from messenger.realtime.db import db
from messenger.realtime.frames import FrameError, frame_handler, require

if TYPE_CHECKING:
    from messenger.realtime.consumer import RealtimeConsumer


async def _call(function: Callable, /, **kwargs: Any) -> Any:
    """Run a service in the database thread; turn role and block refusals into error codes."""
    try:
        return await db(function)(**kwargs)
    except services.Blocked as exc:
        raise FrameError("blocked", str(exc)) from None
    except services.Forbidden as exc:
        raise FrameError("forbidden", str(exc)) from None


def _optional_int(payload: dict[str, Any], key: str) -> int | None:
    if payload.get(key) is None:
        return None
    return require(payload, key, int)


def _int_list(payload: dict[str, Any], key: str) -> list[int]:
    values = payload.get(key) or []
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise FrameError("invalid", f"'{key}' must be a list of ids")
    return values


def _send(*, user, chat_id: int, **kwargs: Any) -> dict:
    # message_send checks membership under the chat's lock (404 for outsiders); looking the
    # chat up for the user first would ask the database the same question twice per send.
    message, _created = services.message_send(sender=user, chat=Chat(pk=chat_id), **kwargs)
    return events.message_ack(message)


@frame_handler("message.send")
async def handle_message_send(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Store a message; answer `message.ack` (also for a repeated client_id)."""
    ack = await _call(
        _send,
        user=consumer.user,
        chat_id=require(payload, "chat", int),
        client_id=require(payload, "client_id", str),
        text=payload.get("text", ""),
        reply_to=_optional_int(payload, "reply_to"),
        attachment_ids=_int_list(payload, "attachments"),
        sticker=_optional_int(payload, "sticker"),
    )
    await consumer.send_frame(ack)


@frame_handler("message.edit")
async def handle_message_edit(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Edit one's own message; members get `message.updated`."""
    await _call(
        services.message_edit,
        editor=consumer.user,
        message_id=require(payload, "message", int),
        text=require(payload, "text", str),
    )


@frame_handler("message.delete")
async def handle_message_delete(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Delete a message for me or for all; `message.deleted` goes to me or to the members."""
    reason = payload.get("reason") or ""
    if not isinstance(reason, str):
        raise FrameError("invalid", "'reason' must be a string")
    await _call(
        services.message_delete,
        actor=consumer.user,
        message_id=require(payload, "message", int),
        scope=require(payload, "for", str),
        reason=reason,
    )


def _reaction_handler(service: Callable) -> Callable:
    async def handle(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
        await _call(
            service,
            user=consumer.user,
            message_id=require(payload, "message", int),
            emoji=require(payload, "emoji", str),
        )

    return handle


# Add or withdraw a reaction; members get `reaction.updated` when something changed.
handle_reaction_add = frame_handler("reaction.add")(_reaction_handler(services.reaction_add))
handle_reaction_remove = frame_handler("reaction.remove")(
    _reaction_handler(services.reaction_remove)
)


@frame_handler("typing")
async def handle_typing(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """The other members get `typing {chat, user, name}`; nothing is stored."""
    await _call(services.typing_notify, user=consumer.user, chat_id=require(payload, "chat", int))


@frame_handler("read")
async def handle_read(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Move my read mark forward; the members (and my other tabs) get `read`."""
    await _call(
        services.chat_read,
        user=consumer.user,
        chat_id=require(payload, "chat", int),
        seq=require(payload, "seq", int),
    )


@frame_handler("sync")
async def handle_sync(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Answer `sync.result` with every change after each given seq, in seq order."""
    chats = require(payload, "chats", dict)
    if len(chats) > selectors.SYNC_CHATS_MAX:
        raise FrameError("invalid", f"at most {selectors.SYNC_CHATS_MAX} chats per sync")
    wanted: dict[int, int] = {}
    for key, seq in chats.items():
        if not str(key).isdigit() or not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise FrameError("invalid", "'chats' maps chat ids to the last seq seen (>= 0)")
        wanted[int(key)] = seq
    result = await _call(selectors.sync_for, user=consumer.user, wanted=wanted)
    await consumer.send_frame({"type": "sync.result", "chats": result})
