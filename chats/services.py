"""Every write about chats. One service = one transaction: check, write, audit, publish on commit.

Each change of a chat takes the next `Chat.last_seq` while holding the chat's row lock
(`select_for_update`; SQLite serialises writers with BEGIN IMMEDIATE), so numbers are gapless
per chat and membership checks see the state the change commits with. Events are published
with `transaction.on_commit` to the members at that moment: a removed member gets nothing more.

Errors: Http404 for a chat or message the user may not see (missing and forbidden look the
same), `Forbidden` for a member without the right role, `Blocked` in a dialog between people
who blocked one another, ValidationError for bad input.
"""

from __future__ import annotations

import logging
import mimetypes
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from functools import partial
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.selectors import blocked_user_ids, is_blocked_between
from chats import events, hooks, images, recordings, statements, tasks
from chats.emoji import ALLOWED as ALLOWED_EMOJI
from chats.models import (
    REASON_MAX_LENGTH,
    ROLE_RANK,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Attachment,
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
    Message,
    MessageEdit,
    MessageHide,
    Reaction,
    Sticker,
    StickerPack,
)
from chats.selectors import (
    chat_get_for_user,
    member_ids,
    membership_get,
    message_audience,
    message_for_payload,
    message_get_for_user,
    sticker_get_offered,
)
from chats.system_lines import system_line_add
from messenger.images import reencode_image
from messenger.realtime import publish
from messenger.tasks.kit import enqueue_on_commit
from social.selectors import friend_ids

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

logger = logging.getLogger("beseda.chats")

GROUP_MAX_MEMBERS = 1000
ATTACHMENTS_PER_MESSAGE = 10
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
    partner_id = _dialog_partner_id(chat, user.pk)
    if partner_id is not None and is_blocked_between(user.pk, partner_id):
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
    data: dict | None = None,
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
    details: dict | None = None,
) -> None:
    AuditLog.objects.create(
        chat=chat,
        actor=actor,
        action=action,
        target_user=target,
        reason=reason[:REASON_MAX_LENGTH],
        details=details or {},
    )


def _publish(frame: dict, user_ids: Iterable[int]) -> None:
    """Deliver `frame` to `user_ids` once the transaction commits (never before); a change's
    frame reaches every socket in the chat's seq order."""
    ids = sorted(set(user_ids))
    if ids:
        order = None
        if frame["type"] in events.CHANGE_FRAMES and frame.get("seq") is not None:
            order = (frame["chat"], frame["seq"])
        transaction.on_commit(partial(publish, frame, ids, order=order))


def _publish_to_members(chat: Chat, frame: dict, *, also: Iterable[int] = ()) -> None:
    _publish(frame, [*member_ids(chat.pk), *also])


def _publish_about(message: Message, frame: dict | Callable[[int], dict]) -> None:
    """Publish a frame about an existing message to the members who may see it
    (`selectors.message_audience`: never to one whose history floor is at or above it).
    A frame carrying the message is given as `build(floor)`, the frame as a member with that
    floor sees it: those who cannot see the message it replies to get it without the quote."""
    audience = message_audience(message)
    if isinstance(frame, dict):
        _publish(frame, audience)
        return
    reply_seq = message.reply_to.seq if message.reply_to_id and message.reply_to else None
    _publish_by_floor(frame, audience, reply_seq)


def _publish_by_floor(
    build: Callable[[int], dict], floors: dict[int, int], reply_seq: int | None
) -> None:
    """Publish `build(0)` to the users of `floors` (`{user id: history floor}`), and to those
    whose floor hides the replied message (seq `reply_seq`) `build(reply_seq)` instead."""
    if reply_seq is None or all(floor < reply_seq for floor in floors.values()):
        _publish(build(0), floors)
        return
    _publish(build(0), [user_id for user_id, floor in floors.items() if floor < reply_seq])
    _publish(build(reply_seq), [user_id for user_id, floor in floors.items() if floor >= reply_seq])


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete chat file %s", name, exc_info=True)


def _delete_files_on_commit(names: Sequence[str]) -> None:
    if names:
        transaction.on_commit(partial(_delete_files, list(names)))


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


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(_("Give the group a name."), code="required")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("A group name can be at most %(max)d characters long.") % {"max": TITLE_MAX_LENGTH},
            code="too_long",
        )
    return title


