"""Per-stream live order: the hub's reorder stage for numbered frames (a chat's changes).

Every change of a chat takes the next number of its counter under the chat's row lock, so the
numbers are gapless and commit in order. Their frames do not reach the hubs in that order:
each commits on a thread of some worker's pool and is handed to that worker's event loop, and
through Redis to the workers holding its recipients, after the commit; a later change can
overtake an earlier one on the way (a thread switch, another worker's quicker publish). A hub
keeps one stage per shard it holds, and every numbered envelope of that shard reaches it (the
hub is subscribed to the shard), so it can restore the order before any socket sees a frame:
a frame whose predecessor has not arrived yet is held until it does, for at most `wait`
seconds. Then the held frames go out in order with the gap left open (the predecessor was
really lost, e.g. in a broker outage): clients catch up with `sync`, as the protocol says.

A stream this hub knows nothing of yet (the worker just started or lost the broker, or the
chat was quiet while `capacity` others were more recent) starts from the first frame that
arrives: it goes out at once and later numbers follow it in order. Holding it instead would
delay the first change of every chat after each restart by the whole wait, to cover a race
that needs two changes of that chat within moments of each other at exactly that point; if it
happens, the overtaken frame still goes out (late) and a client syncs once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any

Envelope = dict[str, Any]


class _Held:
    __slots__ = ("frames", "timer")

    def __init__(self) -> None:
        self.frames: dict[int, Envelope] = {}
        self.timer: asyncio.TimerHandle | None = None


class Reorder:
    """Releases each stream's envelopes to `deliver` in increasing number (see module doc)."""

    def __init__(self, deliver: Callable[[Envelope], None], *, wait: float, capacity: int) -> None:
        self._deliver = deliver
        self.wait = wait
        self.capacity = capacity
        # Last number released per stream; insertion order is recency (least recent first).
        self._last: dict[Hashable, int] = {}
        self._held: dict[Hashable, _Held] = {}
        self.stats = {"held": 0, "released_late": 0, "gaps": 0}

    def offer(self, stream: Hashable, number: int, envelope: Envelope) -> None:
        last = self._last.pop(stream, None)
        held = self._held.get(stream)
        if last is None and held is None:
            last = number - 1  # the first frame seen of the stream is where it starts here
        if last is not None and number <= last:
            # Behind what was released (a frame given up on that came after all, or a repeat):
            # a client ignores a seq it has; pass it on for one that has not synced yet.
            self._last[stream] = last
            self.stats["released_late"] += 1
            self._deliver(envelope)
            return
        if last is not None and number == last + 1:
            self._deliver(envelope)
            last = number
            if held is not None:
                while (following := held.frames.pop(last + 1, None)) is not None:
                    self._deliver(following)
                    last += 1
                if not held.frames:
                    self._drop_held(stream, held)
            self._remember(stream, last)
            return
        # Its predecessor has not arrived: hold it, with a deadline for the stream.
        if last is not None:
            self._last[stream] = last
        if held is None:
            held = self._held[stream] = _Held()
            loop = asyncio.get_running_loop()
            held.timer = loop.call_later(self.wait, self._give_up, stream)
        held.frames.setdefault(number, envelope)
        self.stats["held"] += 1

    def _give_up(self, stream: Hashable) -> None:
        """The wait is over: release what is held, in order, gaps and all."""
        held = self._held.pop(stream, None)
        if held is None:
            return
        if held.timer is not None:
            held.timer.cancel()
        last = self._last.pop(stream, None)
        self.stats["gaps"] += 1
        for number in sorted(held.frames):
            self._deliver(held.frames[number])
            last = number
        if last is not None:
            self._remember(stream, last)

    def _drop_held(self, stream: Hashable, held: _Held) -> None:
        if held.timer is not None:
            held.timer.cancel()
        del self._held[stream]

    def _remember(self, stream: Hashable, last: int) -> None:
        self._last[stream] = last
        if len(self._last) > self.capacity:
            # Forget the least recent stream; one with frames held keeps its entry.
            for oldest in self._last:
                if oldest not in self._held:
                    del self._last[oldest]
                    break

    def pending(self) -> int:
        """Frames held now, over all streams."""
        return sum(len(held.frames) for held in self._held.values())

    def reset(self) -> None:
        """Release everything held, in order, and forget every stream (frames were lost
        while the broker was away: clients sync; new frames start the streams afresh)."""
        for stream in list(self._held):
            self._give_up(stream)
        self._last.clear()

    def close(self) -> None:
        for held in self._held.values():
            if held.timer is not None:
                held.timer.cancel()
        self._held.clear()
