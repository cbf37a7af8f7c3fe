"""Every write about chats. One service = one transaction: check, write, audit, publish on commit.

The services live in modules by domain and are imported from here (`from chats import
services; services.message_send(...)`):

- `groups`: dialogs and groups, members and roles, leaving, deleting, hiding, muting;
- `messages`: sending, editing, deleting, reactions, typing, read state;
- `files`: attachments and browser recordings, thumbnails, stale uploads;
- `calls`: who may call whom and the record of a call;
- `stickers`: sticker pictures and bundled packs;
- `_kit`: what they share (locks, seq, audit, publishing, the errors below).

Errors: Http404 for a chat or message the user may not see (missing and forbidden look the
same), `Forbidden` for a member without the right role, `Blocked` in a dialog between people
who blocked one another, ValidationError for bad input.
"""

from chats.services._kit import Blocked, Forbidden, Role
from chats.services.calls import CALL_MAX_SECONDS, CALL_STATES, call_partner_id, call_record
from chats.services.files import (
    attachment_create,
    attachment_thumbnail_make,
    attachments_discard_stale,
    recording_create,
)
from chats.services.groups import (
    GROUP_MAX_MEMBERS,
    chat_hide,
    chat_leave,
    chat_member_remove,
    chat_member_set_role,
    chat_members_add,
    chat_mute_set,
    dialog_get_or_create,
    group_avatar_set,
    group_create,
    group_delete,
    group_rename,
)
from chats.services.messages import (
    ATTACHMENTS_PER_MESSAGE,
    chat_read,
    message_delete,
    message_edit,
    message_remove_by_staff,
    message_send,
    reaction_add,
    reaction_remove,
    typing_notify,
)
from chats.services.stickers import STICKER_SIDE, sticker_image, sticker_pack_install

__all__ = [
    "ATTACHMENTS_PER_MESSAGE",
    "CALL_MAX_SECONDS",
    "CALL_STATES",
    "GROUP_MAX_MEMBERS",
    "STICKER_SIDE",
    "Blocked",
    "Forbidden",
    "Role",
    "attachment_create",
    "attachment_thumbnail_make",
    "attachments_discard_stale",
    "call_partner_id",
    "call_record",
    "chat_hide",
    "chat_leave",
    "chat_member_remove",
    "chat_member_set_role",
    "chat_members_add",
    "chat_mute_set",
    "chat_read",
    "dialog_get_or_create",
    "group_avatar_set",
    "group_create",
    "group_delete",
    "group_rename",
    "message_delete",
    "message_edit",
    "message_remove_by_staff",
    "message_send",
    "reaction_add",
    "reaction_remove",
    "recording_create",
    "sticker_image",
    "sticker_pack_install",
    "typing_notify",
]