def _check_new_members(actor: User, users: Sequence[User], existing: int) -> None:
    """New group members must be active friends of the actor, and nobody either side blocked."""

    friends = friend_ids(actor)
    blocked = blocked_user_ids(actor)
    for person in users:
        if person.pk == actor.pk:
            raise ValidationError(_("You are already in the group."), code="self")
        if person.pk in blocked:
            raise Blocked(_("You cannot add %(name)s.") % {"name": person.username})
        if person.pk not in friends or not person.is_active:
            raise ValidationError(
                _("%(name)s is not your friend.") % {"name": person.username}, code="not_friend"
            )
    if existing + len(users) > GROUP_MAX_MEMBERS:
        raise ValidationError(
            _("A group can have at most %(max)d members.") % {"max": GROUP_MAX_MEMBERS},
            code="too_many",
        )


# -- dialogs and groups -----------------------------------------------------------------------
def dialog_get_or_create(*, user: User, other: User) -> Chat:
    """The one dialog between `user` and `other`, created on first use (never twice, even when
    requests race). Raises ValidationError for oneself, Blocked between blocked people."""
    if other.pk == user.pk:
        raise ValidationError(_("You cannot start a dialog with yourself."), code="self")
    if not other.is_active:
        raise Http404
    if is_blocked_between(user.pk, other.pk):
        raise Blocked(_("You cannot message this person."))
    low, high = sorted((user.pk, other.pk))
    key = f"{low}:{high}"
    chat = Chat.objects.filter(dialog_key=key).first()
    if chat is not None:
        return chat
    try:
        with transaction.atomic():
            chat = Chat.objects.create(kind=Chat.Kind.DIALOG, dialog_key=key, created_by=user)
            Membership.objects.bulk_create(
                [Membership(chat=chat, user_id=low), Membership(chat=chat, user_id=high)]
            )
    except IntegrityError:
        # Another request created it between our read and our insert: use theirs.
        chat = Chat.objects.get(dialog_key=key)
    return chat


def group_create(*, owner: User, title: str, members: Sequence[User]) -> Chat:
    """A group owned by `owner` with `members` (friends of the owner). ValidationError for a bad
    title or members, Blocked for someone the owner blocked or was blocked by."""
    title = _clean_title(title)
    members = list({m.pk: m for m in members}.values())
    _check_new_members(owner, members, existing=1)
    with transaction.atomic():
        chat = Chat.objects.create(kind=Chat.Kind.GROUP, title=title, created_by=owner)
        Membership.objects.bulk_create(
            [Membership(chat=chat, user=owner, role=Role.OWNER)]
            + [Membership(chat=chat, user=m, role=Role.MEMBER) for m in members]
        )
        _audit(chat, owner, AuditLog.Action.CREATED, details={"title": title})
        for person in members:
            _audit(chat, owner, AuditLog.Action.MEMBER_ADDED, target=person)
        hooks.members_added(actor=owner, chat=chat, users=members)
        seq = _record(chat, ChatEvent.Type.CHAT_UPDATED, actor=owner, data={"title": title})
        _publish_to_members(chat, events.chat_updated(chat, seq=seq, by=owner.pk))
    return chat


def group_rename(*, actor: User, chat: Chat, title: str) -> Chat:
    """Rename a group (owner or admin); audited."""
    title = _clean_title(title)
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        _moderator(chat, actor)
        if title == chat.title:
            return chat
        old = chat.title
        chat.title = title
        chat.save(update_fields=["title"])
        _audit(chat, actor, AuditLog.Action.RENAMED, details={"from": old, "to": title})
        seq = _record(
            chat,
            ChatEvent.Type.CHAT_UPDATED,
            actor=actor,
            data={"title": title, "avatar": events.chat_avatar_url(chat)},
        )
        _publish_to_members(chat, events.chat_updated(chat, seq=seq, by=actor.pk))
        _publish_to_members(
            chat,
            system_line_add(
                chat=chat, seq=_take_seq(chat), kind="renamed", actor=actor, title=title
            ),
        )
    return chat


