"""Reading a results folder for the report: the summary, the run's metadata, the scenario copy
and, when present, a sweep's or an optimisation's files."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from simcore.errors import InputError
from simcore.results.sim_outputs import NOT_APPLICABLE

NA = NOT_APPLICABLE


@dataclass
class FolderData:
    folder: Path
    meta: dict  # run.json
    rows: list[dict]  # summary rows (key columns filled, NA where they do not apply)
    scenario: object | None  # the parsed scenario copy (None: no copy, or it did not parse)
    scenario_note: str = ""  # why there is no parameter table, when there is none
    sweep: list[dict] | None = None  # sweep.csv rows
    sweep_keys: list[str] = field(default_factory=list)  # its varied keys' columns
    crossings: list[dict] | None = None  # crossings.csv rows
    search: list[dict] | None = None  # search.parquet rows
    final: list[dict] | None = None  # final.csv rows

    @property
    def college(self) -> bool:
        return str(self.meta.get("rule", "")).startswith("college")

    @property
    def strategies(self) -> list[str]:
        return list(dict.fromkeys(r["strategy"] for r in self.rows))

    def descriptions(self) -> dict[str, str]:
        return self.meta.get("strategy_descriptions") or {}

    def measure(self, name: str) -> list[dict]:
        return [r for r in self.rows if r["measure"] == name]


def _float(v):
    if v in ("", None, NA):
        return math.nan
    try:
        return float(v)
    except ValueError:
        return v


def _read_csv(path: Path, numeric: bool = True) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if numeric:
        for r in rows:
            for k, v in r.items():
                if isinstance(v, str):
                    x = _float(v)
                    r[k] = x if isinstance(x, float) else v
    return rows


def load_folder(folder: Path) -> FolderData:
    summary = folder / "summary.parquet"
    run_json = folder / "run.json"
    for need in (summary, run_json):
        if not need.is_file():
            raise InputError("not a results folder (no summary.parquet and run.json)", path=folder)
    meta = json.loads(run_json.read_text(encoding="utf-8"))
    rows = pq.read_table(summary).to_pylist()
    for r in rows:
        r.setdefault("slate_id", NA)  # (a folder written before slate ids were added)
        for k in ("slate", "candidate", "section", "slate_id"):
            if r.get(k) in ("", None):
                r[k] = NA
    scenario, note = None, ""
    copy = folder / "scenario.toml"
    if copy.is_file():
        from simcore.inputs.scenario_file import read_scenario

        try:
            scenario = read_scenario(copy)
        except InputError as exc:
            note = f"the scenario copy did not read back ({exc})"
    else:
        note = "the folder has no scenario.toml (a run made before simcore copied it)"
    data = FolderData(folder, meta, rows, scenario, note)
    if (folder / "sweep.csv").is_file():
        data.sweep = _read_csv(folder / "sweep.csv")
        known = {*rows[0].keys(), "point"} if rows else {"point"}
        cols = list(data.sweep[0]) if data.sweep else []
        data.sweep_keys = [c for c in cols if c not in known]
    if (folder / "crossings.csv").is_file():
        data.crossings = _read_csv(folder / "crossings.csv")
    if (folder / "search.parquet").is_file():
        data.search = pq.read_table(folder / "search.parquet").to_pylist()
    if (folder / "final.csv").is_file():
        data.final = _read_csv(folder / "final.csv")
    return data
