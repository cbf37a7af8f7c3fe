"""System lines of a group: joins, leaves, removals, renames and role changes as messages.

A system line is a `Message` with `system` set and no sender. The group service that makes the
change calls `system_line_add` inside its transaction with the next seq of the chat, and
publishes the returned `message.new` frame like any message: ordering, sync, history pages and
history floors work as for messages. The line is stored as data (kind, who, whom, title, role)
and each client puts it into words in its reader's language (static/js/chat.js); a line is not
unread and does not move the chat up the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext as _

from chats import events
from chats.models import Chat, Message
from chats.selectors import message_for_payload

if TYPE_CHECKING:
    from accounts.models import User

Kind = Literal["added", "removed", "left", "renamed", "role"]
KINDS = frozenset({"added", "removed", "left", "renamed", "role"})


def _person(user: User | None) -> dict | None:
    # Names as they were at the time of the change, like the audit log keeps them.
    if user is None:
        return None
    return {"id": user.pk, "name": user.display_name}


def system_line_add(
    *,
    chat: Chat,
    seq: int,
    kind: Kind,
    actor: User | None,
    target: User | None = None,
    title: str | None = None,
    role: str | None = None,
) -> events.MessageNewFrame:
    """Store a system line of `chat` with change number `seq` (the caller holds the chat's row
    lock and took the seq) and return its `message.new` frame for the members."""
    if kind not in KINDS:
        raise ValueError(kind)
    data: dict = {"kind": kind, "actor": _person(actor), "target": _person(target)}
    if title is not None:
        data["title"] = title
    if role is not None:
        data["role"] = role
    message = Message.objects.create(chat=chat, seq=seq, sender=None, system=data)
    return events.message_new(message_for_payload(message.pk))


def system_line_strings() -> dict[str, str]:
    """The sentences the chat page's script builds system lines from, in the reader's
    language (names stand alone, so no language has to decline them)."""
    return {
        "system_added": _("%(actor)s added a member: %(target)s"),
        "system_removed": _("%(actor)s removed a member: %(target)s"),
        "system_left": _("%(target)s left the group"),
        "system_renamed": _("%(actor)s renamed the group: “%(title)s”"),
        "system_admin": _("%(actor)s made an admin: %(target)s"),
        "system_member": _("%(actor)s took admin rights away: %(target)s"),
        "system_owner": _("New owner of the group: %(target)s"),
    }
