"""First-preference shares in a run's outputs: summary rows, ``simulations.parquet`` columns and
the terminal table.

Summary rows (per strategy, for each candidate and each slate, nationally and, with more than
one region, in each region, named in the ``section`` column):

* ``first preferences``: the mean share over the simulations, its Monte Carlo standard error
  and 95% interval, and the paired difference from the first strategy;
* ``first preferences (predictive)``: the spread of the share itself across simulations (the
  predictive distribution): the mean, the standard deviation in ``std_error`` and the interval
  mean +/- 1.96 sd (clipped to [0, 1]) in ``ci_low``/``ci_high``; likewise the paired
  difference from the first strategy (its mean, sd and mean +/- 1.96 sd).

Columns of ``simulations.parquet`` (shares of the first preferences, per simulation and
strategy): ``fp_candidate_<name>``, ``fp_slate_<slate id>``, ``fp_no_slate`` and, with more
than one region, ``fp_slate_<slate id>@<region>`` and ``fp_no_slate@<region>``.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from simcore.results.accumulate import (
    PPB,
    Z95,
    FirstPreferenceAccumulator,
    diff_row,
    mean_row,
    predictive_row,
)
from simcore.results.college_final import (
    FINAL,
    FINAL_PREDICTIVE,
    ROUND1,
    ROUND1_PREDICTIVE,
    WINNER,
    WINNER_PREDICTIVE,
    PredictiveAccumulator,
    final_columns,
    final_fields,
    final_item,
    render_college_shares,
    round1_item,
    winner_item,
)

MEASURE = "first preferences"
PREDICTIVE = "first preferences (predictive)"


def first_preference_accumulator(plan) -> PredictiveAccumulator:
    """First preferences and, for a weighted college, round-1 and final-round shares
    (:mod:`simcore.results.college_final`)."""
    return PredictiveAccumulator(plan)


def _groups(sc) -> list[tuple[str, str]]:
    """(slate name, column stem) of each group: the slates, then candidates on no slate."""
    return [(s.name, f"fp_slate_{s.id}") for s in sc.slates] + [("no slate", "fp_no_slate")]


def first_preference_rows(acc: FirstPreferenceAccumulator, plan, columns) -> list[dict]:
    """Summary rows (``columns``: the summary's column names, in order)."""
    sc = plan.scenario
    n = acc.n
    m = acc.shares
    groups = [g for g, _ in _groups(sc)]
    ids = dict(zip(groups, [s.id for s in sc.slates] + ["no_slate"], strict=True))
    group_of = [groups[g] for g in acc.onehot.argmax(axis=1)]
    regions = [""] + ([r.name for r in sc.regions] if acc.n_regions > 1 else [])
    rows = []
    for s, strategy in enumerate(sc.strategies):
        for r, section in enumerate(regions):
            items = [(group_of[c], name) for c, name in enumerate(sc.candidate_names)]
            items += [(g, "") for g in groups]
            for index, (slate, candidate) in enumerate(items):
                j = acc.item(r - 1, index)
                tot, sq = int(m.sum[s, j]), int(m.sum_sq[s, j])
                est = [x / PPB for x in mean_row(tot, sq, n, False)]
                dif = [x / PPB for x in diff_row(int(m.diff_sum[s, j]), int(m.diff_sq[s, j]), n)]
                pred = list(predictive_row(tot, sq, n, PPB))
                dpred = _spread(int(m.diff_sum[s, j]), int(m.diff_sq[s, j]), n)
                for measure, vals, dvals in ((MEASURE, est, dif), (PREDICTIVE, pred, dpred)):
                    head = (strategy.name, measure, slate, candidate, section, None)
                    row = dict(zip(columns, (*head, *vals, *dvals, n), strict=True))
                    rows.append({**row, "slate_id": ids[slate]})
    if getattr(acc, "sections", 0):
        rows += _final_rows(acc, plan, columns, group_of, ids)
    return rows


def _final_rows(acc: PredictiveAccumulator, plan, columns, group_of, ids) -> list[dict]:
    """A weighted college's rows: each candidate's weighted round-1 share and final-round share
    (of the college, then in each section), and the winner's final share."""
    sc = plan.scenario
    n, ncand, m = acc.n, plan.ncand, acc.final
    sections = [(-1, "")] + [(r, reg.name) for r, reg in enumerate(sc.regions)]
    items = [
        (ROUND1, ROUND1_PREDICTIVE, c, "", round1_item(ncand, acc.sections, c))
        for c in range(ncand)
    ]
    items += [
        (FINAL, FINAL_PREDICTIVE, c, section, final_item(ncand, r, c))
        for r, section in sections
        for c in range(ncand)
    ]
    items.append((WINNER, WINNER_PREDICTIVE, -1, "", winner_item(ncand, acc.sections)))
    rows = []
    for s, strategy in enumerate(sc.strategies):
        for measure, predictive, c, section, j in items:
            slate = group_of[c] if c >= 0 else ""
            candidate = sc.candidate_names[c] if c >= 0 else ""
            tot, sq = int(m.sum[s, j]), int(m.sum_sq[s, j])
            est = [x / PPB for x in mean_row(tot, sq, n, False)]
            dif = [x / PPB for x in diff_row(int(m.diff_sum[s, j]), int(m.diff_sq[s, j]), n)]
            pred = list(predictive_row(tot, sq, n, PPB))
            dpred = _spread(int(m.diff_sum[s, j]), int(m.diff_sq[s, j]), n)
            for name, vals, dvals in ((measure, est, dif), (predictive, pred, dpred)):
                head = (strategy.name, name, slate, candidate, section, None)
                row = dict(zip(columns, (*head, *vals, *dvals, n), strict=True))
                rows.append({**row, "slate_id": ids[slate] if slate else ""})
    return rows


def _spread(total: int, total_sq: int, n: int) -> list[float]:
    """The paired difference's spread across simulations: (mean, sd, mean -/+ 1.96 sd)."""
    if n == 0:
        return [math.nan] * 4
    m, se, _, _ = diff_row(total, total_sq, n)
    sd = se * math.sqrt(n) / PPB
    return [m / PPB, sd, m / PPB - Z95 * sd, m / PPB + Z95 * sd]


def first_preference_fields(plan) -> list[tuple[str, pa.DataType]]:
    sc = plan.scenario
    names = [f"fp_candidate_{c}" for c in sc.candidate_names] + [g for _, g in _groups(sc)]
    if len(sc.regions) > 1:
        names += [f"{g}@{r.name}" for r in sc.regions for _, g in _groups(sc)]
    names += final_fields(plan)
    return [(name, pa.float64()) for name in names]


def first_preference_columns(plan, votes: np.ndarray, final=None, elected=None) -> dict:
    """Columns for a chunk's rows (simulation-major, then strategy) from its (n, S, R, ncand)
    first preferences and, for a weighted college, its (n, S, R, ncand) final-round tallies
    and (n, S, 1) winners."""
    n, s, n_regions, ncand = votes.shape
    onehot = np.zeros((ncand, plan.n_slates + 1), np.int64)
    onehot[np.arange(ncand), np.where(plan.slate_of < 0, plan.n_slates, plan.slate_of)] = 1
    nat = votes.sum(axis=2).reshape(n * s, ncand)
    fields = [f for f, _ in first_preference_fields(plan)]
    parts = [_shares(nat, onehot)]
    if n_regions > 1:
        by_region = votes.reshape(n * s, n_regions, ncand)
        parts.append(_shares(by_region, onehot)[:, :, ncand:].reshape(n * s, -1))
    values = np.concatenate(parts, axis=1)
    extra = final_columns(plan, votes, final, elected) if final is not None else {}
    fields = fields[: len(fields) - len(extra)]
    return {**{f: values[:, i] for i, f in enumerate(fields)}, **extra}


def _shares(votes: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    both = np.concatenate([votes, votes @ onehot], axis=-1).astype(np.float64)
    total = votes.sum(axis=-1, keepdims=True)
    return both / np.where(total > 0, total, 1)


def render_first_preferences(rows: list[dict]) -> str:
    """A compact table: per slate (and the candidates on no slate), each strategy's simulated
    national first-preference share, mean and 95% predictive interval ("" if none); for a
    weighted college, each candidate's round-1 and final shares by section instead."""
    college = render_college_shares(rows)
    if college:
        return college
    pred = [
        r for r in rows if r["measure"] == PREDICTIVE and not r["candidate"] and not r["section"]
    ]
    if not pred or all(r["slate"] == "no slate" for r in pred):
        pred = [
            r for r in rows if r["measure"] == PREDICTIVE and r["candidate"] and not r["section"]
        ]
        key = "candidate"
    else:
        key = "slate"
    if not pred:
        return ""
    strategies = list(dict.fromkeys(r["strategy"] for r in pred))
    pred = [r for r in pred if r["slate"] != "no slate" or r["ci_high"] > 0]
    items = list(dict.fromkeys(r[key] for r in pred))
    val = {(r["strategy"], r[key]): r for r in pred}

    def cell(r):
        return f"{100 * r['estimate']:.1f}% ({100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f})"

    cells = {k: cell(r) for k, r in val.items()}
    cw = max([len(c) for c in cells.values()] + [len(s) for s in strategies]) + 2
    w = max(len(i) for i in items) + 2
    out = [f"First preferences by {key} (mean and 95% predictive interval)"]
    if len(strategies) > 1 and key == "slate":
        out.append(" " * w + "".join(s.rjust(cw) for s in strategies))
    else:
        strategies = strategies[:1]  # (no slate: the same for every strategy)
    for i in items:
        out.append(i.ljust(w) + "".join(cells[(s, i)].rjust(cw) for s in strategies))
    return "\n".join(out) + "\n"
