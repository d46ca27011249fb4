"""The outputs of ``simcore sweep``: ``sweep.parquet`` and ``sweep.csv`` (a row per point,
strategy and measure), ``sweep_wide.csv`` (a row per point and strategy, a column per
measure), ``crossings.csv`` and ``run.json``, staged and published together like a run's
(:mod:`simcore.results.run_folder`).

A sweep row is a run's summary row (:func:`simcore.results.sim_outputs.summary_rows`, whatever
columns it has) after the leading columns ``point`` and one per varied key.
"""

from __future__ import annotations

import csv
import json
import math
import re

import pyarrow as pa
import pyarrow.parquet as pq

from simcore.results.run_folder import RunFolder, writing

CROSSING_COLUMNS = (
    "key",
    "strategy",
    "versus",
    "measure",
    "fixed",
    "below",
    "above",
    "crossing",
    "interval_low",
    "interval_high",
    "interval_open",
    "direction",
    "summary",
)
_K = re.compile(r"\bk\b")


class SweepFolder(RunFolder):
    """A sweep's output folder: its own files, ``run.json`` last."""

    outputs = ("sweep.parquet", "sweep.csv", "sweep_wide.csv", "crossings.csv", "run.json")


def measure_label(row: dict) -> str:
    """``mean seats [Hilltop]``, ``P(seats >= 2) [Hilltop]``, ``P(elected) [Ben Hill]``,
    ``P(decisive section) [East]``, ``mean rounds``: a measure and what it is of."""
    measure = row["measure"]
    if row.get("seats") is not None:
        measure = _K.sub(str(row["seats"]), measure)
    subject = row.get("candidate") or row.get("section") or row.get("slate") or ""
    return f"{measure} [{subject}]" if subject else measure


def columns_of(rows: list[dict]) -> list[str]:
    """Every column of ``rows``, in the order first seen."""
    out: dict[str, None] = {}
    for r in rows:
        out.update(dict.fromkeys(r))
    return list(out)


def wide_rows(rows: list[dict], keys: list[str]) -> tuple[list[dict], list[str]]:
    """One row per point and strategy with each measure's estimate in a column of its label;
    and the columns."""
    out: dict[tuple, dict] = {}
    labels: dict[str, None] = {}
    for r in rows:
        ident = (r["point"], r["strategy"])
        if ident not in out:
            out[ident] = {"point": r["point"], **{k: r[k] for k in keys}, "strategy": r["strategy"]}
        label = measure_label(r)
        labels[label] = None
        out[ident][label] = r["estimate"]
    return list(out.values()), ["point", *keys, "strategy", *labels]


def write_sweep(
    folder: SweepFolder,
    rows: list[dict],
    keys: list[str],
    crossings: list[dict],
    metadata: dict,
) -> None:
    with writing(folder.stage):
        columns = columns_of(rows)
        table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
        table = table.replace_schema_metadata({"simcore": json.dumps(metadata, sort_keys=True)})
        pq.write_table(table, folder.file("sweep.parquet"))
        _csv_file(folder.file("sweep.csv"), rows, columns)
        wide, wide_columns = wide_rows(rows, keys)
        _csv_file(folder.file("sweep_wide.csv"), wide, wide_columns)
        _csv_file(folder.file("crossings.csv"), crossings, list(CROSSING_COLUMNS))
        with open(folder.file("run.json"), "w", encoding="utf-8") as f:
            json.dump(metadata, f, indent=2, sort_keys=True)
            f.write("\n")


def _csv_file(path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in columns])


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    if isinstance(v, bool):
        return str(v).lower()
    return v
