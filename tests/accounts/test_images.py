"""messenger.images: uploads are checked, decoded safely and re-encoded without metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from messenger.images import open_image, reencode_image, render_image, square_crop
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
