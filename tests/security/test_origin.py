"""Cross-site WebSocket hijacking: a handshake that carries the session cookie is refused
unless its Origin names this site. Foreign, missing, empty, `null` and look-alike origins are
refused; tests/realtime/test_hub.py and tests/api/test_socket_auth.py cover the plain foreign,
missing and bearer-token cases."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.factories import UserFactory
from tests.realtime.test_hub import connect_as

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

REFUSED = [
    b"http://evil.example",
    b"null",
    b"",
    b"http://127.0.0.1.evil.example",
    b"http://evil.example/127.0.0.1",
    b"http://127.0.0.1@evil.example",
    b"file://",
    b"chrome-extension://abcdef",
]


@pytest.mark.parametrize("origin", REFUSED)
async def test_foreign_or_odd_origin_with_a_session_cookie_is_refused(origin):
    """The handshake is refused (no hello, no socket) for every origin that is not ours."""
    user = await database_sync_to_async(UserFactory)()
    _communicator, connected, _code = await connect_as(user, origin=(b"origin", origin))
    assert not connected


async def test_our_origin_with_a_session_cookie_is_accepted():
    """The allowed case of the pair: our own page's origin connects."""
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, _code = await connect_as(user, origin=(b"origin", b"http://127.0.0.1"))
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    await communicator.disconnect()
