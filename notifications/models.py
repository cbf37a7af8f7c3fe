"""Notifications: what happened that concerns a person, and their notification settings.

A notification points at what it is about with typed foreign keys (post, comment, chat,
message), so it disappears with its subject and a page of them loads in one query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Block
from chats.selectors import is_member


class Kind(models.TextChoices):
    FRIEND_REQUEST = "friend_request", _("Friend requests")
    FRIEND_ACCEPTED = "friend_accepted", _("Accepted friend requests")
    POST_LIKED = "post_liked", _("Likes of my posts")
    POST_COMMENTED = "post_commented", _("Comments on my posts")
    COMMENT_MENTION = "comment_mention", _("Mentions in comments")
    MESSAGE_REPLY = "message_reply", _("Replies to my messages")
    MESSAGE_MENTION = "message_mention", _("Mentions in chats")
    GROUP_ADDED = "group_added", _("Added to a group")
    CALL_MISSED = "call_missed", _("Missed calls")


class NotificationQuerySet(models.QuerySet):
    def shown(self) -> NotificationQuerySet:
        """Notifications a person is shown: not by a deactivated or deleted account, not
        across a block made after the notification was (blocking hides people everywhere),
        and not about a chat they are no longer a member of."""

        blocked = Block.objects.filter(
            Q(blocker_id=OuterRef("recipient_id"), blocked_id=OuterRef("actor_id"))
            | Q(blocker_id=OuterRef("actor_id"), blocked_id=OuterRef("recipient_id"))
        )
        member = is_member(chat_id=OuterRef("chat_id"), user_id=OuterRef("recipient_id"))
        return (
            self.filter(actor__is_active=True)
            .exclude(Exists(blocked))
            .filter(Q(chat__isnull=True) | member)
        )

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """`actor` did something (`kind`) that concerns `recipient`; unread until `read_at`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        "social.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "social.Comment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    chat = models.ForeignKey(
        "chats.Chat", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "chats.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Set by `manage.py send_digests` once the notification went out in an email digest.
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True, editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The centre pages through a person's notifications newest first.
            models.Index(fields=["recipient", "-id"], name="notification_recipient"),
            # The badge counts unread ones; the digest looks for unread, never emailed ones.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} by {self.actor_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationSettings(models.Model):
    """A person's choices: which kinds notify them at all, and the optional email digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    email_digest = models.BooleanField(
        _("email me a digest of unread notifications"), default=False
    )
    # Kinds (Kind values) the person switched off: no notification of these is created.
    muted_kinds = models.JSONField(_("switched-off kinds"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"
