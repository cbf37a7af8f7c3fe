"""REST operations about chats, members, messages and files (mounted under /api/v1/).

Thin like the views and the socket handlers: every operation calls the same service or selector
they call, so the rules (roles, blocks, friends, idempotent send) and the published socket
events are the same whichever way a change arrives. Refusals: 404 for a chat, message or member
the user may not see (ids never cross chats), 403 `forbidden` for a role that may not, 403
`blocked` between people who blocked one another, 400 for bad input, 413 for a too large file.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StrictBool

from accounts.api import USERNAME_PATTERN, Username, UserOut
from accounts.selectors import user_get_visible, visible_users
from chats import events, selectors, services
from chats.models import REASON_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, Membership
from messenger.api_kit import ApiError, Page, PageParams, Text, integer, page

router = Router(tags=["chats"])

# Ids fit the 64-bit columns of every database.
ID_MAX = 2**63 - 1
ChatId = Annotated[int, Path(..., ge=1, le=ID_MAX, description="A chat id.")]
MessageId = Annotated[int, Path(..., ge=1, le=ID_MAX, description="A message id.")]
Emoji = Annotated[
    str, Path(..., min_length=1, max_length=16, pattern=r"^[^\x00]*$", description="A reaction.")
]


# An empty file part is dropped by Django's multipart parser: the schema says a file has bytes.
Upload = Annotated[UploadedFile, File(..., min_length=1)]
UsernameText = Annotated[str, Field(min_length=1, max_length=150, pattern=USERNAME_PATTERN)]


# -- shapes -----------------------------------------------------------------------------------
class LastMessageOut(Schema):
    """The newest message of a chat, as the chat list previews it."""

    id: int
    seq: int
    sender: events.UserRef | None
    text: str
    deleted: bool
    created_at: datetime


class ChatOut(Schema):
    """A chat as the signed-in member sees it (a dialog is titled after the other person)."""

    id: int
    kind: Literal["dialog", "group"]
    title: str
    avatar_url: str | None
    role: Membership.Role
    partner: UserOut | None = Field(None, description="The other person of a dialog.")
    online: bool = Field(..., description="The other person of a dialog has a socket open.")
    unread: int = Field(..., description="Messages of others after my read mark.")
    last_seq: int = Field(..., description="The chat's last change number.")
    last_read_seq: int
    hidden: bool = Field(..., description="Deleted for me; comes back with the next message.")
    muted: bool = Field(..., description="Muted for me: no notifications from this chat.")
    last_activity_at: datetime
    last_message: LastMessageOut | None


class GroupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
    members: list[UsernameText] = Field(
        default_factory=list, max_length=100, description="Usernames of friends to add."
    )


class DialogIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: UsernameText


class ChatPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]


class MemberOut(Schema):
    user: UserOut
    role: Membership.Role
    joined_at: datetime
    last_read_seq: int


class MembersIn(Schema):
    model_config = ConfigDict(extra="forbid")

    usernames: list[UsernameText] = Field(
        ..., min_length=1, max_length=100, description="Usernames of friends to add."
    )


class RoleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    role: Literal["admin", "member"]


class ReasonParams(Schema):
    reason: Annotated[Text, Field(max_length=REASON_MAX_LENGTH)] = ""


class AuditOut(Schema):
    id: int
    action: str
    actor: events.UserRef | None
    target: events.UserRef | None
    reason: str
    details: dict[str, Any]
    created_at: datetime


class HistoryParams(Schema):
    before: int | None = Field(
        None, ge=1, le=ID_MAX, description="Messages with a smaller seq (older), newest of them."
    )
    after: int | None = Field(
        None, ge=0, le=ID_MAX, description="Messages with a larger seq (newer), oldest of them."
    )
    limit: int = Field(selectors.HISTORY_PAGE, ge=1, le=selectors.HISTORY_PAGE_MAX)


class MessagesPage(Schema):
    """Messages oldest first. `next` continues in the direction asked: pass it as `before`
    (or as `after` when walking forward with `after`); null when there is nothing more."""

    items: list[events.MessagePayload]
    next: int | None


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID = Field(
        ..., description="Made by the client, unique per message; a repeat returns the original."
    )
    text: Annotated[Text, Field(max_length=TEXT_MAX_LENGTH)] = ""
    reply_to: integer(ge=1, le=ID_MAX) | None = None
    attachments: list[integer(ge=1, le=ID_MAX)] = Field(
        default_factory=list,
        max_length=services.ATTACHMENTS_PER_MESSAGE,
        description="Ids from POST /chats/{chat_id}/attachments.",
    )


class MessagePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[Text, Field(max_length=TEXT_MAX_LENGTH)]


class DeleteParams(Schema):
    scope: Literal["me", "all"] = Field(
        "me", alias="for", description="`me`: hide it for me; `all`: delete it for everyone."
    )
    reason: Annotated[Text, Field(max_length=REASON_MAX_LENGTH)] = ""


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    seq: integer(ge=0, le=ID_MAX)


class ReadOut(Schema):
    last_read_seq: int


# -- helpers ----------------------------------------------------------------------------------
def _chat_out(row: selectors.ChatRow) -> dict[str, Any]:
    chat, membership, last = row.chat, row.membership, row.preview
    return {
        "id": chat.pk,
        "kind": chat.kind,
        "title": row.title,
        "avatar_url": row.avatar_url,
        "role": membership.role,
        "partner": row.avatar_person,
        "online": row.online,
        "unread": row.unread,
        "last_seq": chat.last_seq,
        "last_read_seq": membership.last_read_seq,
        "hidden": membership.hidden,
        "muted": membership.muted,
        "last_activity_at": chat.last_activity_at,
        "last_message": None
        if last is None
        else {
            "id": last.pk,
            "seq": last.seq,
            "sender": events.user_ref(last.sender),
            "text": "" if last.is_deleted else last.text,
            "deleted": last.is_deleted,
            "created_at": last.created_at,
        },
    }


def _people(viewer, usernames: list[str], field: str) -> list:
    """The visible people of `usernames`; 404 naming the ones not found (or hidden)."""
    wanted = list(dict.fromkeys(usernames))
    found = {u.username: u for u in visible_users(viewer).filter(username__in=wanted)}
    missing = [name for name in wanted if name not in found]
    if missing:
        message = _("No such people: %(names)s.") % {"names": ", ".join(missing)}
        raise ApiError(404, "not_found", message, fields={field: [message]})
    return [found[name] for name in wanted]


def _refusals(view):
    """Answer a service's ValidationError as 409 with its code (`not_friend`, `empty`,
    `reply`, `attachment`, `self`, ...): the request was well-formed, the chat's state or the
    people involved refuse it. A file over the size limit is a 413."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ValidationError as exc:
            code = getattr(exc, "code", None) or "conflict"
            if code == "too_large":
                raise ApiError(413, "too_large", " ".join(exc.messages)) from None
            raise ApiError(409, code, " ".join(exc.messages)) from None

    return wrapper


