"""A client that only speaks HTTP and WebSocket to a real server, with a JWT (docs/api.md)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.server

# Talk to 127.0.0.1 directly even if the environment names an HTTP proxy.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call(live, method: str, path: str, body=None, token: str | None = None):
    """One HTTP request; returns (status, parsed JSON or None)."""
    request = urllib.request.Request(
        live.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with opener.open(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def next_frame(socket, *types: str) -> dict:
    """The next frame of one of `types`, reading past presence frames."""
    while True:
        frame = json.loads(socket.recv(timeout=5))
        if frame["type"] in types:
            return frame


def test_token_client_logs_in_refreshes_calls_the_api_and_holds_a_socket(live):
    """Log in, refresh, use the API, open /ws/ with the same token, open a dialog, send one
    client_id twice (one message), read the history, get message.new on the socket; log out:
    the socket closes."""
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()

    status, login = call(
        live,
        "POST",
        "/_allauth/app/v1/auth/login",
        {"username": alice.username, "password": PASSWORD},
    )
    assert status == 200
    refresh = login["meta"]["refresh_token"]

    status, refreshed = call(
        live, "POST", "/_allauth/app/v1/tokens/refresh", {"refresh_token": refresh}
    )
    assert status == 200
    access = refreshed["data"]["access_token"]

    status, me = call(live, "GET", "/api/v1/me", token=access)
    assert (status, me["username"]) == (200, alice.username)
    status, block = call(live, "POST", "/api/v1/blocks", {"username": bob.username}, token=access)
    assert (status, block["user"]["username"]) == (201, bob.username)

    with connect(
        live.ws_url, additional_headers={"Authorization": f"Bearer {access}"}, proxy=None
    ) as socket:
        assert json.loads(socket.recv(timeout=5)) == {"type": "hello", "user": alice.pk}
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=5)) == {"type": "pong"}

        status, dialog = call(live, "POST", "/api/v1/dialogs", {"username": carol.username}, access)
        assert (status, dialog["partner"]["username"]) == (200, carol.username)
        send = {"client_id": str(uuid.uuid4()), "text": "Привет по HTTP"}
        messages = f"/api/v1/chats/{dialog['id']}/messages"
        status, sent = call(live, "POST", messages, send, access)
        assert (status, sent["text"]) == (201, "Привет по HTTP")
        status, repeated = call(live, "POST", messages, send, access)
        assert (status, repeated["id"]) == (200, sent["id"])
        status, history = call(live, "GET", messages, token=access)
        assert (status, [m["id"] for m in history["items"]]) == (200, [sent["id"]])
        frame = next_frame(socket, "message.new")
        assert (frame["chat"], frame["message"]) == (dialog["id"], sent)
        # The repeat published nothing: the next frame is the answer to this ping.
        socket.send(json.dumps({"type": "ping"}))
        assert next_frame(socket, "pong", "message.new")["type"] == "pong"

        call(live, "DELETE", "/_allauth/app/v1/auth/session", token=access)
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
        assert closed.value.rcvd.code == 4001

    assert call(live, "GET", "/api/v1/me", token=access)[0] == 401


def test_socket_refuses_a_token_from_a_foreign_page(live):
    """A real handshake with a valid token but a foreign Origin is refused."""
    user = UserFactory()
    _status, login = call(
        live,
        "POST",
        "/_allauth/app/v1/auth/login",
        {"username": user.username, "password": PASSWORD},
    )
    access = login["meta"]["access_token"]
    with pytest.raises(InvalidStatus) as refused:
        connect(
            live.ws_url,
            additional_headers={"Authorization": f"Bearer {access}"},
            origin="http://evil.example",
            proxy=None,
        )
    assert refused.value.response.status_code == 403
