"""Issue 14, item 3: a handshake carrying the session cookie is accepted only from the site's
own origin, compared on scheme, host and port as Django's CSRF origin check does: the
handshake's own `scheme://Host` (Host in ALLOWED_HOSTS), or an entry of CSRF_TRUSTED_ORIGINS.
Another port, the other scheme, another allowed host name, look-alike hosts and `null` are
refused; the site's own origin is accepted in development and behind TLS."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from messenger.asgi import application
from tests.factories import UserFactory
from tests.realtime.test_hub import _login

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def handshake(*, host: str | None, origin: str | None, scheme: str = "ws", headers=()):
    """Open /ws/ with a valid session cookie; True if the socket was accepted (hello received)."""
    user = await database_sync_to_async(UserFactory)()
    session_key = await database_sync_to_async(_login)(user)
    sent = [(b"cookie", f"sessionid={session_key}".encode()), *headers]
    if host is not None:
        sent.append((b"host", host.encode()))
    if origin is not None:
        sent.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=sent)
    communicator.scope["scheme"] = scheme  # the app reads the scope only once it runs
    connected, _code = await communicator.connect()
    if connected:
        assert (await communicator.receive_json_from())["type"] == "hello"
        await communicator.disconnect()
    return connected


# Development: runserver / bin/stack at http://127.0.0.1:8000.
DEV_HOST = "127.0.0.1:8000"
DEV_REFUSED = [
    "http://127.0.0.1:6666",
    "http://127.0.0.1",
    "https://127.0.0.1:8000",
    "https://127.0.0.1",
    "http://localhost:9999",
    "http://localhost:8000",
    "http://[::1]:8000",
    "ws://127.0.0.1:8000",
    "http://127.0.0.1.evil.com:8000",
    "http://evil127.0.0.1:8000",
    "http://127.0.0.1:8000.evil.com",
    "http://127.0.0.1:8000@evil.com",
    "http://evil.com",
    "null",
    "",
    "http://127.0.0.1:80000",
    "http://127.0.0.1:8000/",
    "HTTP://127.0.0.1:8000x",
]


@pytest.mark.parametrize("origin", DEV_REFUSED)
async def test_other_port_scheme_or_host_is_refused_in_development(origin):
    """With the session cookie, an origin that differs in scheme, host or port is refused."""
    assert not await handshake(host=DEV_HOST, origin=origin)


async def test_missing_origin_with_a_cookie_is_refused():
    """No Origin at all: refused (a browser always sends one on a WebSocket handshake)."""
    assert not await handshake(host=DEV_HOST, origin=None)


async def test_own_origin_is_accepted_in_development():
    """The allowed case: the page's own scheme, host and port connect."""
    assert await handshake(host=DEV_HOST, origin="http://127.0.0.1:8000")


async def test_default_port_origin_is_accepted():
    """Host without a port (port 80) and the matching origin connect."""
    assert await handshake(host="localhost", origin="http://localhost")


async def test_host_outside_allowed_hosts_is_refused():
    """A Host header that is not ours cannot vouch for its own origin."""
    assert not await handshake(host="evil.com", origin="http://evil.com")


# Production: TLS at nginx, uvicorn behind it (docs/deployment.md).
SITE = "beseda.example.org"


@pytest.fixture
def production(settings):
    settings.ALLOWED_HOSTS = [SITE]
    settings.CSRF_TRUSTED_ORIGINS = [f"https://{SITE}"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize("scheme", ["ws", "wss"])
async def test_trusted_origin_is_accepted_behind_tls(production, scheme):
    """The allowed case in production: the https origin of CSRF_TRUSTED_ORIGINS connects,
    whether or not the server saw the TLS scheme."""
    assert await handshake(host=SITE, origin=f"https://{SITE}", scheme=scheme)


async def test_forwarded_proto_makes_the_own_origin_https(production, settings):
    """Without CSRF_TRUSTED_ORIGINS, X-Forwarded-Proto from the proxy gives the https origin."""
    settings.CSRF_TRUSTED_ORIGINS = []
    headers = [(b"x-forwarded-proto", b"https")]
    assert await handshake(host=SITE, origin=f"https://{SITE}", headers=headers)
    assert not await handshake(host=SITE, origin=f"http://{SITE}", headers=headers)


@pytest.mark.parametrize(
    "origin",
    [
        f"http://{SITE}",
        f"https://{SITE}:8443",
        f"https://{SITE}.evil.com",
        f"https://evil{SITE}",
        f"https://www.{SITE}",
        "null",
    ],
)
async def test_other_origins_are_refused_behind_tls(production, origin):
    """Behind TLS, plain http, another port, look-alikes and subdomains are refused."""
    assert not await handshake(host=SITE, origin=origin, scheme="wss")


async def test_wildcard_trusted_origin_allows_subdomains_only(production, settings):
    """`https://*.example.org` in CSRF_TRUSTED_ORIGINS admits its subdomains, as for CSRF."""
    settings.ALLOWED_HOSTS = [SITE, "chat.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org"]
    assert await handshake(host=SITE, origin="https://chat.example.org", scheme="wss")
    assert not await handshake(host=SITE, origin="http://chat.example.org", scheme="wss")
    assert not await handshake(host=SITE, origin="https://chat.example.org.evil.com")