def _chat(request: HttpRequest, chat_id: int):
    return selectors.chat_get_for_user(request.user, chat_id)


# -- chats ------------------------------------------------------------------------------------
@router.get("/chats", response=Page[ChatOut], summary="My chats, most recently active first")
def chats_list(request: HttpRequest, paging: Query[PageParams]):
    rows = selectors.chat_list_for(request.user, limit=paging.limit + 1, after_id=paging.after_id)
    result = page(rows, paging, key=lambda row: row.id)
    result["items"] = [_chat_out(row) for row in result["items"]]
    return result


@router.post("/chats", response={201: ChatOut}, summary="Create a group with friends")
@_refusals
def group_create(request: HttpRequest, payload: GroupIn):
    members = _people(request.user, payload.members, "members")
    chat = services.group_create(owner=request.user, title=payload.title, members=members)
    return Status(201, _chat_out(selectors.chat_row_for(request.user, chat.pk)))


@router.post("/dialogs", response={200: ChatOut}, summary="Open my dialog with a person")
@_refusals
def dialog_open(request: HttpRequest, payload: DialogIn):
    other = user_get_visible(request.user, payload.username)
    chat = services.dialog_get_or_create(user=request.user, other=other)
    return _chat_out(selectors.chat_row_for(request.user, chat.pk))


@router.get("/chats/{chat_id}", response=ChatOut, summary="One chat")
def chat_get(request: HttpRequest, chat_id: ChatId):
    return _chat_out(selectors.chat_row_for(request.user, chat_id))


@router.patch("/chats/{chat_id}", response=ChatOut, summary="Rename a group (owner, admins)")
@_refusals
def chat_rename(request: HttpRequest, chat_id: ChatId, payload: ChatPatch):
    services.group_rename(actor=request.user, chat=_chat(request, chat_id), title=payload.title)
    return _chat_out(selectors.chat_row_for(request.user, chat_id))