def group_avatar_set(*, actor: User, chat: Chat, upload: UploadedFile | None) -> Chat:
    """Set (or with None remove) a group's photo (owner or admin); audited. ValidationError if
    the upload is not an image."""
    data = images.square_avatar(upload) if upload is not None else None
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        _moderator(chat, actor)
        old_name = chat.avatar.name if chat.avatar else ""
        if data is None and not old_name:
            return chat
        new_name = ""
        if data is not None:
            new_name = default_storage.save(
                f"chat-avatars/{chat.pk}/{secrets.token_urlsafe(12)}.webp", ContentFile(data)
            )
        chat.avatar = new_name
        try:
            chat.save(update_fields=["avatar"])
        except BaseException:
            _delete_files([new_name])
            raise
        _audit(chat, actor, AuditLog.Action.AVATAR_CHANGED, details={"removed": data is None})
        seq = _record(
            chat,
            ChatEvent.Type.CHAT_UPDATED,
            actor=actor,
            data={"title": chat.title, "avatar": events.chat_avatar_url(chat)},
        )
        _publish_to_members(chat, events.chat_updated(chat, seq=seq, by=actor.pk))
        _delete_files_on_commit([old_name])
    return chat


def chat_members_add(*, actor: User, chat: Chat, users: Sequence[User]) -> list[Membership]:
    """Add friends of the actor to a group (owner or admin); each addition is audited."""
    users = list({u.pk: u for u in users}.values())
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        _moderator(chat, actor)
        present = set(member_ids(chat.pk))
        users = [u for u in users if u.pk not in present]
        _check_new_members(actor, users, existing=len(present))
        added = []
        for person in users:
            # A new member sees the group from the moment they join: earlier history stays
            # closed to them (and to their exports), as it does after "delete chat for me".
            membership = Membership.objects.create(
                chat=chat,
                user=person,
                role=Role.MEMBER,
                cleared_seq=chat.last_seq,
                last_read_seq=chat.last_seq,
            )
            added.append(membership)
            _audit(chat, actor, AuditLog.Action.MEMBER_ADDED, target=person)
            seq = _record(
                chat,
                ChatEvent.Type.MEMBER_ADDED,
                actor=actor,
                target=person,
                data={"user": events.user_ref(person), "role": Role.MEMBER},
            )
            _publish_to_members(
                chat,
                events.member_added(
                    chat_id=chat.pk, seq=seq, user=person, role=Role.MEMBER, by=actor.pk
                ),
            )
            _publish_to_members(
                chat,
                system_line_add(
                    chat=chat, seq=_take_seq(chat), kind="added", actor=actor, target=person
                ),
            )
        hooks.members_added(actor=actor, chat=chat, users=users)
    return added


def _remove_member(chat: Chat, membership: Membership, *, actor: User, left: bool) -> None:
    """Delete a membership and tell the remaining members and the person concerned."""
    person_id = membership.user_id
    membership.delete()
    seq = _record(
        chat,
        ChatEvent.Type.MEMBER_REMOVED,
        actor=actor,
        target=membership.user,
        data={"user": person_id, "left": left},
    )
    frame = events.member_removed(
        chat_id=chat.pk, seq=seq, user_id=person_id, by=actor.pk, left=left
    )
    _publish_to_members(chat, frame, also=[person_id])
    _publish_to_members(
        chat,
        system_line_add(
            chat=chat,
            seq=_take_seq(chat),
            kind="left" if left else "removed",
            actor=actor,
            target=membership.user,
        ),
    )


def chat_member_remove(*, actor: User, chat: Chat, user: User, reason: str = "") -> None:
    """Remove a member (owner: anyone; admin: plain members). Their sockets stop receiving at
    once and they get `member.removed`. Audited with the optional reason."""
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        mine = _moderator(chat, actor)
        if user.pk == actor.pk:
            raise ValidationError(_("To leave the group use Leave."), code="self")
        target = Membership.objects.filter(chat=chat, user=user).select_related("user").first()
        if target is None:
            raise Http404
        if ROLE_RANK[target.role] >= ROLE_RANK[mine.role]:
            raise Forbidden(_("You can only remove members below your role."))
        _remove_member(chat, target, actor=actor, left=False)
        _audit(chat, actor, AuditLog.Action.MEMBER_REMOVED, target=user, reason=reason)


