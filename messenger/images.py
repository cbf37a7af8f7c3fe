"""The one image pipeline: every uploaded picture is checked and re-encoded by Pillow here.

Avatars, group photos, post/comment/topic/reply photos, stickers and chat pictures all go
through these functions, so every upload gets the same checks and the same messages:
- the byte size is checked against `settings.IMAGE_MAX_BYTES` before decoding (callers that
  keep big files as plain downloads, chat attachments, pass `max_bytes=None`);
- the header's pixel count is checked against `settings.IMAGE_MAX_PIXELS` before the pixels
  are decoded, so a small file declaring a huge canvas (a decompression bomb) is refused, and
  an animation's frames together may hold no more than that either;
- only JPEG, PNG, WebP and GIF are parsed at all (the format whitelist); anything else, or a
  broken file, is refused;
- the picture is turned upright (EXIF orientation), optionally cropped, scaled down and
  written anew, so no EXIF (camera, GPS), comment or other metadata survives;
- animations: `clean_image(..., animations=True)` (chat pictures) re-draws every frame with its
  timing; everywhere else only the first frame is kept (a still photo).
Problems raise `django.core.exceptions.ValidationError` with a message for the person and one
of the codes `empty`, `too_large`, `too_many_pixels`, `not_an_image`, `crop_outside`.

    photo = reencode_image(upload, max_side=2048)                 # one rendition
    image = open_image(upload)                                    # or decode once and
    main = render_image(image, max_side=800, crop=(x, y, w, h))   # render several sizes
    thumb = thumbnail_of(stored_file, max_side=480)               # a variant, in a task
    clean = clean_image(upload, animations=True)                  # same format, frames kept
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
OUTPUT_FORMATS = {"JPEG": ("jpg", "RGB"), "WEBP": ("webp", "RGBA"), "PNG": ("png", "RGBA")}
# (x, y, width, height) in pixels of the upright picture, as Cropper.js reports them.
Crop = tuple[float, float, float, float]
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)
_UNSET = object()


# ContentFile is generic only in django-stubs, not at run time.
if TYPE_CHECKING:
    _BytesFile = ContentFile[bytes]
else:
    _BytesFile = ContentFile


class RenderedImage(_BytesFile):
    """A re-encoded picture ready for storage, with its size in pixels, always named
    `<random>.<extension>`."""

    name: str

    def __init__(self, content: bytes, *, name: str, width: int, height: int) -> None:
        super().__init__(content, name=name)
        self.width, self.height = width, height


@dataclass(frozen=True)
class CleanImage:
    """An upload re-encoded in its own format (animations frame by frame), without metadata."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def decode_image(
    uploaded_file: IO[bytes], *, max_bytes: int | None | object = _UNSET, draft_side: int = 0
) -> Image.Image:
    """Check and decode an upload as it is stored (first frame loaded, other frames still
    reachable, not yet turned upright). `draft_side` lets a big JPEG decode at a reduced
    scale when only a rendition of that size is wanted.

    Raises ValidationError (codes: empty, too_large, too_many_pixels, not_an_image).
    """
    limit = settings.IMAGE_MAX_BYTES if max_bytes is _UNSET else cast("int | None", max_bytes)
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if limit is not None and size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); images may be up to %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(uploaded_file, formats=ACCEPTED_FORMATS)
            if image.width * image.height > settings.IMAGE_MAX_PIXELS:
                raise too_many_pixels()
            if draft_side and image.format == "JPEG":
                # Much faster for big photos, and the same result once scaled down.
                image.draft("RGB", (draft_side, draft_side))
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except _DECODE_ERRORS as error:
        raise not_an_image() from error


def open_image(
    uploaded_file: IO[bytes], *, max_bytes: int | None | object = _UNSET, draft_side: int = 0
) -> Image.Image:
    """Check and decode an upload (see `decode_image`); returns its first frame, upright and
    fully loaded. Raises ValidationError."""
    image = decode_image(uploaded_file, max_bytes=max_bytes, draft_side=draft_side)
    try:
        return ImageOps.exif_transpose(image)
    except _DECODE_ERRORS as error:
        raise not_an_image() from error


def not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not an image we can read. Upload a JPEG, PNG, WebP or GIF picture."),
        code="not_an_image",
    )


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The picture is too large: at most %(limit)s megapixels are accepted.")
        % {"limit": f"{settings.IMAGE_MAX_PIXELS / 1_000_000:g}"},
        code="too_many_pixels",
    )


