"""A plain-text progress bar for management commands: `\r[#####.....] 52%` on stderr."""

from __future__ import annotations

from typing import TextIO

WIDTH = 20


class ProgressBar:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, percent: int) -> None:
        filled = WIDTH * percent // 100
        self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {percent:3d}%")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
