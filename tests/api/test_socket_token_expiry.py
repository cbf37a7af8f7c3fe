"""A token socket lives as long as its access token: when the token expires the server closes
the socket with 4003, and the client reconnects with a refreshed token
(docs/realtime-protocol.md, "Token expiry")."""

import time

import jwt
import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from tests.api.conftest import REFRESH_URL, login_tokens
from tests.api.test_socket_auth import connect_with_token
from tests.factories import UserFactory
from tests.realtime.test_hub import connect_as, refusal_code

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

CLOSE_TOKEN_EXPIRED = 4003


@pytest.fixture
def short_tokens(settings):
    """Access tokens valid for 2 seconds."""
    settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = 2


async def test_token_socket_is_closed_with_4003_when_the_token_expires(short_tokens):
    """The socket serves until its token's `exp`, then is closed with 4003, not before."""
    user = await database_sync_to_async(UserFactory)()
    tokens = await database_sync_to_async(login_tokens)(user)
    expires_at = jwt.decode(tokens.access, options={"verify_signature": False})["exp"]
    communicator, connected, _ = await connect_with_token(tokens.access)
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": user.pk}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    closed = await communicator.receive_output(timeout=10)
    assert closed == {"type": "websocket.close", "code": CLOSE_TOKEN_EXPIRED}
    assert time.time() >= expires_at - 0.05  # not closed early (clock granularity aside)


async def test_refreshed_token_opens_a_new_socket(short_tokens):
    """After 4003 the client refreshes its token and reconnects as the same user."""
    user = await database_sync_to_async(UserFactory)()
    tokens = await database_sync_to_async(login_tokens)(user)
    communicator, _, _ = await connect_with_token(tokens.access)
    await communicator.receive_json_from()
    assert (await communicator.receive_output(timeout=10))["code"] == CLOSE_TOKEN_EXPIRED
    expired, connected, code = await connect_with_token(tokens.access)
    assert await refusal_code(expired, connected, code) == 4401
    response = await sync_to_async(Client().post)(
        REFRESH_URL, {"refresh_token": tokens.refresh}, content_type="application/json"
    )
    assert response.status_code == 200
    again, connected, _ = await connect_with_token(response.json()["data"]["access_token"])
    assert connected
    assert await again.receive_json_from() == {"type": "hello", "user": user.pk}
    await again.disconnect()


async def test_session_cookie_socket_has_no_token_deadline(short_tokens):
    """A browser socket (session cookie) is not closed by the token rule."""
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, _ = await connect_as(user)
    assert connected
    await communicator.receive_json_from()
    # Past the 2 s a token would live, the socket still answers.
    assert await communicator.receive_nothing(timeout=2.5)
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()