def render_image(
    image: Image.Image,
    *,
    max_side: int,
    crop: Crop | None = None,
    output_format: str = "JPEG",
    quality: int = 85,
) -> RenderedImage:
    """Crop, scale down to `max_side` and encode `image` afresh, without metadata.

    Raises ValidationError (code crop_outside) when `crop` misses the picture.
    """
    extension, mode = OUTPUT_FORMATS[output_format]
    picture = image
    if crop is not None:
        picture = picture.crop(_crop_box(picture, crop))
    picture = picture.copy()
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return RenderedImage(
        _encode(_convert(picture, mode), output_format, quality, image.info.get("icc_profile")),
        name=f"{uuid.uuid4().hex}.{extension}",
        width=picture.width,
        height=picture.height,
    )


def reencode_image(
    uploaded_file: IO[bytes],
    *,
    max_side: int,
    crop: Crop | None = None,
    output_format: str = "JPEG",
    quality: int = 85,
) -> RenderedImage:
    """Check an upload and return it re-encoded (see module docstring); raises ValidationError."""
    return render_image(
        open_image(uploaded_file, draft_side=max_side if crop is None else 0),
        max_side=max_side,
        crop=crop,
        output_format=output_format,
        quality=quality,
    )


def thumbnail_of(
    stored_file: IO[bytes], *, max_side: int, output_format: str = "JPEG", quality: int = 80
) -> RenderedImage | None:
    """A smaller variant of a stored picture (made by a background task); None when the file
    cannot be read as a picture any more."""
    try:
        image = open_image(stored_file, max_bytes=None, draft_side=max_side)
        return render_image(image, max_side=max_side, output_format=output_format, quality=quality)
    except ValidationError:
        return None


def clean_image(
    uploaded_file: IO[bytes], *, animations: bool, max_bytes: int | None | object = _UNSET
) -> CleanImage:
    """Check an upload and re-encode it in its own format at its own size, upright and without
    metadata; with `animations` an animated GIF/WebP keeps every frame and its timing (else the
    first frame only). Raises ValidationError."""
    image = decode_image(uploaded_file, max_bytes=max_bytes)
    fmt = image.format or "PNG"
    try:
        if animations and (fmt == "GIF" or getattr(image, "is_animated", False)):
            return CleanImage(_animation(image, fmt), fmt, image.width, image.height)
        picture = ImageOps.exif_transpose(image)
        mode = "RGB" if fmt == "JPEG" else "RGBA"
        out_fmt = "PNG" if fmt == "GIF" else fmt  # a still GIF is kept losslessly as PNG
        data = _encode(_convert(picture, mode), out_fmt, 90, image.info.get("icc_profile"))
        return CleanImage(data, out_fmt, picture.width, picture.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many_pixels() from error
    except _DECODE_ERRORS as error:
        raise not_an_image() from error


def square_crop(width: int, height: int) -> Crop:
    """The largest centred square of a `width` × `height` picture."""
    side = min(width, height)
    return ((width - side) / 2, (height - side) / 2, side, side)


def _animation(image: Image.Image, fmt: str) -> bytes:
    """The frames drawn anew, with their timing: comments, extension blocks and bytes after
    the end (an appended page or archive) are not copied."""
    frames = getattr(image, "n_frames", 1)
    if frames * image.width * image.height > settings.IMAGE_MAX_PIXELS:
        # Decoded, all the frames together would take too much memory.
        raise too_many_pixels()
    pictures, durations = [], []
    for frame in ImageSequence.Iterator(image):
        picture = frame.convert("RGBA")  # loads the frame: WebP sets its duration only then
        durations.append(frame.info.get("duration", 100))
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


def _encode(picture: Image.Image, output_format: str, quality: int, icc: bytes | None) -> bytes:
    # Pillow writes a comment found in `info` (a JPEG COM or GIF comment of the upload) into
    # the new file: start from empty metadata. A fresh encode writes only the pixels (and the
    # colour profile): no EXIF, no comments.
    picture.info = {}
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if output_format in ("JPEG", "WEBP"):
        options["quality"] = quality
    if output_format == "JPEG":
        options["optimize"] = True
    buffer = io.BytesIO()
    picture.save(buffer, output_format, **options)
    return buffer.getvalue()


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
