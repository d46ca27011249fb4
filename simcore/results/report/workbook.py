"""``summary.xlsx``: the summary as a formatted workbook (openpyxl): sheets Seats, Candidates,
Differences, Predictive (simulated first preferences and a college's round-1 and final-round
shares, :mod:`simcore.results.report.predictive`), Parameters and Run, with percentages, frozen
headers and sensible widths."""

from __future__ import annotations

import json
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from simcore.results.folder_extras import measure_label
from simcore.results.report.folder_data import FolderData
from simcore.results.report.parameters import parameter_rows

PERCENT = "0.0%"
DECIMAL = "0.000"
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")


def _v(x):
    return None if isinstance(x, float) and math.isnan(x) else x


def _sheet(wb, title: str, header: list[str], rows: list[list], formats: dict[int, str]):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_v(x) for x in row])
    for col, fmt in formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = fmt
    for j, name in enumerate(header, start=1):
        longest = max([len(str(name)) // 2 + 1] + [len(str(r[j - 1])) for r in rows[:500]])
        if j in formats:
            longest = max(len(str(name)) // 2 + 1, 9)
        ws.column_dimensions[get_column_letter(j)].width = min(max(longest + 2, 8), 60)
    ws.freeze_panes = "B2"
    return ws


def seats_sheet(wb, data: FolderData) -> None:
    rows = data.rows
    top = max((int(r["seats"]) for r in rows if r["measure"] == "P(seats = k)"), default=0)
    val = {(r["strategy"], r["measure"], r["slate"], r["seats"]): r for r in rows}
    header = ["strategy", "slate", "slate_id", "mean seats", "mean: 95% low", "mean: 95% high"]
    header += [f"P(= {k})" for k in range(top + 1)] + [f"P(>= {k})" for k in range(1, top + 1)]
    body = []
    for r in (r for r in rows if r["measure"] == "mean seats"):
        s, g = r["strategy"], r["slate"]
        line = [s, g, r["slate_id"], r["estimate"], r["ci_low"], r["ci_high"]]
        line += [val[(s, "P(seats = k)", g, k)]["estimate"] for k in range(top + 1)]
        line += [val[(s, "P(seats >= k)", g, k)]["estimate"] for k in range(1, top + 1)]
        body.append(line)
    formats = {4: DECIMAL, 5: DECIMAL, 6: DECIMAL}
    formats |= {j: PERCENT for j in range(7, len(header) + 1)}
    _sheet(wb, "Seats", header, body, formats)


def candidates_sheet(wb, data: FolderData) -> None:
    measure = "P(win)" if data.college else "P(elected)"
    rows = data.measure(measure)
    strategies = data.strategies
    by = {(r["strategy"], r["candidate"]): r for r in rows}
    names = list(dict.fromkeys(r["candidate"] for r in rows))
    names.sort(key=lambda c: -max(by[(s, c)]["estimate"] for s in strategies))
    header = ["candidate", "slate", "slate_id"]
    header += [f"{measure} {s}" for s in strategies]
    header += [f"95% interval {s}" for s in strategies]
    header += [f"difference {s} - {strategies[0]}" for s in strategies[1:]]
    body = []
    for c in names:
        r0 = by[(strategies[0], c)]
        line = [c, r0["slate"], r0["slate_id"]]
        line += [by[(s, c)]["estimate"] for s in strategies]
        line += [
            f"{100 * by[(s, c)]['ci_low']:.1f}% to {100 * by[(s, c)]['ci_high']:.1f}%"
            for s in strategies
        ]
        line += [by[(s, c)]["difference_from_first"] for s in strategies[1:]]
        body.append(line)
    n = len(strategies)
    formats = {j: PERCENT for j in range(4, 4 + n)}
    formats |= {j: "+0.0%;-0.0%;0.0%" for j in range(4 + 2 * n, 4 + 3 * n - 1)}
    _sheet(wb, "Candidates", header, body, formats)


def differences_sheet(wb, data: FolderData) -> None:
    first = data.strategies[0]
    header = [
        "strategy",
        "compared with",
        "measure",
        "estimate",
        f"estimate under {first}",
        "difference",
        "std_error",
        "95% low",
        "95% high",
        "resolved (interval excludes 0)",
    ]
    body = []
    base = {
        (r["measure"], r["slate"], r["candidate"], r["section"], r["seats"]): r["estimate"]
        for r in data.rows
        if r["strategy"] == first
    }
    for r in data.rows:
        d = r["difference_from_first"]
        if r["strategy"] == first or d is None or math.isnan(d):
            continue
        key = (r["measure"], r["slate"], r["candidate"], r["section"], r["seats"])
        resolved = r["difference_ci_low"] > 0 or r["difference_ci_high"] < 0
        body.append(
            [
                r["strategy"],
                first,
                measure_label(r),
                r["estimate"],
                base.get(key),
                d,
                r["difference_std_error"],
                r["difference_ci_low"],
                r["difference_ci_high"],
                "yes" if resolved else "no",
            ]
        )
    body.sort(key=lambda b: (b[9] != "yes", -abs(b[5])))
    _sheet(wb, "Differences", header, body, {j: "0.0000" for j in range(4, 10)})


def predictive_sheet(wb, data: FolderData) -> None:
    """Simulated first preferences (and a weighted college's shares by section): none for a
    folder written before they were recorded."""
    from simcore.results.report.predictive import WORKBOOK_HEADER, workbook_rows

    body = workbook_rows(data)
    if body:
        formats = {j: "0.00%" if j == 8 else PERCENT for j in range(7, 12)}
        _sheet(wb, "Predictive", WORKBOOK_HEADER, body, formats)


def parameters_sheet(wb, data: FolderData) -> None:
    rows = parameter_rows(data.scenario) if data.scenario is not None else []
    if not rows:
        rows = [("(none)", data.scenario_note or "no scenario copy", "")]
    ws = _sheet(wb, "Parameters", ["group", "parameter", "value"], [list(r) for r in rows], {})
    ws.column_dimensions["C"].width = 80


def run_rows(data: FolderData) -> list[tuple[str, str]]:
    m = data.meta
    out = [
        (
            "made by",
            {"run": "simcore run", "sweep": "simcore sweep"}.get(data.kind, "simcore optimize"),
        ),
        ("scenario", m.get("scenario", "")),
        ("scenario file", m.get("scenario_file") or ""),
        ("scenario SHA-256", m.get("scenario_sha256", "")),
    ]
    out += [("--set", o) for o in m.get("overrides") or []]
    out += [("seed", m.get("seed")), ("threads", m.get("threads"))]
    if data.kind == "optimize":
        out += optimize_run_rows(m)
    else:
        out += [
            ("simulations" + (" per point" if data.kind == "sweep" else ""), m.get("simulations")),
            ("rule", m.get("rule")),
            ("seats", m.get("seats")),
            ("voters per generated ballot", m.get("voters_per_ballot", 1)),
        ]
    for v in m.get("varied") or []:
        out.append((f"varied: {v['key']}", ", ".join(str(x) for x in v["values"])))
    if "points" in m:
        out.append(("points", m["points"]))
    out.append(("command", m.get("command", "")))
    for k in ("precision", "precision_met", "precision_reached"):
        if k in m:
            out.append((k, m[k]))
    for name, desc in data.descriptions().items():
        out.append((f"strategy: {name}", desc or "(no description)"))
    for sid, name in (m.get("slates") or {}).items():
        out.append((f"slate id {sid}", name))
    for k, v in (m.get("versions") or {}).items():
        out.append((f"version of {k}", v))
    for k, v in (m.get("timings") or {}).items():
        out.append((k, v))
    return [(k, v if isinstance(v, int | float | str) else json.dumps(v)) for k, v in out]


def optimize_run_rows(m: dict) -> list[tuple[str, object]]:
    space, settings = m.get("space") or {}, m.get("settings") or {}
    sel, fin, res = m.get("selection") or {}, m.get("final") or {}, m.get("result") or {}
    return [
        ("slate", m.get("slate")),
        ("objective", m.get("objective")),
        ("other slates' orders from strategy", m.get("base_strategy")),
        ("candidates ordered", ", ".join(space.get("candidates") or [])),
        ("regions", ", ".join(space.get("regions") or [])),
        ("at most this many distinct orders", space.get("max_orders")),
        ("fixed positions", ", ".join(space.get("fixed") or []) or "none"),
        ("strategies possible", space.get("size")),
        ("strategies scored", res.get("candidates_evaluated")),
        ("budget (strategy-simulations)", settings.get("budget")),
        ("strategy-simulations run", res.get("simulations_run")),
        ("search", settings.get("search")),
        ("training simulations", settings.get("train_simulations")),
        ("finalists", settings.get("finalists")),
        ("selection", sel.get("method")),
        ("selection simulations", sel.get("simulations")),
        ("selection survivors", sel.get("survivors")),
        ("final simulations (fresh)", fin.get("simulations")),
        ("precision asked (95% half-width)", settings.get("precision")),
        ("widest 95% half-width reached", fin.get("widest_half_width")),
        ("precision met", fin.get("precision_met")),
    ]


def write_workbook(data: FolderData, path: Path) -> None:
    from simcore.results.report.workbook_kinds import optimize_sheets, sweep_sheets

    wb = Workbook()
    wb.remove(wb.active)
    if data.kind == "sweep":
        sweep_sheets(wb, data)
    elif data.kind == "optimize":
        optimize_sheets(wb, data)
    else:
        if data.measure("mean seats"):
            seats_sheet(wb, data)
        candidates_sheet(wb, data)
        differences_sheet(wb, data)
        predictive_sheet(wb, data)
    parameters_sheet(wb, data)
    ws = _sheet(wb, "Run", ["item", "value"], [list(r) for r in run_rows(data)], {})
    ws.column_dimensions["B"].width = 80
    if data.college and data.kind == "run":  # the college measures beyond P(win), long
        other = [r for r in data.rows if r["measure"] != "P(win)"]
        body = [[r["strategy"], measure_label(r), r["estimate"], r["std_error"]] for r in other]
        _sheet(wb, "Other measures", ["strategy", "measure", "estimate", "std_error"], body, {})
    wb.save(path)