@router.post("/chats/{chat_id}/avatar", response=ChatOut, summary="Set a group's photo")
@_refusals
def chat_avatar_set(request: HttpRequest, chat_id: ChatId, avatar: Upload):
    services.group_avatar_set(actor=request.user, chat=_chat(request, chat_id), upload=avatar)
    return _chat_out(selectors.chat_row_for(request.user, chat_id))


@router.delete("/chats/{chat_id}/avatar", response=ChatOut, summary="Remove a group's photo")
@_refusals
def chat_avatar_delete(request: HttpRequest, chat_id: ChatId):
    services.group_avatar_set(actor=request.user, chat=_chat(request, chat_id), upload=None)
    return _chat_out(selectors.chat_row_for(request.user, chat_id))


@router.delete("/chats/{chat_id}", response={204: None}, summary="Delete a group (owner)")
@_refusals
def chat_delete(request: HttpRequest, chat_id: ChatId):
    services.group_delete(actor=request.user, chat=_chat(request, chat_id))
    return Status(204, None)


@router.post("/chats/{chat_id}/leave", response={204: None}, summary="Leave a group")
@_refusals
def chat_leave(request: HttpRequest, chat_id: ChatId):
    services.chat_leave(user=request.user, chat=_chat(request, chat_id))
    return Status(204, None)


@router.post(
    "/chats/{chat_id}/hide", response={204: None}, summary="Delete a chat for me (hide it)"
)
@_refusals
def chat_hide(request: HttpRequest, chat_id: ChatId):
    services.chat_hide(user=request.user, chat=_chat(request, chat_id))
    return Status(204, None)


class MuteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    muted: StrictBool = Field(
        ..., description="True: replies, @mentions and missed calls of the chat don't notify me."
    )


class MuteOut(Schema):
    muted: bool


@router.put("/chats/{chat_id}/mute", response=MuteOut, summary="Mute or unmute a chat for me")
@_refusals
def chat_mute(request: HttpRequest, chat_id: ChatId, payload: MuteIn):
    membership = services.chat_mute_set(
        user=request.user, chat=_chat(request, chat_id), muted=payload.muted
    )
    return {"muted": membership.muted}


@router.post("/chats/{chat_id}/read", response=ReadOut, summary="Mark read up to a seq")
@_refusals
def chat_read(request: HttpRequest, chat_id: ChatId, payload: ReadIn):
    seq = services.chat_read(user=request.user, chat_id=chat_id, seq=payload.seq)
    return {"last_read_seq": seq}


# -- members ----------------------------------------------------------------------------------
@router.get("/chats/{chat_id}/members", response=Page[MemberOut], summary="Members")
def members_list(request: HttpRequest, chat_id: ChatId, paging: Query[PageParams]):
    chat = _chat(request, chat_id)
    rows = selectors.members_page(chat, limit=paging.limit + 1, after_id=paging.after_id)
    return page(rows, paging)


@router.post(
    "/chats/{chat_id}/members", response={201: list[MemberOut]}, summary="Add friends to a group"
)
@_refusals
def members_add(request: HttpRequest, chat_id: ChatId, payload: MembersIn):
    chat = _chat(request, chat_id)
    users = _people(request.user, payload.usernames, "usernames")
    return Status(201, services.chat_members_add(actor=request.user, chat=chat, users=users))


@router.patch(
    "/chats/{chat_id}/members/{username}",
    response=MemberOut,
    summary="Make a member an admin or back (owner)",
)
@_refusals
def member_set_role(request: HttpRequest, chat_id: ChatId, username: Username, payload: RoleIn):
    chat = _chat(request, chat_id)
    person = selectors.member_get(chat, username=username).user
    services.chat_member_set_role(actor=request.user, chat=chat, user=person, role=payload.role)
    return selectors.member_get(chat, user_id=person.pk)


@router.delete(
    "/chats/{chat_id}/members/{username}",
    response={204: None},
    summary="Remove a member (owner, admins)",
)
@_refusals
def member_remove(
    request: HttpRequest, chat_id: ChatId, username: Username, params: Query[ReasonParams]
):
    chat = _chat(request, chat_id)
    person = selectors.member_get(chat, username=username).user
    services.chat_member_remove(actor=request.user, chat=chat, user=person, reason=params.reason)
    return Status(204, None)


