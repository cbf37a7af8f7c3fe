"""Voice messages and video "circles": what a recording upload must look like to be accepted.

There is no ffmpeg on the server, so a recording is checked, not decoded:
- the declared type (the browser's `Blob.type`, parameters such as `;codecs=opus` ignored) must
  be on the allowlist for its kind;
- the head of the file must be the container that type promises (WebM/Matroska starts with the
  EBML magic 1A 45 DF A3, Ogg with "OggS", MP4 has "ftyp" at offset 4), so a renamed text file
  or picture is refused;
- the length the browser measured must be within the kind's bounds (a circle is at most 60 s);
- the waveform is at most `WAVEFORM_BARS` integers 0-255.
Problems raise ValidationError with a message for the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

VOICE = "voice"
CIRCLE = "circle"
KINDS = (VOICE, CIRCLE)

WEBM, OGG, MP4 = "webm", "ogg", "mp4"
# Allowed declared type -> the container its bytes must be.
CONTAINERS = {
    "audio/webm": WEBM,
    "audio/ogg": OGG,
    "audio/mp4": MP4,
    "video/webm": WEBM,
    "video/mp4": MP4,
}
# Voice may come as an audio-only WebM that a browser labels video/webm; a circle needs video.
ALLOWED_TYPES = {
    VOICE: ("audio/webm", "audio/ogg", "audio/mp4", "video/webm"),
    CIRCLE: ("video/webm", "video/mp4"),
}
EXTENSIONS = {WEBM: "webm", OGG: "ogg", MP4: "mp4"}
MIN_DURATION_MS = 300
MAX_DURATION_MS = {VOICE: 15 * 60 * 1000, CIRCLE: 60 * 1000}
WAVEFORM_BARS = 100


@dataclass(frozen=True)
class Recording:
    kind: str
    content_type: str
    extension: str
    duration_ms: int
    waveform: list[int]


def sniff_container(head: bytes) -> str | None:
    """The container format of a file from its first bytes, or None if not one we accept."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head.startswith(b"OggS"):
        return OGG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return MP4
    return None


def _base_type(content_type: str) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _duration_ms(kind: str, duration: object) -> int:
    if isinstance(duration, bool) or not isinstance(duration, int | float | str):
        raise ValidationError(_("The recording's length is missing."), code="duration")
    try:
        seconds = float(duration)
    except ValueError:
        raise ValidationError(_("The recording's length is missing."), code="duration") from None
    if seconds != seconds or seconds * 1000 < MIN_DURATION_MS:  # NaN or too short
        raise ValidationError(_("The recording is too short."), code="too_short")
    limit = MAX_DURATION_MS[kind]
    if seconds * 1000 > limit + 1000:  # a second of slack for the recorder's timing
        raise ValidationError(
            _("A recording of this kind can be at most %(max)d seconds long.")
            % {"max": limit // 1000},
            code="too_long",
        )
    return min(round(seconds * 1000), limit)


def _waveform(waveform: object) -> list[int]:
    if waveform in (None, ""):
        return []
    if (
        not isinstance(waveform, list)
        or len(waveform) > WAVEFORM_BARS
        or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in waveform
        )
    ):
        raise ValidationError(
            _("The waveform must be at most %(max)d numbers from 0 to 255.")
            % {"max": WAVEFORM_BARS},
            code="waveform",
        )
    return waveform


def check_recording(
    *, kind: str, upload: IO[bytes], content_type: str, duration: object, waveform: object
) -> Recording:
    """Validate a voice message or circle upload (see module docstring); raises ValidationError."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of recording."), code="kind")
    base = _base_type(content_type)
    if base not in ALLOWED_TYPES[kind]:
        raise ValidationError(
            _("This is not a recording we accept. Allowed types: %(types)s.")
            % {"types": ", ".join(ALLOWED_TYPES[kind])},
            code="type",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff_container(head) != CONTAINERS[base]:
        raise ValidationError(
            _("The file is not really %(type)s audio or video; it cannot be sent as a recording.")
            % {"type": base},
            code="not_media",
        )
    return Recording(
        kind=kind,
        content_type=base,
        extension=EXTENSIONS[CONTAINERS[base]],
        duration_ms=_duration_ms(kind, duration),
        waveform=_waveform(waveform) if kind == VOICE else [],
    )
