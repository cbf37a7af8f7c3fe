"""Close codes and handshake refusals as a real client sees them, under uvicorn (the deployed
server, with the flags of deploy/systemd/beseda@.service) and daphne (runserver and the
suite's live servers): docs/realtime-protocol.md's close-code table holds under both."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
import websockets
from django.conf import settings

from tests.conftest import ROOT, _database_url, free_port, session_cookie_for
from tests.factories import UserFactory

pytestmark = pytest.mark.server

# `uvicorn ...` arguments of deploy/systemd/beseda@.service, minus host and port.
UVICORN_FLAGS = [
    "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio",
    "--ws-per-message-deflate", "false", "--ws-max-size", "1048576", "--lifespan", "off",
    "--no-access-log",
]  # fmt: skip


class Server:
    def __init__(self, kind: str, port: int, process: subprocess.Popen) -> None:
        self.kind, self.port, self.process = kind, port, process
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ws/"
        self.host = "127.0.0.1"


@pytest.fixture(scope="module", params=["uvicorn", "daphne"])
def _server_process(request, django_db_setup):
    """One server of each kind for the module's tests (a start costs seconds of CPU; the
    tests only open sockets, and each brings its own committed data via `server`)."""
    port = free_port()
    if request.param == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", "messenger.asgi:application",
                   "--host", "127.0.0.1", "--port", str(port), *UVICORN_FLAGS]  # fmt: skip
    else:
        command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                   "messenger.asgi:application"]  # fmt: skip
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "true",
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "messenger.settings",
    }
    log = open(ROOT / "var" / f"test-server-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{request.param} did not start; see var/test-server-{port}.log")
        time.sleep(0.1)
    yield Server(request.param, port, process)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def server(_server_process, transactional_db):
    """The running server of this kind, with committed data visible to it."""
    return _server_process


async def close_code(ws) -> int:
    """Read until the server closes the socket; the close code it sent."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "closed without a close frame (1006)"
        return closed.rcvd.code


def test_anonymous_socket_is_closed_with_4401(server):
    """No session cookie: the handshake completes and the socket is closed with 4401, which a
    browser's `close` event shows (an HTTP refusal would reach the page as 1006)."""

    async def scenario():
        async with websockets.connect(server.ws_url, origin=server.url) as ws:
            return await close_code(ws)

    assert asyncio.run(scenario()) == 4401


def test_bad_token_is_closed_with_4401(server):
    """A bearer token that is not valid: closed with 4401 too."""

    async def scenario():
        headers = {"Authorization": "Bearer not-a-token"}
        async with websockets.connect(server.ws_url, additional_headers=headers) as ws:
            return await close_code(ws)

    assert asyncio.run(scenario()) == 4401


def test_foreign_origin_is_refused_at_the_handshake(server):
    """A cross-site page's handshake is refused with HTTP 403 (nothing to tell that page)."""

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(server.ws_url, origin="http://evil.example")
        return refused.value.response.status_code

    assert asyncio.run(scenario()) == 403


def test_frame_over_the_limit_is_answered_and_closed_with_4009(server):
    """A frame between REALTIME_MAX_FRAME_BYTES (64 KiB) and the server's own bound gets a
    `too_large` error and close code 4009 under either server (daphne cannot send 1009, the
    protocol's own "too big": Autobahn lets an application close with 1000 or 3000-4999 only,
    and turns anything else into 1011)."""
    cookie = session_cookie_for(UserFactory(), server)

    async def scenario():
        headers = {"Cookie": f"{cookie['name']}={cookie['value']}"}
        async with websockets.connect(
            server.ws_url, origin=server.url, additional_headers=headers
        ) as ws:
            assert json.loads(await ws.recv())["type"] == "hello"
            await ws.send(json.dumps({"type": "ping", "pad": "x" * 70_000}))
            error = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return error["code"], await close_code(ws)

    assert asyncio.run(scenario()) == ("too_large", 4009)


def test_frame_over_the_servers_bound_is_closed_with_1009_by_uvicorn(server):
    """Past uvicorn's --ws-max-size (1 MiB) the server itself closes with 1009 before Beseda
    reads the frame (the last row of the close-code table)."""
    if server.kind != "uvicorn":
        pytest.skip("the --ws-max-size bound is uvicorn's (deploy/systemd/beseda@.service)")
    cookie = session_cookie_for(UserFactory(), server)

    async def scenario():
        headers = {"Cookie": f"{cookie['name']}={cookie['value']}"}
        async with websockets.connect(
            server.ws_url, origin=server.url, additional_headers=headers, max_size=None
        ) as ws:
            assert json.loads(await ws.recv())["type"] == "hello"
            await ws.send(json.dumps({"type": "ping", "pad": "x" * (1024 * 1024 + 1)}))
            return await close_code(ws)

    assert asyncio.run(scenario()) == 1009
