"""The report's charts of a sweep (each key measure against the varied key, one line per
strategy with its 95% band, crossings marked with their intervals) and of an optimisation (the
final comparison on fresh simulations, and the search's progress)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt

from simcore.results.report.folder_data import NA, FolderData
from simcore.results.report.plots import PALETTE, Chart, _save
from simcore.results.sweep_outputs import measure_label

CROSSING = "#D55E00"
LINESTYLES = ["-", "--", ":", "-."]
MOVERS = 4  # candidates shown in the sweep's P(elected) chart
MIN_MOVE = 0.02  # ... when their chance moves by at least this much across the sweep


def _isnum(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)


def sweep_axis(data: FolderData) -> tuple[str | None, dict[int, float], dict[int, str]]:
    """The x axis of the sweep's charts: (the varied key on it, x of each point, the other
    keys' values of each point as text).  The key is the first varied key with numbers for
    values; with none, x is the point's number (key None) and the text names every key."""
    first = {}
    for r in data.sweep:
        first.setdefault(r["point"], r)
    keys = data.sweep_keys
    xkey = next((k for k in keys if all(_isnum(r[k]) for r in first.values())), None)
    others = [k for k in keys if k != xkey]
    xs = {p: float(r[xkey]) if xkey else float(p) for p, r in first.items()}
    rest = {p: ", ".join(f"{k} = {r[k]}" for k in others) for p, r in first.items()}
    return xkey, xs, rest


def sweep_panels(data: FolderData) -> tuple[list[tuple], list[tuple]]:
    """(title, label, rows) of the seats panels (mean seats of each slate that wins any) and of
    the candidates panels (those whose chance moves most across the sweep)."""
    seats, cands = [], []
    by_label: dict[str, list[dict]] = {}
    for r in data.sweep:
        by_label.setdefault(measure_label({**r, **_blank(r)}), []).append(r)
    for label, rows in by_label.items():
        m = rows[0]["measure"]
        if m == "mean seats" and any(r["estimate"] > 0 for r in rows):
            seats.append((f"{rows[0]['slate']}: average seats", label, rows))
        elif m in ("P(elected)", "P(win)"):
            est = [r["estimate"] for r in rows]
            cands.append((max(est) - min(est), f"{rows[0]['candidate']}: {m}", label, rows))
    cands.sort(key=lambda c: -c[0])
    return seats, [c[1:] for c in cands[:MOVERS] if c[0] >= MIN_MOVE]


def _blank(r: dict) -> dict:
    """The key columns that do not apply as None, as :func:`measure_label` expects."""
    return {k: None for k in ("slate", "candidate", "section", "seats") if r.get(k) in (NA, "")}


def _panel(ax, data, rows, xs, rest, label, xkey):
    groups = list(dict.fromkeys(rest[r["point"]] for r in rows))
    for j, s in enumerate(data.strategies):
        colour = PALETTE[j % len(PALETTE)]
        for g_i, g in enumerate(groups):
            mine = [r for r in rows if r["strategy"] == s and rest[r["point"]] == g]
            mine.sort(key=lambda r: xs[r["point"]])
            x = [xs[r["point"]] for r in mine]
            ax.plot(
                x,
                [r["estimate"] for r in mine],
                marker="o",
                markersize=3.5,
                color=colour,
                linestyle=LINESTYLES[g_i % len(LINESTYLES)],
                label=f"{s}" + (f" ({g})" if g and xkey else ""),
            )
            ax.fill_between(
                x,
                [r["ci_low"] for r in mine],
                [r["ci_high"] for r in mine],
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
    lo_x, hi_x = min(xs.values()), max(xs.values())
    for i, c in enumerate(data.crossings):
        if xkey is None or c["key"] != xkey or c["measure"] != label:
            continue
        low = c["interval_low"] if _isnum(c["interval_low"]) else lo_x
        high = c["interval_high"] if _isnum(c["interval_high"]) else hi_x
        ax.axvspan(low, high, color=CROSSING, alpha=0.10, linewidth=0)
        ax.axvline(c["crossing"], color=CROSSING, linestyle="--", linewidth=1)
        ax.annotate(
            f"C{i + 1}",
            (c["crossing"], 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -10),
            textcoords="offset points",
            color=CROSSING,
            fontsize=8,
            fontweight="bold",
        )
    ax.set_xlim(lo_x - 0.03 * (hi_x - lo_x or 1), hi_x + 0.03 * (hi_x - lo_x or 1))
    ax.grid(color="#eeeeee", linewidth=0.6)


def _sweep_figure(data, panels, name, title, explain, percent, out) -> Chart | None:
    if not panels:
        return None
    import matplotlib.ticker

    xkey, xs, rest = sweep_axis(data)
    cols = min(2, len(panels))
    nrow = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(nrow, cols, figsize=(5.2 * cols, 3.0 * nrow), squeeze=False)
    for i, (heading, label, rows) in enumerate(panels):
        ax = axes[i // cols][i % cols]
        _panel(ax, data, rows, xs, rest, label, xkey)
        ax.set_title(heading)
        ax.set_xlabel(xkey or "point of the sweep")
        if percent:
            ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        if xkey is None:
            ax.set_xticks(list(xs.values()))
            ax.set_xticklabels([rest[p] for p in xs], rotation=30, ha="right", fontsize=7)
    for i in range(len(panels), nrow * cols):
        axes[i // cols][i % cols].axis("off")
    axes[0][0].legend(title="strategy", fontsize=8, frameon=False)
    fig.tight_layout()
    return Chart(name, title, explain, _save(fig, name, out))


def sweep_charts(data: FolderData, out: Path) -> list[Chart]:
    if not data.sweep:
        return []
    xkey, _, _ = sweep_axis(data)
    seats, cands = sweep_panels(data)
    along = xkey or "the sweep's points"
    marks = (
        " Dashed orange lines mark where the better strategy changes (C1, C2, ...: the "
        "crossings listed above), the pale orange band around each its 95% interval."
        if data.crossings
        else " No crossings: the strategies keep their order all along the sweep."
    )
    bands = (
        "one line per strategy (all counted on the same simulated elections at every point), "
        "with a shaded 95% band."
    )
    return [
        c
        for c in (
            _sweep_figure(
                data,
                seats,
                "sweep_seats",
                "Average seats as the varied parameter changes",
                f"Each panel follows one slate's average seats along {along}, {bands}{marks}",
                False,
                out,
            ),
            _sweep_figure(
                data,
                cands,
                "sweep_elected",
                "The candidates whose chances move most",
                f"The chance of being elected (or winning) along {along} of the "
                f"{len(cands)} candidates whose chance changes most across the sweep, {bands}"
                + marks,
                True,
                out,
            ),
        )
        if c is not None
    ]


def final_label(r: dict) -> str:
    name = str(r["strategy"])
    if r["origin"] == "scenario":
        return f"{name} (in the file)"
    return f"{name} (recommended)" if r["selected"] else name


def _colour(r: dict) -> str:
    if r["selected"]:
        return PALETTE[0]
    return PALETTE[1] if r["origin"] == "scenario" else "#7a8594"


def _intervals(ax, rows: list[dict], points: list[tuple]) -> None:
    """One (value, low, high) interval per row; the axis is fitted to the search's finalists,
    and a row far outside it (a scenario strategy much worse) is an arrow at the edge with
    its value written beside it, so the finalists' intervals stay readable."""
    focus = [p for p, r in zip(points, rows, strict=True) if r["origin"] == "search"]
    everything = points if len(focus) < 2 else focus
    lo = min(p[1] for p in everything)
    hi = max(p[2] for p in everything)
    pad = 0.15 * (hi - lo) or 0.01
    lo, hi = lo - pad, hi + pad
    for i, (r, (v, a, b)) in enumerate(zip(rows, points, strict=True)):
        colour = _colour(r)
        if lo <= v <= hi:
            ax.errorbar(v, i, xerr=[[v - a], [b - v]], fmt="o", color=colour, capsize=3)
            continue
        edge, marker, ha = (lo, "<", "left") if v < lo else (hi, ">", "right")
        ax.plot(edge, i, marker=marker, color=colour, markersize=7, clip_on=False)
        ax.annotate(
            f"{v:.3f} (off the scale)",
            (edge, i),
            xytext=(8 if ha == "left" else -8, 0),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=8,
            color=colour,
        )
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(plt.MaxNLocator(5))


def optimize_charts(data: FolderData, out: Path) -> list[Chart]:
    charts = []
    objective = data.meta.get("objective", "objective")
    if data.final:
        rows = data.final
        fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 1.1 + 0.38 * len(rows)), sharey=True)
        est = [(r["estimate"], r["ci_low"], r["ci_high"]) for r in rows]
        diff = [
            (r["difference_from_best"], r["difference_ci_low"], r["difference_ci_high"])
            for r in rows
        ]
        for ax, points in ((left, est), (right, diff)):
            _intervals(ax, rows, points)
        left.set_yticks(range(len(rows)))
        left.set_yticklabels([final_label(r) for r in rows])
        left.invert_yaxis()
        if right.get_xlim()[0] <= 0 <= right.get_xlim()[1]:
            right.axvline(0, color="#333333", linewidth=0.8)
        for ax in (left, right):
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        left.set_xlabel(f"{objective}: estimate with 95% interval")
        right.set_xlabel("difference from the recommended one (paired, 95%)")
        fig.tight_layout()
        charts.append(
            Chart(
                "optimize_final",
                "Final comparison on fresh simulations",
                "The strategies that reached the final stage, and the file's own strategies, "
                "counted on fresh simulated elections the search never saw (so the search's "
                "luck does not flatter them). Left: each one's estimate with its 95% interval. "
                "Right: its difference from the recommended strategy (blue), measured on the "
                "same simulated elections; an interval wholly left of 0 means the recommended "
                "one is better beyond the simulations' uncertainty. Orange: the scenario "
                "file's strategies; one far from the others is an arrow at the edge with its "
                "value.",
                _save(fig, "optimize_final", out),
            )
        )
    scored = [r for r in data.search if r["train_simulations"]]
    if scored:
        fig, ax = plt.subplots(figsize=(9.5, 3.4))
        x = list(range(1, len(scored) + 1))
        est = [r["train_estimate"] for r in scored]
        ax.scatter(x, est, s=9, color="#9aa5b4", label="strategy scored", zorder=2)
        groups = (
            ("reached the final comparison", lambda r: r["stage"] == "final", PALETTE[1], "o"),
            ("in the scenario file", lambda r: r["origin"] == "scenario", PALETTE[2], "D"),
            ("recommended", lambda r: r["selected"], PALETTE[0], "*"),
        )
        for label, pick, colour, marker in groups:
            idx = [i for i, r in enumerate(scored) if pick(r)]
            if idx:
                ax.scatter(
                    [x[i] for i in idx],
                    [est[i] for i in idx],
                    s=110 if marker == "*" else 28,
                    color=colour,
                    marker=marker,
                    label=label,
                    zorder=3,
                    edgecolors="white" if marker != "*" else "black",
                    linewidths=0.5,
                )
        best, so_far = -math.inf, []
        for e in est:
            best = max(best, e)
            so_far.append(best)
        ax.step(x, so_far, where="post", color="#333333", linewidth=1, label="best so far")
        ax.set_xlabel("strategies, in the order the search scored them")
        ax.set_ylabel(f"{objective} (training estimate)")
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        fig.tight_layout()
        settings = data.meta.get("settings") or {}
        charts.append(
            Chart(
                "optimize_search",
                "How the search went",
                f"Every strategy the search scored ({len(scored):,}, "
                f"{settings.get('search', '')} search), in order, with its estimate on the "
                f"training simulations ({settings.get('train_simulations', '?')} each, shared "
                "by all). Orange: those that went on to the final comparison; star: the one "
                "recommended; the black line is the best training estimate so far. Training "
                "estimates of the best are flattered by luck, which is why the final "
                "comparison above uses fresh simulations.",
                _save(fig, "optimize_search", out),
            )
        )
    return charts
