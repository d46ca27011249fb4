"""A one-line progress bar with an ETA, on stderr, only when it is a terminal."""

from __future__ import annotations

import sys
import time

_bar_shown = False  # a bar is on stderr's last line, with no newline after it


def end_line() -> None:
    """End the line of a bar still showing, so that a message after it gets a line of its own."""
    global _bar_shown
    if _bar_shown:
        sys.stderr.write("\n")
        sys.stderr.flush()
        _bar_shown = False


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.perf_counter()
        self.last = 0.0
        self.label = ""  # shown before the bar, e.g. "point 2/10 "

    def __call__(self, done: int, total: int) -> None:
        global _bar_shown
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(
            f"\r{self.label}[{bar}] {done:,}/{total:,} {100 * done / max(total, 1):3.0f}%  "
            f"{rate:,.0f} sims/s  ETA {_clock(eta)}   "
        )
        _bar_shown = done < total
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    return (
        f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )
