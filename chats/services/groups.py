"""Dialogs and groups: creation, title and photo, members and roles, leaving, deletion,
hiding and muting a chat. Audited where a group's owner or admins act.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.selectors import blocked_user_ids, is_blocked_between
from chats import events, hooks, images
from chats.models import (
    ROLE_RANK,
    TITLE_MAX_LENGTH,
    Attachment,
    AuditLog,
    Chat,
    ChatEvent,
    Membership,
)
from chats.selectors import member_ids
from chats.services._kit import (
    Blocked,
    Forbidden,
    Role,
    _audit,
    _lock_chat,
    _membership,
    _moderator,
    _publish,
    _publish_to_members,
    _record,
    _take_seq,
    logger,
)
from chats.system_lines import system_line_add
from messenger.storage import delete_files, delete_files_on_commit
from social.selectors import friend_ids

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User


GROUP_MAX_MEMBERS = 1000


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


def group_avatar_set(*, actor: User, chat: Chat, upload: UploadedFile[bytes] | None) -> Chat:
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
            delete_files([new_name])
            raise
        _audit(chat, actor, AuditLog.Action.AVATAR_CHANGED, details={"removed": data is None})
        seq = _record(
            chat,
            ChatEvent.Type.CHAT_UPDATED,
            actor=actor,
            data={"title": chat.title, "avatar": events.chat_avatar_url(chat)},
        )
        _publish_to_members(chat, events.chat_updated(chat, seq=seq, by=actor.pk))
        delete_files_on_commit([old_name])
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
    delete_files_on_commit(files)


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
