"""What the chat services share: locks, membership and role checks, the change log (seq),
the audit log, publishing after commit (to the members who may see a change, in seq order),
the text checks and the errors.

Each change of a chat takes the next `Chat.last_seq` while holding the chat's row lock
(`select_for_update`; SQLite serialises writers with BEGIN IMMEDIATE), so numbers are gapless
per chat and membership checks see the state the change commits with. Events are published
after commit to the members at that moment: a removed member gets nothing more.

The underscore names are private to the `chats.services` package.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import is_blocked_between
from chats import events
from chats.models import (
    REASON_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
    Message,
)
from chats.selectors import member_ids, message_audience
from messenger.realtime import Frame, publish_on_commit

logger = logging.getLogger("beseda.chats")

Role = Membership.Role


class Forbidden(PermissionDenied):
    """The user is a member but their role does not allow this."""

    code = "forbidden"


class Blocked(PermissionDenied):
    """The two people of a dialog (or a group member and the actor) blocked one another."""

    code = "blocked"


# -- helpers ----------------------------------------------------------------------------------
def _lock_chat(chat_id: int) -> Chat:
    try:
        return Chat.objects.select_for_update().get(pk=chat_id)
    except Chat.DoesNotExist:
        raise Http404 from None


def _membership(chat: Chat, user: User) -> Membership:
    # With the user row: a payload built from it shows the sender's current name.
    membership = (
        Membership.objects.select_related("user").filter(chat=chat, user_id=user.pk).first()
    )
    if membership is None:
        raise Http404
    return membership


def _moderator(chat: Chat, user: User) -> Membership:
    membership = _membership(chat, user)
    if not chat.is_group or not membership.can_moderate:
        raise Forbidden(_("Only the owner and admins of a group can do this."))
    return membership


def _dialog_partner_id(chat: Chat, user_id: int) -> int | None:
    if chat.is_group or not chat.dialog_key:
        return None
    first, second = (int(part) for part in chat.dialog_key.split(":"))
    return second if first == user_id else first


def _ensure_not_blocked(chat: Chat, user: User) -> None:
    """Refuse a write to a dialog under a block either way, or whose other person deleted or
    lost their account (nobody would read it): the same rule as the send path's SQL
    (chats/statements.py, kept in step by tests/chats/test_send_rules.py)."""
    partner_id = _dialog_partner_id(chat, user.pk)
    if partner_id is None:
        return
    gone = not User.objects.filter(pk=partner_id, is_active=True).exists()
    if gone or is_blocked_between(user.pk, partner_id):
        raise Blocked(_("You cannot message this person."))


def _take_seq(chat: Chat) -> int:
    """The chat's next change number (the caller holds the chat's row lock)."""
    chat.last_seq += 1
    Chat.objects.filter(pk=chat.pk).update(last_seq=chat.last_seq)
    return chat.last_seq


def _record(
    chat: Chat,
    kind: str,
    *,
    message: Message | None = None,
    actor: User | None = None,
    target: User | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Take a seq for a change other than a new message and log it for `sync`."""
    seq = _take_seq(chat)
    ChatEvent.objects.create(
        chat=chat, seq=seq, type=kind, message=message, actor=actor, target=target, data=data or {}
    )
    return seq


def _audit(
    chat: Chat,
    actor: User | None,
    action: str,
    *,
    target: User | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    AuditLog.objects.create(
        chat=chat,
        actor=actor,
        action=action,
        target_user=target,
        reason=reason[:REASON_MAX_LENGTH],
        details=details or {},
    )


def _publish(frame: Frame, user_ids: Iterable[int]) -> None:
    """Deliver `frame` to `user_ids` once the transaction commits (never before); a change's
    frame reaches every socket in the chat's seq order."""
    order = None
    if frame["type"] in events.CHANGE_FRAMES and frame.get("seq") is not None:
        order = (frame["chat"], frame["seq"])
    publish_on_commit(frame, user_ids, order=order)


def _publish_to_members(chat: Chat, frame: Frame, *, also: Iterable[int] = ()) -> None:
    _publish(frame, [*member_ids(chat.pk), *also])


def _publish_about(message: Message, frame: Frame | Callable[[int], Frame]) -> None:
    """Publish a frame about an existing message to the members who may see it
    (`selectors.message_audience`: never to one whose history floor is at or above it).
    A frame carrying the message is given as `build(floor)`, the frame as a member with that
    floor sees it: those who cannot see the message it replies to get it without the quote."""
    audience = message_audience(message)
    if isinstance(frame, Mapping):
        _publish(frame, audience)
        return
    reply_seq = message.reply_to.seq if message.reply_to_id and message.reply_to else None
    _publish_by_floor(frame, audience, reply_seq)


def _publish_by_floor(
    build: Callable[[int], Frame], floors: dict[int, int], reply_seq: int | None
) -> None:
    """Publish `build(0)` to the users of `floors` (`{user id: history floor}`), and to those
    whose floor hides the replied message (seq `reply_seq`) `build(reply_seq)` instead."""
    if reply_seq is None or all(floor < reply_seq for floor in floors.values()):
        _publish(build(0), floors)
        return
    _publish(build(0), [user_id for user_id, floor in floors.items() if floor < reply_seq])
    _publish(build(reply_seq), [user_id for user_id, floor in floors.items() if floor >= reply_seq])


def _clean_text(text: str, *, allow_empty: bool) -> str:
    if not isinstance(text, str):
        raise ValidationError(_("The message text must be a string."), code="invalid")
    text = text.strip()
    if not text and not allow_empty:
        raise ValidationError(_("The message is empty."), code="empty")
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            _("A message can be at most %(max)d characters long.") % {"max": TEXT_MAX_LENGTH},
            code="too_long",
        )
    return text


def _parse_client_id(client_id: object) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError(_("client_id must be a UUID."), code="invalid") from None
