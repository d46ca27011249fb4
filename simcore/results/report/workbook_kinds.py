"""``summary.xlsx`` sheets of a sweep (Sweep, Crossings) and of an optimisation (Final, Search
top 50, Orders); the Parameters and Run sheets are :mod:`simcore.results.report.workbook`'s."""

from __future__ import annotations

import math

from simcore.results.optimize_outputs import FINAL_COLUMNS
from simcore.results.report.folder_data import NA, FolderData
from simcore.results.report.workbook import DECIMAL, _sheet
from simcore.results.sim_outputs import SUMMARY_COLUMNS
from simcore.results.sweep_outputs import CROSSING_COLUMNS

SEARCH_TOP = 50
VALUES = SUMMARY_COLUMNS[6:14]  # estimate .. difference_ci_high


def sweep_sheets(wb, data: FolderData) -> None:
    keys = data.sweep_keys
    header = ["point", *keys, "strategy", "measure", "slate", "slate_id", "candidate"]
    header += ["section", "seats", *VALUES, "simulations"]
    body = []
    for r in data.sweep:
        body.append(
            [r["point"], *(r[k] for k in keys), r["strategy"], r["measure"], r["slate"]]
            + [
                r["slate_id"],
                r["candidate"],
                r["section"],
                NA if r["seats"] is None else r["seats"],
            ]
            + [r[v] for v in VALUES]
            + [r["simulations"]]
        )
    first = header.index("estimate") + 1
    formats = {j: "0.0000" for j in range(first, first + len(VALUES))}
    ws = _sheet(wb, "Sweep", header, body, formats)
    ws.freeze_panes = ws.cell(row=2, column=len(keys) + 3)  # (point, keys and strategy stay)
    ws.auto_filter.ref = ws.dimensions
    crossings = [[_cell(c[k]) for k in CROSSING_COLUMNS] for c in data.crossings]
    ws = _sheet(wb, "Crossings", list(CROSSING_COLUMNS), crossings, {})
    ws.column_dimensions["M"].width = 100
    if not crossings:
        ws["A2"] = "(no crossings: no paired difference changes sign along the sweep)"


def _cell(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def optimize_sheets(wb, data: FolderData) -> None:
    rows = [[_cell(r[k]) for k in FINAL_COLUMNS] for r in data.final]
    fmt = {j + 1: DECIMAL for j, k in enumerate(FINAL_COLUMNS) if k not in _TEXT}
    ws = _sheet(wb, "Final", list(FINAL_COLUMNS), rows, fmt)
    ws.column_dimensions["E"].width = 60
    search = data.search
    regions = data.regions
    cols = [c for c in (search[0].keys() if search else ()) if c]
    scored = [r for r in search if r["train_simulations"]]
    top = sorted(scored, key=lambda r: -r["train_estimate"])[:SEARCH_TOP]
    header = ["training rank", *cols]
    body = [[i + 1, *(r[c] for c in cols)] for i, r in enumerate(top)]
    fmt = {j + 2: DECIMAL for j, c in enumerate(cols) if c.endswith(("_estimate", "_std_error"))}
    _sheet(wb, f"Search top {SEARCH_TOP}", header, body, fmt)
    files = [r for r in search if r["origin"] == "scenario"]
    selected = next((r for r in search if r["selected"]), {})
    header = ["region", "recommended order", *(f"{r['strategy']} (in the file)" for r in files)]
    body = [
        [g, selected.get(f"order [{g}]"), *(r.get(f"order [{g}]") for r in files)] for g in regions
    ]
    _sheet(wb, "Orders", header, body, {})


_TEXT = ("rank", "strategy", "origin", "selected", "orderings", "simulations")
