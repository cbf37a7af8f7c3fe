"""Uploaded photos: checked, decoded and re-encoded by Pillow, so what we store and serve is a
plain JPEG we wrote ourselves (no EXIF, no GPS, no smuggled payload) plus a thumbnail."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from messenger.images import EncodedImage

ACCEPTED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
FULL_MAX_SIDE = 2048
THUMBNAIL_MAX_SIDE = 480


@dataclass
class ProcessedImage:
    image: EncodedImage  # a ContentFile whose name is known to be set
    thumbnail: EncodedImage
    width: int
    height: int


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # No `exif=` argument: Pillow writes no EXIF unless asked to. It does write a comment kept
    # in `info` (a JPEG COM or GIF comment of the upload), so that goes first.
    image.info.pop("comment", None)
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, whatever the mode (transparent PNG/GIF/WebP included)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def reencode_image(upload: IO[bytes]) -> ProcessedImage:
    """Check an uploaded image (type, IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS) and re-encode it as a
    JPEG of at most FULL_MAX_SIDE pixels plus a thumbnail, upright and without metadata.
    Raises ValidationError with a message for the person who uploaded it."""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is too large: %(size)s; at most %(limit)s is accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMAGE_MAX_BYTES)},
            code="too_large",
        )
    unreadable = ValidationError(
        _("This file is not a photo we can read. Upload a JPEG, PNG, GIF or WebP image."),
        code="invalid_image",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise unreadable
            width, height = image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _(
                        "The image is too big: %(width)d×%(height)d pixels; at most %(limit)s "
                        "million pixels are accepted."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "limit": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}",
                    },
                    code="too_many_pixels",
                )
            if image.format == "JPEG":
                # Decode big JPEGs at a reduced scale: much faster, same result after resizing.
                image.draft("RGB", (FULL_MAX_SIDE, FULL_MAX_SIDE))
            image.seek(0)  # the first frame of an animation
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _flatten(image)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise unreadable from exc
    image.thumbnail((FULL_MAX_SIDE, FULL_MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE), Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    return ProcessedImage(
        image=EncodedImage(_jpeg(image, 85), name=f"{stem}.jpg"),
        thumbnail=EncodedImage(_jpeg(thumbnail, 80), name=f"{stem}_t.jpg"),
        width=image.width,
        height=image.height,
    )
