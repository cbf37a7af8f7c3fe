"""Database calls from socket code run on the worker's thread pool.

Channels' `database_sync_to_async` is thread-sensitive by default: every socket's database work
in a process runs on one shared thread, so a burst of handshakes or sends queues up behind
itself (daphne drops handshakes that take over 5 s). Socket code needs no thread affinity:
each pool thread keeps its own connection, closed when stale like any request's.

The hop itself is the event loop's `run_in_executor` with the caller's context (so the active
language and other context variables carry over): asgiref's `SyncToAsync` does the same with
machinery for thread-sensitive calls this path does not use, at several times the cost per
call, and every message sent makes one.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from django.db import close_old_connections

_caller = threading.local()


def db(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """`await db(service)(**kwargs)` runs `service` on the thread pool with fresh connections."""

    async def call(*args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        work = partial(_in_thread, loop, function, args, kwargs)
        return await loop.run_in_executor(None, context.run, work)

    return call


def _in_thread(loop, function: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    _caller.loop = loop
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()
        _caller.loop = None


def calling_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop whose `db()` call this thread is running, if any."""
    return getattr(_caller, "loop", None)
