"""Issue 14, item 2: /media/ served by Django (development, bin/stack) gives out only the public
folders. A `..` in any spelling must not climb from a public folder into chat files or "My data"
archives: the allow-list is checked on the path as the file system would resolve it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PUBLIC_FOLDERS = ["avatars", "social", "chat-avatars"]
PRIVATE_FILES = ["chat-files/7/abc/secret.txt", "exports/1/my-data.zip"]
SECRET = b"private bytes of someone else"

# Each spelling of "one folder up", as it reaches Django's path (the server decodes %XX once).
UP = [
    "..",
    "%2e%2e",
    "%2E%2E",
    "%2e.",
    ".%2E",
    "%252e%252e",
    "..%2f",
    "..%5c",
    "..\\",
    "%2e%2e%5c",
    "%2e%2e%2f",
]


@pytest.fixture
def private_files():
    root = Path(settings.MEDIA_ROOT)
    for name in PRIVATE_FILES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SECRET)
    for folder in PUBLIC_FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "avatars" / "public.txt").write_bytes(b"a public avatar")
    return root


def _urls():
    for folder in PUBLIC_FOLDERS:
        for up in UP:
            for target in PRIVATE_FILES:
                sep = "" if up.endswith(("%2f", "%5c", "\\")) else "/"
                yield f"/media/{folder}/{up}{sep}{target}"
                yield f"/media/{folder}/deeper/{up}{sep}{up}{sep}{target}"


@pytest.mark.parametrize("url", sorted(set(_urls())))
def test_dot_dot_out_of_a_public_folder_is_not_served(client, private_files, url):
    """Logged out, a traversal from any public folder answers 404 and never the file."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 404, url
    assert SECRET not in body


@pytest.mark.parametrize("target", PRIVATE_FILES)
def test_private_folders_are_not_served_directly(client, private_files, target):
    """The denied case without tricks: chat files and archives are not under /media/."""
    assert client.get(f"/media/{target}").status_code == 404


def test_a_public_file_is_still_served(client, private_files):
    """The allowed case: a file in a public folder is served to anyone."""
    response = client.get("/media/avatars/public.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a public avatar"
