"""A deterministic corpus of hostile uploads: every content family under every odd name.

Contents: good images (to prove the endpoints still accept them), wrong magic numbers,
polyglots (an image with HTML, script or a zip after or inside it), metadata with a marker,
truncated images, decompression bombs and headers declaring huge canvases, extreme aspect
ratios, random bytes and an empty file. Names: path traversal (both slashes), absolute paths,
very long, right-to-left override, quotes, semicolons, header-looking text, double extensions,
no extension, emoji.

Every payload that must never survive re-encoding contains one of MARKERS.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from PIL import Image

MARKERS = (b"<script", b"<html", b"<svg", b"<?php", b"PK\x03\x04", b"MARKER-EXIF")
SCRIPT = b"<script>alert(document.domain)</script><html><svg onload=alert(1)><?php ?>"
ZIP = b"PK\x03\x04" + b"\x00" * 26 + b"evil.html"


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    family: str


def _image(fmt: str, size=(24, 16), mode="RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 90) if mode == "RGB" else None).save(out, fmt, **options)
    return out.getvalue()


def _animated_gif() -> bytes:
    colours = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    frames = [Image.new("RGB", (16, 16), colour) for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    return out.getvalue()


def _gif_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("P", (16, 16), 1).save(out, "GIF", comment=SCRIPT)
    return out.getvalue()


def _jpeg_with_comment() -> bytes:
    jpeg = _image("JPEG")
    comment = b"\xff\xfe" + struct.pack(">H", len(SCRIPT) + 2) + SCRIPT
    return jpeg[:2] + comment + jpeg[2:]


def _jpeg_with_exif_marker() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = "MARKER-EXIF <script>"  # ImageDescription
    exif[0x0112] = 6  # orientation: must be applied, then dropped
    return _image("JPEG", exif=exif.tobytes())


def _png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    return _image("PNG", pnginfo=info)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares width×height (a bomb if it were decoded)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _gif_declaring(width: int, height: int) -> bytes:
    screen = struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return b"GIF89a" + screen + descriptor + b"\x02\x02\x44\x01\x00;"


@cache
def _real_bomb() -> bytes:
    """A real decompression bomb: 12000×12000 one-bit pixels in a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


@cache
def contents() -> list[tuple[str, bytes]]:
    jpeg, png, webp, gif = (_image(f) for f in ("JPEG", "PNG", "WEBP", "GIF"))
    rng = random.Random(20261202)
    good = [
        ("jpeg", jpeg),
        ("png", png),
        ("png-alpha", _image("PNG", mode="RGBA")),
        ("webp", webp),
        ("gif", gif),
        ("animated-gif", _animated_gif()),
        ("tall", _image("PNG", size=(1, 20_000))),
        ("wide", _image("PNG", size=(20_000, 1))),
    ]
    polyglots = [
        ("jpeg+html", jpeg + SCRIPT),
        ("png+html", png + SCRIPT),
        ("gif+html", gif + SCRIPT),
        ("animated-gif+html", _animated_gif() + SCRIPT),
        ("webp+html", webp + SCRIPT),
        ("jpeg+zip", jpeg + ZIP),
        ("gif+zip", gif + ZIP),
        ("jpeg-comment", _jpeg_with_comment()),
        ("gif-comment", _gif_with_comment()),
        ("png-text", _png_with_text()),
        ("jpeg-exif", _jpeg_with_exif_marker()),
        ("html-then-gif", SCRIPT + gif),
    ]
    wrong_magic = [
        ("html", b"<!doctype html>" + SCRIPT),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script/></svg>'),
        ("pdf", b"%PDF-1.4\n" + SCRIPT),
        ("zip", ZIP),
        ("elf", b"\x7fELF" + bytes(60)),
        ("png-magic-garbage", b"\x89PNG\r\n\x1a\n" + rng.randbytes(200)),
        ("jpeg-magic-garbage", b"\xff\xd8\xff\xe0" + rng.randbytes(200)),
        ("gif-magic-garbage", b"GIF89a" + rng.randbytes(200)),
        ("riff-garbage", b"RIFF\x00\x00\x00\x00WEBPVP8 " + rng.randbytes(100)),
        ("random-small", rng.randbytes(17)),
        ("random-large", rng.randbytes(200_000)),
    ]
    truncated = [
        (f"{kind}-cut-{percent}", data[: max(1, len(data) * percent // 100)])
        for kind, data in (("jpeg", jpeg), ("png", png), ("webp", webp), ("gif", gif))
        for percent in (5, 50, 95)
    ]
    bombs = [
        ("png-50000x50000", _png_declaring(50_000, 50_000)),
        ("png-65535x65535", _png_declaring(65_535, 65_535)),
        ("png-1x2147483647", _png_declaring(1, 2_147_483_647)),
        ("png-0x0", _png_declaring(0, 0)),
        ("gif-65535x65535", _gif_declaring(65_535, 65_535)),
        ("png-bomb-12000", _real_bomb()),
    ]
    return [*good, *polyglots, *wrong_magic, *truncated, *bombs, ("empty", b"")]


NAMES = [
    "photo.jpg",
    "picture.png",
    "anim.gif",
    "page.html",
    "vector.svg",
    "../../../../etc/passwd",
    "..\\..\\..\\windows\\win.ini",
    "/etc/shadow.png",
    "C:\\Users\\x\\photo.jpg",
    "a" * 300 + ".png",
    "фото отпуска.jpg",
    "\u202egpj.exe",
    'quote".png',
    "semi;colon; filename=evil.html.png",
    "line\nbreak.png",
    ".htaccess",
    "shell.php.jpg",
    "noextension",
    "%2e%2e%2fescape.png",
    "x.JPG.html",
    "😀🔥.gif",
    "   .png",
    "con.png",
]


def corpus() -> Iterator[Hostile]:
    """Every content under every name: len(contents()) × len(NAMES) files."""
    for family, data in contents():
        for name in NAMES:
            yield Hostile(name, data, family)


def is_image_bytes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except Exception:
        return False
    return True


def markers_in(data: bytes) -> list[bytes]:
    return [marker for marker in MARKERS if marker in data]
