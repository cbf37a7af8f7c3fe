"""Every write of notifications. Other apps' services call one `notify_*` function from inside
their own transaction; the notification is stored there and published after commit.

Rules kept here, in one place: nobody is notified about their own action, nor across a block
(either direction), nor about a muted chat, nor as a member who is no longer in the chat, nor
about a kind they switched off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import blocked_user_ids
from chats.selectors import unmuted_member_ids
from messenger.realtime import Frame, publish_built_on_commit, publish_on_commit
from notifications import events, selectors
from notifications.models import Kind, Notification, NotificationSettings
from social.selectors import post_get_for_user

if TYPE_CHECKING:
    from accounts.models import User
    from chats.models import Chat, Message
    from social.models import Comment, Post

# More @names than this in one text notify only the first ones (no mass pings).
MENTIONS_MAX = 10
# "@name" not glued to a word before it (so "me@example.org" mentions nobody).
MENTION = re.compile(r"(?<![\w.@+-])@([\w.+-]{1,150})")


def mentioned_usernames(text: str) -> list[str]:
    """The usernames written as @name in `text`, first MENTIONS_MAX distinct ones. A trailing
    dot or dash is taken as punctuation too ("thanks @anna.")."""
    names: dict[str, None] = {}
    for match in MENTION.finditer(text):
        name = match.group(1)
        names[name] = None
        names[name.rstrip(".-")] = None
        if len(names) >= 2 * MENTIONS_MAX:
            break
    return [name for name in names if name]


# -- delivery ---------------------------------------------------------------------------------
def _new_frames(notification_ids: list[int]) -> Iterator[tuple[Frame, list[int]]]:
    """Each new notification for its recipient, with their unread count read after commit."""
    rows = list(Notification.objects.filter(pk__in=notification_ids).select_related("actor"))
    counts = selectors.unread_counts(row.recipient_id for row in rows)
    for row in rows:
        yield (
            events.notification_new(row, unread=counts.get(row.recipient_id, 0)),
            [row.recipient_id],
        )


def _publish_count(user_id: int) -> None:
    """After commit, tell `user_id` their unread count (read then)."""
    publish_on_commit(
        lambda: events.notification_count(unread=selectors.unread_counts([user_id])[user_id]),
        [user_id],
    )


def _deliver(
    *,
    kind: str,
    actor: User,
    recipient_ids: Iterable[int],
    once: bool = False,
    post: Post | None = None,
    comment: Comment | None = None,
    chat: Chat | None = None,
    message: Message | None = None,
) -> list[Notification]:
    """Store one notification per allowed recipient and publish them after commit. `once`:
    skip people who already have an unread one of the same kind, actor and subject (liking,
    unliking and liking again, or a request withdrawn and sent again)."""
    ids = {pk for pk in recipient_ids if pk is not None and pk != actor.pk}
    if ids:
        ids -= blocked_user_ids(actor)
    if ids:
        ids -= selectors.switched_off(ids, kind)
    subject = {"post": post, "comment": comment, "chat": chat, "message": message}
    if ids and once:
        ids -= set(
            Notification.objects.unread()
            .filter(recipient_id__in=ids, kind=kind, actor=actor, **subject)
            .values_list("recipient_id", flat=True)
        )
    if not ids:
        return []
    rows = Notification.objects.bulk_create(
        [Notification(recipient_id=pk, actor=actor, kind=kind, **subject) for pk in sorted(ids)]
    )
    publish_built_on_commit(partial(_new_frames, [row.pk for row in rows]))
    return rows


# -- hooks called by other apps' services -----------------------------------------------------
def notify_friend_request(*, from_user: User, to_user: User) -> None:
    """`to_user` is told `from_user` wants to be friends."""
    _deliver(kind=Kind.FRIEND_REQUEST, actor=from_user, recipient_ids=[to_user.pk], once=True)


def _request_notifications(*, from_user: User, to_user: User) -> QuerySet[Notification]:
    return Notification.objects.unread().filter(
        recipient=to_user, actor=from_user, kind=Kind.FRIEND_REQUEST
    )


def notify_friend_accepted(*, user: User, requester: User) -> None:
    """`requester` is told `user` accepted; `user`'s notification of the request is read."""
    _deliver(kind=Kind.FRIEND_ACCEPTED, actor=user, recipient_ids=[requester.pk])
    notify_friend_request_answered(user=user, requester=requester)


def notify_friend_request_answered(*, user: User, requester: User) -> None:
    """`user` accepted or declined the request: its notification has nothing left to ask, so
    it counts as read (the sender is not told about a decline)."""
    answered = _request_notifications(from_user=requester, to_user=user)
    if answered.update(read_at=timezone.now()):
        _publish_count(user.pk)


def notify_friend_request_withdrawn(*, from_user: User, to_user: User) -> None:
    """A request withdrawn before `to_user` read about it is no news: its notification goes."""
    withdrawn, _by_model = _request_notifications(from_user=from_user, to_user=to_user).delete()
    if withdrawn:
        _publish_count(to_user.pk)


def notify_post_liked(*, user: User, post: Post) -> None:
    """The post's author is told `user` liked it (once until they read it)."""
    _deliver(kind=Kind.POST_LIKED, actor=user, recipient_ids=[post.author_id], once=True, post=post)


