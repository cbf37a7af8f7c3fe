"""Users, their profile fields, and blocks between users."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import AbstractUser
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.birthdays import BirthDate, age_on

DELETED_USERNAME_PREFIX = "deleted-"
# A ban: suspended until a date no one will reach (one field serves both).
SUSPENDED_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)


def deleted_username(pk: int | None) -> str:
    return f"{DELETED_USERNAME_PREFIX}{pk}"


class User(AbstractUser):
    """A person with an account. Profile fields live here: one row, one query."""

    class Gender(models.TextChoices):
        UNSPECIFIED = "", _("Not specified")
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")

    class BirthDateVisibility(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        FRIENDS = "friends", _("Friends")
        NOBODY = "nobody", _("Only me")

    email = models.EmailField(_("email address"), unique=True)
    bio = models.TextField(_("about me"), max_length=2000, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("birth day"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("birth month"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    birth_date_visibility = models.CharField(
        _("who sees my birth date"),
        max_length=10,
        choices=BirthDateVisibility.choices,
        default=BirthDateVisibility.EVERYONE,
    )
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    current_avatar = models.ForeignKey(
        "Avatar",
        verbose_name=_("current avatar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Storage name of the current avatar's thumbnail, kept with the user row so every page
    # can draw avatars without a query (written only by accounts.services).
    avatar_thumb = models.CharField(max_length=255, blank=True, editable=False)
    # Set by moderation (moderation.services): no login, session, token or socket until then.
    # A ban is a suspension until SUSPENDED_FOREVER.
    suspended_until = models.DateTimeField(
        _("suspended until"), null=True, blank=True, editable=False
    )
    # A moderator's warning waits to be shown on the user's next page (moderation.middleware);
    # kept on the row every request loads anyway, so pages pay no query to check it.
    has_moderation_notice = models.BooleanField(default=False, editable=False)

    # Not a column: the viewer's relation to this person (social.selectors.Relation), set by
    # the social selectors on the people they list for the friend button.
    relation: str

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True) | Q(birth_day__gte=1, birth_day__lte=31),
                name="user_birth_day_range",
            ),
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__gte=1, birth_month__lte=12),
                name="user_birth_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def birth_date(self) -> BirthDate | None:
        if self.birth_day is None or self.birth_month is None:
            return None
        return BirthDate(self.birth_day, self.birth_month, self.birth_year)

    @property
    def age(self) -> int | None:
        """Completed years today (the site's time zone), or None without a birth year."""
        born = self.birth_date
        return age_on(born, timezone.localdate()) if born else None

    @property
    def is_suspended(self) -> bool:
        """A moderator suspended (or banned) the account and the time has not run out."""
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def is_banned(self) -> bool:
        return self.is_suspended and self.suspended_until >= SUSPENDED_FOREVER

    @property
    def is_deleted(self) -> bool:
        """The owner deleted this account: the row stays (their posts and messages point at
        it) but everything personal is gone."""
        return not self.is_active and self.username == deleted_username(self.pk)

    @property
    def display_name(self) -> str:
        if self.is_deleted:
            return str(_("Deleted user"))
        return self.get_full_name() or self.username

    @property
    def avatar_url(self) -> str | None:
        """URL of the current avatar's small rendition, or None (initials are shown)."""
        return default_storage.url(self.avatar_thumb) if self.avatar_thumb else None


def _avatar_path(avatar: Avatar, filename: str) -> str:
    return f"avatars/{avatar.user_id}/{filename}"


class Avatar(models.Model):
    """A profile picture a user uploaded: a cropped main image and a small thumbnail (made
    by a background task; until then the main image stands in for it).

    Past avatars stay in the user's gallery; `User.current_avatar` says which one is shown.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="avatars")
    image = models.FileField(_("image"), upload_to=_avatar_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_avatar_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avatar")
        verbose_name_plural = _("avatars")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="avatar_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def small_name(self) -> str:
        """Storage name of the small rendition: the thumbnail, or the image until it exists."""
        return (self.thumbnail or self.image).name

    @property
    def small_url(self) -> str:
        return default_storage.url(self.small_name)


class Block(models.Model):
    """`blocker` blocked `blocked`: both are hidden from each other everywhere."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} ⊘ {self.blocked}"
