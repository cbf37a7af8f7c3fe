"""messenger.images, the one image pipeline: uploads are checked (bytes, pixels, format),
decoded safely and re-encoded upright without metadata; animations follow one policy."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image, ImageSequence

from chats import images as chat_images
from messenger.images import (
    clean_image,
    open_image,
    reencode_image,
    render_image,
    square_crop,
    thumbnail_of,
)
from tests.accounts.images import bomb_png, jpeg_with_exif, picture_bytes, two_halves_png, upload


def decoded(content) -> Image.Image:
    return Image.open(io.BytesIO(content.read()))


def test_png_becomes_a_jpeg_no_larger_than_max_side():
    """A PNG is re-encoded as JPEG and scaled down to fit `max_side`."""
    result = reencode_image(upload(picture_bytes((1200, 600))), max_side=400)
    image = decoded(result)
    assert image.format == "JPEG"
    assert image.size == (400, 200)
    assert result.name.endswith(".jpg")


def test_webp_output_keeps_transparency():
    """WebP output keeps an alpha channel; JPEG output lays it on white."""
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buffer, "PNG")
    webp = decoded(reencode_image(upload(buffer.getvalue()), max_side=20, output_format="WEBP"))
    assert webp.format == "WEBP"
    assert webp.mode == "RGBA"
    jpeg = decoded(reencode_image(upload(buffer.getvalue()), max_side=20))
    assert jpeg.getpixel((5, 5)) == (255, 255, 255)


def test_exif_is_stripped_and_orientation_applied():
    """Camera and GPS EXIF data are gone; a rotated photo comes out upright."""
    data = jpeg_with_exif(size=(40, 20), orientation=6)  # 6: rotate 90° clockwise to view
    assert b"SpyCam" in data
    result = reencode_image(upload(data, "photo.jpg", "image/jpeg"), max_side=100).read()
    assert b"SpyCam" not in result
    image = Image.open(io.BytesIO(result))
    assert not image.getexif()
    assert image.size == (20, 40)


def test_crop_keeps_the_chosen_area():
    """A crop box in picture pixels keeps just that part."""
    image = open_image(upload(two_halves_png((200, 100))))
    right = decoded(render_image(image, max_side=100, crop=(100, 0, 100, 100)))
    assert right.size == (100, 100)
    red, _green, blue = right.getpixel((50, 50))
    assert blue > 200 and red < 50


def test_crop_partly_outside_is_clamped_and_fully_outside_is_refused():
    """A box hanging over the edge is trimmed; one that misses the picture is an error."""
    image = open_image(upload(picture_bytes((100, 100))))
    assert decoded(render_image(image, max_side=200, crop=(50, 50, 100, 100))).size == (50, 50)
    with pytest.raises(ValidationError) as error:
        render_image(image, max_side=200, crop=(500, 500, 10, 10))
    assert error.value.code == "crop_outside"


def test_square_crop_is_centred():
    """The default avatar crop is the largest centred square."""
    assert square_crop(300, 200) == (50, 0, 200, 200)
    assert square_crop(100, 160) == (0, 30, 100, 100)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"just some text, honestly", "not_an_image"),
        (b"%PDF-1.4 not a picture", "not_an_image"),
        (picture_bytes(fmt="BMP"), "not_an_image"),
        (picture_bytes()[:60], "not_an_image"),
        (bomb_png(20000, 20000), "too_many_pixels"),
        (bomb_png(8000, 8000), "too_many_pixels"),
    ],
)
def test_bad_files_are_refused(data, code):
    """Text, PDFs, unsupported formats, truncated files and decompression bombs are refused."""
    with pytest.raises(ValidationError) as error:
        reencode_image(upload(data), max_side=100)
    assert error.value.code == code
    assert error.value.messages[0]


@override_settings(IMAGE_MAX_BYTES=1000)
def test_oversized_file_is_refused_before_decoding():
    """A file over IMAGE_MAX_BYTES is refused by its size, naming the limit."""
    with pytest.raises(ValidationError) as error:
        reencode_image(upload(b"\xff\xd8" + b"\0" * 5000), max_side=100)
    assert error.value.code == "too_large"
    assert "1000" in error.value.messages[0] or "KB" in error.value.messages[0]


@override_settings(IMAGE_MAX_PIXELS=100 * 100)
def test_pixel_limit_follows_the_setting():
    """Pictures with more pixels than IMAGE_MAX_PIXELS are refused, smaller ones pass."""
    assert reencode_image(upload(picture_bytes((100, 100))), max_side=50)
    with pytest.raises(ValidationError):
        reencode_image(upload(picture_bytes((101, 100))), max_side=50)


def animated(fmt: str, frames: int = 3, size=(30, 20)) -> bytes:
    pictures = [Image.new("RGB", size, (40 * i, 0, 0)) for i in range(frames)]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, fmt, save_all=True, append_images=pictures[1:], duration=70, loop=0, comment=b"x"
    )
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animations_keep_their_frames_where_asked(fmt):
    """Chat pictures (animations=True) keep every frame and its timing, in their format."""
    result = clean_image(upload(animated(fmt)), animations=True)
    assert (result.format, result.width, result.height) == (fmt, 30, 20)
    with Image.open(io.BytesIO(result.data)) as image:
        durations = [f.convert("RGB") and f.info["duration"] for f in ImageSequence.Iterator(image)]
        assert (image.n_frames, durations) == (3, [70, 70, 70])
        assert "comment" not in image.info


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animations_become_their_first_frame_everywhere_else(fmt):
    """Avatars and photos keep the first frame only: a still picture."""
    still = decoded(reencode_image(upload(animated(fmt)), max_side=100))
    assert (still.format, getattr(still, "n_frames", 1)) == ("JPEG", 1)
    assert still.size == (30, 20)
    flat = clean_image(upload(animated(fmt)), animations=False)
    with Image.open(io.BytesIO(flat.data)) as image:
        assert getattr(image, "n_frames", 1) == 1


@override_settings(IMAGE_MAX_PIXELS=30 * 20 * 5)
def test_animation_frames_together_count_against_the_pixel_limit():
    """An animation whose frames together hold more than IMAGE_MAX_PIXELS is refused, though
    each frame alone is small; its first frame alone is still accepted as a photo."""
    with pytest.raises(ValidationError) as error:
        clean_image(upload(animated("GIF", frames=6)), animations=True)
    assert error.value.code == "too_many_pixels"
    assert reencode_image(upload(animated("GIF", frames=6)), max_side=100)


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 1000), (1000, 100_000), (50_000, 50_000)],
    ids=["wide", "tall", "huge"],
)
def test_huge_declared_dimensions_are_refused_before_decoding(width, height):
    """A header declaring extreme dimensions is refused by its pixel count, fast."""
    with pytest.raises(ValidationError) as error:
        open_image(upload(bomb_png(width, height)))
    assert error.value.code == "too_many_pixels"


def test_extreme_aspect_within_the_limit_is_re_encoded():
    """A 20000 × 1 strip is within the pixel limit: scaled down, not refused, not a crash."""
    strip = decoded(reencode_image(upload(picture_bytes((20000, 1))), max_side=2048))
    assert strip.size == (2048, 1)


def test_empty_file_is_refused():
    """An empty upload is refused with its own message."""
    with pytest.raises(ValidationError) as error:
        open_image(upload(b""))
    assert error.value.code == "empty"


def test_metadata_of_every_format_is_dropped():
    """PNG text chunks, JPEG comments and EXIF do not survive a clean re-encode."""
    buffer = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SpyCam secret")
    Image.new("RGB", (10, 10)).save(buffer, "PNG", pnginfo=info)
    png = clean_image(upload(buffer.getvalue()), animations=False)
    assert png.format == "PNG" and b"SpyCam" not in png.data
    jpeg = clean_image(upload(jpeg_with_exif(orientation=6)), animations=False)
    assert b"SpyCam" not in jpeg.data
    assert (jpeg.width, jpeg.height) == (20, 40)


def test_thumbnail_of_a_stored_picture():
    """A variant is scaled down to fit; a file that is no picture gives None, not an error."""
    thumb = thumbnail_of(io.BytesIO(picture_bytes((1000, 500))), max_side=100)
    assert (thumb.width, thumb.height) == (100, 50)
    assert decoded(thumb).size == (100, 50)
    assert thumbnail_of(io.BytesIO(b"not a picture"), max_side=100) is None


def test_chat_policy_keeps_non_pictures_as_files_but_refuses_bombs():
    """Chats store what is no picture as a plain file (None) and refuse bombs."""
    assert chat_images.read_image(upload(b"%PDF-1.4")) is None
    assert chat_images.read_image(upload(picture_bytes(fmt="BMP"))) is None
    with pytest.raises(ValidationError) as error:
        chat_images.read_image(upload(bomb_png(20000, 20000)))
    assert error.value.code == "too_many_pixels"
    with override_settings(IMAGE_MAX_BYTES=10):  # chat files have UPLOAD_MAX_BYTES instead
        assert chat_images.read_image(upload(picture_bytes())).format == "PNG"
