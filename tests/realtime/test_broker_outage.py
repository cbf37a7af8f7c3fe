"""Redis really stopped and started again under traffic (issue #15): what keeps working, and
what pauses. Runs in the PostgreSQL + Redis pass (`bin/with-services`), like test_faults.py.

While Redis is down: REST writes are stored and answered, every API error is JSON with a
code, logging in works, a new socket is accepted and served (its sends acknowledged), open
sockets stay open (presence degrades, nobody is dropped), and a tab streaming over its socket
keeps getting acks. Once Redis is back, live delivery resumes without a restart and clients
catch up by seq with `sync`."""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
import uuid

import pytest
from asgiref.sync import async_to_sync

from chats.models import Message
from tests.api.conftest import login_tokens
from tests.conftest import start_asgi_server
from tests.factories import GroupFactory, UserFactory
from tests.factories.accounts import PASSWORD
from tests.realtime.faults import (
    FAST_SENDERS,
    Device,
    health,
    stop_server,
    wait_until,
)
from tests.realtime.test_faults import stream

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="needs PostgreSQL and Redis (bin/with-services)",
    ),
]


def http(server, method: str, path: str, body=None, token: str | None = None):
    """(status, content type, parsed JSON or raw text) of one request to the worker."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{server.url}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    kind = headers.get("Content-Type", "")
    return status, kind, json.loads(raw) if kind.startswith("application/json") else raw


@pytest.fixture
def worker(transactional_db, smtp_sink, own_redis):
    """A uvicorn worker on this test's own Redis (`own_redis`, which the test stops)."""
    server = start_asgi_server(smtp_sink, extra_env={**FAST_SENDERS, "REDIS_URL": own_redis.url})
    yield server
    stop_server(server)


def test_rest_and_new_sockets_work_while_redis_is_down(worker, own_redis):
    """Redis is stopped while a tab streams messages; during the outage REST writes, API
    errors, a new socket and the open sockets all behave; after Redis returns live delivery
    resumes and every tab holds every message once after `sync`."""
    anna, boris, vera, stranger = (UserFactory() for _ in range(4))
    chat = GroupFactory(created_by=anna, members=[boris, vera])
    boris_token = login_tokens(boris).access
    stranger_token = login_tokens(stranger).access
    anna_tab = Device.for_user(anna, chat.pk, worker, "anna")
    vera_tab = Device.for_user(vera, chat.pk, worker, "vera")  # opens during the outage
    seen: dict = {}

    def rest_send(token: str, chat_id: int, text: str):
        body = {"client_id": str(uuid.uuid4()), "text": text}
        return http(worker, "POST", f"/api/v1/chats/{chat_id}/messages", body, token)

    async def outage():
        await wait_until(lambda: len(anna_tab.acked) >= 20, 60, "anna's stream under way")
        await asyncio.to_thread(own_redis.stop)
        seen["health_down"] = await asyncio.to_thread(health, worker)
        acked_before = len(anna_tab.acked)
        # REST: a write is stored and answered; refusals and unknown paths are JSON.
        seen["write"] = await asyncio.to_thread(rest_send, boris_token, chat.pk, "REST, Redis down")
        seen["refused"] = await asyncio.to_thread(rest_send, stranger_token, chat.pk, "not mine")
        # Logging in still works (allauth's login limits live in the cache, which fails open).
        seen["login"] = await asyncio.to_thread(
            http,
            worker,
            "POST",
            "/_allauth/app/v1/auth/login",
            {"username": stranger.username, "password": PASSWORD},
        )
        seen["unknown"] = await asyncio.to_thread(
            http, worker, "GET", "/api/v1/no-such", None, boris_token
        )
        # A new socket is accepted and served; its send is acknowledged.
        await vera_tab.connect()
        await vera_tab.send("socket, Redis down")
        await vera_tab.wait_outbox_empty()
        await wait_until(lambda: len(anna_tab.acked) >= acked_before + 20, 60, "acks while down")
        seen["alive_during"] = (anna_tab.alive, vera_tab.alive)
        await asyncio.to_thread(own_redis.start)
        seen["redis_back_at"] = time.monotonic()
        deadline = time.monotonic() + 30
        while (await asyncio.to_thread(health, worker))[0] != 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        seen["health_up"] = await asyncio.to_thread(health, worker)

    async def first_live_after_return():
        """Seconds from Redis' return until a REST write reaches the open tabs live."""
        while True:
            received = len(anna_tab._live_seqs), len(vera_tab._live_seqs)
            status, _, _ = await asyncio.to_thread(rest_send, boris_token, chat.pk, "after")
            assert status == 201
            try:
                await wait_until(
                    lambda r=received: len(anna_tab._live_seqs) > r[0]
                    and len(vera_tab._live_seqs) > r[1],
                    1.0,
                    "live delivery",
                )
                return time.monotonic() - seen["redis_back_at"]
            except AssertionError:
                continue  # not yet: the next write shows whether it is back

    async def scenario():
        await anna_tab.connect()
        await asyncio.wait_for(
            asyncio.gather(outage(), stream(anna_tab, 200, lambda: [worker])), 240
        )
        seen["resumed_after"] = await asyncio.wait_for(first_live_after_return(), 60)
        for tab in (anna_tab, vera_tab):
            await tab.sync()
        seen["alive_after"] = (anna_tab.alive, vera_tab.alive)
        for tab in (anna_tab, vera_tab):
            await tab.close()

    async_to_sync(scenario)()
    print(f"live delivery resumed {seen['resumed_after']:.1f} s after Redis returned")
    assert seen["health_down"][0] == 503
    status, kind, body = seen["write"]
    assert (status, kind.split(";")[0]) == (201, "application/json"), body
    assert body["text"] == "REST, Redis down"
    for status, kind, body in (seen["refused"], seen["unknown"]):
        assert (status, kind.split(";")[0], body["code"]) == (404, "application/json", "not_found")
    status, kind, body = seen["login"]
    assert (status, kind.split(";")[0]) == (200, "application/json"), body
    assert body["meta"]["access_token"]
    assert seen["alive_during"] == (True, True)
    assert seen["health_up"][0] == 200
    assert seen["alive_after"] == (True, True)
    # vera's tab was not there for the first messages: she has them from `sync`, like anna.
    assert_every_tab_holds_every_message_once(chat, [anna_tab, vera_tab])


def assert_every_tab_holds_every_message_once(chat, devices) -> None:
    """Every row is numbered without gaps and each tab holds each message once by seq (REST
    writes included, which no tab sent)."""
    rows = list(Message.objects.filter(chat=chat).order_by("seq").values_list("seq", "pk"))
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
    expected = dict(rows)
    for device in devices:
        assert device.conflicts == [] and device.live_duplicates == []
        assert device.received == expected, f"{device.name} misses or duplicates messages"
        assert set(device.acked.values()) <= set(expected.values())
        assert device.outbox == {}
