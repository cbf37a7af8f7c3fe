"""Shared fixtures: users, a logged-in client, a real uvicorn worker, an SMTP sink, Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import UserFactory
from tests.factories.accounts import PASSWORD

# Django's async-safety check stays on for the whole suite: a socket handler that queries the
# database on the event loop fails its test. Only the browser tests (marker e2e, wherever they
# live) relax it: see _allow_orm_beside_playwright_loop below.

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, which async (socket) tests cannot share."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture(autouse=True)
def _allow_orm_beside_playwright_loop(request):
    """Playwright's sync API runs an event loop in the test thread for the rest of the session;
    the ORM calls browser tests make from that thread (factories, assertions, the database
    flush) are still synchronous and safe, but Django's check cannot tell. Browser tests run
    last (above), so from the first one on the check is relaxed, for them and the session
    teardown only: every socket and consumer test before them runs with the check on. Keyed on
    the marker, so a browser test outside tests/e2e/ (tests/security/test_xss.py) run alone or
    first on an xdist worker gets it too."""
    if request.node.get_closest_marker("e2e") is not None:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# -- Django -----------------------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploads of the whole session go to a temporary folder, shared with the server process."""
    media = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = str(media)
    return media


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_in_place():
    """Background tasks run at once where they are enqueued (django-tasks' immediate backend),
    in this process and in the server processes tests start; fault tests start real workers
    with a backend of their own (tests/exports/test_worker_faults.py)."""
    from django.test import override_settings

    os.environ["TASKS_BACKEND"] = "immediate"
    immediate = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    with override_settings(TASKS={"default": {**immediate, "QUEUES": ["default"]}}):
        yield


@pytest.fixture(autouse=True)
def _fresh_channel_layers():
    """Each test gets its own in-memory channel layer (and so its own realtime hub)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request with another Accept-Language would
    otherwise leave that language active for the next test's gettext()."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_presence_grace(settings):
    """In-process socket tests count a closed socket at once (the live server uses 0.5 s)."""
    settings.REALTIME = {**settings.REALTIME, "PRESENCE_GRACE_SECONDS": 0}


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


# -- SMTP sink ---------------------------------------------------------------------------------
@dataclass
class SmtpSink:
    """A local SMTP server that keeps every message it receives."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    def clear(self) -> None:
        self.messages.clear()

    def wait_for(self, to: str, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for msg in self.messages:
                if to in (msg.get("To") or ""):
                    return msg
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout}s; got {len(self.messages)}")


@pytest.fixture(scope="session")
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            sink.messages.append(message_from_bytes(envelope.original_content))
            return "250 OK"

    controller = Controller(Handler(), hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


# -- A real ASGI server -------------------------------------------------------------------------
def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


# The worker flags of deploy/systemd/beseda@.service and deploy/compose.yaml (less the address
# and port): real-server tests run the server that is deployed.
UVICORN_FLAGS = [
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--ws",
    "websockets-sansio",
    "--ws-per-message-deflate",
    "false",
    "--ws-max-size",
    "1048576",
    "--lifespan",
    "off",
    "--proxy-headers",
    "--no-access-log",
]


@dataclass
class LiveServer:
    url: str
    ws_url: str
    host: str
    port: int
    process: subprocess.Popen

    def __str__(self) -> str:
        return self.url


def start_asgi_server(smtp_sink: SmtpSink, *, port: int | None = None, extra_env=None):
    """Start a uvicorn worker, as deployed, on a free port against the test database; return
    once it answers."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "true",
        "SECRET_KEY": settings.SECRET_KEY,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_URL": f"smtp://{smtp_sink.host}:{smtp_sink.port}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SETTINGS_MODULE": "messenger.settings",
        "PYTHONUNBUFFERED": "1",
        # Short, not zero: browser tests still cross the grace path without waiting long.
        "REALTIME_PRESENCE_GRACE_SECONDS": "0.5",
        **(extra_env or {}),
    }
    log = open(ROOT / "var" / f"test-server-{port}.log", "w")  # noqa: SIM115 (lives with the process)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "messenger.asgi:application",
            *UVICORN_FLAGS,
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"uvicorn did not start; see var/test-server-{port}.log")
        time.sleep(0.1)
    return LiveServer(url, f"ws://127.0.0.1:{port}/ws/", "127.0.0.1", port, process)


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker, smtp_sink):
    """A real uvicorn worker serving HTTP and /ws/ from the test database (session-wide).

    Tests that use it need committed data: request `transactional_db` (the `live` fixture does).
    """
    server = start_asgi_server(smtp_sink)
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session", autouse=True)
def _flush_outlasts_the_server():
    """Retry the end-of-test flush when it loses a lock race to the server process.

    The live server is another process: work a test started there (a socket closing after the
    presence grace, a thumbnail) may still be writing when the test's data is flushed. On
    PostgreSQL, TRUNCATE then deadlocks with that transaction and one of the two is aborted; if
    it is the flush, the next test would start on the previous one's rows.
    """
    from django.core.management.base import CommandError
    from django.db import OperationalError
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self):
        for attempt in range(5):
            try:
                return original(self)
            except CommandError as error:
                if attempt == 4 or not isinstance(error.__cause__, OperationalError):
                    raise
                time.sleep(0.2 * (attempt + 1))

    TransactionTestCase._fixture_teardown = fixture_teardown
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture
def live(transactional_db, asgi_server, smtp_sink):
    """The running server, with committed data visible to it and a clean mailbox."""
    smtp_sink.clear()
    return asgi_server


def session_cookie_for(user, server: LiveServer) -> dict:
    """A session cookie for `user` that the server accepts (saved in the shared database)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": server.host,
        "path": "/",
    }


# -- Chromium ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """pytest-playwright's driver, started only after the test databases exist: its event loop
    runs in this thread from then on, and creating the databases under it would trip Django's
    async-safety check (a browser test run alone, or first on its worker)."""
    return playwright


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def context(live, new_context):
    """pytest-playwright's page context, opened after the live server's data is set up so that
    it closes before that data is flushed: an open page keeps writing through its socket."""
    return new_context()


@pytest.fixture
def login_page(browser, live):
    """`login_page(user)` → a new page in its own context, logged in as `user` on the server."""
    contexts = []

    def open_as(user, *, viewport=None):
        context = browser.new_context(
            locale="en-US", viewport=viewport or {"width": 1280, "height": 860}
        )
        context.add_cookies([session_cookie_for(user, live)])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


__all__ = ["PASSWORD", "UserFactory"]
