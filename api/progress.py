"""A dependency-free progress bar for long CLI work (stderr; one line per update when not a TTY)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, total: int, label: str = "", width: int = 30, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.total = max(total, 1)
        self.label = label
        self.width = width
        self.stream = stream or sys.stderr  # looked up now: sys.stderr may have been replaced
        self.started = time.monotonic()
        self._tty = self.stream.isatty()
        self._last_line = ""

    def update(self, done: int, detail: str = "") -> None:
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.width)
        elapsed = time.monotonic() - self.started
        line = (
            f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {elapsed:5.0f}s {detail}"
        )
        if self._tty:
            self.stream.write("\r" + line[:160].ljust(len(self._last_line)))
        elif line.split("s ", 1)[0] != self._last_line.split("s ", 1)[0]:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._last_line = line

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()
