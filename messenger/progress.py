"""Progress of long management commands, on stderr.

On a terminal the line is redrawn as work advances (`digests [######..............] 12/40`);
anywhere else (cron mail, systemd journal, a pipe) nothing is written until the end, and then
one summary line (`digests: 40/40 in 3.2 s`), so logs get no carriage-return noise.

    with Progress(self.stderr, "digests", total=recipients.count()) as progress:
        for user in progress.iterate(recipients):
            ...
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TextIO, TypeVar

T = TypeVar("T")
WIDTH = 20


class Progress:
    def __init__(
        self, stream: TextIO, label: str, *, total: int | None, tty: bool | None = None
    ) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.count = 0
        self.tty = _isatty(stream) if tty is None else tty
        self.started = time.monotonic()
        self._drawn = False

    def advance(self, steps: int = 1) -> None:
        self.count += steps
        if self.tty:
            self._draw()

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """Yield `items`, advancing by one after each."""
        for item in items:
            yield item
            self.advance()

    def _draw(self) -> None:
        if self.total:
            filled = WIDTH * min(self.count, self.total) // self.total
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.count}/{self.total}"
        else:
            bar = str(self.count)
        self.stream.write(f"\r{self.label} {bar}")
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        """End the live line (terminal) or write the one summary line (elsewhere)."""
        seconds = time.monotonic() - self.started
        counted = f"{self.count}/{self.total}" if self.total is not None else str(self.count)
        if self._drawn:
            self.stream.write("\n")
        self.stream.write(f"{self.label}: {counted} in {seconds:.1f} s\n")
        self.stream.flush()

    def __enter__(self) -> Progress:
        if self.tty:
            self._draw()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.done()


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False
