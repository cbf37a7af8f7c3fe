"""Every private internal of a library that Beseda relies on, in one place.

Each entry says what is used, where, why, and the library version it was checked against.
`tests/test_internals.py` runs every check and fails loudly when an upgrade changes one of them
or when the installed version is not the one checked: re-read the library's code, adjust the
call site, then bump `checked` here. Nothing imports this module at run time.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version


@dataclass(frozen=True)
class Internal:
    package: str  # distribution name, as pip knows it
    checked: str  # the version whose code was read
    what: str
    used_in: str
    why: str
    check: Callable[[], None]  # raises AssertionError (or ImportError) if it no longer holds

    @property
    def installed(self) -> str:
        return version(self.package)


def _has(module: str, *attributes: str) -> Callable[[], None]:
    """The dotted attributes exist on the module's objects."""

    def check() -> None:
        for dotted in attributes:
            obj: object = importlib.import_module(module)
            for part in dotted.split("."):
                assert hasattr(obj, part), f"{module}.{dotted}: no {part!r}"
                obj = getattr(obj, part)

    return check


def _params(module: str, dotted: str, expected: list[str]) -> Callable[[], None]:
    """The function's parameter names are exactly `expected`."""

    def check() -> None:
        obj: object = importlib.import_module(module)
        for part in dotted.split("."):
            obj = getattr(obj, part)
        names = list(inspect.signature(obj).parameters)  # type: ignore[arg-type]
        assert names == expected, f"{module}.{dotted}{names} (checked: {expected})"

    return check


def _sets_in_init(module: str, cls: str, attribute: str) -> Callable[[], None]:
    """The class's __init__ sets the instance attribute."""

    def check() -> None:
        init = getattr(importlib.import_module(module), cls).__init__
        assert f"self.{attribute} =" in inspect.getsource(init), f"{cls}.{attribute}"

    return check


def _all(*checks: Callable[[], None]) -> Callable[[], None]:
    def check() -> None:
        for one in checks:
            one()

    return check


def _sync_to_async_threadlocal() -> None:
    """A sync_to_async call's thread records the calling loop and pid on the class's threadlocal."""
    import asyncio
    import os

    from asgiref.sync import SyncToAsync, sync_to_async

    seen: dict[str, object] = {}

    def probe() -> None:
        local = SyncToAsync.threadlocal
        seen["loop"] = getattr(local, "main_event_loop", None)
        seen["pid"] = getattr(local, "main_event_loop_pid", None)

    async def main() -> object:
        await sync_to_async(probe, thread_sensitive=False)()
        return asyncio.get_running_loop()

    loop = asyncio.run(main())
    assert seen == {"loop": loop, "pid": os.getpid()}, seen


def _session_wrapper_real_send() -> None:
    """Channels' session wrapper keeps the server's send as `real_send` and its `send` is a
    bound method of the wrapper (what the consumer unwraps)."""
    from channels.sessions import InstanceSessionWrapper

    assert "self.real_send = send" in inspect.getsource(InstanceSessionWrapper.__init__)
    assert "self.real_send(message)" in inspect.getsource(InstanceSessionWrapper.send)
    assert inspect.iscoroutinefunction(InstanceSessionWrapper.send)


def _queryset_prefetch_cache() -> None:
    """A queryset marked fetched and placed in `_prefetched_objects_cache` is what a related
    manager's `.all()` returns without a query."""
    from django.db.models.fields.related_descriptors import create_forward_many_to_many_manager

    source = inspect.getsource(create_forward_many_to_many_manager)
    assert "_prefetched_objects_cache" in source
    from django.db.models.query import QuerySet

    qs = QuerySet()
    assert qs._result_cache is None and qs._prefetch_done is False


