"""Video call signalling over the realtime socket (one-to-one dialogs only).

Every `call.*` frame names the dialog (`chat`) and the call (`call`, a UUID made by the caller).
The server checks that the sender is a member of that dialog and that neither person blocked
the other, then relays the frame ONLY to the other person's sockets (`from` added); nothing is
stored, except the call record (`call.decline`, `call.end`), which becomes a message of the
dialog through `services.call_record`. The media itself goes peer to peer (WebRTC).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chats import services
from chats.consumers import _call
from messenger.realtime import apublish
from messenger.realtime.frames import FrameError, frame_handler, require

if TYPE_CHECKING:
    from messenger.realtime.consumer import RealtimeConsumer

SDP_MAX = 30_000
# Extra fields relayed as they are after a shape check (each at most SDP_MAX characters).
EXTRA_FIELDS = {
    "call.ring": {"video": bool},
    "call.offer": {"sdp": str},
    "call.answer": {"sdp": str},
    "call.ice": {"candidate": dict},
}


def _extras(frame_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    extras = {}
    for key, kind in EXTRA_FIELDS.get(frame_type, {}).items():
        if key == "video":
            extras[key] = bool(payload.get(key, True))
            continue
        value = require(payload, key, kind)
        if len(str(value)) > SDP_MAX:
            raise FrameError("invalid", f"'{key}' is too long")
        extras[key] = value
    return extras


async def _relay(consumer: RealtimeConsumer, payload: dict[str, Any], frame_type: str) -> int:
    chat_id = require(payload, "chat", int)
    call_id = require(payload, "call", str)
    if len(call_id) > 64:
        raise FrameError("invalid", "'call' is too long")
    extras = _extras(frame_type, payload)
    partner_id = await _call(services.call_partner_id, user=consumer.user, chat_id=chat_id)
    frame = {"type": frame_type, "chat": chat_id, "call": call_id, "from": consumer.user_id}
    await apublish({**frame, **extras}, [partner_id])
    return chat_id


def _relay_handler(frame_type: str):
    async def handle(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
        await _relay(consumer, payload, frame_type)

    handle.__doc__ = f"Relay `{frame_type}` to the other person of the dialog."
    return handle


for _type in ("call.ring", "call.accept", "call.offer", "call.answer", "call.ice"):
    frame_handler(_type)(_relay_handler(_type))


async def _record(consumer: RealtimeConsumer, payload: dict[str, Any], state: str) -> None:
    duration = payload.get("duration", 0)
    await _call(
        services.call_record,
        user=consumer.user,
        chat_id=require(payload, "chat", int),
        call_id=require(payload, "call", str),
        state=state,
        duration=duration,
    )


@frame_handler("call.decline")
async def handle_call_decline(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """The callee declines: the caller is told and a "declined" record joins the dialog."""
    await _record(consumer, payload, "declined")
    await _relay(consumer, payload, "call.decline")


@frame_handler("call.end")
async def handle_call_end(consumer: RealtimeConsumer, payload: dict[str, Any]) -> None:
    """Hang up (`state` "answered" with `duration`) or give up ringing ("missed"): the other
    side is told and the record joins the dialog."""
    state = require(payload, "state", str)
    if state not in ("answered", "missed"):
        raise FrameError("invalid", '\'state\' must be "answered" or "missed"')
    await _record(consumer, payload, state)
    await _relay(consumer, payload, "call.end")
