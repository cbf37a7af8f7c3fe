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
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

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
    data: bytes  # re-encoded without metadata (animations frame by frame)
    content_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes


def _open(fileobj) -> Image.Image | None:
    fileobj.seek(0)
    try:
        image = Image.open(fileobj)
    except Image.DecompressionBombError:
        # Pillow refuses to open past twice its own limit: far over ours, not "just a file".
        raise ValidationError(_("The image is too large."), code="image_too_large") from None
    except (UnidentifiedImageError, OSError, ValueError):
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


def thumbnail_of(fileobj) -> bytes | None:
    """The WEBP thumbnail of a stored image (a background task makes it); None when the file
    cannot be read as an image."""
    image = _open(fileobj)
    if image is None:
        return None
    try:
        image.load()
        return _thumbnail(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def read_image(fileobj, *, with_thumbnail: bool = True) -> ImageFile | None:
    """An inline-displayable image, re-encoded without EXIF, with its thumbnail (empty bytes
    with `with_thumbnail=False`); None when the file is not such an image (it is then kept as a
    plain file). Raises ValidationError for images over IMAGE_MAX_PIXELS."""
    image = _open(fileobj)
    if image is None or image.format not in INLINE_FORMATS:
        return None
    fmt = image.format
    try:
        image.load()
        animated = getattr(image, "is_animated", False)
        thumbnail = _thumbnail(image) if with_thumbnail else b""
        if fmt == "GIF" or animated:
            data = _animation(image, fmt)
            width, height = image.size
        else:
            clean = _flatten(image, keep_alpha=fmt != "JPEG")
            clean.info = {}  # Pillow would write a comment kept there (a JPEG COM segment)
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


def _animation(image: Image.Image, fmt: str) -> bytes:
    """The frames drawn anew, with their timing: comments, extension blocks and bytes after
    the end (an appended page or archive) are not copied. ValidationError when all frames
    together hold more than IMAGE_MAX_PIXELS (decoded, they would take too much memory)."""
    frames = getattr(image, "n_frames", 1)
    if frames * image.width * image.height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("The animation is too large (%(w)s×%(h)s pixels, %(n)s frames).")
            % {"w": image.width, "h": image.height, "n": frames},
            code="image_too_large",
        )
    pictures, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(frame.info.get("duration", 100))
        picture = frame.convert("RGBA")
        picture.info = {}  # no comment or extension of the upload is written again
        pictures.append(picture)
    out = io.BytesIO()
    pictures[0].save(
        out,
        fmt,
        save_all=True,
        append_images=pictures[1:],
        duration=durations,
        loop=image.info.get("loop", 0),
    )
    return out.getvalue()


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
