"""Checkpoints of a run in progress, so that a stopped or killed run can be resumed.

A run's rows go to Parquet parts in its staging folder
(``simulations.parquet.parts/part-000000.parquet``, ...); at each checkpoint the open part is
closed and ``checkpoint.json`` is replaced atomically (written beside it, flushed to disk, then
renamed over it).  It holds:

* ``fingerprint``: everything that decides the results (the scenario file's hash, a digest of
  the compiled plan, the seed, the number of simulations, the precision options, the voters per
  ballot and the engine's code): a run resumes only with an identical one;
* ``done``: the simulations finished, in simulation order (``0 .. done - 1``);
* ``parts``: the parts that hold those simulations' rows, in order;
* ``accumulator``: the accumulator's exact integer sums
  (:func:`simcore.results.accumulate.accumulator_state`, plain JSON integers, however large);
* ``precision``: the precision reached at the last check and whether it met the target.

A part written after the last checkpoint is ignored (and removed) on resuming.  When the run
finishes, the parts are merged, in order, into ``simulations.parquet`` with the same schema and
metadata an uninterrupted run writes, in row groups of about
:data:`simcore.results.sim_outputs.ROW_GROUP` rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simcore.errors import InputError
from simcore.results.run_folder import CHECKPOINT_FILE, writing
from simcore.results.sim_outputs import ROW_GROUP, SimulationRows
from simcore.sim.runner import engine_version

PARTS = "simulations.parquet.parts"  # (the parts of simulations.parquet)
FORMAT = 1  # of checkpoint.json
# run.json's entries that decide a run's results (with the plan's digest and the engine's code)
DECIDING = (
    "scenario_sha256",
    "seed",
    "simulations",
    "precision",
    "check_every",
    "voters_per_ballot",
    "overrides",
)


def plan_digest(plan) -> str:
    """A hash of everything in the compiled plan that the engine reads (its arrays and numbers),
    so that a scenario changed in any way that matters (a file edited, an override) is noticed."""
    h = hashlib.sha256()
    for field in dataclasses.fields(plan):
        if field.name == "scenario":
            continue
        value = getattr(plan, field.name)
        h.update(field.name.encode())
        if isinstance(value, np.ndarray):
            h.update(f"{value.dtype.str}{value.shape}".encode())
            h.update(np.ascontiguousarray(value).tobytes())
        else:
            h.update(repr(value).encode())
    return h.hexdigest()


def fingerprint(metadata: dict, plan) -> dict:
    """What must not change between a run and its resumption (see the module's docstring)."""
    out = {k: metadata.get(k) for k in DECIDING}
    out["plan"] = plan_digest(plan)
    out["engine"] = engine_version()
    return out


def changed(saved: dict, now: dict) -> str | None:
    """``None`` if the fingerprints agree, else what changed, as a phrase."""
    order = [*DECIDING, "plan", "engine"]
    for key in sorted(
        set(saved) | set(now),
        key=lambda k: (k not in order, order.index(k) if k in order else 0, k),
    ):
        if saved.get(key) != now.get(key):
            name = {"plan": "compiled scenario", "scenario_sha256": "scenario file"}.get(key, key)
            return f"{name} {_shown(saved.get(key))} -> {_shown(now.get(key))}"
    return None


def _shown(v) -> str:
    return "none" if v is None else (f"{v[:12]}..." if isinstance(v, str) and len(v) > 40 else v)


def read_checkpoint(stage: Path) -> dict | None:
    """The checkpoint in staging folder ``stage``, or None when it has none."""
    path = stage / CHECKPOINT_FILE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != FORMAT:
            raise ValueError(f"format {state.get('format')!r}")
        for part in state["parts"]:
            if not (stage / PARTS / part).is_file():
                raise ValueError(f"part {part} is missing")
        return state
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"cannot resume from this checkpoint ({exc}); run without --resume and with "
            "--force to start again",
            path=path,
        ) from None


def save_checkpoint(stage: Path, state: dict) -> None:
    """Replace ``stage``'s checkpoint with ``state`` atomically (a kill at any moment leaves the
    old checkpoint or the new one, whole)."""
    path = stage / CHECKPOINT_FILE
    tmp = path.with_suffix(".tmp")
    with writing(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"format": FORMAT, **state}, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


class PartedRows:
    """:class:`SimulationRows` written as a sequence of Parquet parts, closed at each checkpoint
    and merged at the end into the one ``simulations.parquet`` an uninterrupted run writes."""

    def __init__(self, stage: Path, plan, metadata: dict, parts: list[str]) -> None:
        self.dir = stage / PARTS
        self.plan = plan
        self.metadata = metadata
        self.parts = list(parts)
        with writing(self.dir):
            self.dir.mkdir(exist_ok=True)
            keep = set(self.parts)
            for f in self.dir.iterdir():  # written after the checkpoint we continue
                if f.name not in keep:
                    f.unlink()
        self.current: SimulationRows | None = None
        # the schema (and its metadata: the run's, as it is now) of the final file, exactly as
        # an uninterrupted run's SimulationRows makes it
        probe = SimulationRows(pa.BufferOutputStream(), plan, metadata)
        self.schema = probe.schema
        probe.discard()

    def _name(self) -> str:
        return f"part-{len(self.parts):06d}.parquet"

    def write(self, first, elected, seats, stats, extra=None, first_prefs=None, final=None) -> None:
        if self.current is None:
            self.current = SimulationRows(self.dir / self._name(), self.plan, self.metadata)
        self.current.write(first, elected, seats, stats, extra, first_prefs, final)

    def checkpoint(self) -> list[str]:
        """Close the open part; the parts that now hold every row written."""
        if self.current is not None:
            path = self.current.path
            self.current.close({})
            self.current = None
            with writing(path):
                fd = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            self.parts.append(path.name)
        return list(self.parts)

    def finish(self, path: Path, extra: dict) -> None:
        """Merge the parts, in order, into ``path``; ``extra`` goes into its metadata as
        ``simcore_run`` (as :meth:`SimulationRows.close` does)."""
        self.checkpoint()
        with writing(path):
            writer = pq.ParquetWriter(path, self.schema, compression="zstd")
            try:
                pending: list[pa.Table] = []
                rows = 0
                for name in self.parts:
                    part = pq.ParquetFile(self.dir / name)
                    for g in range(part.num_row_groups):
                        table = part.read_row_group(g).replace_schema_metadata(self.schema.metadata)
                        pending.append(table)
                        rows += table.num_rows
                        if rows >= ROW_GROUP:
                            writer.write_table(pa.concat_tables(pending))
                            pending, rows = [], 0
                if pending:
                    writer.write_table(pa.concat_tables(pending))
                writer.add_key_value_metadata({"simcore_run": json.dumps(extra, sort_keys=True)})
            finally:
                writer.close()

    def discard(self) -> None:
        """Close the open part after a failure or an interruption (its rows come after the last
        checkpoint: a resumed run removes it)."""
        if self.current is not None:
            self.current.discard()
            self.current = None
