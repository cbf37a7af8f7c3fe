"""Messages: send (the hot path), edit, delete, staff removal, reactions, typing and read
state. A change of a message is published to the members who may see it (their history
floor), see `_kit._publish_about`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ForeignKey, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import events, hooks, statements
from chats.emoji import ALLOWED as ALLOWED_EMOJI
from chats.models import (
    ROLE_RANK,
    Attachment,
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
    Message,
    MessageEdit,
    MessageHide,
    Reaction,
)
from chats.selectors import (
    chat_get_for_user,
    member_ids,
    membership_get,
    message_for_payload,
    message_get_for_user,
    sticker_get_offered,
)
from chats.services._kit import (
    Blocked,
    Forbidden,
    Role,
    _audit,
    _clean_text,
    _dialog_partner_id,
    _ensure_not_blocked,
    _lock_chat,
    _membership,
    _parse_client_id,
    _publish,
    _publish_about,
    _publish_by_floor,
    _publish_to_members,
    _record,
)
from messenger.realtime import publish
from messenger.storage import delete_files_on_commit

if TYPE_CHECKING:
    from accounts.models import User


ATTACHMENTS_PER_MESSAGE = 10


def _existing_send(sender: User, client_id: uuid.UUID, chat: Chat) -> Message | None:
    existing = Message.objects.filter(sender=sender, client_id=client_id).first()
    if existing is not None and existing.chat_id != chat.pk:
        raise ValidationError(_("This client_id was already used in another chat."), code="reused")
    return existing


def message_send(
    *,
    sender: User,
    chat: Chat,
    text: str,
    client_id: uuid.UUID | str,
    reply_to: int | None = None,
    attachment_ids: Sequence[int] = (),
    sticker: int | None = None,
) -> tuple[Message, bool]:
    """Store a message and publish `message.new` to the members; returns (message, created).
    A sticker message (`sticker` = id of a sticker of an offered pack) has no text or files.

    Idempotent on (sender, client_id): a repeat returns the original and publishes nothing,
    also when repeats race each other."""
    client_id = _parse_client_id(client_id)
    attachment_ids = list(dict.fromkeys(attachment_ids))
    if len(attachment_ids) > ATTACHMENTS_PER_MESSAGE:
        raise ValidationError(
            _("At most %(max)d files per message.") % {"max": ATTACHMENTS_PER_MESSAGE},
            code="too_many",
        )
    sticker_row = None
    if sticker is not None:
        if (isinstance(text, str) and text.strip()) or attachment_ids:
            raise ValidationError(
                _("A sticker is sent on its own, without text or files."), code="invalid"
            )
        sticker_row = sticker_get_offered(sticker)
        if sticker_row is None:
            raise ValidationError(_("This sticker is not available."), code="sticker")
    text = _clean_text(text, allow_empty=bool(attachment_ids) or sticker_row is not None)
    # The hottest write of the messenger: plain statements (chats/statements.py), no ORM
    # query building. The same checks and writes as the other services, in the same order.
    try:
        with transaction.atomic():
            head = statements.take_seq(chat.pk)  # the chat's row lock, as _lock_chat takes
            if head is None:
                raise Http404
            chat = statements.instance(
                Chat, id=chat.pk, kind=head.kind, dialog_key=head.dialog_key, last_seq=head.seq
            )
            partner_id = _dialog_partner_id(chat, sender.pk)
            # The members, and the sender's row as it is now (the payload shows their
            # current name), and for a dialog whether the two blocked one another.
            members, author, blocked = statements.roster(chat.pk, sender.pk, partner_id)
            if author is None:
                raise Http404
            mine = next(m for m in members if m.user_id == sender.pk)
            row = {
                "chat_id": chat.pk,
                "seq": head.seq,
                "sender_id": sender.pk,
                "client_id": client_id,
                "text": text,
                "reply_to_id": reply_to,
                "sticker_id": sticker_row.pk if sticker_row else None,
                "call": None,
                "created_at": timezone.now(),
                "edited_at": None,
                "deleted_at": None,
            }
            # Written (with the chat list's last message and the sender's read mark) before
            # the checks that a first send needs: a repeated client_id fails here on the unique
            # constraint and is answered below with the original (its files are no longer
            # unattached, its sender may be blocked since). No lookup runs for the common new
            # send; anything refused further down rolls it all back.
            message_id = statements.write_message(row, mine.membership_id)
            # The new row as the selectors would load it, related rows in place.
            message = statements.instance(Message, id=message_id, **row)
            for name, related in (("chat", chat), ("sender", author), ("sticker", sticker_row)):
                cast("ForeignKey[Any, Any]", Message._meta.get_field(name)).set_cached_value(
                    message, related
                )
            if blocked:
                raise Blocked(_("You cannot message this person."))
            if reply_to is not None:
                message.reply_to = _reply_target(chat, sender, reply_to)
            attachments = []
            if attachment_ids:
                attachments = list(
                    Attachment.objects.filter(
                        pk__in=attachment_ids, chat=chat, uploader=sender, message__isnull=True
                    ).order_by("id")
                )
                if len(attachments) != len(attachment_ids):
                    raise ValidationError(
                        _("A file of this message is missing."), code="attachment"
                    )
                Attachment.objects.filter(pk__in=attachment_ids).update(message=message)
            # The payload comes from the rows in hand: no reload with prefetches under the lock.
            message = _loaded(message, attachments=attachments)
            hooks.message_sent(
                message=message, chat=chat, reply_to=message.reply_to if reply_to else None
            )
            frame = events.message_new(message)
            message.sent_payload = frame["message"]  # the ack says the same: built once
            # Members whose history floor hides the message replied to get it unquoted.
            _publish_by_floor(
                lambda floor: frame if floor == 0 else events.message_new(message, floor=floor),
                {m.user_id: m.floor for m in members},
                message.reply_to.seq if reply_to is not None and message.reply_to else None,
            )
            return message, True
    except IntegrityError:
        # A repeat of the same client_id (resent, or racing its original): answer with it.
        existing = _existing_send(sender, client_id, chat)
        if existing is None:
            raise
        return message_for_payload(existing.pk), False


def _reply_target(chat: Chat, sender: User, message_id: int) -> Message:
    """The message being answered, loaded for the reply excerpt: one of this chat that the
    sender may see (`message_get_for_user`: not below their history floor, not deleted);
    ValidationError otherwise, as for a message that is gone (quoting it would leak it)."""
    try:
        reply = message_get_for_user(sender, message_id)
    except Http404:
        reply = None
    if reply is None or reply.chat_id != chat.pk:
        raise ValidationError(_("The message you reply to is gone."), code="reply")
    prefetch_related_objects(
        [reply], Prefetch("attachments", queryset=Attachment.objects.only("id", "message_id"))
    )
    return reply


def _loaded(message: Message, *, attachments: list[Attachment]) -> Message:
    """A just-created message with what `events.message_payload` reads already in place,
    exactly as `message_for_payload` would load it (a new message has no reactions)."""
    for attachment in attachments:
        attachment.message = message
    # Django's private prefetch cache (fenced in messenger/internals.py): not in the stubs.
    message._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    for model, name, rows in (
        (Attachment, "attachments", attachments),
        (Reaction, "reactions", []),
    ):
        # What `prefetch_related` stores: a queryset with its rows already fetched (a bare
        # one: the related manager's own costs a filter() per send, and is never queried).
        rows_qs: QuerySet[Any] = QuerySet(model=model)
        rows_qs._result_cache, rows_qs._prefetch_done = rows, True  # type: ignore[attr-defined]
        message._prefetched_objects_cache[name] = rows_qs  # type: ignore[attr-defined]
    return message


def _locked_message(message_id: int, user: User, **rules: bool) -> tuple[Chat, Membership, Message]:
    """Lock the chat of a message the user may see (`message_get_for_user` with `rules`),
    then check it again under the lock (a removal or a "delete chat for me" may have come
    between); Http404 otherwise."""
    chat = _lock_chat(message_get_for_user(user, message_id, **rules).chat_id)
    message = message_get_for_user(user, message_id, **rules)
    membership = _membership(chat, user)
    return chat, membership, message


def message_edit(*, editor: User, message_id: int, text: str) -> Message:
    """Change the text of one's own message (the old text goes to its edit history) and
    publish `message.updated`."""
    with transaction.atomic():
        chat, _membership_row, message = _locked_message(
            message_id, editor, deleted=True, hidden=True
        )
        if message.sender_id != editor.pk or message.is_deleted:
            raise Forbidden(_("You can only edit your own messages."))
        if message.sticker_id is not None:
            raise ValidationError(_("A sticker cannot be edited."), code="sticker")
        _ensure_not_blocked(chat, editor)
        has_files = message.attachments.exists()
        text = _clean_text(text, allow_empty=has_files)
        if text == message.text:
            return message_for_payload(message.pk)
        MessageEdit.objects.create(message=message, text=message.text)
        message.text = text
        message.edited_at = timezone.now()
        message.save(update_fields=["text", "edited_at"])
        seq = _record(chat, ChatEvent.Type.MESSAGE_UPDATED, message=message, actor=editor)
        message = message_for_payload(message.pk)
        _publish_about(message, lambda floor: events.message_updated(message, seq, floor=floor))
    return message


def message_delete(*, actor: User, message_id: int, scope: str, reason: str = "") -> None:
    """Delete a message for oneself (`scope="me"`) or for everyone (`"all"`: one's own
    messages; in groups owners and admins also others' below their role, audited). Deleting
    for everyone removes the text, files, reactions and edit history."""
    if scope not in ("me", "all"):
        raise ValidationError(_('\'for\' must be "me" or "all".'), code="invalid")
    if scope == "me":
        with transaction.atomic():
            message = message_get_for_user(actor, message_id, deleted=True, hidden=True)
            MessageHide.objects.get_or_create(message=message, user=actor)
            _publish(
                events.message_deleted(chat_id=message.chat_id, message_id=message.pk, seq=None),
                [actor.pk],
            )
        return
    with transaction.atomic():
        chat, membership, message = _locked_message(message_id, actor, deleted=True, hidden=True)
        if message.is_deleted:
            return
        own = message.sender_id == actor.pk
        if not own:
            sender_role = (
                # A sender who deleted their account (None) is no member: IS NULL finds none.
                # The plugin rejects None although Django turns it into IS NULL.
                Membership.objects.filter(chat=chat, user_id=message.sender_id)  # type: ignore[misc]
                .values_list("role", flat=True)
                .first()
                or Role.MEMBER
            )
            if not (
                chat.is_group
                and membership.can_moderate
                and ROLE_RANK[membership.role] > ROLE_RANK[sender_role]
            ):
                raise Forbidden(_("You can only delete your own messages."))
        _tombstone(chat, message, actor=actor, audited=not own, reason=reason)


def _tombstone(chat: Chat, message: Message, *, actor: User, audited: bool, reason: str) -> None:
    """Wipe a message's content for everyone (the caller holds the chat's lock)."""
    files = [name for pair in message.attachments.values_list("file", "thumbnail") for name in pair]
    message.attachments.all().delete()
    message.reactions.all().delete()
    message.edits.all().delete()
    message.text = ""
    message.deleted_at = timezone.now()
    message.save(update_fields=["text", "deleted_at"])
    if audited:
        _audit(
            chat,
            actor,
            AuditLog.Action.MESSAGE_DELETED,
            target=message.sender,
            reason=reason,
            details={"message": message.pk, "seq": message.seq},
        )
    seq = _record(chat, ChatEvent.Type.MESSAGE_DELETED, message=message, actor=actor)
    _publish_about(message, events.message_deleted(chat_id=chat.pk, message_id=message.pk, seq=seq))
    delete_files_on_commit(files)


def message_remove_by_staff(*, moderator: User, message_id: int, reason: str = "") -> None:
    """Site moderation (Django admin): delete any message for everyone, audited in its chat.
    Raises Forbidden for non-staff."""
    if not moderator.is_staff:
        raise Forbidden(_("Only site moderators can do this."))
    with transaction.atomic():
        chat_id = Message.objects.filter(pk=message_id).values_list("chat_id", flat=True).first()
        if chat_id is None:
            raise Http404
        chat = _lock_chat(chat_id)
        message = Message.objects.select_related("sender").get(pk=message_id)
        if not message.is_deleted:
            _tombstone(chat, message, actor=moderator, audited=True, reason=reason)


def _reaction_change(*, user: User, message_id: int, emoji: str, add: bool) -> None:
    if emoji not in ALLOWED_EMOJI:
        raise ValidationError(_("This reaction is not available."), code="emoji")
    with transaction.atomic():
        chat, _membership_row, message = _locked_message(message_id, user)
        if message.is_deleted:
            raise Http404
        if add:
            _ensure_not_blocked(chat, user)
            _reaction, changed = Reaction.objects.get_or_create(
                message=message, user=user, emoji=emoji
            )
        else:
            changed = bool(
                Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()[0]
            )
        if not changed:
            return
        seq = _record(chat, ChatEvent.Type.REACTION_UPDATED, message=message, actor=user)
        message = message_for_payload(message.pk)
        _publish_about(message, events.reaction_updated(message, seq))


def reaction_add(*, user: User, message_id: int, emoji: str) -> None:
    """React to a message (no-op if already); publishes `reaction.updated` on a change."""
    _reaction_change(user=user, message_id=message_id, emoji=emoji, add=True)


def reaction_remove(*, user: User, message_id: int, emoji: str) -> None:
    """Withdraw a reaction (no-op if absent); publishes `reaction.updated` on a change."""
    _reaction_change(user=user, message_id=message_id, emoji=emoji, add=False)


def typing_notify(*, user: User, chat_id: int) -> None:
    """Tell the other members that `user` is typing (ephemeral: nothing is stored)."""

    chat = chat_get_for_user(user, chat_id)
    _ensure_not_blocked(chat, user)
    recipients = [uid for uid in member_ids(chat.pk) if uid != user.pk]
    publish(events.typing(chat_id=chat.pk, user=user), recipients)


def chat_read(*, user: User, chat_id: int, seq: int) -> int:
    """Mark the chat read up to `seq` (never backwards, never past the chat's last change) and
    publish `read` to the members; returns the member's last_read_seq."""

    if not isinstance(seq, int) or seq < 0:
        raise ValidationError(_("seq must be a non-negative integer."), code="invalid")
    membership = membership_get(user, chat_id)
    seq = min(seq, membership.chat.last_seq)
    if seq <= membership.last_read_seq:
        return membership.last_read_seq
    with transaction.atomic():
        moved = Membership.objects.filter(pk=membership.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq
        )
        if moved:
            _publish_to_members(
                membership.chat, events.read(chat_id=chat_id, user_id=user.pk, seq=seq)
            )
    return seq
