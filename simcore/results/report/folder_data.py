"""Reading a results folder for the report.  Three kinds of folder, told apart by their files:

- ``run`` (``simcore run``): ``summary.parquet`` and ``run.json``;
- ``sweep`` (``simcore sweep``): ``sweep.parquet``, ``crossings.csv`` and ``run.json``;
- ``optimize`` (``simcore optimize``): ``search.parquet``, ``final.csv`` and ``run.json``.

Each may hold ``scenario.toml``, the copy of the scenario file; it is read back with the run's
``--set`` overrides (``run.json``'s ``overrides``) applied, so the parameters shown are the ones
that ran."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from simcore.errors import InputError
from simcore.results.optimize_outputs import FINAL_COLUMNS
from simcore.results.sim_outputs import NOT_APPLICABLE
from simcore.results.sweep_outputs import CROSSING_COLUMNS

NA = NOT_APPLICABLE
KIND_FILES = {
    "run": ("summary.parquet", "run.json"),
    "sweep": ("sweep.parquet", "crossings.csv", "run.json"),
    "optimize": ("search.parquet", "final.csv", "run.json"),
}


@dataclass
class FolderData:
    folder: Path
    meta: dict  # run.json
    rows: list[dict]  # a run's summary rows (key columns filled, NA where they do not apply)
    scenario: object | None  # the parsed scenario copy (None: no copy, or it did not parse)
    scenario_note: str = ""  # why there is no parameter table, when there is none
    kind: str = "run"  # "run", "sweep" or "optimize"
    sweep: list[dict] = field(default_factory=list)  # sweep.parquet rows
    sweep_keys: list[str] = field(default_factory=list)  # the varied keys, in --vary order
    crossings: list[dict] = field(default_factory=list)  # crossings.csv rows
    search: list[dict] = field(default_factory=list)  # search.parquet rows, in search order
    final: list[dict] = field(default_factory=list)  # final.csv rows, best first

    @property
    def college(self) -> bool:
        return str(self.meta.get("rule", "")).startswith("college")

    @property
    def strategies(self) -> list[str]:
        if self.kind == "sweep":
            return list(dict.fromkeys(r["strategy"] for r in self.sweep))
        return list(dict.fromkeys(r["strategy"] for r in self.rows))

    def descriptions(self) -> dict[str, str]:
        return self.meta.get("strategy_descriptions") or {}

    def measure(self, name: str) -> list[dict]:
        return [r for r in self.rows if r["measure"] == name]

    @property
    def regions(self) -> list[str]:
        return list((self.meta.get("space") or {}).get("regions") or [])


def _float(v):
    if v in ("", None, NA):
        return math.nan
    try:
        return float(v)
    except ValueError:
        return v


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict]:
    """The rows of a CSV file simcore wrote, numbers as floats (empty: NaN); its header must
    be ``columns``."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != columns:
            raise InputError(
                f"unexpected columns {reader.fieldnames}; expected {list(columns)}", path=path
            )
        rows = list(reader)
    for r in rows:
        for k, v in r.items():
            x = _float(v)
            r[k] = x if isinstance(x, float) else v
    return rows


def folder_kind(folder: Path) -> str:
    """Which command wrote ``folder`` (see the module's docstring), or one line on why it is
    not a results folder."""
    for kind, files in KIND_FILES.items():
        if all((folder / f).is_file() for f in files):
            return kind
    raise InputError(
        "not a results folder: expected the files of 'simcore run' (summary.parquet, "
        "run.json), 'simcore sweep' (sweep.parquet, crossings.csv, run.json) or "
        "'simcore optimize' (search.parquet, final.csv, run.json)",
        path=folder,
    )


def _scenario(folder: Path, meta: dict):
    copy = folder / "scenario.toml"
    if not copy.is_file():
        return None, "the folder has no scenario.toml (made before simcore copied it)"
    from simcore.inputs.scenario_file import read_scenario

    try:
        return read_scenario(copy, meta.get("overrides") or ()), ""
    except InputError as exc:
        return None, f"the scenario copy did not read back ({exc})"


def _filled(rows: list[dict]) -> list[dict]:
    for r in rows:
        r.setdefault("slate_id", NA)  # (a folder written before slate ids were added)
        for k in ("slate", "candidate", "section", "slate_id"):
            if r.get(k) in ("", None):
                r[k] = NA
    return rows


def load_folder(folder: str | Path) -> FolderData:
    folder = Path(folder)
    kind = folder_kind(folder)
    meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    scenario, note = _scenario(folder, meta)
    data = FolderData(folder, meta, [], scenario, note, kind)
    if kind == "run":
        data.rows = _filled(pq.read_table(folder / "summary.parquet").to_pylist())
    elif kind == "sweep":
        data.sweep = _filled(pq.read_table(folder / "sweep.parquet").to_pylist())
        data.sweep_keys = [v["key"] for v in meta.get("varied") or []]
        data.crossings = _read_csv(folder / "crossings.csv", CROSSING_COLUMNS)
    else:
        data.search = pq.read_table(folder / "search.parquet").to_pylist()
        data.final = _read_csv(folder / "final.csv", FINAL_COLUMNS)
        for r in data.final:
            r["selected"] = r["selected"] == "True"
    return data
