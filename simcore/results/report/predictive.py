"""What the report and the workbook show of a run's predictive outputs: the simulated first
preferences by slate and by candidate (:mod:`simcore.results.first_pref_outputs`) and, for a
weighted college, each candidate's round-1 and final-round shares by section and the winner's
final share (:mod:`simcore.results.college_final`).

Every figure is a ``(predictive)`` summary row: the mean share across the simulations and the
95% predictive interval (mean +/- 1.96 sd, clipped to [0, 1]), i.e. where the scenario says the
share itself will fall, not how precisely its mean is known.  A folder written before these rows
existed has none, and the report and workbook then leave them out."""

from __future__ import annotations

import math

from simcore.results.college_final import (
    FINAL,
    FINAL_PREDICTIVE,
    ROUND1,
    ROUND1_PREDICTIVE,
    WINNER,
    WINNER_PREDICTIVE,
)
from simcore.results.first_pref_outputs import MEASURE, PREDICTIVE
from simcore.results.report.folder_data import NA, FolderData

NO_SLATE = "no slate"
PREDICTIVE_MEASURES = {  # summary row -> (the workbook's label, its Monte Carlo twin)
    PREDICTIVE: (MEASURE, MEASURE),
    ROUND1_PREDICTIVE: (ROUND1, ROUND1),
    FINAL_PREDICTIVE: (FINAL, FINAL),
    WINNER_PREDICTIVE: (WINNER, WINNER),
}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def cell(r: dict | None) -> dict:
    """A share as the page shows it: ``value`` (mean, %) and ``interval`` (95% predictive)."""
    if r is None or _nan(r["estimate"]):
        return {"value": "", "interval": ""}
    return {
        "value": f"{100 * r['estimate']:.1f}%",
        "interval": f"{100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f}%",
    }


def _national(data: FolderData, measure: str) -> list[dict]:
    return [r for r in data.measure(measure) if r["section"] == NA]


def first_preference_tables(data: FolderData) -> dict | None:
    """``by_slate`` and ``by_candidate`` rows (``who``, ``slate``, one cell per strategy) of the
    national first preferences; None if the folder has no first-preference rows."""
    rows = _national(data, PREDICTIVE)
    if not rows:
        return None
    strategies = data.strategies
    by = {(r["strategy"], r["slate"], r["candidate"]): r for r in rows}
    slates = [r for r in rows if r["candidate"] == NA and r["strategy"] == strategies[0]]
    by_slate = []
    for r0 in slates:
        g = r0["slate"]
        mine = [by[(s, g, NA)] for s in strategies]
        if g == NO_SLATE and all(r["ci_high"] == 0 for r in mine):
            continue  # (every candidate is on a slate)
        by_slate.append({"who": g, "slate": "", "cells": [cell(r) for r in mine]})
    if all(x["who"] == NO_SLATE for x in by_slate):
        by_slate = []  # (no slates: the candidate table says it all)
    by_candidate = [
        {
            "who": r0["candidate"],
            "slate": "" if r0["slate"] == NO_SLATE else r0["slate"],
            "cells": [cell(by[(s, r0["slate"], r0["candidate"])]) for s in strategies],
        }
        for r0 in rows
        if r0["candidate"] != NA and r0["strategy"] == strategies[0]
    ]
    return {"by_slate": by_slate, "by_candidate": by_candidate}


def college_tables(data: FolderData) -> list[dict]:
    """Per strategy of a weighted college: ``sections`` (the sections, then "College"),
    ``rows`` (per candidate: ``round1`` and ``final`` cells, one per column) and ``winner``
    (the winner's final share of the college); [] if the folder has no final-round rows."""
    final = data.measure(FINAL_PREDICTIVE)
    if not final:
        return []
    sections = list(dict.fromkeys(r["section"] for r in final if r["section"] != NA))
    by = {}
    for r in data.measure(PREDICTIVE):
        if r["candidate"] != NA and r["section"] != NA:
            by[("round 1", r["strategy"], r["candidate"], r["section"])] = r
    for r in data.measure(ROUND1_PREDICTIVE):
        by[("round 1", r["strategy"], r["candidate"], NA)] = r
    for r in final:
        by[("final", r["strategy"], r["candidate"], r["section"])] = r
    winner = {r["strategy"]: r for r in data.measure(WINNER_PREDICTIVE)}
    names = list(dict.fromkeys(r["candidate"] for r in final))
    out = []
    for s in data.strategies:
        rows = [
            {
                "who": c,
                "round1": [by.get(("round 1", s, c, x)) for x in [*sections, NA]],
                "final": [by.get(("final", s, c, x)) for x in [*sections, NA]],
            }
            for c in names
        ]
        for row in rows:
            row["round1"] = [cell(r) for r in row["round1"]]
            row["final"] = [cell(r) for r in row["final"]]
        out.append(
            {
                "strategy": s,
                "sections": [*sections, "College"],
                "rows": rows,
                "winner": cell(winner.get(s)),
            }
        )
    return out


WORKBOOK_HEADER = [
    "strategy",
    "measure",
    "slate",
    "slate_id",
    "candidate",
    "section",
    "mean",
    "mean: Monte Carlo se",
    "sd across simulations",
    "95% predictive low",
    "95% predictive high",
]


def workbook_rows(data: FolderData) -> list[list]:
    """The workbook's rows (:data:`WORKBOOK_HEADER`): every predictive row, with the Monte
    Carlo standard error of its mean from its twin row; section "" is the whole electorate
    (for a college's final round and weighted round 1: the college)."""
    twins = {
        (r["strategy"], r["measure"], r["slate"], r["candidate"], r["section"]): r["std_error"]
        for r in data.rows
        if r["measure"] in {t for _, t in PREDICTIVE_MEASURES.values()}
    }
    body = []
    for r in data.rows:
        if r["measure"] not in PREDICTIVE_MEASURES:
            continue
        label, twin = PREDICTIVE_MEASURES[r["measure"]]
        key = (r["strategy"], twin, r["slate"], r["candidate"], r["section"])
        body.append(
            [
                r["strategy"],
                label,
                "" if r["slate"] == NA else r["slate"],
                "" if r["slate_id"] == NA else r["slate_id"],
                "" if r["candidate"] == NA else r["candidate"],
                "" if r["section"] == NA else r["section"],
                r["estimate"],
                twins.get(key),
                r["std_error"],
                r["ci_low"],
                r["ci_high"],
            ]
        )
    return body
