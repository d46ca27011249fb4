"""Progress on stderr: a one-line bar with an ETA on a terminal; otherwise (output redirected,
a CI log) a plain line every LOG_EVERY seconds, so a long run is never silent.  Also the note
that a first run is compiling the kernels."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

LOG_EVERY = 5.0  # seconds between progress lines when stderr is not a terminal

_bar_shown = False  # a bar is on stderr's last line, with no newline after it


def end_line() -> None:
    """End the line of a bar still showing, so that a message after it gets a line of its own."""
    global _bar_shown
    if _bar_shown:
        sys.stderr.write("\n")
        sys.stderr.flush()
        _bar_shown = False


def kernels_cached() -> bool:
    """Whether the simulation kernels are in Numba's on-disk cache (simcore.jit's folder)."""
    import numba

    import simcore.jit  # noqa: F401  (sets the cache folder)

    folder = Path(numba.config.CACHE_DIR or "")
    if not str(numba.config.CACHE_DIR or "") or not folder.is_dir():
        return False
    return any(f.suffix == ".nbc" for d in folder.glob("sim_*") for f in d.iterdir())


def compile_note(what: str = "the simulation kernels") -> None:
    """Say, once, that a first run compiles (when the cache is cold)."""
    if kernels_cached() or os.environ.get("SIMCORE_NO_COMPILE_NOTE"):
        return
    sys.stderr.write(
        f"simcore: compiling {what} (first run after installing or updating simcore: "
        "1-3 minutes on a fresh machine; cached afterwards)\n"
    )
    sys.stderr.flush()


class Progress:
    def __init__(self, enabled: bool, what: str = "simulations") -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.what = what
        self.start = time.perf_counter()
        self.last = 0.0
        self.label = ""  # shown before the bar, e.g. "point 2/10 "
        self.base = 0  # (done at the first call: the rate leaves out compiling)
        self.logged = False

    def _log(self, done: int, total: int, now: float) -> None:
        """A plain progress line (stderr is not a terminal)."""
        if done < total and now - self.last < LOG_EVERY:
            return
        if done >= total and not self.logged:
            return  # (a short run logs nothing)
        self.last = now
        self.logged = True
        elapsed = now - self.start
        rate = (done - self.base) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        sys.stderr.write(
            f"simcore: {self.label}{done:,}/{total:,} {self.what} "
            f"({100 * done / max(total, 1):.0f}%), "
            f"{rate:,.0f}/s, elapsed {_clock(elapsed)}, ETA {_clock(eta)}\n"
        )
        sys.stderr.flush()

    def __call__(self, done: int, total: int) -> None:
        global _bar_shown
        if not self.enabled:
            return
        now = time.perf_counter()
        if not self.tty:
            if not self.last:
                self.last = self.start = now
                self.base = done
            self._log(done, total, now)
            return
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
            f"{rate:,.0f}/s  ETA {_clock(eta)}   "
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
