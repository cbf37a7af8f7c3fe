"""Declared shapes of every chat frame the server sends, and the one serialiser of each.

Services and selectors build frames only through the functions here, so a frame published live
and the same frame replayed by `sync` are byte-for-byte the same shape. Tests assert exact keys.
docs/realtime-protocol.md shows an example of each.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NotRequired, overload

from django.urls import reverse

# pydantic (the API schema) reads these shapes; on Python 3.11 it needs this TypedDict.
from typing_extensions import TypedDict

from accounts.payloads import UserRef, user_ref

if TYPE_CHECKING:
    from accounts.models import User
    from chats.models import Attachment, Chat, ChatEvent, Message, Reaction, Sticker

REPLY_EXCERPT = 200
REACTORS_SHOWN = 5


class AttachmentPayload(TypedDict):
    id: int
    name: str
    size: int
    kind: str
    content_type: str
    url: str
    thumb: str | None
    width: int | None
    height: int | None
    duration: float | None  # seconds, voice messages and circles
    waveform: list[int]  # 0-255 bars of a voice message, else []


class StickerPayload(TypedDict):
    id: int
    url: str
    name: str


class ReactionPayload(TypedDict):
    emoji: str
    count: int
    user_ids: list[int]
    users: list[UserRef]  # the first few reactors, for their avatars


class ReplyPayload(TypedDict):
    id: int
    seq: int
    sender: UserRef | None
    text: str
    deleted: bool
    attachments: int


class MessagePayload(TypedDict):
    id: int
    chat: int
    seq: int
    client_id: str | None
    sender: UserRef | None
    text: str
    reply_to: ReplyPayload | None
    attachments: list[AttachmentPayload]
    sticker: StickerPayload | None
    call: dict[str, Any] | None  # {"state": "answered"|"missed"|"declined", "duration": seconds}
    system: dict[str, Any] | None  # a group's system line (chats/system_lines.py), else null
    reactions: list[ReactionPayload]
    created_at: str
    edited_at: str | None
    deleted: bool


class ChatPayload(TypedDict):
    id: int
    kind: str
    title: str
    avatar: str | None


# -- frames -----------------------------------------------------------------------------------
class MessageAckFrame(TypedDict):
    type: Literal["message.ack"]
    client_id: str
    message: MessagePayload


class MessageNewFrame(TypedDict):
    type: Literal["message.new"]
    chat: int
    seq: int
    message: MessagePayload


class MessageUpdatedFrame(TypedDict):
    type: Literal["message.updated"]
    chat: int
    seq: int
    message: MessagePayload


class MessageDeletedFrame(TypedDict):
    type: Literal["message.deleted"]
    chat: int
    message: int
    seq: int | None  # None for "deleted for me": not a change of the chat
    scope: Literal["all", "me"]


class ReactionUpdatedFrame(TypedDict):
    type: Literal["reaction.updated"]
    chat: int
    seq: int
    message: int
    reactions: list[ReactionPayload]


class TypingFrame(TypedDict):
    type: Literal["typing"]
    chat: int
    user: int
    display_name: str


class ReadFrame(TypedDict):
    type: Literal["read"]
    chat: int
    user: int
    seq: int


class ChatUpdatedFrame(TypedDict):
    type: Literal["chat.updated"]
    chat: int
    seq: int
    title: str
    avatar: str | None
    by: int | None


class MemberAddedFrame(TypedDict):
    type: Literal["member.added"]
    chat: int
    seq: int
    user: UserRef
    role: str
    by: int | None


class MemberRemovedFrame(TypedDict):
    type: Literal["member.removed"]
    chat: int
    seq: int
    user: int
    by: int | None
    left: bool


class MemberUpdatedFrame(TypedDict):
    type: Literal["member.updated"]
    chat: int
    seq: int
    user: int
    role: str
    by: int | None


class ChatDeletedFrame(TypedDict):
    type: Literal["chat.deleted"]
    chat: int
    # "blocked": a dialog whose two people are now under a block (absent: a group was deleted).
    reason: NotRequired[Literal["blocked"]]


# What `sync` replays: a message, or a change as `event_frame` rebuilds it.
ChangeFrame = (
    MessageNewFrame
    | MessageUpdatedFrame
    | MessageDeletedFrame
    | ReactionUpdatedFrame
    | ChatUpdatedFrame
    | MemberAddedFrame
    | MemberRemovedFrame
    | MemberUpdatedFrame
)


class SyncChatResult(TypedDict, total=False):
    events: list[ChangeFrame]
    last_seq: int
    complete: bool
    read: dict[str, int]
    gone: bool


class SyncResultFrame(TypedDict):
    type: Literal["sync.result"]
    chats: dict[str, SyncChatResult]


# Frames of a change of a chat: each carries the seq it took (`message.deleted` for me has
# None). Every seq taken is published as one of these, so live delivery orders them by it.
CHANGE_FRAMES = frozenset(
    {
        "message.new",
        "message.updated",
        "message.deleted",
        "reaction.updated",
        "chat.updated",
        "member.added",
        "member.removed",
        "member.updated",
    }
)


# -- serialisers ------------------------------------------------------------------------------
@overload
def _iso(value: datetime) -> str: ...
@overload
def _iso(value: None) -> None: ...
def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def chat_avatar_url(chat: Chat) -> str | None:
    name = chat.avatar.name
    if not name:
        return None
    version = name.rsplit("/", 1)[-1].split(".")[0][:8]
    return reverse("chats:avatar", args=[chat.pk]) + f"?v={version}"


def chat_payload(chat: Chat) -> ChatPayload:
    return {"id": chat.pk, "kind": chat.kind, "title": chat.title, "avatar": chat_avatar_url(chat)}


def attachment_payload(attachment: Attachment) -> AttachmentPayload:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "kind": attachment.kind,
        "content_type": attachment.content_type,
        "url": reverse("chats:file", args=[attachment.pk]),
        # Until its thumbnail task has run, an image's thumb URL serves the image itself.
        "thumb": (
            reverse("chats:thumb", args=[attachment.pk]) if attachment.kind == "image" else None
        ),
        "width": attachment.width,
        "height": attachment.height,
        "duration": None if attachment.duration_ms is None else attachment.duration_ms / 1000,
        "waveform": attachment.waveform or [],
    }


def sticker_payload(sticker: Sticker | None) -> StickerPayload | None:
    if sticker is None:
        return None
    return {
        "id": sticker.pk,
        "url": reverse("chats:sticker", args=[sticker.pk]),
        "name": sticker.name,
    }


def reactions_payload(reactions: Iterable[Reaction]) -> list[ReactionPayload]:
    """Group reaction rows (with `user` loaded, oldest first) by emoji, first-used first."""
    grouped: dict[str, ReactionPayload] = {}
    for reaction in reactions:
        entry = grouped.setdefault(
            reaction.emoji, {"emoji": reaction.emoji, "count": 0, "user_ids": [], "users": []}
        )
        entry["count"] += 1
        entry["user_ids"].append(reaction.user_id)
        if len(entry["users"]) < REACTORS_SHOWN:
            entry["users"].append(user_ref(reaction.user))
    return list(grouped.values())


def _reply_payload(reply: Message | None) -> ReplyPayload | None:
    if reply is None:
        return None
    deleted = reply.is_deleted
    return {
        "id": reply.pk,
        "seq": reply.seq,
        "sender": user_ref(reply.sender),
        "text": "" if deleted else reply.text[:REPLY_EXCERPT],
        "deleted": deleted,
        "attachments": 0 if deleted else len(reply.attachments.all()),
    }


def message_payload(message: Message, *, floor: int = 0) -> MessagePayload:
    """The message as clients see it. Expects the selector's prefetches (sender, reply_to,
    attachments, reactions with users); a deleted message is a tombstone without content.

    `floor` is the viewer's history floor (`Membership.cleared_seq`): a reply to a message at
    or below it is sent without its quote (`reply_to` null), so a member who joined later
    never reads what came before through a reply."""
    deleted = message.is_deleted
    reply = message.reply_to
    if reply is not None and reply.seq <= floor:
        reply = None
    reactions = sorted(message.reactions.all(), key=lambda r: (r.created_at, r.pk))
    return {
        "id": message.pk,
        "chat": message.chat_id,
        "seq": message.seq,
        "client_id": str(message.client_id) if message.client_id else None,
        "sender": user_ref(message.sender),
        "text": "" if deleted else message.text,
        "reply_to": None if deleted else _reply_payload(reply),
        "attachments": []
        if deleted
        else [attachment_payload(a) for a in message.attachments.all()],
        "sticker": None if deleted else sticker_payload(message.sticker),
        "call": None if deleted else message.call,
        "system": None if deleted else message.system,
        "reactions": [] if deleted else reactions_payload(reactions),
        "created_at": _iso(message.created_at),
        "edited_at": _iso(message.edited_at),
        "deleted": deleted,
    }


def message_ack(message: Message) -> MessageAckFrame:
    # A message just sent carries the payload its `message.new` was built from.
    payload = getattr(message, "sent_payload", None) or message_payload(message)
    return {"type": "message.ack", "client_id": str(message.client_id), "message": payload}


def message_new(message: Message, *, floor: int = 0) -> MessageNewFrame:
    return {
        "type": "message.new",
        "chat": message.chat_id,
        "seq": message.seq,
        "message": message_payload(message, floor=floor),
    }


def message_updated(message: Message, seq: int, *, floor: int = 0) -> MessageUpdatedFrame:
    return {
        "type": "message.updated",
        "chat": message.chat_id,
        "seq": seq,
        "message": message_payload(message, floor=floor),
    }


def message_deleted(*, chat_id: int, message_id: int, seq: int | None) -> MessageDeletedFrame:
    return {
        "type": "message.deleted",
        "chat": chat_id,
        "message": message_id,
        "seq": seq,
        "scope": "me" if seq is None else "all",
    }


def reaction_updated(message: Message, seq: int) -> ReactionUpdatedFrame:
    reactions = sorted(message.reactions.all(), key=lambda r: (r.created_at, r.pk))
    return {
        "type": "reaction.updated",
        "chat": message.chat_id,
        "seq": seq,
        "message": message.pk,
        "reactions": reactions_payload(reactions),
    }


def typing(*, chat_id: int, user: User) -> TypingFrame:
    return {
        "type": "typing",
        "chat": chat_id,
        "user": user.pk,
        "display_name": user.display_name,
    }


def read(*, chat_id: int, user_id: int, seq: int) -> ReadFrame:
    return {"type": "read", "chat": chat_id, "user": user_id, "seq": seq}


def chat_updated(chat: Chat, *, seq: int, by: int | None) -> ChatUpdatedFrame:
    return {
        "type": "chat.updated",
        "chat": chat.pk,
        "seq": seq,
        "title": chat.title,
        "avatar": chat_avatar_url(chat),
        "by": by,
    }


def member_added(
    *, chat_id: int, seq: int, user: User, role: str, by: int | None
) -> MemberAddedFrame:
    return {
        "type": "member.added",
        "chat": chat_id,
        "seq": seq,
        "user": user_ref(user),
        "role": role,
        "by": by,
    }


def member_removed(
    *, chat_id: int, seq: int, user_id: int, by: int | None, left: bool
) -> MemberRemovedFrame:
    return {
        "type": "member.removed",
        "chat": chat_id,
        "seq": seq,
        "user": user_id,
        "by": by,
        "left": left,
    }


def member_updated(
    *, chat_id: int, seq: int, user_id: int, role: str, by: int | None
) -> MemberUpdatedFrame:
    return {
        "type": "member.updated",
        "chat": chat_id,
        "seq": seq,
        "user": user_id,
        "role": role,
        "by": by,
    }


def chat_deleted(*, chat_id: int, blocked: bool = False) -> ChatDeletedFrame:
    frame: ChatDeletedFrame = {"type": "chat.deleted", "chat": chat_id}
    if blocked:
        frame["reason"] = "blocked"
    return frame


def _stored_user_ref(stored: dict[str, Any]) -> UserRef:
    """The person a stored `member.added` names, as they were then: rows written before
    persons had one shape everywhere keep `name` and `avatar`."""
    if "display_name" in stored:
        return stored  # type: ignore[return-value]  # a stored UserRef, as written
    return {
        "id": stored["id"],
        "username": stored["username"],
        "display_name": stored.get("name", ""),
        "avatar_url": stored.get("avatar"),
    }


def event_frame(
    event: ChatEvent, message: Message | None, chat: Chat, *, floor: int = 0
) -> ChangeFrame:
    """Rebuild the frame of a stored change for `sync` (from current state: nothing deleted
    meanwhile is shown again). `message` is the event's message with prefetches, if any;
    `floor` the viewer's history floor (see `message_payload`)."""
    kind = event.type
    # A message's changes are deleted with it (CASCADE): they always have their message.
    if kind == "message.updated" and message is not None:
        return message_updated(message, event.seq, floor=floor)
    if kind == "message.deleted" and event.message_id is not None:
        return message_deleted(chat_id=event.chat_id, message_id=event.message_id, seq=event.seq)
    if kind == "reaction.updated" and message is not None:
        return reaction_updated(message, event.seq)
    data = event.data
    if kind == "chat.updated":
        return {
            "type": "chat.updated",
            "chat": event.chat_id,
            "seq": event.seq,
            "title": data.get("title", chat.title),
            "avatar": data.get("avatar"),
            "by": event.actor_id,
        }
    if kind == "member.added":
        return {
            "type": "member.added",
            "chat": event.chat_id,
            "seq": event.seq,
            "user": _stored_user_ref(data["user"]),
            "role": data["role"],
            "by": event.actor_id,
        }
    if kind == "member.removed":
        return member_removed(
            chat_id=event.chat_id,
            seq=event.seq,
            user_id=data["user"],
            by=event.actor_id,
            left=bool(data.get("left")),
        )
    if kind == "member.updated":
        return member_updated(
            chat_id=event.chat_id,
            seq=event.seq,
            user_id=data["user"],
            role=data["role"],
            by=event.actor_id,
        )
    raise ValueError(f"unknown chat event type {kind!r}, or its message is missing")
