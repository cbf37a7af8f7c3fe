"""Chats, memberships and roles, messages, attachments, reactions, the change log and audit log.

Every change in a chat takes the next number of `Chat.last_seq`: a new message stores it as
`Message.seq`, every other change (edit, delete, reaction, member change) as `ChatEvent.seq`.
Messages and events together are the chat's complete, ordered history that `sync` replays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chats.events import MessagePayload

TEXT_MAX_LENGTH = 4000
TITLE_MAX_LENGTH = 80
REASON_MAX_LENGTH = 300


class Chat(models.Model):
    """A one-to-one dialog or a group chat."""

    class Kind(models.TextChoices):
        DIALOG = "dialog", _("Dialog")
        GROUP = "group", _("Group")

    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH, blank=True)
    avatar = models.FileField(_("avatar"), upload_to="chat-avatars/", blank=True, max_length=200)
    # "<smaller user id>:<larger user id>" for dialogs: the database refuses a second dialog of
    # the same pair, however many "Message" clicks race each other.
    dialog_key = models.CharField(max_length=41, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_seq = models.PositiveBigIntegerField(_("last change number"), default=0)
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    # Not a column: the viewer's membership, set by chats.selectors.chat_get_for_user.
    membership: Membership

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="dialog") & Q(dialog_key__isnull=False))
                | (Q(kind="group") & Q(dialog_key__isnull=True)),
                name="chat_dialog_key_iff_dialog",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class Membership(models.Model):
    """`user` belongs to `chat` with a role; read state and "deleted for me" live here."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships"
    )
    role = models.CharField(_("role"), max_length=6, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    last_read_seq = models.PositiveBigIntegerField(_("last read change"), default=0)
    # History up to `cleared_seq` stays hidden for this member: what came before they joined,
    # and after "delete chat for me" (the chat also leaves the list until a new message).
    hidden = models.BooleanField(_("hidden from my list"), default=False)
    cleared_seq = models.PositiveBigIntegerField(default=0)
    # Muted: replies, @mentions and missed calls of this chat make no notifications.
    muted = models.BooleanField(_("muted"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["chat", "user"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["user", "hidden"], name="membership_user_hidden")]

    def __str__(self) -> str:
        return f"{self.user} in {self.chat} ({self.role})"

    @property
    def can_moderate(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.ADMIN)


ROLE_RANK: dict[str, int] = {
    Membership.Role.OWNER: 3,
    Membership.Role.ADMIN: 2,
    Membership.Role.MEMBER: 1,
}


class StickerPack(models.Model):
    """A set of stickers offered in the composer's sticker panel (bundled or added by admins)."""

    title = models.CharField(_("title"), max_length=80)
    # Bundled packs are installed by `manage.py load_sticker_packs` under their folder's name.
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    ordering = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)
    licence = models.CharField(_("licence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sticker pack")
        verbose_name_plural = _("sticker packs")
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.title


class Sticker(models.Model):
    """One picture of a pack, re-encoded as WebP with transparency when saved."""

    pack = models.ForeignKey(StickerPack, on_delete=models.CASCADE, related_name="stickers")
    image = models.FileField(_("picture"), upload_to="stickers/", max_length=200)
    name = models.CharField(_("description"), max_length=80, blank=True)
    ordering = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sticker")
        verbose_name_plural = _("stickers")
        ordering = ["ordering", "id"]

    def __str__(self) -> str:
        return self.name or f"{self.pack} #{self.pk}"


class Message(models.Model):
    """A message; `seq` is the chat change number that created it. Deleted messages stay as
    tombstones so the history keeps its numbers."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="chat_messages",
    )
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH, blank=True)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A sticker message has no text and no files; a sticker deleted by admins leaves it empty.
    sticker = models.ForeignKey(
        Sticker, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A call record: {"state": "answered"|"missed"|"declined", "duration": seconds}.
    call = models.JSONField(_("call"), null=True, blank=True)
    # A system line of a group (chats/system_lines.py): {"kind": ..., "actor": {...}, ...}.
    # Stored as data and put into words by each reader's client, in the reader's language.
    system = models.JSONField(_("system line"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    # Not a column: set by `message_send` on the message it returns, the payload its frames
    # carried (`events.message_ack` reuses it).
    sent_payload: MessagePayload

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # Also the (chat, seq) index that history pages and sync walk.
            models.UniqueConstraint(fields=["chat", "seq"], name="message_chat_seq"),
            # A resent message (same client_id) is answered with the original, never stored twice.
            models.UniqueConstraint(
                fields=["sender", "client_id"], name="message_sender_client_id"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in chat {self.chat_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageEdit(models.Model):
    """The text a message had before one edit (edit history, visible to members)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message edit")
        verbose_name_plural = _("message edits")
        ordering = ["edited_at", "id"]

    def __str__(self) -> str:
        return f"edit of {self.message_id}"


class MessageHide(models.Model):
    """`user` deleted `message` for themselves only."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="messagehide_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} hidden for {self.user_id}"


class Reaction(models.Model):
    """`user` reacted to `message` with `emoji` (one row per user and emoji)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on {self.message_id}"


class Attachment(models.Model):
    """A file uploaded to a chat; bound to a message when that message is sent."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")
        FILE = "file", _("File")
        VOICE = "voice", _("Voice message")
        CIRCLE = "circle", _("Video message")

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(max_length=300)
    thumbnail = models.FileField(max_length=300, blank=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.FILE)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Voice and video messages: length in milliseconds (measured by the recording browser,
    # checked within bounds) and, for voice, 0-255 loudness bars drawn as the waveform.
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    waveform = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ChatEvent(models.Model):
    """A change to a chat other than a new message, numbered from the chat's counter.

    `sync` replays these together with messages; the frame is rebuilt from current state, so
    a replay never shows text that was deleted meanwhile."""

    class Type(models.TextChoices):
        MESSAGE_UPDATED = "message.updated"
        MESSAGE_DELETED = "message.deleted"
        REACTION_UPDATED = "reaction.updated"
        CHAT_UPDATED = "chat.updated"
        MEMBER_ADDED = "member.added"
        MEMBER_REMOVED = "member.removed"
        MEMBER_UPDATED = "member.updated"

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=20, choices=Type.choices)
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Who caused it; for member events `target` is the member concerned.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chat", "seq"], name="chatevent_chat_seq")]

    def __str__(self) -> str:
        return f"{self.type} #{self.seq} in chat {self.chat_id}"


class AuditLog(models.Model):
    """Who did what to whom in a group, written in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATED = "created", _("created the group")
        RENAMED = "renamed", _("renamed the group")
        AVATAR_CHANGED = "avatar_changed", _("changed the group photo")
        MEMBER_ADDED = "member_added", _("added a member")
        MEMBER_REMOVED = "member_removed", _("removed a member")
        MEMBER_LEFT = "member_left", _("left the group")
        PROMOTED = "promoted", _("made an admin")
        DEMOTED = "demoted", _("removed admin rights")
        OWNERSHIP_TRANSFERRED = "ownership_transferred", _("handed over ownership")
        MESSAGE_DELETED = "message_deleted", _("deleted a message")

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="audit_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whom"),
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["chat", "-created_at"], name="auditlog_chat_created")]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} in {self.chat_id}"
