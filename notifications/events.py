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
from django.utils.translation import pgettext_lazy
from typing_extensions import TypedDict

from accounts.payloads import UserRef, user_ref
from notifications.models import Kind

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from accounts.models import User
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


# Why each notification came, agreeing in Russian with the gender of the person who acted
# (the pgettext context). Keyed by (kind, in a group chat).
_WHY: dict[tuple[str, bool], dict[str, StrPromise]] = {
    (Kind.FRIEND_REQUEST, False): {
        "male": pgettext_lazy("male", "%(name)s wants to be your friend"),
        "female": pgettext_lazy("female", "%(name)s wants to be your friend"),
        "person": pgettext_lazy("person", "%(name)s wants to be your friend"),
    },
    (Kind.FRIEND_ACCEPTED, False): {
        "male": pgettext_lazy("male", "%(name)s accepted your friend request"),
        "female": pgettext_lazy("female", "%(name)s accepted your friend request"),
        "person": pgettext_lazy("person", "%(name)s accepted your friend request"),
    },
    (Kind.POST_LIKED, False): {
        "male": pgettext_lazy("male", "%(name)s liked your post"),
        "female": pgettext_lazy("female", "%(name)s liked your post"),
        "person": pgettext_lazy("person", "%(name)s liked your post"),
    },
    (Kind.POST_COMMENTED, False): {
        "male": pgettext_lazy("male", "%(name)s commented on your post"),
        "female": pgettext_lazy("female", "%(name)s commented on your post"),
        "person": pgettext_lazy("person", "%(name)s commented on your post"),
    },
    (Kind.COMMENT_MENTION, False): {
        "male": pgettext_lazy("male", "%(name)s mentioned you in a comment"),
        "female": pgettext_lazy("female", "%(name)s mentioned you in a comment"),
        "person": pgettext_lazy("person", "%(name)s mentioned you in a comment"),
    },
    (Kind.MESSAGE_REPLY, True): {
        "male": pgettext_lazy("male", "%(name)s replied to your message in %(chat)s"),
        "female": pgettext_lazy("female", "%(name)s replied to your message in %(chat)s"),
        "person": pgettext_lazy("person", "%(name)s replied to your message in %(chat)s"),
    },
    (Kind.MESSAGE_REPLY, False): {
        "male": pgettext_lazy("male", "%(name)s replied to your message"),
        "female": pgettext_lazy("female", "%(name)s replied to your message"),
        "person": pgettext_lazy("person", "%(name)s replied to your message"),
    },
    (Kind.MESSAGE_MENTION, True): {
        "male": pgettext_lazy("male", "%(name)s mentioned you in %(chat)s"),
        "female": pgettext_lazy("female", "%(name)s mentioned you in %(chat)s"),
        "person": pgettext_lazy("person", "%(name)s mentioned you in %(chat)s"),
    },
    (Kind.MESSAGE_MENTION, False): {
        "male": pgettext_lazy("male", "%(name)s mentioned you in a message"),
        "female": pgettext_lazy("female", "%(name)s mentioned you in a message"),
        "person": pgettext_lazy("person", "%(name)s mentioned you in a message"),
    },
    (Kind.GROUP_ADDED, True): {
        "male": pgettext_lazy("male", "%(name)s added you to the group %(chat)s"),
        "female": pgettext_lazy("female", "%(name)s added you to the group %(chat)s"),
        "person": pgettext_lazy("person", "%(name)s added you to the group %(chat)s"),
    },
}


def _gender(person: User) -> str:
    return {"f": "female", "m": "male"}.get(getattr(person, "gender", ""), "person")


def describe(notification: Notification) -> str:
    """Why the notification came, in the active language: "Anna liked your post"."""
    actor = notification.actor
    name = actor.display_name
    group = _group_title(notification)
    if notification.kind == Kind.CALL_MISSED:
        return _("Missed call from %(name)s") % {"name": name}
    in_group = group is not None
    forms = _WHY.get((notification.kind, in_group)) or _WHY.get((notification.kind, not in_group))
    if forms is None:
        return name
    return str(forms[_gender(actor)]) % {"name": name, "chat": group or ""}


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
