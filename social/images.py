"""Photos of posts, comments, topics and replies through the one image pipeline
(messenger/images.py). The request stores the checked photo, re-encoded as a JPEG of at most
FULL_MAX_SIDE pixels (upright, without metadata); its thumbnail is a variant the
`social.tasks.make_photo_thumbnail` task makes after commit. Until then pages show the photo
itself at the thumbnail's place (the row knows its size, so the layout does not jump)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.files.storage import default_storage
from django.db import models, transaction

from messenger.images import RenderedImage, thumbnail_of
from messenger.images import reencode_image as _reencode_image
from social.models import Comment, PostPhoto, ReplyPhoto, TopicPhoto

FULL_MAX_SIDE = 2048
THUMBNAIL_MAX_SIDE = 480
# kind → (model, field of the photo, field of its thumbnail)
PHOTO_KINDS: dict[str, tuple[type[models.Model], str, str]] = {
    "post": (PostPhoto, "image", "thumbnail"),
    "topic": (TopicPhoto, "image", "thumbnail"),
    "reply": (ReplyPhoto, "image", "thumbnail"),
    "comment": (Comment, "photo", "photo_thumbnail"),
}


@dataclass
class ProcessedImage:
    image: RenderedImage
    width: int
    height: int


def reencode_image(upload: IO[bytes]) -> ProcessedImage:
    """Check an uploaded photo and re-encode it (see the module docstring); raises
    ValidationError with a message for the person who uploaded it."""
    image = _reencode_image(upload, max_side=FULL_MAX_SIDE)
    return ProcessedImage(image=image, width=image.width, height=image.height)


def photo_thumbnail_make(*, kind: str, photo_id: int) -> bool:
    """Make and store the thumbnail of a stored photo (the `make_photo_thumbnail` task). Does
    nothing for a missing photo or one that has its thumbnail already; returns whether it
    stored one. KeyError for an unknown `kind`."""
    model, source, target = PHOTO_KINDS[kind]
    row = model.objects.filter(pk=photo_id, **{target: ""}).exclude(**{source: ""}).first()
    if row is None:
        return False
    name = getattr(row, source).name
    with default_storage.open(name, "rb") as stored:
        thumbnail = thumbnail_of(stored, max_side=THUMBNAIL_MAX_SIDE)
    if thumbnail is None:
        return False
    stem = name.rsplit(".", 1)[0]
    thumb_name = default_storage.save(f"{stem}_t.jpg", thumbnail)
    with transaction.atomic():
        stored_once = model.objects.filter(pk=photo_id, **{target: ""}).update(
            **{target: thumb_name}
        )
    if not stored_once:  # another run was first, or the photo went meanwhile
        default_storage.delete(thumb_name)
    return bool(stored_once)