def _may_see_post(person: User, post_id: int) -> bool:
    try:
        post_get_for_user(person, post_id)
    except Http404:
        return False
    return True


def notify_comment_created(*, comment: Comment, post: Post) -> None:
    """The post's author is told about the comment; people @mentioned in it who may see the
    post are told they were mentioned."""
    author = comment.author
    _deliver(
        kind=Kind.POST_COMMENTED,
        actor=author,
        recipient_ids=[post.author_id],
        post=post,
        comment=comment,
    )
    if "@" not in comment.text:
        return

    names = mentioned_usernames(comment.text)
    people = User.objects.filter(username__in=names, is_active=True).exclude(
        pk__in=[author.pk, post.author_id]
    )
    readers = [person.pk for person in people[:MENTIONS_MAX] if _may_see_post(person, post.pk)]
    _deliver(
        kind=Kind.COMMENT_MENTION, actor=author, recipient_ids=readers, post=post, comment=comment
    )


def notify_message_sent(*, message: Message, chat: Chat, reply_to: Message | None) -> None:
    """The author of the message replied to, and members @mentioned, are told; not members
    who muted the chat or left it. No query at all without a reply and without an "@"."""
    replied_id = reply_to.sender_id if reply_to is not None else None
    names = mentioned_usernames(message.text) if "@" in message.text else []
    if replied_id is None and not names:
        return

    members = unmuted_member_ids(
        chat.pk, user_ids=[replied_id] if replied_id is not None else [], usernames=names
    )
    sender = message.sender
    if sender is None:  # only a deleted account's messages lose their sender
        return
    if replied_id in members:
        _deliver(
            kind=Kind.MESSAGE_REPLY,
            actor=sender,
            recipient_ids=[replied_id],
            chat=chat,
            message=message,
        )
    mentioned = sorted(members - {replied_id})[:MENTIONS_MAX]
    _deliver(
        kind=Kind.MESSAGE_MENTION, actor=sender, recipient_ids=mentioned, chat=chat, message=message
    )


def notify_group_added(*, actor: User, chat: Chat, users: Sequence[User]) -> None:
    """People added to a group by `actor` are told."""
    _deliver(kind=Kind.GROUP_ADDED, actor=actor, recipient_ids=[u.pk for u in users], chat=chat)


def notify_call_missed(*, caller: User, chat: Chat, message: Message) -> None:
    """The other person of the dialog is told they missed `caller`'s call (unless muted)."""

    callees = unmuted_member_ids(chat.pk) - {caller.pk}
    _deliver(
        kind=Kind.CALL_MISSED,
        actor=caller,
        recipient_ids=sorted(callees),
        chat=chat,
        message=message,
    )


# -- the recipient's own writes ---------------------------------------------------------------
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of `user`'s notifications read; Http404 for anyone else's."""
    with transaction.atomic():
        notification = selectors.notification_get_for_user(user, notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            _publish_count(user.pk)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    with transaction.atomic():
        changed = (
            Notification.objects.filter(recipient=user).unread().update(read_at=timezone.now())
        )
        if changed:
            _publish_count(user.pk)
    return changed


def notification_settings_update(
    *, user: User, email_digest: bool, muted_kinds: Sequence[str]
) -> NotificationSettings:
    """Save `user`'s choices; ValidationError naming an unknown kind."""
    unknown = sorted(set(muted_kinds) - set(Kind.values))
    if unknown:
        raise ValidationError(
            {
                "muted_kinds": ValidationError(
                    _("Unknown kind of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)},
                    code="invalid",
                )
            }
        )
    kinds = [kind for kind in Kind.values if kind in set(muted_kinds)]
    with transaction.atomic():
        found, _created = NotificationSettings.objects.update_or_create(
            user=user, defaults={"email_digest": email_digest, "muted_kinds": kinds}
        )
    return found


def notifications_mark_emailed(*, notification_ids: Sequence[int]) -> int:
    """Remember that these notifications went out in a digest (never emailed twice)."""
    with transaction.atomic():
        return Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )


# -- email digest -----------------------------------------------------------------------------
def digest_send(*, user: User) -> int:
    """Email `user` their unread notifications that no digest carried yet, then remember them
    as emailed; returns how many went out (0: nothing new, no email). SMTP errors propagate
    and leave the notifications for the next run."""

    rows = selectors.digest_for(user)
    if not rows:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        items = [
            {
                "text": events.describe(row),
                "excerpt": events.excerpt(row),
                "url": settings.SITE_URL.rstrip("/") + events.notification_url(row),
                "created_at": row.created_at,
            }
            for row in rows
        ]
        context = {
            "user": user,
            "items": items,
            "site_url": settings.SITE_URL.rstrip("/"),
            "settings_url": settings.SITE_URL.rstrip("/") + "/notifications/settings/",
        }
        subject = ngettext(
            "%(count)d unread notification", "%(count)d unread notifications", len(rows)
        ) % {"count": len(rows)}
        mail = EmailMultiAlternatives(
            subject=f"[{settings.SITE_NAME}] {subject}",
            body=render_to_string("notifications/email/digest.txt", context),
            to=[user.email],
        )
        mail.attach_alternative(
            render_to_string("notifications/email/digest.html", context), "text/html"
        )
    mail.send()
    notifications_mark_emailed(notification_ids=[row.pk for row in rows])
    return len(rows)
