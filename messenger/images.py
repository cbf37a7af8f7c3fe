"""Uploaded images, checked and re-encoded by Pillow before anything is stored.

Every image a person uploads (avatars, post photos, chat pictures) goes through here:
- the byte size is checked against `settings.IMAGE_MAX_BYTES` before decoding;
- the header's pixel count is checked against `settings.IMAGE_MAX_PIXELS` before the pixels
  are decoded, so a small file declaring a huge canvas (a decompression bomb) is refused;
- only JPEG, PNG, WebP and GIF are decoded; anything else, or a broken file, is refused;
- the picture is turned upright (EXIF orientation), optionally cropped, scaled down and
  written anew, so no EXIF (camera, GPS) or other metadata survives.
Problems raise `django.core.exceptions.ValidationError` with a message for the person.

    photo = reencode_image(upload, max_side=2048)                 # one rendition
    image = open_image(upload)                                    # or decode once and
    main = render_image(image, max_side=800, crop=(x, y, w, h))   # render several sizes
    thumb = render_image(image, max_side=256, crop=(x, y, w, h))
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
OUTPUT_FORMATS = {"JPEG": ("jpg", "RGB"), "WEBP": ("webp", "RGBA")}
# (x, y, width, height) in pixels of the upright picture, as Cropper.js reports them.
Crop = tuple[float, float, float, float]


def open_image(uploaded_file: IO[bytes]) -> Image.Image:
    """Check and decode an uploaded image; returns it upright, fully loaded.

    Raises ValidationError (codes: too_large, too_many_pixels, not_an_image).
    """
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    if size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (%(size)s); images may be up to %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMAGE_MAX_BYTES)},
            code="too_large",
        )
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded_file, formats=ACCEPTED_FORMATS)
            if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                raise _too_many_pixels()
            image.load()
            return ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF picture."),
            code="not_an_image",
        ) from error


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The picture is too large: at most %(limit)s megapixels are accepted.")
        % {"limit": round(settings.IMAGE_MAX_PIXELS / 1_000_000)},
        code="too_many_pixels",
    )


# ContentFile is generic only in django-stubs, not at run time.
if TYPE_CHECKING:
    _BytesFile = ContentFile[bytes]
else:
    _BytesFile = ContentFile


class EncodedImage(_BytesFile):
    """A picture encoded afresh by `render_image`: always named `<random>.<extension>`."""

    name: str


def render_image(
    image: Image.Image,
    *,
    max_side: int,
    crop: Crop | None = None,
    output_format: str = "JPEG",
    quality: int = 85,
) -> EncodedImage:
    """Crop, scale down to `max_side` and encode `image` afresh, without metadata.

    Raises ValidationError (code crop_outside) when `crop` misses the picture.
    """
    extension, mode = OUTPUT_FORMATS[output_format]
    picture = image
    if crop is not None:
        picture = picture.crop(_crop_box(picture, crop))
    picture = picture.copy()
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    picture = _convert(picture, mode)
    # Pillow writes a comment found in `info` (a JPEG COM or GIF comment of the upload) into
    # the new file: start from empty metadata.
    picture.info = {}
    buffer = io.BytesIO()
    # A fresh encode writes only the pixels (and the colour profile): no EXIF, no comments.
    picture.save(
        buffer,
        output_format,
        quality=quality,
        icc_profile=image.info.get("icc_profile"),
        optimize=output_format == "JPEG",
    )
    return EncodedImage(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def reencode_image(
    uploaded_file: IO[bytes],
    *,
    max_side: int,
    crop: Crop | None = None,
    output_format: str = "JPEG",
    quality: int = 85,
) -> EncodedImage:
    """Check an upload and return it re-encoded (see module docstring); raises ValidationError."""
    return render_image(
        open_image(uploaded_file),
        max_side=max_side,
        crop=crop,
        output_format=output_format,
        quality=quality,
    )


def square_crop(width: int, height: int) -> Crop:
    """The largest centred square of a `width` × `height` picture."""
    side = min(width, height)
    return ((width - side) / 2, (height - side) / 2, side, side)


def _crop_box(image: Image.Image, crop: Crop) -> tuple[int, int, int, int]:
    x, y, width, height = (float(v) for v in crop)
    left, top = max(0, round(x)), max(0, round(y))
    right, bottom = min(image.width, round(x + width)), min(image.height, round(y + height))
    if width <= 0 or height <= 0 or right - left < 1 or bottom - top < 1:
        raise ValidationError(
            _("The selected area is outside the picture. Choose the area again."),
            code="crop_outside",
        )
    return (left, top, right, bottom)


def _convert(picture: Image.Image, mode: str) -> Image.Image:
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if mode == "RGB" and has_alpha:
        # JPEG has no transparency: lay the picture on white rather than on black.
        picture = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, (255, 255, 255))
        background.paste(picture, mask=picture.getchannel("A"))
        return background
    if mode == "RGBA" and not has_alpha:
        mode = "RGB"
    return picture if picture.mode == mode else picture.convert(mode)