@router.get("/chats/{chat_id}/audit", response=Page[AuditOut], summary="Audit log (owner, admins)")
def audit_list(request: HttpRequest, chat_id: ChatId, paging: Query[PageParams]):
    chat = _chat(request, chat_id)
    rows = selectors.audit_log_for(
        request.user, chat, limit=paging.limit + 1, after_id=paging.after_id
    )
    result = page(rows, paging)
    result["items"] = [
        {
            "id": entry.pk,
            "action": entry.action,
            "actor": events.user_ref(entry.actor),
            "target": events.user_ref(entry.target_user),
            "reason": entry.reason,
            "details": entry.details,
            "created_at": entry.created_at,
        }
        for entry in result["items"]
    ]
    return result


# -- messages ---------------------------------------------------------------------------------
@router.get("/chats/{chat_id}/messages", response=MessagesPage, summary="History by seq")
def messages_list(request: HttpRequest, chat_id: ChatId, params: Query[HistoryParams]):
    chat = _chat(request, chat_id)
    rows, more = selectors.history_window(
        request.user, chat, before=params.before, after=params.after, limit=params.limit
    )
    cursor = None
    if more and rows:
        cursor = rows[-1].seq if params.after is not None else rows[0].seq
    floor = chat.membership.cleared_seq
    return {"items": [events.message_payload(m, floor=floor) for m in rows], "next": cursor}


@router.post(
    "/chats/{chat_id}/messages",
    response={200: events.MessagePayload, 201: events.MessagePayload},
    summary="Send a message (201; 200 with the original for a repeated client_id)",
)
@_refusals
def message_send(request: HttpRequest, chat_id: ChatId, payload: MessageIn):
    chat = _chat(request, chat_id)
    message, created = services.message_send(
        sender=request.user,
        chat=chat,
        text=payload.text,
        client_id=payload.client_id,
        reply_to=payload.reply_to,
        attachment_ids=payload.attachments,
    )
    payload = events.message_payload(message, floor=chat.membership.cleared_seq)
    return Status(201 if created else 200, payload)


@router.patch(
    "/chats/{chat_id}/messages/{message_id}",
    response=events.MessagePayload,
    summary="Edit my message",
)
@_refusals
def message_edit(
    request: HttpRequest, chat_id: ChatId, message_id: MessageId, payload: MessagePatch
):
    found = selectors.message_in_chat(request.user, chat_id, message_id, deleted=True, hidden=True)
    message = services.message_edit(editor=request.user, message_id=message_id, text=payload.text)
    return events.message_payload(message, floor=found.floor)


@router.delete(
    "/chats/{chat_id}/messages/{message_id}",
    response={204: None},
    summary="Delete a message for me or for everyone",
)
@_refusals
def message_delete(
    request: HttpRequest, chat_id: ChatId, message_id: MessageId, params: Query[DeleteParams]
):
    selectors.message_in_chat(request.user, chat_id, message_id, deleted=True, hidden=True)
    services.message_delete(
        actor=request.user, message_id=message_id, scope=params.scope, reason=params.reason
    )
    return Status(204, None)


@router.put(
    "/chats/{chat_id}/messages/{message_id}/reactions/{emoji}",
    response=events.MessagePayload,
    summary="React to a message",
)
@_refusals
def reaction_add(request: HttpRequest, chat_id: ChatId, message_id: MessageId, emoji: Emoji):
    found = selectors.message_in_chat(request.user, chat_id, message_id)
    services.reaction_add(user=request.user, message_id=message_id, emoji=emoji)
    return events.message_payload(selectors.message_for_payload(message_id), floor=found.floor)


@router.delete(
    "/chats/{chat_id}/messages/{message_id}/reactions/{emoji}",
    response=events.MessagePayload,
    summary="Withdraw my reaction",
)
@_refusals
def reaction_remove(request: HttpRequest, chat_id: ChatId, message_id: MessageId, emoji: Emoji):
    found = selectors.message_in_chat(request.user, chat_id, message_id)
    services.reaction_remove(user=request.user, message_id=message_id, emoji=emoji)
    return events.message_payload(selectors.message_for_payload(message_id), floor=found.floor)


# -- files ------------------------------------------------------------------------------------
@router.post(
    "/chats/{chat_id}/attachments",
    response={201: events.AttachmentPayload},
    summary="Upload a file to send with a message",
)
@_refusals
def attachment_upload(request: HttpRequest, chat_id: ChatId, file: Upload):
    """The answer's `id` goes in a message's `attachments`; `url` downloads the file (members
    only, with the same authentication)."""
    chat = _chat(request, chat_id)
    attachment = services.attachment_create(uploader=request.user, chat=chat, upload=file)
    return Status(201, events.attachment_payload(attachment))