INTERNALS: list[Internal] = [
    Internal(
        "asgiref",
        "3.13.0",
        "SyncToAsync.threadlocal.main_event_loop / main_event_loop_pid",
        "messenger/realtime/hub.py: _calling_loop()",
        "a service running on the socket thread pool hands its envelope to the calling loop "
        "instead of blocking the thread on async_to_sync",
        _all(_has("asgiref.sync", "SyncToAsync.threadlocal"), _sync_to_async_threadlocal),
    ),
    Internal(
        "asgiref",
        "3.13.0",
        "SyncToAsync.thread_handler(loop, exc_info, task_context, func, *args, **kwargs), "
        "overridden",
        "messenger/realtime/db.py: DatabaseCall",
        "tidies database connections around each socket call on the pool thread",
        _params(
            "asgiref.sync",
            "SyncToAsync.thread_handler",
            ["self", "loop", "exc_info", "task_context", "func", "args", "kwargs"],
        ),
    ),
    Internal(
        "channels",
        "4.3.2",
        "channels.sessions.InstanceSessionWrapper.real_send and its bound `send`",
        "messenger/realtime/consumer.py: _server_send()",
        "deliveries go straight to the server's send, skipping a wrapper that acts only on "
        "http.response.start",
        _all(_has("channels.sessions", "InstanceSessionWrapper.send"), _session_wrapper_real_send),
    ),
    Internal(
        "channels",
        "4.3.2",
        "channels.consumer.get_handler_name(message)",
        "messenger/realtime/consumer.py",
        "dispatches ASGI events without Channels' per-event handler lookup",
        _params("channels.consumer", "get_handler_name", ["message"]),
    ),
    Internal(
        "Django",
        "5.2.19",
        "Model._prefetched_objects_cache, QuerySet._result_cache / _prefetch_done",
        "chats/services/messages.py: _loaded()",
        "a just-sent message carries its (empty) reactions and attachments without a query",
        _queryset_prefetch_cache,
    ),
    Internal(
        "Django",
        "5.2.19",
        "BaseDatabaseWrapper._prepare_cursor(cursor) / errors_occurred, "
        "postgresql ServerBindingCursor",
        "chats/statements.py: _cursor(); errors_occurred in messenger/realtime/db.py",
        "the send path's statements are bound on the server so PostgreSQL prepares them; a "
        "socket call that saw a database error drops its connection at once",
        _all(
            _params(
                "django.db.backends.base.base",
                "BaseDatabaseWrapper._prepare_cursor",
                ["self", "cursor"],
            ),
            _has(
                "django.db.backends.base.base", "BaseDatabaseWrapper.close_if_health_check_failed"
            ),
            _sets_in_init("django.db.backends.base.base", "BaseDatabaseWrapper", "errors_occurred"),
            _has("django.db.backends.postgresql.base", "ServerBindingCursor"),
        ),
    ),
    Internal(
        "Django",
        "5.2.19",
        "sqlite3 DatabaseWrapper._start_transaction_under_autocommit / _commit / _rollback / "
        "_close",
        "messenger/sqlite3/base.py",
        "one writer at a time per process, queued on a lock instead of SQLite's busy sleeps",
        _all(
            *(
                _params("django.db.backends.sqlite3.base", f"DatabaseWrapper.{name}", ["self"])
                for name in (
                    "_start_transaction_under_autocommit",
                    "_commit",
                    "_rollback",
                    "_close",
                )
            )
        ),
    ),
    Internal(
        "django-allauth",
        "65.21.1",
        "allauth.headless.tokens.strategies.jwt.internal: decode_token, get_token_session, "
        "validate_token_user, validate_refresh_token",
        "messenger/tokens.py",
        "API access tokens authenticate sockets and the REST API the way allauth's own views do",
        _all(
            _params(
                "allauth.headless.tokens.strategies.jwt.internal", "decode_token", ["token", "use"]
            ),
            _params(
                "allauth.headless.tokens.strategies.jwt.internal", "get_token_session", ["payload"]
            ),
            _params(
                "allauth.headless.tokens.strategies.jwt.internal",
                "validate_token_user",
                ["token", "session"],
            ),
            _params(
                "allauth.headless.tokens.strategies.jwt.internal",
                "validate_refresh_token",
                ["token"],
            ),
        ),
    ),
    Internal(
        "django-allauth",
        "65.21.1",
        "allauth.account.internal.stagekit.clear_login, "
        "allauth.core.internal.httpkit.headed_redirect_response",
        "accounts/adapter.py",
        "a suspended account's login attempt ends the login flow with allauth's own redirect",
        _all(
            _params("allauth.account.internal.stagekit", "clear_login", ["request"]),
            _has("allauth.core.internal.httpkit", "headed_redirect_response"),
        ),
    ),
]
