"""Pillow helpers for chat files: recognise images, strip metadata, thumbnails, group photos.

Decompression bombs are refused before decoding. (A shared messenger/images.py is being
written in parallel; these few functions fold into it later.)
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

THUMB_SIDE = 480
AVATAR_SIDE = 256
# Formats shown inline; anything else Pillow can read is still just a file card.
INLINE_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}


@dataclass
class ImageFile:
    data: bytes  # re-encoded without metadata (or the original for animations)
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes


def _open(fileobj) -> Image.Image | None:
    fileobj.seek(0)
    try:
        image = Image.open(fileobj)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    width, height = image.size
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("The image is too large (%(w)s×%(h)s pixels).") % {"w": width, "h": height},
            code="image_too_large",
        )
    return image


def _flatten(image: Image.Image, keep_alpha: bool) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if keep_alpha and image.mode in ("RGBA", "LA", "P"):
        return image.convert("RGBA")
    return image.convert("RGB")


def _thumbnail(image: Image.Image, side: int = THUMB_SIDE) -> bytes:
    thumb = _flatten(image, keep_alpha=True)
    thumb.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    thumb.save(out, "WEBP", quality=80)
    return out.getvalue()


def read_image(fileobj) -> ImageFile | None:
    """An inline-displayable image, re-encoded without EXIF, with its thumbnail; None when the
    file is not such an image (it is then kept as a plain file). Raises ValidationError for
    images over IMAGE_MAX_PIXELS."""
    image = _open(fileobj)
    if image is None or image.format not in INLINE_FORMATS:
        return None
    fmt = image.format
    try:
        image.load()
        animated = getattr(image, "is_animated", False)
        thumbnail = _thumbnail(image)
        if fmt == "GIF" or animated:
            fileobj.seek(0)
            data = fileobj.read()  # animations keep their frames; GIF carries no EXIF
            width, height = image.size
        else:
            clean = _flatten(image, keep_alpha=fmt != "JPEG")
            out = io.BytesIO()
            clean.save(out, fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
            data = out.getvalue()
            width, height = clean.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return ImageFile(
        data=data,
        content_type=INLINE_FORMATS[fmt],
        extension={"JPEG": "jpg"}.get(fmt, fmt.lower()),
        width=width,
        height=height,
        thumbnail=thumbnail,
    )


def square_avatar(fileobj) -> bytes:
    """A square WebP group photo; ValidationError if the file is not a usable image."""
    image = _open(fileobj)
    if image is None:
        raise ValidationError(_("Upload a photo (JPEG, PNG, WebP or GIF)."), code="not_image")
    try:
        image = _flatten(image, keep_alpha=False)
        image = ImageOps.fit(image, (AVATAR_SIDE, AVATAR_SIDE), Image.Resampling.LANCZOS)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("Upload a photo (JPEG, PNG, WebP or GIF)."), code="not_image"
        ) from None
    out = io.BytesIO()
    image.save(out, "WEBP", quality=85)
    return out.getvalue()
