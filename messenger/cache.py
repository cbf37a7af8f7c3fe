"""The production cache: Django's Redis cache, failing open while Redis is unreachable.

Redis holds nothing durable here (rate-limit counters, presence counts, allauth's login limits),
so while it is down the cache behaves as an empty cache that forgets every write: reads miss,
adds and sets "succeed", `incr` finds no key. Rate limits therefore let requests through,
presence shows nobody online, and logins, REST writes and new sockets keep working
(docs/deployment.md, "When Redis is down"). A warning is logged at most every
WARN_EVERY_SECONDS per process while it lasts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("beseda.cache")

WARN_EVERY_SECONDS = 10.0
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_warned_at = -WARN_EVERY_SECONDS


def _warn(operation: str) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY_SECONDS:
        _warned_at = now
        logger.warning("event=cache_unavailable op=%s action=fail_open", operation, exc_info=True)


def _no_key(key: Any, delta: int) -> int:
    raise ValueError(f"Key '{key}' not found.")


# What each operation of an empty cache that forgets every write answers.
_WHEN_DOWN: dict[str, Callable[..., Any]] = {
    "add": lambda key, value, timeout: True,
    "get": lambda key, default: default,
    "set": lambda key, value, timeout: None,
    "touch": lambda key, timeout: False,
    "delete": lambda key: False,
    "get_many": lambda keys: {},
    "has_key": lambda key: False,
    "incr": _no_key,
    "set_many": lambda data, timeout: None,
    "delete_many": lambda keys: None,
    "clear": lambda: True,
}


def _failing_open(name: str) -> Callable[..., Any]:
    operation = getattr(RedisCacheClient, name)
    when_down = _WHEN_DOWN[name]

    def call(self: RedisCacheClient, *args: Any, **kwargs: Any) -> Any:
        try:
            return operation(self, *args, **kwargs)
        except UNAVAILABLE:
            _warn(name)
            return when_down(*args, **kwargs)

    call.__name__ = name
    return call


class FailOpenRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client with every operation failing open (see module docstring)."""


for _name in _WHEN_DOWN:
    setattr(FailOpenRedisCacheClient, _name, _failing_open(_name))


class FailOpenRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that fails open while Redis is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
