"""The output folder of a run, and what happens to it when a run fails, is stopped or is killed.

A run writes into a staging folder ``.simcore-partial-PID`` inside the output folder and moves the
files into place only when it has finished (``run.json`` last), so an interrupted run never
leaves a file that looks complete.  Ctrl-C, SIGTERM and errors remove the staging folder; a
staging folder left by a run that was killed outright (SIGKILL, power cut) is removed by the next
run into the folder, with a note on stderr.  A staging folder whose process is still running
belongs to a run in progress: the new run refuses to start rather than destroy it.

An ``OSError`` while writing (disk full, read-only folder, permission denied) becomes an
:class:`OutputError`: one line naming the path and the system's message, exit status 2.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from simcore.errors import InputError

OUTPUTS = ("simulations.parquet", "summary.parquet", "summary.csv", "run.json")
STAGE_PREFIX = ".simcore-partial-"
OWNER_FILE = "owner.json"  # inside a staging folder: the run's PID and when it made the folder
# A process that started this long after a staging folder was made cannot have made it (its PID
# was reused): the margin covers the kernel's one-second granularity of the boot time.
PID_REUSE_MARGIN_S = 2.0


class OutputError(InputError):
    """Results that cannot be written: ``PATH: cannot write results: SYSTEM MESSAGE``."""


def output_error(exc: OSError, path: str | Path) -> OutputError:
    """``exc`` as one line naming the file (the system's, else ``path``) and its message."""
    where = exc.filename if exc.filename is not None else path
    message = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"cannot write results: {message}", path=where)


@contextmanager
def writing(path: str | Path) -> Iterator[None]:
    """Turn an ``OSError`` raised inside into an :class:`OutputError` about ``path``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise output_error(exc, path) from None


def _note(text: str) -> None:
    print(f"simcore: note: {text}", file=sys.stderr)


class RunFolder:
    """The output folder of a run: refuses to overwrite unless ``force``; stages files in a
    hidden folder and publishes them together at the end.  ``note`` receives one line about a
    staging folder of a killed run that was removed.  ``outputs``: the files it publishes, the
    one that marks a complete run last (a subclass names its own)."""

    outputs: tuple[str, ...] = OUTPUTS

    def __init__(self, path: str | Path, force: bool, note: Callable[[str], None] = _note) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise InputError("exists and is not a folder", path=self.path)
        existing = [f for f in self.outputs if (self.path / f).exists()]
        if existing and not force:
            raise InputError(
                f"already holds results ({existing[0]}); choose another --out or add --force",
                path=self.path,
            )
        self.stage = self.path / f"{STAGE_PREFIX}{os.getpid()}"
        with writing(self.path):
            self.path.mkdir(parents=True, exist_ok=True)
            if self.stage.exists():  # left by an earlier process that had this PID
                shutil.rmtree(self.stage)
            self.stage.mkdir()
        try:
            with writing(self.stage):
                owner = {"pid": os.getpid(), "created": time.time()}
                (self.stage / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")
            # (after making our own staging folder, so that of two runs starting together at
            # least one sees the other and refuses)
            self._clear_others(note)
        except BaseException:
            self.abandon()
            raise

    def _clear_others(self, note: Callable[[str], None]) -> None:
        for other in sorted(self.path.glob(f"{STAGE_PREFIX}*")):
            pid = _stage_pid(other)
            if other == self.stage or pid is None or not other.is_dir():
                continue
            if _owner_running(pid, _stage_created(other)):
                raise OutputError(
                    f"another simcore run (process {pid}) is writing into this folder "
                    f"({other.name}); wait for it to finish or choose another --out (if no "
                    "run is writing there, delete that folder)",
                    path=self.path,
                )
            shutil.rmtree(other, ignore_errors=True)
            if other.exists():
                note(f"{other}: left by a stopped run (process {pid}); could not remove it")
            else:
                note(f"removed {other}, left by a run that stopped (process {pid} has ended)")

    def file(self, name: str) -> Path:
        return self.stage / name

    def publish(self) -> None:
        with writing(self.path):
            for name in self.outputs:
                if (self.path / name).exists():
                    (self.path / name).unlink()
            for name in self.outputs:  # run.json last: its presence marks a complete run
                os.replace(self.stage / name, self.path / name)
            (self.stage / OWNER_FILE).unlink()
            self.stage.rmdir()

    def abandon(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def _stage_pid(stage: Path) -> int | None:
    suffix = stage.name[len(STAGE_PREFIX) :]
    return int(suffix) if suffix.isdigit() and suffix.isascii() else None


def _stage_created(stage: Path) -> float:
    """When the staging folder was made: its owner file's time, else (a folder from an older
    simcore, or an unreadable owner file) the folder's modification time, which is no earlier."""
    try:
        return float(json.loads((stage / OWNER_FILE).read_text(encoding="utf-8"))["created"])
    except (OSError, ValueError, KeyError, TypeError):
        try:
            return stage.stat().st_mtime
        except OSError:
            return time.time()


def _owner_running(pid: int, created: float) -> bool:
    """Whether the process that made a staging folder at ``created`` may still be running.
    When in doubt, yes: a live run's folder must never be removed."""
    if os.name != "posix":  # (os.kill(pid, 0) would end the process on Windows)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists (another user's)
        pass
    except (OSError, OverflowError):  # (a PID the system cannot even name)
        return False
    info = _process_info(pid)
    if info is None:
        return True
    state, started = info
    if state == "Z":  # ended, not yet reaped by its parent
        return False
    return not started > created + PID_REUSE_MARGIN_S  # started later: the PID was reused


def _process_info(pid: int) -> tuple[str, float] | None:
    """(state letter, start time in seconds since the epoch) from Linux's /proc, else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None
