"""The output folder of a run, and what happens to it when a run fails, is stopped or is killed.

A run writes into a staging folder ``.simcore-partial-PID`` inside the output folder and moves the
files into place only when it has finished (``run.json`` last), so an interrupted run never
leaves a file that looks complete.  Errors remove the staging folder.  A run also keeps a
checkpoint there (``checkpoint.json`` and Parquet parts, see :mod:`simcore.results.checkpoint`):
Ctrl-C and SIGTERM keep the staging folder when it holds one, and so does a run killed outright
(SIGKILL, power cut).  The next run into the folder:

* with ``resume``, takes over the newest checkpoint of a run that has ended (renaming its
  staging folder to its own) and removes any other leftovers, with a note;
* without it, refuses to start while a checkpoint is there (one line saying that ``--resume``
  continues it and ``--force`` discards it), and removes staging folders without a checkpoint
  of runs that have ended, with a note.

A staging folder whose process is still running belongs to a run in progress: the new run
refuses to start rather than destroy it.

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
# written by a run when it can (the scenario copy, the key, the report): moved with the rest when
# present; an earlier run's copies are removed on publishing, so none is left from another run
OPTIONAL_OUTPUTS = (
    "scenario.toml",
    "README.txt",
    "summary_wide.csv",
    "summary.xlsx",
    "report.html",
    "plots",
)
STAGE_PREFIX = ".simcore-partial-"
OWNER_FILE = "owner.json"  # inside a staging folder: the run's PID and when it made the folder
CHECKPOINT_FILE = "checkpoint.json"  # inside a staging folder: what a resumed run continues from
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

    def __init__(
        self,
        path: str | Path,
        force: bool,
        note: Callable[[str], None] = _note,
        resume: bool = False,
    ) -> None:
        self.path = Path(path)
        self.force = force
        self.resume = resume
        if self.path.exists() and not self.path.is_dir():
            raise InputError("exists and is not a folder", path=self.path)
        existing = [f for f in self.outputs if (self.path / f).exists()]
        if existing and not force:
            raise InputError(
                f"already holds results ({existing[0]}); choose another --out or add --force",
                path=self.path,
            )
        self.stage = self.path / f"{STAGE_PREFIX}{os.getpid()}"
        self.resumed_from: str | None = None  # the staging folder whose checkpoint we took over
        with writing(self.path):
            self.path.mkdir(parents=True, exist_ok=True)
            if resume:
                self.resumed_from = self._adopt()
            if self.resumed_from is None:
                if self.stage.exists():  # left by an earlier process that had this PID
                    self._remove(self.stage, os.getpid(), note)
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

    def _adopt(self) -> str | None:
        """Take over the newest checkpoint left by a run that has ended: its staging folder
        becomes ours.  Returns its old name, or None when there is none."""
        found = []
        for other in self.path.glob(f"{STAGE_PREFIX}*"):
            pid = _stage_pid(other)
            if pid is None or not (other / CHECKPOINT_FILE).is_file():
                continue
            if other == self.stage or not _owner_running(pid, _stage_created(other)):
                found.append(((other / CHECKPOINT_FILE).stat().st_mtime, other))
        for _, other in sorted(found, reverse=True):
            if other != self.stage:
                if self.stage.exists():  # (an earlier process that had this PID, no checkpoint)
                    shutil.rmtree(self.stage)
                try:
                    os.rename(other, self.stage)
                except FileNotFoundError:  # another run took it over first
                    continue
            return other.name
        return None

    def _remove(self, other: Path, pid: int, note: Callable[[str], None]) -> None:
        """Remove the staging folder of a run that has ended; one with a checkpoint only when
        resuming (an older one) or forced, else refuse, saying how to continue it."""
        checkpoint = other / CHECKPOINT_FILE
        if checkpoint.is_file() and not (self.resume or self.force):
            raise InputError(
                f"holds the checkpoint of an interrupted run ({other.name}, "
                f"{_checkpoint_done(checkpoint)} simulations done): add --resume to continue it, "
                "or --force to discard it and start again",
                path=self.path,
            )
        what = "the checkpoint of" if checkpoint.is_file() else "left by"
        shutil.rmtree(other, ignore_errors=True)
        if other.exists():
            note(f"{other}: left by a stopped run (process {pid}); could not remove it")
        else:
            note(f"removed {other}, {what} a run that stopped (process {pid} has ended)")

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
            self._remove(other, pid, note)

    def file(self, name: str) -> Path:
        return self.stage / name

    def publish(self) -> None:
        with writing(self.path):
            for name in (*self.outputs, *OPTIONAL_OUTPUTS):
                old = self.path / name
                if old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old)
                elif old.exists() or old.is_symlink():
                    old.unlink()
            for name in OPTIONAL_OUTPUTS:
                if (self.stage / name).exists():
                    os.replace(self.stage / name, self.path / name)
            for name in self.outputs:  # run.json last: its presence marks a complete run
                os.replace(self.stage / name, self.path / name)
            (self.stage / OWNER_FILE).unlink()
            shutil.rmtree(self.stage)  # (the checkpoint and its parts)

    def abandon(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def _checkpoint_done(checkpoint: Path) -> str:
    try:
        return f"{int(json.loads(checkpoint.read_text(encoding='utf-8'))['done']):,}"
    except (OSError, ValueError, KeyError, TypeError):
        return "some"


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
