"""Issue 14, item 6: a refresh token used a second time (after it was rotated out) is treated as
stolen: the whole token family (the login's session) ends, so its successor refresh token and
every access token of that login stop working at once. Other logins are untouched."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from tests.api.conftest import REFRESH_URL, JsonApi, login_tokens

pytestmark = pytest.mark.django_db


def refresh(token: str):
    return Client().post(REFRESH_URL, {"refresh_token": token}, content_type="application/json")


def test_rotation_chain_keeps_working(user):
    """The allowed case: each new refresh token refreshes once, and the newest access works."""
    tokens = login_tokens(user)
    token = tokens.refresh
    for _ in range(3):
        response = refresh(token)
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["refresh_token"] != token
        token, access = data["refresh_token"], data["access_token"]
    assert JsonApi(access).get("/api/v1/me").status_code == 200


def test_reused_refresh_token_ends_the_whole_family(user):
    """Reusing a rotated-out refresh token: refused, and its successor and accesses die too."""
    tokens = login_tokens(user)
    first = refresh(tokens.refresh).json()["data"]
    assert JsonApi(first["access_token"]).get("/api/v1/me").status_code == 200

    assert refresh(tokens.refresh).status_code != 200  # the thief (or the victim) replays it

    assert refresh(first["refresh_token"]).status_code != 200
    assert JsonApi(first["access_token"]).get("/api/v1/me").status_code == 401
    assert JsonApi(tokens.access).get("/api/v1/me").status_code == 401


def test_reuse_in_one_login_leaves_other_logins_working(user):
    """Only the family of the replayed token ends; another device's login keeps working."""
    stolen = login_tokens(user)
    other = login_tokens(user)
    refresh(stolen.refresh)
    refresh(stolen.refresh)
    assert JsonApi(other.access).get("/api/v1/me").status_code == 200
    assert refresh(other.refresh).status_code == 200
    assert Session.objects.count() == 1


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_reuse_closes_the_sockets_of_that_login():
    """A socket opened with the family's access token is closed with 4001 on reuse."""
    from asgiref.sync import sync_to_async

    from tests.api.test_socket_auth import connect_with_token, new_user_tokens

    _user, tokens = await new_user_tokens()
    first = (await sync_to_async(refresh)(tokens.refresh)).json()["data"]
    communicator, connected, _ = await connect_with_token(first["access_token"])
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    await sync_to_async(refresh)(tokens.refresh)
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4001}
