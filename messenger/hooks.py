"""Hooks: how a lower layer lets a higher one act at a point of its work without importing it.

A lower app declares a Hook for each such point (`social/hooks.py`: a friend request was sent,
a post was liked, ...) and calls it from its service; a higher app connects its receiver in
AppConfig.ready() (notifications stores a notification). Receivers run at once, in the
caller's transaction and in the order connected, so a receiver that fails rolls the write back
with it, and one that publishes registers its frames with `publish_on_commit` as usual.
The realtime core's frame registry follows the same rule: the lower layer never names who
answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """One point of a lower layer's work that higher layers may answer."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Answer this hook with `receiver(**kwargs)` (idempotent)."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs: Any) -> None:
        for receiver in self.receivers:
            receiver(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self.receivers)} receivers>"
