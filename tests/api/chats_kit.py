"""Shared pieces of the chats API tests: people, a group with a message, every operation with a
valid request, and a snapshot of everything a chat operation could change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from chats.models import Attachment, AuditLog, Chat, Membership, Message, MessageHide, Reaction
from tests.factories import GroupFactory, MessageFactory, UserFactory, befriend, photo_upload

API = "/api/v1"


@dataclass
class World:
    owner: object
    admin: object
    member: object
    outsider: object  # a friend of the owner, not in the group
    stranger: object
    group: Chat
    message: Message  # sent by the member


def make_world() -> World:
    owner, admin, member, outsider, stranger = (UserFactory() for _ in range(5))
    befriend(owner, admin, member, outsider)
    group = GroupFactory(created_by=owner, members=[member], admins=[admin])
    message = MessageFactory(sender=member, chat=group, text="hello group")
    return World(owner, admin, member, outsider, stranger, group, message)


# Every chat-scoped operation with a request that would succeed for a member of the right role.
# `{chat}`, `{message}`, `{member}` and `{friend}` are filled in by `fill`.
CHAT_OPERATIONS: list[tuple[str, str, object]] = [
    ("GET", "/chats/{chat}", None),
    ("PATCH", "/chats/{chat}", {"title": "Renamed"}),
    ("DELETE", "/chats/{chat}", None),
    ("POST", "/chats/{chat}/avatar", "avatar"),
    ("DELETE", "/chats/{chat}/avatar", None),
    ("POST", "/chats/{chat}/leave", {}),
    ("POST", "/chats/{chat}/hide", {}),
    ("POST", "/chats/{chat}/read", {"seq": 1}),
    ("PUT", "/chats/{chat}/mute", {"muted": True}),
    ("GET", "/chats/{chat}/members", None),
    ("POST", "/chats/{chat}/members", {"usernames": ["{friend}"]}),
    ("PATCH", "/chats/{chat}/members/{member}", {"role": "admin"}),
    ("DELETE", "/chats/{chat}/members/{member}", None),
    ("GET", "/chats/{chat}/audit", None),
    ("GET", "/chats/{chat}/messages", None),
    ("POST", "/chats/{chat}/messages", {"client_id": "{uuid}", "text": "hi"}),
    ("PATCH", "/chats/{chat}/messages/{message}", {"text": "changed"}),
    ("DELETE", "/chats/{chat}/messages/{message}?for=all", None),
    ("PUT", "/chats/{chat}/messages/{message}/reactions/👍", None),
    ("DELETE", "/chats/{chat}/messages/{message}/reactions/👍", None),
    ("POST", "/chats/{chat}/attachments", "file"),
]
# Operations not about one chat.
OTHER_OPERATIONS: list[tuple[str, str, object]] = [
    ("GET", "/chats", None),
    ("POST", "/chats", {"title": "New group", "members": ["{friend}"]}),
    ("POST", "/dialogs", {"username": "{friend}"}),
]
# What a plain member may not do in a group (owner or admin only).
MODERATION = [
    op
    for op in CHAT_OPERATIONS
    if op[1]
    in {
        "/chats/{chat}/avatar",
        "/chats/{chat}/members",
        "/chats/{chat}/members/{member}",
    }
    and op[0] != "GET"
] + [
    ("PATCH", "/chats/{chat}", {"title": "Renamed"}),
    ("DELETE", "/chats/{chat}", None),
]


def fill(value, **ids):
    """Put ids into a path or body template."""
    ids.setdefault("uuid", str(uuid.uuid4()))
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(item, **ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, **ids) for key, item in value.items()}
    return value


def call(api, method: str, path: str, body=None, **ids):
    """Send one operation through a JsonApi (JSON bodies) or as multipart for a file field."""
    path = API + fill(path, **ids)
    if body in ("avatar", "file"):
        upload = (
            photo_upload()
            if body == "avatar"
            else SimpleUploadedFile("notes.txt", b"hello", "text/plain")
        )
        headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
        return api.client.post(path, {body: upload}, headers=headers)
    if method == "GET":
        return api.client.get(
            path, headers={"Authorization": f"Bearer {api.token}"} if api.token else {}
        )
    return api.request(method, path, fill(body, **ids) if body is not None else None)


def ids_of(world: World, **overrides) -> dict:
    return {
        "chat": world.group.pk,
        "message": world.message.pk,
        "member": world.member.username,
        "friend": world.outsider.username,
        **overrides,
    }


def snapshot(chat_id: int) -> dict:
    """Everything about a chat that an operation could change."""
    chat = Chat.objects.filter(pk=chat_id).values("title", "avatar", "last_seq").first()
    return {
        "chat": chat,
        "members": sorted(
            Membership.objects.filter(chat_id=chat_id).values_list(
                "user_id", "role", "hidden", "last_read_seq", "cleared_seq", "muted"
            )
        ),
        "messages": sorted(
            Message.objects.filter(chat_id=chat_id).values_list("pk", "text", "deleted_at")
        ),
        "reactions": Reaction.objects.filter(message__chat_id=chat_id).count(),
        "hidden": MessageHide.objects.filter(message__chat_id=chat_id).count(),
        "audit": AuditLog.objects.filter(chat_id=chat_id).count(),
        "attachments": Attachment.objects.filter(chat_id=chat_id).count(),
        "chats": Chat.objects.count(),
    }
