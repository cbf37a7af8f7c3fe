"""Linkifying user text safely, and re-encoding uploaded photos."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from social.images import FULL_MAX_SIDE, reencode_image
from social.text import linkify
from tests.factories import photo_upload


def test_linkify_escapes_then_links():
    """Markup is escaped; http(s) addresses become links that open safely in a new tab."""
    html = linkify('<b>hi</b> see https://example.org/a?x=1&y=2, ok\nnext "line"')
    assert html == (
        "&lt;b&gt;hi&lt;/b&gt; see "
        '<a href="https://example.org/a?x=1&amp;y=2" rel="nofollow noopener noreferrer" '
        'target="_blank">https://example.org/a?x=1&amp;y=2</a>, ok<br>\nnext &quot;line&quot;'
    )


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "<a href='javascript:alert(1)'>x</a>",
        "<script>alert(1)</script>",
        "vbscript:msgbox",
    ],
)
def test_linkify_never_links_other_schemes(text):
    """Nothing but http(s) becomes a link, and no tag from the text survives."""
    html = linkify(text)
    assert "<a" not in html
    assert "<script" not in html
    assert "href" not in html or "&#x27;" in html


def test_linkify_cannot_break_out_of_the_attribute():
    """Quotes and angle brackets after a URL end it; they cannot add attributes or tags."""
    html = linkify('http://x.org/"onmouseover="alert(1)<img src=x onerror=alert(1)>')
    assert html.startswith('<a href="http://x.org/"')
    assert "<img" not in html
    assert 'onmouseover="' not in html


def test_linkify_keeps_balanced_parentheses_and_drops_sentence_punctuation():
    """A closing parenthesis that belongs to the URL stays; a full stop does not."""
    html = linkify("(see https://en.wikipedia.org/wiki/Tea_(meal)). End.")
    assert 'href="https://en.wikipedia.org/wiki/Tea_(meal)"' in html
    assert html.endswith("</a>). End.")


def test_reencode_strips_exif_and_resizes():
    """A JPEG with GPS and camera tags comes back without any metadata, resized (its
    thumbnail is a task's work: tests/social/test_photo_thumbnails.py)."""
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPSInfo
    upload = photo_upload(size=(3000, 1500), exif=exif.tobytes())
    result = reencode_image(upload)
    assert (result.width, result.height) == (FULL_MAX_SIDE, FULL_MAX_SIDE // 2)
    full = Image.open(io.BytesIO(result.image.read()))
    assert full.format == "JPEG"
    assert not full.getexif()
    assert "exif" not in full.info
    assert result.image.name.endswith(".jpg")


def test_reencode_turns_exif_orientation_upright():
    """A photo taken sideways (EXIF orientation 6) is stored upright."""
    exif = Image.Exif()
    exif[0x0112] = 6
    result = reencode_image(photo_upload(size=(80, 40), exif=exif.tobytes()))
    assert (result.width, result.height) == (40, 80)


def test_transparent_png_becomes_jpeg():
    """A transparent PNG is flattened onto white and stored as JPEG."""
    result = reencode_image(photo_upload("a.png", fmt="PNG", color=(0, 0, 0, 0)))
    image = Image.open(io.BytesIO(result.image.read()))
    assert image.format == "JPEG"
    assert image.getpixel((1, 1))[0] > 240


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg"), "empty"),
        (
            SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg"),
            "not_an_image",
        ),
        (
            SimpleUploadedFile("x.svg", b"<svg onload='alert(1)'/>", content_type="image/svg+xml"),
            "not_an_image",
        ),
        (photo_upload("x.bmp", fmt="BMP"), "not_an_image"),
    ],
)
def test_unreadable_files_are_refused(upload, code):
    """Empty files, scripts, SVG and unaccepted formats get a clear message."""
    with pytest.raises(ValidationError) as error:
        reencode_image(upload)
    assert (error.value.code, bool(error.value.messages[0])) == (code, True)


def test_too_many_bytes_or_pixels_are_refused(settings):
    """The byte and pixel limits from settings apply before decoding."""
    settings.IMAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        reencode_image(photo_upload(size=(200, 200)))
    settings.IMAGE_MAX_BYTES = 10_000_000
    settings.IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match=r"too large: at most 0\.001 megapixels"):
        reencode_image(photo_upload(size=(100, 100)))


def test_truncated_image_is_refused():
    """A cut-off JPEG is refused, not half-stored."""
    data = photo_upload(size=(300, 300)).read()
    with pytest.raises(ValidationError, match="not an image we can read"):
        reencode_image(SimpleUploadedFile("cut.jpg", data[: len(data) // 3]))
