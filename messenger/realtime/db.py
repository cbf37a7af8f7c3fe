"""Database calls from socket code run on the worker's thread pool.

Channels' `database_sync_to_async` is thread-sensitive by default: every socket's database work
in a process runs on one shared thread, so a burst of handshakes or sends queues up behind
itself (daphne drops handshakes that take over 5 s). Socket code needs no thread affinity:
each pool thread keeps its own connection, closed when stale like any request's.
"""

from collections.abc import Callable
from typing import Any

from channels.db import DatabaseSyncToAsync


def db(function: Callable[..., Any]) -> DatabaseSyncToAsync:
    """`await db(service)(**kwargs)` runs `service` on the thread pool with fresh connections."""
    return DatabaseSyncToAsync(function, thread_sensitive=False)
