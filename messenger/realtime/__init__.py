"""Realtime delivery: one socket per tab, events addressed to users, fanned out per process.

`publish(frame, user_ids)` is the only way anything reaches a socket. Services call it from
`transaction.on_commit`; see docs/realtime-protocol.md for the frames.
"""

from messenger.realtime.hub import apublish, close_sockets, publish

__all__ = ["apublish", "close_sockets", "publish"]
