"""A requested export of one's data: the account or one chat, built into a ZIP in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataExport(models.Model):
    """`requester` asked for an archive of their account (`kind=user`) or of one chat.

    The file lives in private storage (never under a public media folder) and is served only
    to the requester until `expires_at`."""

    class Kind(models.TextChoices):
        USER = "user", _("My account")
        CHAT = "chat", _("Chat")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)
    ERRORS = {
        "not_member": _("You no longer belong to this chat."),
        "interrupted": _("The export was interrupted. Ask for a new one."),
        "unexpected": _("Something went wrong while preparing the archive. Ask for a new one."),
    }

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("what"), max_length=4, choices=Kind.choices)
    # A deleted group leaves its exports in place: the requester had already seen all of it.
    chat = models.ForeignKey(
        "chats.Chat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chat"),
    )
    chat_title = models.CharField(_("chat name"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=7, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    file = models.FileField(_("archive"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    # Why a build failed, as a code (shown through ERRORS in the reader's language).
    error = models.CharField(_("error"), max_length=20, blank=True)
    # The archive's headings are written in the language the requester used (blank: the
    # site's LANGUAGE_CODE).
    language = models.CharField(max_length=10, blank=True)
    # Builds started (a worker lost mid-build, or an error that may pass, starts another) and
    # the last sign of life of the current one: a running build silent for longer than
    # EXPORT_LEASE_SECONDS lost its worker.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "-created_at"], name="dataexport_requester")]
        constraints = [
            # The rate limit: one export being prepared per person, however requests race.
            models.UniqueConstraint(
                fields=["requester"],
                condition=Q(state__in=["queued", "running"]),
                name="dataexport_one_active_per_user",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="dataexport_progress"),
            models.CheckConstraint(
                condition=Q(kind="chat") | Q(chat__isnull=True), name="dataexport_chat_iff_chat"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} export #{self.pk} of {self.requester_id}"

    @property
    def error_message(self) -> str:
        return str(self.ERRORS.get(self.error, self.ERRORS["unexpected"])) if self.error else ""

    @property
    def title(self) -> str:
        if self.kind == self.Kind.CHAT:
            return str(_("Chat “%(title)s”") % {"title": self.chat_title})
        return str(_("My account"))

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def is_downloadable(self) -> bool:
        return (
            self.state == self.State.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )
