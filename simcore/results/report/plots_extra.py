"""The report's charts of a sweep (measures against the varied parameter, with crossings) and of
an optimisation (the search's progress and the final comparison)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt

from simcore.results.report.folder_data import NA, FolderData
from simcore.results.report.plots import PALETTE, Z95, Chart, _save

CROSSING_X = ("at", "value", "x", "crossing", "crosses_at")


def _num(v) -> float:
    return v if isinstance(v, float) else math.nan


def sweep_axis(data: FolderData) -> tuple[str, dict[float, float], dict[float, str]]:
    """The x axis of sweep charts: the varied key when there is one numeric key, else the
    point number (labelled with every key's value)."""
    rows = data.sweep or []
    points = sorted({r["point"] for r in rows})
    keys = data.sweep_keys
    first = {p: next(r for r in rows if r["point"] == p) for p in points}
    if len(keys) == 1 and all(isinstance(first[p][keys[0]], float) for p in points):
        return keys[0], {p: first[p][keys[0]] for p in points}, {}
    labels = {p: ", ".join(f"{k}={first[p][k]}" for k in keys) for p in points}
    return "point", {p: float(p) for p in points}, labels


def _crossings_for(data: FolderData, measure: str, subject: str, xkey: str) -> list[float]:
    out = []
    for c in data.crossings or []:
        x = c.get(xkey)
        if not isinstance(x, float):
            x = next((c[k] for k in CROSSING_X if isinstance(c.get(k), float)), None)
        if x is None or math.isnan(x):
            continue
        if "measure" in c and c["measure"] not in (measure, "", NA):
            continue
        who = [c.get(k) for k in ("candidate", "slate")]
        if any(isinstance(w, str) and w not in ("", NA) for w in who) and subject not in who:
            continue
        out.append(x)
    return out


def _panel(ax, data, rows, xs, measure, subject, xkey):
    for j, s in enumerate(data.strategies):
        mine = sorted((r for r in rows if r["strategy"] == s), key=lambda r: xs[r["point"]])
        if not mine:
            continue
        x = [xs[r["point"]] for r in mine]
        colour = PALETTE[j % len(PALETTE)]
        ax.plot(x, [r["estimate"] for r in mine], marker="o", markersize=3, color=colour, label=s)
        ax.fill_between(
            x,
            [_num(r["ci_low"]) for r in mine],
            [_num(r["ci_high"]) for r in mine],
            color=colour,
            alpha=0.18,
            linewidth=0,
        )
    for x in _crossings_for(data, measure, subject, xkey):
        ax.axvline(x, color="#D55E00", linestyle="--", linewidth=1)
    ax.set_title(f"{subject}: {measure}")
    ax.grid(color="#eeeeee", linewidth=0.6)


def sweep_charts(data: FolderData, out: Path) -> list[Chart]:
    if not data.sweep:
        return []
    xkey, xs, labels = sweep_axis(data)
    panels = []
    seat_rows = [r for r in data.sweep if r["measure"] == "mean seats"]
    for g in dict.fromkeys(r["slate"] for r in seat_rows):
        mine = [r for r in seat_rows if r["slate"] == g]
        if any(r["estimate"] > 0 for r in mine):
            panels.append(("mean seats", g, mine))
    per_cand = [r for r in data.sweep if r["measure"] in ("P(elected)", "P(win)")]
    spread: dict[str, float] = {}
    for r in per_cand:
        lo_hi = spread.setdefault(r["candidate"], [math.inf, -math.inf])
        lo_hi[0] = min(lo_hi[0], r["estimate"])
        lo_hi[1] = max(lo_hi[1], r["estimate"])
    moving = sorted(spread, key=lambda c: -(spread[c][1] - spread[c][0]))[:6]
    for c in moving:
        if spread[c][1] > spread[c][0]:
            mine = [r for r in per_cand if r["candidate"] == c]
            panels.append((mine[0]["measure"], c, mine))
    if not panels:
        return []
    cols = min(2, len(panels))
    nrow = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(nrow, cols, figsize=(5.2 * cols, 2.8 * nrow), squeeze=False)
    for i, (measure, subject, rows) in enumerate(panels):
        ax = axes[i // cols][i % cols]
        _panel(ax, data, rows, xs, measure, subject, xkey)
        ax.set_xlabel(xkey)
        if labels:
            ax.set_xticks(list(xs.values()))
            ax.set_xticklabels([labels[p] for p in xs], rotation=30, ha="right", fontsize=7)
    for i in range(len(panels), nrow * cols):
        axes[i // cols][i % cols].axis("off")
    axes[0][0].legend(title="strategy", fontsize=8, frameon=False)
    fig.tight_layout()
    return [
        Chart(
            "sweep",
            f"How the results change with {xkey}",
            f"Each panel follows one result as {xkey} varies, one line per strategy, with a "
            "shaded 95% interval. Where two strategies' lines cross, the better strategy "
            "changes: dashed orange lines mark the crossings the sweep found (listed in the "
            "table below). Average seats per slate come first, then the candidates whose "
            "chances move most.",
            _save(fig, "sweep", out),
        )
    ]


def _col(row: dict, *names):
    return next((row[n] for n in names if n in row and row[n] is not None), None)


def optimize_charts(data: FolderData, out: Path) -> list[Chart]:
    charts = []
    if data.final:
        rows = data.final
        fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.4 * len(rows)))
        for i, r in enumerate(rows):
            est, se = float(r["estimate"]), float(r["std_error"])
            ax.errorbar(est, i, xerr=Z95 * se, fmt="o", color=PALETTE[0], capsize=3)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([str(r["strategy"]) for r in rows])
        ax.invert_yaxis()
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_xlabel("objective on fresh simulations, with 95% interval")
        fig.tight_layout()
        charts.append(
            Chart(
                "optimize_final",
                "The best strategies found, checked on fresh simulations",
                "The strategies the search kept, re-simulated on new random elections so "
                "that the search's luck does not flatter them: each dot is the objective's "
                "estimate and the line its 95% interval. The table below gives each one's "
                "paired difference from the first.",
                _save(fig, "optimize_final", out),
            )
        )
    if data.search:
        rows = data.search
        est = [_num(_float(_col(r, "estimate", "training_estimate"))) for r in rows]
        se = [_num(_float(_col(r, "std_error", "training_std_error", "se"))) for r in rows]
        stage = [_col(r, "stage", "stage_reached") for r in rows]
        fig, ax = plt.subplots(figsize=(7.5, 3.2))
        stages = list(dict.fromkeys(stage))
        for j, st in enumerate(stages):
            idx = [i for i, s in enumerate(stage) if s == st]
            ax.errorbar(
                idx,
                [est[i] for i in idx],
                yerr=[Z95 * (se[i] if not math.isnan(se[i]) else 0) for i in idx],
                fmt="o",
                markersize=3,
                elinewidth=0.6,
                color=PALETTE[j % len(PALETTE)],
                label=f"reached stage {st}" if st is not None else "evaluated",
            )
        best, so_far = -math.inf, []
        for e in est:
            best = max(best, e) if not math.isnan(e) else best
            so_far.append(best)
        ax.step(range(len(est)), so_far, where="post", color="#333333", linewidth=1, label="best")
        ax.set_xlabel("strategies evaluated, in order")
        ax.set_ylabel("objective (training estimate)")
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        charts.append(
            Chart(
                "optimize_search",
                "How the search went",
                "Every strategy the search tried, in order, with its estimated objective on the "
                "training simulations and a 95% interval; colours show how far each got "
                "through the search's stages (later stages use more simulations). The black "
                "line is the best estimate so far.",
                _save(fig, "optimize_search", out),
            )
        )
    return charts


def _float(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan
