"""Reports of content and people, what moderators did about them, and notices to users.

A report freezes a copy of what was reported (`Report.snapshot`) when it is made, so the
moderator sees what the reporter saw even after the author edits or deletes it. Every
moderator action is a `ModerationAction` row written in the same transaction as its effect;
the admin shows them read-only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

DETAILS_MAX_LENGTH = 1000
REASON_MAX_LENGTH = 500


class Report(models.Model):
    """`reporter` asked the moderators to look at one post, comment, topic, reply, message or
    person."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        COMMENT = "comment", _("Comment")
        TOPIC = "topic", _("Board topic")
        REPLY = "reply", _("Board reply")
        MESSAGE = "message", _("Message")
        USER = "user", _("Person")

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        HARASSMENT = "harassment", _("Harassment or bullying")
        HATE = "hate", _("Hate speech")
        VIOLENCE = "violence", _("Violence or threats")
        SEXUAL = "sexual", _("Sexual content")
        ILLEGAL = "illegal", _("Something illegal")
        IMPERSONATION = "impersonation", _("Pretending to be someone else")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACTIONED = "actioned", _("Action taken")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_made",
        verbose_name=_("reported by"),
    )
    kind = models.CharField(_("what"), max_length=8, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    # The author of the reported content, or the reported person.
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_received",
        verbose_name=_("author"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=DETAILS_MAX_LENGTH, blank=True)
    snapshot = models.JSONField(_("copy at report time"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Reporting the same thing twice while the first report is open changes nothing.
            models.UniqueConstraint(
                fields=["reporter", "kind", "object_id"],
                condition=Q(state="open"),
                name="report_one_open_per_reporter",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-created_at"], name="report_queue"),
            models.Index(fields=["kind", "object_id"], name="report_object"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} ({self.get_reason_display()})"


class ModerationAction(models.Model):
    """One thing a moderator did, with why: the site's moderation audit log."""

    class Kind(models.TextChoices):
        DISMISS = "dismiss", _("dismissed a report")
        REMOVE = "remove", _("removed content")
        WARN = "warn", _("warned")
        SUSPEND = "suspend", _("suspended")
        BAN = "ban", _("banned")
        LIFT = "lift", _("lifted a suspension")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("moderator"),
    )
    kind = models.CharField(_("action"), max_length=8, choices=Kind.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions",
        verbose_name=_("whom"),
    )
    report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("report"),
    )
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    # What was removed: {"kind": "post", "id": 7}.
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("warn_user", _("Can warn users")),
            ("suspend_user", _("Can suspend and ban users")),
        ]
        indexes = [models.Index(fields=["target_user", "-created_at"], name="modaction_target")]

    def __str__(self) -> str:
        return f"{self.moderator} {self.get_kind_display()} {self.target_user or ''}".strip()


class Notice(models.Model):
    """A moderator's warning to `user`, shown on their next page (moderation.middleware)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_notices"
    )
    action = models.OneToOneField(ModerationAction, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("text"), max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    seen_at = models.DateTimeField(_("seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.text[:40]}"
