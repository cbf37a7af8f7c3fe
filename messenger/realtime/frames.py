"""Registry of client → server frame handlers.

Apps register handlers in `AppConfig.ready()` by importing a module that uses `@frame_handler`.
A handler validates the payload, calls a service through `messenger.realtime.db.db`, and replies.
It raises `FrameError` for a clear `error` frame; it never holds a business rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from messenger.realtime.consumer import RealtimeConsumer

Handler = Callable[["RealtimeConsumer", dict[str, Any]], Awaitable[None]]

_handlers: dict[str, Handler] = {}


class FrameError(Exception):
    """An error the client caused; answered with `{"type": "error", code, detail, ref}`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def frame_handler(frame_type: str) -> Callable[[Handler], Handler]:
    """Register `handler` for client frames of `frame_type` (one handler per type)."""

    def register(handler: Handler) -> Handler:
        if frame_type in _handlers and _handlers[frame_type] is not handler:
            raise RuntimeError(f"frame type {frame_type!r} already has a handler")
        _handlers[frame_type] = handler
        return handler

    return register


def get_handler(frame_type: str) -> Handler | None:
    return _handlers.get(frame_type)


def registered_types() -> list[str]:
    """Every client frame type the server understands (the security matrix enumerates these)."""
    return sorted(_handlers)


def require(payload: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """Return `payload[key]` if it has the right type, else raise a `FrameError`."""
    value = payload.get(key)
    if isinstance(value, bool) and kind in (int, (int,)):
        value = None
    if not isinstance(value, kind):
        raise FrameError("invalid", f"'{key}' is missing or has the wrong type")
    return value
