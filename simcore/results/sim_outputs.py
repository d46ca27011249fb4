"""Simulation outputs: ``simulations.parquet`` (streamed), ``summary.parquet``/``.csv`` and
``run.json``, written so that an interrupted run never leaves a file that looks complete.

Everything is written into a hidden folder inside the output folder and moved into place only
when the run has finished, ``run.json`` last (see :mod:`simcore.results.run_folder`).

``elected`` is a Parquet ``list<string>``: the names in order of election, whatever characters
they hold.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simcore.errors import InputError
from simcore.results.accumulate import Accumulator, CollegeAccumulator, diff_row, mean_row
from simcore.results.first_pref_outputs import first_preference_columns, first_preference_fields
from simcore.results.run_folder import RunFolder, writing

ROW_GROUP = 65536
SUMMARY_COLUMNS = (
    "strategy",
    "measure",
    "slate",
    "candidate",
    "section",
    "seats",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "difference_from_first",
    "difference_std_error",
    "difference_ci_low",
    "difference_ci_high",
    "simulations",
)
# the columns of summary.csv and summary.parquet: SUMMARY_COLUMNS with the slate's id beside its
# name; in the files every key column is filled (NOT_APPLICABLE where it does not apply)
FILE_COLUMNS = (*SUMMARY_COLUMNS[:3], "slate_id", *SUMMARY_COLUMNS[3:])
KEY_COLUMNS = ("strategy", "measure", "slate", "slate_id", "candidate", "section", "seats")
NOT_APPLICABLE = "-"
NO_SLATE_ID = "no_slate"  # the id of candidates without a slate (as in seats_no_slate)


class SimulationRows:
    """Streams one row per simulation and strategy to ``simulations.parquet``."""

    def __init__(self, path: Path, plan, metadata: dict) -> None:
        sc = plan.scenario
        self.plan = plan
        self.names = np.array(sc.candidate_names, dtype=object)
        self.strategies = [s.name for s in sc.strategies]
        self.slate_ids = [s.id for s in sc.slates]
        self.college = sc.college
        self.regions = [r.name for r in sc.regions]
        fields = [("simulation", pa.int64()), ("strategy", pa.string())]
        if self.college is None:
            fields += [(f"seats_{k}", pa.int16()) for k in self.slate_ids]
            fields += [("seats_no_slate", pa.int16()), ("elected", pa.list_(pa.string()))]
        elif self.college.method == "block":
            fields += [("winner", pa.string()), ("no_majority", pa.bool_())]
            fields += [(f"weight_{c}", pa.int64()) for c in sc.candidate_names]
        else:
            fields += [
                ("winner", pa.string()),
                ("runner_up", pa.string()),
                ("rounds", pa.int16()),
                ("decisive_section", pa.string()),
            ]
        fields += [("voters", pa.int64()), ("turnout", pa.float64())]
        for k in self.slate_ids:
            fields += [
                (f"share_{k}", pa.float64()),
                (f"follow_{k}", pa.float64()),
                (f"phi_{k}", pa.float64()),
                (f"stop_after_slate_{k}", pa.float64()),
            ]
        fields += first_preference_fields(plan)
        _refuse_duplicates([f[0] for f in fields], sc.source)
        meta = {"simcore": json.dumps(metadata, sort_keys=True)}
        self.schema = pa.schema(fields, metadata=meta)
        self.path = path
        with writing(path):
            self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.pending: list[pa.Table] = []  # written in row groups of about ROW_GROUP rows
        self.rows = 0

    def _names(self, index: np.ndarray, labels) -> pa.Array:
        """Strings from indices (-1: missing), built without a Python loop per row."""
        idx = pa.array(np.where(index >= 0, index, 0).astype(np.int32), mask=index < 0)
        return pa.DictionaryArray.from_arrays(idx, pa.array(list(labels))).cast(pa.string())

    def _elected(self, flat: np.ndarray) -> pa.Array:
        """One list of names per row of candidate indices (-1: an unfilled place), built from
        offsets and one flat array of names."""
        valid = flat >= 0
        offsets = np.zeros(len(flat) + 1, np.int32)
        np.cumsum(valid.sum(axis=1), out=offsets[1:])
        names = self._names(flat[valid].astype(np.int64), self.names)
        return pa.ListArray.from_arrays(pa.array(offsets), names)

    def write(
        self,
        first: int,
        elected: np.ndarray,
        seats: np.ndarray | None,
        stats: np.ndarray,
        extra: np.ndarray | None = None,
        first_prefs: np.ndarray | None = None,
        final: np.ndarray | None = None,
    ) -> None:
        n, s, _ = elected.shape
        cols: dict[str, object] = {
            "simulation": np.repeat(np.arange(first, first + n), s),
            "strategy": self._names(np.tile(np.arange(s), n), self.strategies),
        }
        flat = elected.reshape(n * s, -1)
        if self.college is None:
            flat_seats = seats.reshape(n * s, -1)
            for j, k in enumerate(self.slate_ids):
                cols[f"seats_{k}"] = flat_seats[:, j].astype(np.int16)
            cols["seats_no_slate"] = flat_seats[:, -1].astype(np.int16)
            cols["elected"] = self._elected(flat)
        else:
            win = flat[:, 0].astype(np.int64)
            cols["winner"] = self._names(win, self.names)
            ex = extra.reshape(n * s, -1)
            if self.college.method == "block":
                cols["no_majority"] = win < 0
                for c, name in enumerate(self.names):
                    cols[f"weight_{name}"] = ex[:, c]
            else:
                cols["runner_up"] = self._names(ex[:, 2], self.names)
                cols["rounds"] = ex[:, 0].astype(np.int16)
                cols["decisive_section"] = self._names(ex[:, 1], self.regions)
        st = np.repeat(stats, s, axis=0)
        cols["voters"] = st[:, 0].astype(np.int64)
        cols["turnout"] = st[:, 1]
        for j, k in enumerate(self.slate_ids):
            for t, label in enumerate(("share", "follow", "phi", "stop_after_slate")):
                cols[f"{label}_{k}"] = st[:, 2 + 4 * j + t]
        if first_prefs is not None:
            cols.update(first_preference_columns(self.plan, first_prefs, final, elected))
        self.pending.append(pa.table(cols, schema=self.schema))
        self.rows += n * s
        if self.rows >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            with writing(self.path):
                self.writer.write_table(pa.concat_tables(self.pending))
        self.pending = []
        self.rows = 0

    def close(self, extra: dict) -> None:
        self._flush()
        with writing(self.path):
            self.writer.add_key_value_metadata({"simcore_run": json.dumps(extra, sort_keys=True)})
            self.writer.close()

    def discard(self) -> None:
        """Close after a failure (the file is removed with the staging folder)."""
        try:
            self.writer.close()
        except Exception:  # (e.g. the disk that failed the run is still full)
            pass


def _refuse_duplicates(columns: list[str], source: str | None) -> None:
    """A Parquet file with two columns of one name cannot be read back: refuse to write it."""
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise InputError(
                f"two columns of simulations.parquet would both be named '{name}'; "
                "rename the slate or candidate it comes from",
                path=source,
            )
        seen.add(name)


def summary_rows(acc: Accumulator, plan) -> list[dict]:
    sc = plan.scenario
    n = acc.n
    groups = [s.name for s in sc.slates] + ["no slate"]
    group_of = [groups[g] for g in acc.slate_of]
    ids = dict(zip(groups, [s.id for s in sc.slates] + [NO_SLATE_ID], strict=True))
    rows = []

    def add(s, measure, slate, candidate, seats, m, j, proportion):
        est = mean_row(int(m.sum[s, j]), int(m.sum_sq[s, j]), n, proportion)
        dif = diff_row(int(m.diff_sum[s, j]), int(m.diff_sq[s, j]), n)
        rows.append(
            dict(
                zip(
                    SUMMARY_COLUMNS,
                    (sc.strategies[s].name, measure, slate, candidate, "", seats, *est, *dif, n),
                    strict=True,
                ),
                slate_id=ids[slate],
            )
        )

    width = acc.seats + 1
    for s in range(len(sc.strategies)):
        for g, gname in enumerate(groups):
            add(s, "mean seats", gname, "", None, acc.seat_counts, g, False)
            for k in range(width):
                add(s, "P(seats = k)", gname, "", k, acc.exactly, g * width + k, True)
            for k in range(1, width):
                add(s, "P(seats >= k)", gname, "", k, acc.at_least, g * width + k, True)
        for c, name in enumerate(sc.candidate_names):
            add(s, "P(elected)", group_of[c], name, None, acc.elected, c, True)
    return rows


def college_summary_rows(acc: CollegeAccumulator, plan) -> list[dict]:
    sc = plan.scenario
    n = acc.n
    rows = []

    def add(s, measure, candidate, section, m, j, proportion):
        est = mean_row(int(m.sum[s, j]), int(m.sum_sq[s, j]), n, proportion)
        dif = diff_row(int(m.diff_sum[s, j]), int(m.diff_sq[s, j]), n)
        rows.append(
            dict(
                zip(
                    SUMMARY_COLUMNS,
                    (sc.strategies[s].name, measure, "", candidate, section, None, *est, *dif, n),
                    strict=True,
                ),
                slate_id="",
            )
        )

    for s in range(len(sc.strategies)):
        for c, name in enumerate(sc.candidate_names):
            add(s, "P(win)", name, "", acc.winner, c, True)
        if acc.block:
            add(s, "P(no majority)", "", "", acc.winner, len(sc.candidates), True)
            for c, name in enumerate(sc.candidate_names):
                add(s, "mean weight won", name, "", acc.weight_won, c, False)
        else:
            add(s, "mean rounds", "", "", acc.rounds, 0, False)
            for r, region in enumerate(sc.regions):
                add(s, "P(decisive section)", "", region.name, acc.decisive, r, True)
    return rows


def write_summary(folder: RunFolder, rows: list[dict], metadata: dict) -> None:
    with writing(folder.stage):
        _write_summary(folder, rows, metadata)


def filled(row: dict) -> dict:
    """``row`` as the files hold it: every key column but ``seats`` filled, NOT_APPLICABLE
    where the key does not apply to the measure (``seats`` stays None there)."""
    out = {c: row.get(c) for c in FILE_COLUMNS}
    for c in KEY_COLUMNS[:-1]:
        if out[c] in ("", None):
            out[c] = NOT_APPLICABLE
    return out


def _write_summary(folder: RunFolder, rows: list[dict], metadata: dict) -> None:
    table = pa.Table.from_pylist(
        [filled(r) for r in rows],
        schema=pa.schema(
            [
                ("strategy", pa.string()),
                ("measure", pa.string()),
                ("slate", pa.string()),
                ("slate_id", pa.string()),
                ("candidate", pa.string()),
                ("section", pa.string()),
                ("seats", pa.int16()),
                *[(c, pa.float64()) for c in SUMMARY_COLUMNS[6:14]],
                ("simulations", pa.int64()),
            ],
            metadata={"simcore": json.dumps(metadata, sort_keys=True)},
        ),
    )
    pq.write_table(table, folder.file("summary.parquet"))
    with open(folder.file("summary.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(FILE_COLUMNS)
        for r in map(filled, rows):
            w.writerow([NOT_APPLICABLE if r[c] is None else _csv(r[c]) for c in FILE_COLUMNS])
    with open(folder.file("run.json"), "w", encoding="utf-8") as f:
        json.dump(metadata, f, indent=2, sort_keys=True)
        f.write("\n")


def _csv(v):
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return v
