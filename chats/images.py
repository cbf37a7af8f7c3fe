"""Chat pictures through the one image pipeline (messenger/images.py): what chats add is their
policy. A chat file that is not a picture we decode is kept as a plain download rather than
refused, big files are not held to IMAGE_MAX_BYTES (UPLOAD_MAX_BYTES applies), animations keep
their frames, thumbnails are WebP, and group photos are square WebP."""

from __future__ import annotations

from typing import IO

from django.core.exceptions import ValidationError

from messenger.images import CleanImage, clean_image, open_image, render_image, square_crop
from messenger.images import thumbnail_of as _thumbnail_of

THUMB_SIDE = 480
AVATAR_SIDE = 256
# Codes after which a chat upload is kept as a plain file instead of being refused.
PLAIN_FILE_CODES = {"not_an_image", "empty"}

ImageFile = CleanImage


def read_image(fileobj: IO[bytes]) -> ImageFile | None:
    """An inline-displayable picture re-encoded without metadata (animations frame by frame);
    None when the file is not such a picture (it is then kept as a plain file). Raises
    ValidationError for pictures over IMAGE_MAX_PIXELS (decompression bombs)."""
    try:
        return clean_image(fileobj, animations=True, max_bytes=None)
    except ValidationError as error:
        if error.code in PLAIN_FILE_CODES:
            return None
        raise


def thumbnail_of(fileobj: IO[bytes]) -> bytes | None:
    """The WebP thumbnail of a stored picture (the `make_thumbnail` task makes it); None when
    the file cannot be read as a picture."""
    thumbnail = _thumbnail_of(fileobj, max_side=THUMB_SIDE, output_format="WEBP")
    return thumbnail.read() if thumbnail is not None else None


def square_avatar(fileobj: IO[bytes]) -> bytes:
    """A square WebP group photo; ValidationError if the file is not a usable picture."""
    image = open_image(fileobj)
    crop = square_crop(image.width, image.height)
    return render_image(image, max_side=AVATAR_SIDE, crop=crop, output_format="WEBP").read()
