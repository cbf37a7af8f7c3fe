"""What the social services share: input checks, photo processing and storage, and removal
by site moderators. Files are deleted with messenger.storage, frames published with
messenger.realtime.publish_on_commit.

The underscore names are private to the `social.services` package.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from social.images import ProcessedImage, reencode_image
from social.models import Comment, Photo, Post, Reply, Topic

_PhotoRow = TypeVar("_PhotoRow", bound=Photo)
# What site moderators remove through `_staff_remove`.
_Removable = TypeVar("_Removable", Post, Comment, Topic, Reply)


def _invalid(field: str, message: str, code: str) -> ValidationError:
    """A refusal of one input field (forms show it by the field, the API lists it by name)."""
    return ValidationError({field: ValidationError(message, code=code)})


def _clean_text(text: str | None, *, limit: int, field: str = "text") -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise _invalid(
            field,
            _("The text is too long: %(length)d characters; at most %(limit)d are allowed.")
            % {"length": len(text), "limit": limit},
            "too_long",
        )
    if "\x00" in text:
        raise _invalid(field, _("The text contains characters that are not allowed."), "nul")
    return text


def _process_photos(
    photos: Sequence[IO[bytes] | None], *, limit: int, field: str = "photos"
) -> list[ProcessedImage]:
    """Re-encode every upload before any transaction starts (decoding is the slow part).
    Refusals name `field`; an image over IMAGE_MAX_BYTES has the code "too_large"."""
    uploads = [p for p in photos if p]
    if len(uploads) > limit:
        raise _invalid(
            field,
            ngettext(
                "At most %(limit)d photo can be attached.",
                "At most %(limit)d photos can be attached.",
                limit,
            )
            % {"limit": limit},
            "too_many_photos",
        )
    try:
        return [reencode_image(upload) for upload in uploads]
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from None


def _photo_rows(
    model: type[_PhotoRow], processed: list[ProcessedImage], **owner: Model
) -> list[_PhotoRow]:
    """Unsaved photo rows with their files written to storage."""
    rows = []
    for position, image in enumerate(processed):
        row = model(width=image.width, height=image.height, position=position, **owner)
        row.image.save(image.image.name, image.image, save=False)
        rows.append(row)
    return rows


def _staff_remove(
    moderator: User,
    model: type[_Removable],
    object_id: int,
    remove: Callable[[_Removable], object],
) -> None:
    perm = f"social.delete_{model._meta.model_name}"
    if not (moderator.is_active and moderator.is_staff and moderator.has_perm(perm)):
        raise PermissionDenied(_("Only site moderators can do this."))
    with transaction.atomic():
        target = model.objects.select_for_update().filter(pk=object_id).first()
        if target is None:
            raise Http404
        remove(target)
