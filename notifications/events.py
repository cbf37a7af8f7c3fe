"""Shapes of the notification frames and payloads, the "why" line, and each one's link.

`notification` goes to the recipient's sockets when a notification is made;
`notification.count` when their unread count changes otherwise (read on another tab, all read).
docs/realtime-protocol.md shows an example of each. The API returns the same payload plus the
"why" line in the request's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from typing_extensions import TypedDict

from chats.events import UserRef, user_ref
from notifications.models import Kind

if TYPE_CHECKING:
    from notifications.models import Notification

EXCERPT = 140


class NotificationPayload(TypedDict):
    id: int
    kind: str
    actor: UserRef
    post: int | None
    comment: int | None
    chat: int | None
    message: int | None
    url: str
    created_at: str
    read: bool


class NotificationFrame(TypedDict):
    type: Literal["notification"]
    notification: NotificationPayload
    unread: int


class NotificationCountFrame(TypedDict):
    type: Literal["notification.count"]
    unread: int


def notification_url(notification: Notification) -> str:
    """Where the notification leads: the post, comment, chat or person it is about."""
    kind = notification.kind
    if kind == Kind.FRIEND_REQUEST:
        return reverse("social:friends") + "?tab=incoming"
    if kind == Kind.FRIEND_ACCEPTED:
        return reverse("accounts:profile", args=[notification.actor.username])
    if notification.comment_id:
        return reverse("social:post", args=[notification.post_id]) + (
            f"#comment-{notification.comment_id}"
        )
    if notification.post_id:
        return reverse("social:post", args=[notification.post_id])
    if notification.chat_id:
        return reverse("chats:detail", args=[notification.chat_id])
    return reverse("notifications:list")


def notification_payload(notification: Notification) -> NotificationPayload:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "actor": user_ref(notification.actor),
        "post": notification.post_id,
        "comment": notification.comment_id,
        "chat": notification.chat_id,
        "message": notification.message_id,
        "url": notification_url(notification),
        "created_at": notification.created_at.isoformat(),
        "read": notification.is_read,
    }


def notification_new(notification: Notification, *, unread: int) -> NotificationFrame:
    return {
        "type": "notification",
        "notification": notification_payload(notification),
        "unread": unread,
    }


def notification_count(*, unread: int) -> NotificationCountFrame:
    return {"type": "notification.count", "unread": unread}


# -- the "why" line ---------------------------------------------------------------------------
def _group_title(notification: Notification) -> str | None:
    chat = notification.chat
    return chat.title if chat is not None and chat.is_group else None


def describe(notification: Notification) -> str:
    """Why the notification came, in the active language: "Anna liked your post"."""
    name = notification.actor.display_name
    kind = notification.kind
    group = _group_title(notification)
    if kind == Kind.FRIEND_REQUEST:
        return _("%(name)s wants to be your friend") % {"name": name}
    if kind == Kind.FRIEND_ACCEPTED:
        return _("%(name)s accepted your friend request") % {"name": name}
    if kind == Kind.POST_LIKED:
        return _("%(name)s liked your post") % {"name": name}
    if kind == Kind.POST_COMMENTED:
        return _("%(name)s commented on your post") % {"name": name}
    if kind == Kind.COMMENT_MENTION:
        return _("%(name)s mentioned you in a comment") % {"name": name}
    if kind == Kind.MESSAGE_REPLY:
        if group:
            return _("%(name)s replied to your message in %(chat)s") % {"name": name, "chat": group}
        return _("%(name)s replied to your message") % {"name": name}
    if kind == Kind.MESSAGE_MENTION:
        if group:
            return _("%(name)s mentioned you in %(chat)s") % {"name": name, "chat": group}
        return _("%(name)s mentioned you in a message") % {"name": name}
    if kind == Kind.GROUP_ADDED:
        return _("%(name)s added you to the group %(chat)s") % {
            "name": name,
            "chat": group or "",
        }
    if kind == Kind.CALL_MISSED:
        return _("Missed call from %(name)s") % {"name": name}
    return name


def excerpt(notification: Notification) -> str:
    """A short quote of what it is about (the comment, the message, the post), or ""."""
    if notification.comment_id and notification.comment is not None:
        text = notification.comment.text
    elif notification.message_id and notification.message is not None:
        message = notification.message
        text = "" if message.is_deleted else message.text
    elif notification.post_id and notification.post is not None:
        text = notification.post.text
    else:
        text = ""
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"
