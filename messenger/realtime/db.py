"""Database calls from socket code run on the worker's thread pool.

Channels' `database_sync_to_async` is thread-sensitive by default: every socket's database work
in a process runs on one shared thread, so a burst of handshakes or sends queues up behind
itself (daphne drops handshakes that take over 5 s). Socket code needs no thread affinity:
each pool thread keeps its own connection, closed when stale like any request's.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import SyncToAsync
from django.db import close_old_connections, connections

TIDY_SECONDS = 1.0

_thread = threading.local()


class DatabaseCall(SyncToAsync[..., Any]):
    """`sync_to_async` on the pool, with stale connections dropped around the call."""

    def thread_handler(self, loop: asyncio.AbstractEventLoop, *args: Any, **kwargs: Any) -> Any:
        _tidy_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _tidy_connections()


def db(function: Callable[..., Any]) -> DatabaseCall:
    """`await db(service)(**kwargs)` runs `service` on the thread pool with fresh connections."""
    return DatabaseCall(function, thread_sensitive=False)


def _tidy_connections() -> None:
    """Django's `close_old_connections()` (drop connections past CONN_MAX_AGE or broken, and
    health-check the next use), at most once per TIDY_SECONDS in a thread unless a query
    failed. Django runs it around each HTTP request; around each socket call it cost every
    message sent a `SELECT 1` round trip on PostgreSQL. A connection idle for longer is still
    checked before its next use, and a broken one is dropped after the call that found it."""
    now = time.monotonic()
    due = now - getattr(_thread, "tidied_at", -TIDY_SECONDS) >= TIDY_SECONDS
    if due or any(c.errors_occurred for c in connections.all(initialized_only=True)):
        close_old_connections()
        _thread.tidied_at = now