def chat_member_set_role(*, actor: User, chat: Chat, user: User, role: str) -> Membership:
    """Make a member an admin or an admin a member again (owner only); audited."""
    if role not in (Role.ADMIN, Role.MEMBER):
        raise ValidationError(_("Unknown role."), code="invalid")
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        mine = _moderator(chat, actor)
        if mine.role != Role.OWNER:
            raise Forbidden(_("Only the owner can appoint or dismiss admins."))
        target = Membership.objects.filter(chat=chat, user=user).first()
        if target is None:
            raise Http404
        if target.role == Role.OWNER:
            raise ValidationError(_("The owner's role cannot be changed."), code="owner")
        if target.role == role:
            return target
        target.role = role
        target.save(update_fields=["role"])
        action = AuditLog.Action.PROMOTED if role == Role.ADMIN else AuditLog.Action.DEMOTED
        _audit(chat, actor, action, target=user)
        seq = _record(
            chat,
            ChatEvent.Type.MEMBER_UPDATED,
            actor=actor,
            target=user,
            data={"user": user.pk, "role": role},
        )
        _publish_to_members(
            chat,
            events.member_updated(
                chat_id=chat.pk, seq=seq, user_id=user.pk, role=role, by=actor.pk
            ),
        )
        _publish_to_members(
            chat,
            system_line_add(
                chat=chat, seq=_take_seq(chat), kind="role", actor=actor, target=user, role=role
            ),
        )
    return target


def chat_leave(*, user: User, chat: Chat) -> None:
    """Leave a group. An owner hands ownership to the oldest admin, else the oldest member;
    the last member leaving deletes the group. Dialogs cannot be left (hide them instead)."""
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        membership = _membership(chat, user)
        if not chat.is_group:
            raise ValidationError(_("A dialog cannot be left; delete it for yourself."))
        others = Membership.objects.filter(chat=chat).exclude(pk=membership.pk)
        if membership.role == Role.OWNER:
            heir = (
                others.filter(role=Role.ADMIN).order_by("joined_at", "id").first()
                or others.order_by("joined_at", "id").first()
            )
            if heir is None:
                _group_delete_locked(chat)
                return
            heir.role = Role.OWNER
            heir.save(update_fields=["role"])
            _audit(chat, user, AuditLog.Action.OWNERSHIP_TRANSFERRED, target=heir.user)
            seq = _record(
                chat,
                ChatEvent.Type.MEMBER_UPDATED,
                actor=user,
                target=heir.user,
                data={"user": heir.user_id, "role": Role.OWNER},
            )
            _publish_to_members(
                chat,
                events.member_updated(
                    chat_id=chat.pk, seq=seq, user_id=heir.user_id, role=Role.OWNER, by=user.pk
                ),
            )
            _publish_to_members(
                chat,
                system_line_add(
                    chat=chat,
                    seq=_take_seq(chat),
                    kind="role",
                    actor=user,
                    target=heir.user,
                    role=Role.OWNER,
                ),
            )
        membership.user = user
        _remove_member(chat, membership, actor=user, left=True)
        _audit(chat, user, AuditLog.Action.MEMBER_LEFT, target=user)


def _group_delete_locked(chat: Chat) -> None:
    recipients = member_ids(chat.pk)
    files = [
        name
        for pair in Attachment.objects.filter(chat=chat).values_list("file", "thumbnail")
        for name in pair
    ]
    files.append(chat.avatar.name if chat.avatar else "")
    chat_id = chat.pk
    # The last_message link points into the rows being deleted; drop it first.
    Chat.objects.filter(pk=chat_id).update(last_message=None)
    chat.delete()
    logger.info("group %s deleted", chat_id)
    _publish(events.chat_deleted(chat_id=chat_id), recipients)
    _delete_files_on_commit(files)


def group_delete(*, actor: User, chat: Chat) -> None:
    """Delete a group with its messages and files (owner only); members get `chat.deleted`."""
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        membership = _membership(chat, actor)
        if not chat.is_group or membership.role != Role.OWNER:
            raise Forbidden(_("Only the owner can delete the group."))
        _group_delete_locked(chat)


def chat_hide(*, user: User, chat: Chat) -> None:
    """ "Delete chat for me": hide it and its history until a new message arrives."""
    with transaction.atomic():
        chat = _lock_chat(chat.pk)
        membership = _membership(chat, user)
        membership.hidden = True
        membership.cleared_seq = chat.last_seq
        membership.last_read_seq = max(membership.last_read_seq, chat.last_seq)
        membership.save(update_fields=["hidden", "cleared_seq", "last_read_seq"])


