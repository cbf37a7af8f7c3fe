"""Issue 14, item 6: byte ranges of private files follow RFC 9110 §14. An unsatisfiable range
(`bytes=-0`, a start at or past the end, any range of an empty file) is 416 with
`Content-Range: bytes */<size>`; a syntactically invalid or multi-part range is ignored (the
whole file, 200); a satisfiable one is 206 with exactly those bytes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chats import services
from tests.factories import GroupFactory, MessageFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = bytes(range(100))
SIZE = len(DATA)


def _attachment_url(client, data: bytes):
    member, reader = UserFactory(), UserFactory()
    chat = GroupFactory(created_by=member, members=[reader])
    attachment = services.attachment_create(
        uploader=member, chat=chat, upload=SimpleUploadedFile("f.bin", data, "text/plain")
    )
    MessageFactory(sender=member, chat=chat, text="", attachment_ids=[attachment.pk])
    client.force_login(reader)
    return reverse("chats:file", args=[attachment.pk])


@pytest.fixture
def file_url(client):
    return _attachment_url(client, DATA)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(
    "header", ["bytes=-0", f"bytes={SIZE}-", f"bytes={SIZE + 1}-", f"bytes={SIZE}-{SIZE + 5}"]
)
def test_unsatisfiable_range_is_416_with_the_size(client, file_url, header):
    """Nothing of the file, 416, and `bytes */size` so the client knows the length."""
    response = client.get(file_url, headers={"Range": header})
    assert response.status_code == 416, header
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert _body(response) == b""


def test_any_range_of_an_empty_file_is_416(client):
    """An empty file has no byte to give."""
    url = _attachment_url(client, b"x")
    # attachment_create refuses empty uploads; truncate the stored file instead.
    from django.core.files.storage import default_storage

    from chats.models import Attachment

    name = Attachment.objects.get().file.name
    with default_storage.open(name, "wb") as handle:
        handle.write(b"")
    response = client.get(url, headers={"Range": "bytes=0-"})
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */0"


@pytest.mark.parametrize(
    "header",
    ["bytes=5-2", "bytes=0-1,4-5", "bytes=abc", "bits=0-5", "bytes=-", "bytes=--1", "bytes= 1-2x"],
)
def test_invalid_range_is_ignored(client, file_url, header):
    """A range the server does not understand gives the whole file (200), as RFC 9110 allows."""
    response = client.get(file_url, headers={"Range": header})
    assert response.status_code == 200, header
    assert _body(response) == DATA


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=0-", 0, SIZE - 1),
        ("bytes=-1", SIZE - 1, SIZE - 1),
        (f"bytes=-{SIZE * 2}", 0, SIZE - 1),
        (f"bytes=10-{SIZE * 2}", 10, SIZE - 1),
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE - 1),
    ],
)
def test_satisfiable_range_is_206_with_those_bytes(client, file_url, header, first, last):
    """The allowed case: exactly the asked bytes, and their place in Content-Range."""
    response = client.get(file_url, headers={"Range": header})
    assert response.status_code == 206, header
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert _body(response) == DATA[first : last + 1]


def test_range_of_someone_elses_file_is_404(client, file_url):
    """The denied case: a stranger's ranged request is refused like a whole one."""
    client.force_login(UserFactory())
    assert client.get(file_url, headers={"Range": "bytes=-0"}).status_code == 404
