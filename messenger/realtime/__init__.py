"""Realtime delivery: one socket per tab, events addressed to users, fanned out per process.

`publish(frame, user_ids)` is the only way anything reaches a socket. Services hand their
frames to it with `publish_on_commit` (messenger/realtime/commit.py): persist, then publish.
See docs/realtime-protocol.md for the frames.
"""

from messenger.realtime.commit import Frame, publish_built_on_commit, publish_on_commit
from messenger.realtime.hub import apublish, close_sockets, publish

__all__ = [
    "Frame",
    "apublish",
    "close_sockets",
    "publish",
    "publish_built_on_commit",
    "publish_on_commit",
]
