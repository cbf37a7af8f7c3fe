"""Persist, then publish: the one way a write hands its events to `publish`.

A service registers its frames inside its transaction; they are published once it commits
(at once outside one) and never if it rolls back. Callbacks run in the order they were
registered, so a write's frames leave in the order its code produced them.

Most frames are known when the write is made: `publish_on_commit(frame, user_ids)` (with
`order=(stream, number)` for a chat's numbered changes, see `publish`). A frame that reports
state which other writes may change meanwhile (an unread count, a like count) is better read
after the commit: pass a function instead of the frame, or, when the recipients get different
frames, `publish_built_on_commit(build)` with a function that returns the (frame, user ids)
pairs to publish.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.db import transaction

from messenger.realtime.hub import publish

# A Mapping, not a dict, so that the TypedDict frames the apps declare are accepted as they are.
Frame = Mapping[str, Any]
Deliveries = Iterable[tuple[Frame, Iterable[int]]]


def publish_on_commit(
    frame: Frame | Callable[[], Frame],
    user_ids: Iterable[int],
    *,
    order: tuple[Any, int] | None = None,
) -> None:
    """Publish `frame` to `user_ids` once the current transaction commits (nothing if it rolls
    back, nothing for no recipients). `frame` may be a function returning it, called after the
    commit."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        return
    if callable(frame):
        transaction.on_commit(partial(_publish_built, frame, ids, order))
    else:
        transaction.on_commit(partial(publish, frame, ids, order=order))


def publish_built_on_commit(build: Callable[[], Deliveries]) -> None:
    """Once the current transaction commits, call `build()` and publish each (frame, user ids)
    pair it returns, in order; nothing if it rolls back."""
    transaction.on_commit(partial(_publish_all, build))


def _publish_built(
    build: Callable[[], Frame], user_ids: list[int], order: tuple[Any, int] | None
) -> None:
    publish(build(), user_ids, order=order)


def _publish_all(build: Callable[[], Deliveries]) -> None:
    for frame, user_ids in build():
        ids = sorted({int(user_id) for user_id in user_ids})
        if ids:
            publish(frame, ids)
