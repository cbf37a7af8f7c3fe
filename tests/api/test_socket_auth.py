"""/ws/ for non-browser clients: the API access token authenticates the handshake."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from messenger.asgi import application
from messenger.realtime import apublish
from tests.api.conftest import SESSION_URL, login_tokens
from tests.factories import UserFactory
from tests.realtime.test_hub import refusal_code

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

GOOD_ORIGIN = (b"origin", b"http://127.0.0.1")
FOREIGN_ORIGIN = (b"origin", b"http://evil.example")


async def connect_with_token(token: str, *extra_headers):
    headers = [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode())]
    headers += extra_headers
    communicator = WebsocketCommunicator(application, "/ws/", headers=list(headers))
    connected, code = await communicator.connect()
    return communicator, connected, code


async def new_user_tokens():
    user = await database_sync_to_async(UserFactory)()
    return user, await database_sync_to_async(login_tokens)(user)


async def test_token_without_origin_is_accepted():
    """A client with a valid access token and no Origin header connects as its user."""
    user, tokens = await new_user_tokens()
    communicator, connected, _ = await connect_with_token(tokens.access)
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": user.pk}
    await communicator.disconnect()


async def test_token_with_allowed_origin_is_accepted():
    """A token handshake that carries our own Origin is accepted too."""
    user, tokens = await new_user_tokens()
    communicator, connected, _ = await connect_with_token(tokens.access, GOOD_ORIGIN)
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": user.pk}
    await communicator.disconnect()


@pytest.mark.parametrize("token", ["nonsense", "a.b.c", ""])
async def test_bad_token_is_refused_with_4401(token):
    """An invalid bearer token is refused with 4401, as an anonymous socket."""
    communicator, connected, code = await connect_with_token(token)
    assert await refusal_code(communicator, connected, code) == 4401


async def test_refresh_token_is_refused_on_the_socket():
    """The refresh token does not open a socket (only access tokens do)."""
    _user, tokens = await new_user_tokens()
    communicator, connected, code = await connect_with_token(tokens.refresh)
    assert await refusal_code(communicator, connected, code) == 4401


async def test_token_with_foreign_origin_is_refused():
    """A valid token sent from another site's page (foreign Origin) is refused."""
    _user, tokens = await new_user_tokens()
    _communicator, connected, _ = await connect_with_token(tokens.access, FOREIGN_ORIGIN)
    assert not connected


async def test_token_socket_receives_events_for_its_user():
    """Frames published to the token's user reach the token-authenticated socket only."""
    user, tokens = await new_user_tokens()
    _stranger, stranger_tokens = await new_user_tokens()
    mine, connected, _ = await connect_with_token(tokens.access)
    theirs, connected_too, _ = await connect_with_token(stranger_tokens.access)
    assert connected and connected_too
    await mine.receive_json_from()
    await theirs.receive_json_from()
    await apublish({"type": "notification", "text": "hi"}, [user.pk])
    assert await mine.receive_json_from() == {"type": "notification", "text": "hi"}
    assert await theirs.receive_nothing(timeout=0.2)
    await mine.disconnect()
    await theirs.disconnect()


async def test_logout_closes_the_token_socket():
    """Logging the token's session out (allauth app API) closes its socket with 4001."""
    _user, tokens = await new_user_tokens()
    communicator, connected, _ = await connect_with_token(tokens.access)
    assert connected
    await communicator.receive_json_from()
    await sync_to_async(Client().delete)(
        SESSION_URL, headers={"Authorization": f"Bearer {tokens.access}"}
    )
    assert await communicator.receive_output(timeout=2) == {"type": "websocket.close", "code": 4001}


async def test_logged_out_token_cannot_reconnect():
    """After logout the same access token no longer opens a socket."""
    _user, tokens = await new_user_tokens()
    await sync_to_async(Client().delete)(
        SESSION_URL, headers={"Authorization": f"Bearer {tokens.access}"}
    )
    communicator, connected, code = await connect_with_token(tokens.access)
    assert await refusal_code(communicator, connected, code) == 4401
