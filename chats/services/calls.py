"""Calls of a dialog: who may call whom, and the call's record stored as a message."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import is_blocked_between
from chats import events, hooks
from chats.models import Chat, Membership, Message
from chats.selectors import chat_get_for_user, message_for_payload
from chats.services._kit import (
    Blocked,
    _dialog_partner_id,
    _lock_chat,
    _membership,
    _parse_client_id,
    _publish_to_members,
    _take_seq,
)

if TYPE_CHECKING:
    from accounts.models import User


CALL_STATES = ("answered", "missed", "declined")
CALL_MAX_SECONDS = 24 * 3600


def call_partner_id(*, user: User, chat_id: int) -> int:
    """The other person of a dialog `user` may call: Http404 if not a member, ValidationError
    for a group, Blocked if either blocked the other."""

    chat = chat_get_for_user(user, chat_id)
    partner_id = _dialog_partner_id(chat, user.pk)
    if partner_id is None:
        raise ValidationError(_("Calls are possible in one-to-one chats only."), code="group")
    if is_blocked_between(user.pk, partner_id):
        raise Blocked(_("You cannot call this person."))
    return partner_id


def call_record(
    *, user: User, chat_id: int, call_id: uuid.UUID | str, state: str, duration: float = 0
) -> tuple[Message, bool]:
    """Store the record of a call of a dialog as a message (state answered, missed or declined,
    duration in seconds) and publish it like any message; one record per call, whichever side
    reports it first. Returns (message, created)."""
    call_id = _parse_client_id(call_id)
    if state not in CALL_STATES:
        raise ValidationError(_("Unknown call state."), code="invalid")
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration < 0:
        raise ValidationError(_("The call's length must be a number of seconds."), code="invalid")
    duration = round(min(float(duration), CALL_MAX_SECONDS), 1) if state == "answered" else 0
    call_partner_id(user=user, chat_id=chat_id)
    with transaction.atomic():
        chat = _lock_chat(chat_id)
        _membership(chat, user)
        existing = Message.objects.filter(chat=chat, client_id=call_id).first()
        if existing is not None:
            return message_for_payload(existing.pk), False
        seq = _take_seq(chat)
        message = Message.objects.create(
            chat=chat,
            seq=seq,
            sender=user,
            client_id=call_id,
            call={"state": state, "duration": duration},
        )
        if state == "missed":
            hooks.call_missed(caller=user, chat=chat, message=message)
        Chat.objects.filter(pk=chat.pk).update(
            last_message=message, last_activity_at=message.created_at
        )
        Membership.objects.filter(chat=chat, hidden=True).update(hidden=False)
        message = message_for_payload(message.pk)
        _publish_to_members(chat, events.message_new(message))
    return message, True