def chat_mute_set(*, user: User, chat: Chat, muted: bool) -> Membership:
    """Mute or unmute a chat for `user`: a muted chat's replies, @mentions and missed calls
    make no notifications. Http404 if `user` is not a member."""
    with transaction.atomic():
        membership = _membership(chat, user)
        if membership.muted != muted:
            membership.muted = muted
            membership.save(update_fields=["muted"])
    return membership


# -- messages ---------------------------------------------------------------------------------
def _parse_client_id(client_id) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError(_("client_id must be a UUID."), code="invalid") from None


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
                Message._meta.get_field(name).set_cached_value(message, related)
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
                message.reply_to.seq if reply_to is not None else None,
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
    message._prefetched_objects_cache = {}
    for model, name, rows in (
        (Attachment, "attachments", attachments),
        (Reaction, "reactions", []),
    ):
        # What `prefetch_related` stores: a queryset with its rows already fetched (a bare
        # one: the related manager's own costs a filter() per send, and is never queried).
        rows_qs = QuerySet(model=model)
        rows_qs._result_cache, rows_qs._prefetch_done = rows, True
        message._prefetched_objects_cache[name] = rows_qs
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
                Membership.objects.filter(chat=chat, user_id=message.sender_id)
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
    _delete_files_on_commit(files)


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


# -- attachments ------------------------------------------------------------------------------
def _valid_filename(part: str, fallback: str) -> str:
    # get_valid_filename raises for names with no usable character ("😀🔥"): use the fallback.
    try:
        return get_valid_filename(part) if part.strip(" .") else fallback
    except SuspiciousFileOperation:
        return fallback


def _safe_name(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    cleaned = _valid_filename(stem[:120], "file")
    ext = _valid_filename(ext[:16], "") if ext else ""
    return f"{cleaned}.{ext}" if ext else cleaned


def _guess_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _check_upload(uploader: User, chat: Chat, upload: UploadedFile) -> None:
    """The uploader is a member allowed to write here and the file's size is acceptable."""
    membership = Membership.objects.filter(chat_id=chat.pk, user_id=uploader.pk).first()
    if membership is None:
        raise Http404
    _ensure_not_blocked(chat, uploader)
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(max)s MB.") % {"max": limit // (1024 * 1024)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")


def recording_create(
    *,
    uploader: User,
    chat: Chat,
    upload: UploadedFile,
    kind: str,
    content_type: str,
    duration: object,
    waveform: object = None,
) -> Attachment:
    """Store a voice message (`kind="voice"`) or video circle (`"circle"`) recorded in the
    browser, to be sent like any attachment. The declared type must be allowed and match the
    file's head, the length within bounds (chats/recordings.py); ValidationError otherwise,
    and nothing is stored. Blocked in a dialog between blocked people."""
    _check_upload(uploader, chat, upload)
    recording = recordings.check_recording(
        kind=kind, upload=upload, content_type=content_type, duration=duration, waveform=waveform
    )
    folder = f"chat-files/{chat.pk}/{secrets.token_urlsafe(18)}"
    name = f"{recording.kind}.{recording.extension}"
    upload.seek(0)
    file_name = default_storage.save(f"{folder}/{name}", upload)
    try:
        with transaction.atomic():
            return Attachment.objects.create(
                chat_id=chat.pk,
                uploader=uploader,
                file=file_name,
                name=name,
                kind=recording.kind,
                content_type=recording.content_type,
                size=upload.size,
                duration_ms=recording.duration_ms,
                waveform=recording.waveform,
            )
    except BaseException:
        _delete_files([file_name])
        raise


