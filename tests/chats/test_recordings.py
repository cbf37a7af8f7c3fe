"""Voice messages and video circles: the upload endpoint and the recording service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.services import block_create
from chats import services
from chats.models import Attachment
from chats.recordings import sniff_container
from tests.factories import DialogFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + b"\x00" * 200
OGG = b"OggS\x00\x02" + b"\x00" * 200
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200


def login(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def post(client, chat, data: bytes, content_type: str, name="blob", **fields):
    body = {"file": SimpleUploadedFile(name, data, content_type), **fields}
    return client.post(reverse("chats:upload", args=[chat.pk]), body)


def stored_files() -> set[str]:
    """Every file under MEDIA_ROOT (shared by the session's tests, so compare before/after)."""
    root = Path(default_storage.location)
    return {str(p) for p in root.rglob("*") if p.is_file()}


def record_voice(user, chat, data: bytes):
    return services.recording_create(
        uploader=user,
        chat=chat,
        upload=SimpleUploadedFile("v.webm", data, "audio/webm"),
        kind="voice",
        content_type="audio/webm",
        duration=2,
    )


def test_container_magic_bytes():
    assert sniff_container(WEBM[:16]) == "webm"
    assert sniff_container(OGG[:16]) == "ogg"
    assert sniff_container(MP4[:16]) == "mp4"
    assert sniff_container(b"ID3\x03hello world!") is None
    assert sniff_container(b"") is None


def test_voice_message_is_uploaded_sent_and_played_by_the_other(client, group, people):
    """A voice message keeps its type, length and waveform; the other member gets it inline."""
    owner, _admin, member, _ = people
    response = post(
        login(client, member),
        group,
        WEBM,
        "audio/webm;codecs=opus",
        kind="voice",
        duration="3.25",
        waveform=json.dumps([0, 128, 255, 40]),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["content_type"], data["duration"], data["waveform"]) == (
        "voice",
        "audio/webm",
        3.25,
        [0, 128, 255, 40],
    )
    message = MessageFactory(sender=member, chat=group, text="", attachment_ids=[data["id"]])
    assert message.attachments.get().kind == "voice"
    played = login(client, owner).get(data["url"])
    assert played.status_code == 200
    assert played["Content-Type"] == "audio/webm"
    assert played["Content-Disposition"].startswith("inline")
    assert b"".join(played.streaming_content) == WEBM


@pytest.mark.parametrize(
    ("data", "content_type"), [(MP4, "video/mp4"), (WEBM, "video/webm;codecs=vp8,opus")]
)
def test_circle_of_up_to_a_minute_is_accepted(client, group, people, data, content_type):
    _owner, _admin, member, _ = people
    response = post(login(client, member), group, data, content_type, kind="circle", duration=60)
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["duration"]) == ("circle", 60.0)


@pytest.mark.parametrize(
    ("data", "content_type", "fields", "error"),
    [
        # Not really audio: a text file renamed and labelled as WebM.
        (b"just some text, honest" * 10, "audio/webm", {"kind": "voice"}, "not really"),
        # A picture labelled as video.
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "video/mp4", {"kind": "circle"}, "not really"),
        # Ogg bytes declared as WebM.
        (OGG, "audio/webm", {"kind": "voice"}, "not really"),
        # A type outside the allowlist.
        (WEBM, "audio/x-matroska", {"kind": "voice"}, "Allowed types"),
        (OGG, "audio/ogg", {"kind": "circle"}, "Allowed types"),
        (WEBM, "video/webm", {"kind": "circle", "duration": "75"}, "at most 60 seconds"),
        (WEBM, "audio/webm", {"kind": "voice", "duration": "0.1"}, "too short"),
        (WEBM, "audio/webm", {"kind": "voice", "duration": ""}, "length is missing"),
        (WEBM, "audio/webm", {"kind": "voice", "duration": "nan"}, "too short"),
        (WEBM, "audio/webm", {"kind": "voice", "waveform": "[1, 300]"}, "waveform"),
        (
            WEBM,
            "audio/webm",
            {"kind": "voice", "waveform": json.dumps(list(range(101)))},
            "at most",
        ),
        (WEBM, "audio/webm", {"kind": "song"}, "song"),
    ],
)
def test_fake_or_bad_recordings_are_refused_and_nothing_is_stored(
    client, group, people, data, content_type, fields, error
):
    """Bytes that are not what the type says, wrong types and lengths get a clear 400 error."""
    _owner, _admin, member, _ = people
    fields = {"duration": "2", **fields}
    before = stored_files()
    response = post(login(client, member), group, data, content_type, name="voice.webm", **fields)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert not Attachment.objects.exists()
    assert stored_files() == before


def test_recording_service_refuses_outsiders_and_blocked_dialogs(people):
    """An outsider gets 404 and blocked people cannot send recordings; nothing is stored."""
    from django.http import Http404

    owner, _admin, _member, outsider = people
    stranger = UserFactory()
    chat = DialogFactory(user=owner, other=outsider)
    with pytest.raises(Http404):
        record_voice(stranger, chat, WEBM)
    block_create(blocker=outsider, blocked=owner)
    with pytest.raises(services.Blocked):
        record_voice(owner, chat, WEBM)
    assert not Attachment.objects.exists()


def test_recording_service_error_is_a_validation_error(group, people):
    _owner, _admin, member, _ = people
    with pytest.raises(ValidationError) as caught:
        record_voice(member, group, b"GIF89a" + b"\x00" * 50)
    assert caught.value.code == "not_media"
    assert not Attachment.objects.exists()


def test_recordings_are_served_in_byte_ranges_for_seeking(client, group, people):
    """A player seeking asks for a byte range and gets 206 with exactly those bytes."""
    owner, _admin, member, _ = people
    data = post(login(client, member), group, WEBM, "audio/webm", kind="voice", duration=2).json()
    MessageFactory(sender=member, chat=group, text="", attachment_ids=[data["id"]])
    login(client, owner)
    part = client.get(data["url"], headers={"Range": "bytes=4-11"})
    assert part.status_code == 206
    assert part.content == WEBM[4:12]
    assert part["Content-Range"] == f"bytes 4-11/{len(WEBM)}"
    tail = client.get(data["url"], headers={"Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, WEBM[-5:])
    past_the_end = client.get(data["url"], headers={"Range": "bytes=9999-"})
    assert past_the_end.status_code == 416
    assert past_the_end["Content-Range"] == f"bytes */{len(WEBM)}"
    whole = client.get(data["url"], headers={"Range": "bytes=9-4"})
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == WEBM
