"""An API client (bearer token) of a member who joined a group later reaches nothing from
before: the same refusals as the session, through the token path (issue #14)."""

from __future__ import annotations

import pytest
from django.test import Client

from chats import services
from tests.api.conftest import login_tokens
from tests.chats.test_history_floor import OLD_EDIT, OLD_TEXT, build_floor, send
from tests.factories import photo_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(settings):
    settings.API_WRITE_RATE = "1000000/m"
    return build_floor()


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {login_tokens(user).access}"}


def test_token_client_cannot_download_old_file(floor):
    """The file URL of a message from before joining is a 404 with the late joiner's token."""
    client = Client()
    auth = bearer(floor.late)
    for suffix in ("", "thumb/"):
        response = client.get(f"/chats/files/{floor.old_attachment_id}/{suffix}", **auth)
        assert response.status_code == 404


def test_token_client_downloads_file_sent_after_joining(floor):
    """A file sent after the late joiner came is served to their token."""
    attachment = services.attachment_create(
        uploader=floor.member, chat=floor.chat, upload=photo_upload("later.png", fmt="PNG")
    )
    send(floor.member, floor.chat, "", attachment_ids=[attachment.pk])
    response = Client().get(f"/chats/files/{attachment.pk}/", **bearer(floor.late))
    assert response.status_code == 200


def test_token_client_early_member_downloads_old_file(floor):
    """A member who was there downloads the old file with their token."""
    response = Client().get(f"/chats/files/{floor.old_attachment_id}/", **bearer(floor.admin))
    assert response.status_code == 200


def test_token_client_reaction_on_old_message_is_404(floor):
    """The reaction endpoint answers 404 without the old text to the late joiner's token."""
    path = f"/api/v1/chats/{floor.chat.pk}/messages/{floor.old.pk}/reactions/👍"
    response = Client().put(path, **bearer(floor.late))
    assert response.status_code == 404
    text = response.content.decode()
    assert OLD_TEXT not in text and OLD_EDIT not in text
    assert not floor.old.reactions.filter(user=floor.late).exists()


def test_token_client_history_starts_at_the_floor(floor):
    """The history by seq, walked from 0, starts after the late joiner's floor: the system line
    of their own joining, then what came after."""
    response = Client().get(f"/api/v1/chats/{floor.chat.pk}/messages?after=0", **bearer(floor.late))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [m["system"]["kind"] for m in items[:-1]] == ["added"]
    assert [m["id"] for m in items[-1:]] == [floor.new.pk]