def attachment_create(*, uploader: User, chat: Chat, upload: UploadedFile) -> Attachment:
    """Store an uploaded file of a chat member under a non-guessable path; images are
    re-encoded without metadata here, and their thumbnail is made by the `make_thumbnail` task
    after commit. ValidationError for an empty or too large file, Blocked in a dialog between
    blocked people."""
    _check_upload(uploader, chat, upload)
    display_name = PurePath((upload.name or "file").replace("\\", "/")).name[:200] or "file"
    safe = _safe_name(display_name)
    folder = f"chat-files/{chat.pk}/{secrets.token_urlsafe(18)}"
    image = images.read_image(upload, with_thumbnail=False)
    written: list[str] = []
    try:
        if image is not None:
            stem = safe.rsplit(".", 1)[0]
            file_name = default_storage.save(
                f"{folder}/{stem}.{image.extension}", ContentFile(image.data)
            )
            written.append(file_name)
            fields = {
                "kind": Attachment.Kind.IMAGE,
                "content_type": image.content_type,
                "size": len(image.data),
                "width": image.width,
                "height": image.height,
            }
        else:
            upload.seek(0)
            file_name = default_storage.save(f"{folder}/{safe}", upload)
            written.append(file_name)
            content_type = _guess_type(display_name)
            if content_type.startswith("image/"):
                # Pillow could not read it as a picture: the browser's decoder should not try
                # either (a broken file, a bomb in a format we do not decode). A download.
                content_type = "application/octet-stream"
            major = content_type.split("/", 1)[0]
            kind = {"audio": Attachment.Kind.AUDIO, "video": Attachment.Kind.VIDEO}.get(
                major, Attachment.Kind.FILE
            )
            fields = {"kind": kind, "content_type": content_type, "size": upload.size}
        with transaction.atomic():
            attachment = Attachment.objects.create(
                chat_id=chat.pk, uploader=uploader, file=file_name, name=display_name, **fields
            )
            if image is not None:
                enqueue_on_commit(tasks.make_thumbnail, attachment.pk)
            return attachment
    except BaseException:
        _delete_files(written)
        raise


def attachment_thumbnail_make(*, attachment_id: int) -> bool:
    """Make and store the thumbnail of an image attachment (the `make_thumbnail` task). Does
    nothing for a missing attachment, one that is not an image or already has a thumbnail;
    returns whether it stored one."""
    attachment = Attachment.objects.filter(
        pk=attachment_id, kind=Attachment.Kind.IMAGE, thumbnail=""
    ).first()
    if attachment is None:
        return False
    with default_storage.open(attachment.file.name, "rb") as stored:
        thumbnail = images.thumbnail_of(stored)
    if thumbnail is None:
        return False
    folder = attachment.file.name.rsplit("/", 1)[0]
    thumb_name = default_storage.save(f"{folder}/thumb.webp", ContentFile(thumbnail))
    with transaction.atomic():
        stored_once = Attachment.objects.filter(pk=attachment_id, thumbnail="").update(
            thumbnail=thumb_name
        )
    if not stored_once:  # another run was first, or the attachment went meanwhile
        _delete_files([thumb_name])
    return bool(stored_once)


def attachments_discard_stale(*, older_than_hours: int = 24) -> int:
    """Delete uploads never sent with a message (the browser was closed mid-way)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale = Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff)
    files = [name for pair in stale.values_list("file", "thumbnail") for name in pair]
    with transaction.atomic():
        count, _details = stale.delete()
        _delete_files_on_commit(files)
    return count


# -- calls ------------------------------------------------------------------------------------
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


# -- stickers ---------------------------------------------------------------------------------
STICKER_SIDE = 512


def sticker_image(upload: UploadedFile) -> ContentFile:
    """A sticker picture checked and re-encoded as WebP with transparency, at most 512 px a
    side, without metadata. ValidationError if it is not a usable image."""

    return reencode_image(upload, max_side=STICKER_SIDE, output_format="WEBP", quality=90)


def sticker_pack_install(*, slug: str, title: str, licence: str, pictures: Sequence) -> bool:
    """Install a bundled pack (`pictures`: (name, file) pairs in order) unless a pack with this
    slug exists; returns whether it was installed. Used by `manage.py load_sticker_packs`."""
    if StickerPack.objects.filter(slug=slug).exists():
        return False
    encoded = [(name, sticker_image(file)) for name, file in pictures]
    written: list[str] = []
    try:
        with transaction.atomic():
            pack = StickerPack.objects.create(
                slug=slug,
                title=title,
                licence=licence,
                ordering=StickerPack.objects.count(),
            )
            for position, (name, content) in enumerate(encoded):
                sticker = Sticker(pack=pack, name=name, ordering=position)
                sticker.image.save(content.name, content, save=False)
                written.append(sticker.image.name)
                sticker.save()
    except BaseException:
        _delete_files(written)
        raise
    return True
