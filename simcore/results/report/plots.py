"""The report's charts (matplotlib, Agg backend), each saved as PNG and SVG in ``plots/``.

SVG output is deterministic (fixed ``svg.hashsalt``, no date), so rebuilding a report from the
same folder gives identical files; text stays text (``svg.fonttype = none``), so the page can
embed the SVGs inline with no font files.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from simcore.results.report.folder_data import NA, FolderData  # noqa: E402

RC = {
    "svg.hashsalt": "simcore-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# colour-blind-safe palette (Okabe-Ito), slates in scenario order; grey for "no slate"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
NO_SLATE = "#888888"
MARKERS = ["o", "s", "D", "^", "v", "P", "X"]
Z95 = 1.959963984540054


@dataclass
class Chart:
    name: str  # file stem in plots/
    title: str
    explain: str  # what the chart shows, in plain words
    svg: str  # inline <svg> element


def _save(fig, name: str, out: Path) -> str:
    fig.savefig(out / f"{name}.png", dpi=130, bbox_inches="tight", metadata={"Software": None})
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    (out / f"{name}.svg").write_text(buf.getvalue(), encoding="utf-8")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def slate_colours(data: FolderData) -> dict[str, str]:
    names = list((data.meta.get("slates") or {}).values())
    for r in data.rows:  # (a folder without the names in run.json)
        if r["slate"] not in names and r["slate"] not in (NA, "no slate"):
            names.append(r["slate"])
    colours = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    colours["no slate"] = NO_SLATE
    colours[NA] = NO_SLATE
    return colours


def _err(r) -> tuple[float, float]:
    return r["estimate"] - r["ci_low"], r["ci_high"] - r["estimate"]


def seats_chart(data: FolderData, out: Path) -> Chart | None:
    rows = data.measure("P(seats = k)")
    if not rows:
        return None
    strategies = data.strategies
    slates = list(dict.fromkeys(r["slate"] for r in rows))
    mean = {(r["strategy"], r["slate"]): r["estimate"] for r in data.measure("mean seats")}
    slates = [g for g in slates if any(mean.get((s, g), 0) > 0 for s in strategies)]
    if not slates:
        return None
    top = max(int(r["seats"]) for r in rows)
    val = {(r["strategy"], r["slate"], int(r["seats"])): r for r in rows}
    cols = min(2, len(slates))
    nrow = math.ceil(len(slates) / cols)
    fig, axes = plt.subplots(nrow, cols, figsize=(5.2 * cols, 2.9 * nrow), squeeze=False)
    width = 0.8 / len(strategies)
    shades = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
    for i, g in enumerate(slates):
        ax = axes[i // cols][i % cols]
        seen = [
            k for k in range(top + 1) if any(val[(s, g, k)]["estimate"] > 0 for s in strategies)
        ]
        ks = list(range(max(min(seen) - 1, 0), min(max(seen) + 1, top) + 1))
        for j, s in enumerate(strategies):
            xs = [k - 0.4 + width * (j + 0.5) for k in ks]
            rs = [val[(s, g, k)] for k in ks]
            # (no interval drawn on a bar of 0: it reads as a bar)
            lo = [r["estimate"] - r["ci_low"] if r["estimate"] > 0 else 0 for r in rs]
            hi = [r["ci_high"] - r["estimate"] if r["estimate"] > 0 else 0 for r in rs]
            ax.bar(
                xs,
                [r["estimate"] for r in rs],
                width,
                yerr=[lo, hi],
                capsize=1.5,
                error_kw={"elinewidth": 0.7, "ecolor": "#333333"},
                color=shades[j % len(shades)],
                label=s,
            )
        ax.set_title(f"{g}: mean {', '.join(f'{mean[(s, g)]:.2f}' for s in strategies)}")
        ax.set_xticks(ks)
        ax.set_xlabel("seats won")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    for i in range(len(slates), nrow * cols):
        axes[i // cols][i % cols].axis("off")
    axes[0][0].legend(title="strategy", fontsize=8, frameon=False)
    fig.tight_layout()
    return Chart(
        "seats",
        "How many seats each slate wins",
        "For each slate, the chance of winning exactly 0, 1, 2, ... seats, one bar per "
        "strategy, side by side. Taller bars further right mean more seats. The thin black "
        "lines are 95% intervals (the simulation's uncertainty about each chance). The "
        "heading gives the average seats under each strategy, in the legend's order. Seat "
        "counts far from every simulated result are left out.",
        _save(fig, "seats", out),
    )


def candidates_chart(data: FolderData, out: Path, measure: str) -> Chart | None:
    rows = data.measure(measure)
    if not rows:
        return None
    strategies = data.strategies
    by = {(r["strategy"], r["candidate"]): r for r in rows}
    names = list(dict.fromkeys(r["candidate"] for r in rows))
    names.sort(key=lambda c: -max(by[(s, c)]["estimate"] for s in strategies))  # (stable)
    never = [c for c in names if all(by[(s, c)]["estimate"] == 0 for s in strategies)]
    if len(never) < len(names):
        names = [c for c in names if c not in never]
    else:
        never = []
    slate = {r["candidate"]: r["slate"] for r in rows}
    colours = slate_colours(data)
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.24 * len(names) * max(1, len(strategies) / 2)))
    step = 0.7 / max(len(strategies), 1)
    for j, s in enumerate(strategies):
        for i, c in enumerate(names):
            r = by[(s, c)]
            y = i - 0.35 + step * (j + 0.5)
            lo, hi = _err(r)
            ax.errorbar(
                r["estimate"],
                y,
                xerr=[[lo], [hi]],
                fmt=MARKERS[j % len(MARKERS)],
                color=colours.get(slate[c], NO_SLATE),
                markersize=4,
                elinewidth=0.9,
                capsize=1.5,
            )
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.02)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_xlabel(f"{measure} with 95% interval")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    handles = [plt.Line2D([], [], linestyle="", label="strategy (shape):")]
    handles += [
        plt.Line2D([], [], marker=MARKERS[j % len(MARKERS)], color="#444444", linestyle="", label=s)
        for j, s in enumerate(strategies)
    ]
    handles.append(plt.Line2D([], [], linestyle="", label="slate (colour):"))
    shown = [g for g in dict.fromkeys(slate.values())]
    handles += [
        plt.Line2D([], [], marker="s", color=colours.get(g, NO_SLATE), linestyle="", label=g)
        for g in shown
        if g != NA
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False
    )
    fig.tight_layout()
    word = "being elected" if measure == "P(elected)" else "winning"
    name = "elected" if measure == "P(elected)" else "win"
    return Chart(
        name,
        f"Each candidate's chance of {word}",
        f"Every candidate, most likely first, with the chance of {word} under each strategy "
        "(one marker shape per strategy) and its 95% interval (the line through the marker). "
        "Colours show the candidate's slate."
        + (
            f" Not shown: {len(never)} candidates {word.replace('being ', '')} in no simulation "
            f"under any strategy ({', '.join(never)})."
            if never
            else ""
        ),
        _save(fig, name, out),
    )


def differences_chart(data: FolderData, out: Path, limit: int = 25) -> Chart | None:
    strategies = data.strategies
    if len(strategies) < 2:
        return None
    wanted = ("mean seats", "P(elected)", "P(win)", "P(no majority)", "mean weight won")
    rows = [
        r
        for r in data.rows
        if r["strategy"] != strategies[0]
        and r["measure"] in wanted
        and not math.isnan(r["difference_from_first"])
        and (r["difference_from_first"] != 0 or r["difference_std_error"] > 0)
    ]
    if not rows:
        return None
    rows.sort(key=lambda r: -abs(r["difference_from_first"]))
    rows = rows[:limit]
    colours = slate_colours(data)
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.26 * len(rows)))
    for i, r in enumerate(rows):
        d = r["difference_from_first"]
        lo, hi = d - r["difference_ci_low"], r["difference_ci_high"] - d
        resolved = r["difference_ci_low"] > 0 or r["difference_ci_high"] < 0
        ax.errorbar(
            d,
            i,
            xerr=[[lo], [hi]],
            fmt="o" if resolved else "o",
            mfc=colours.get(r["slate"], NO_SLATE) if resolved else "white",
            color=colours.get(r["slate"], NO_SLATE),
            markersize=5,
            capsize=2,
        )
    labels = []
    for r in rows:
        who = r["candidate"] if r["candidate"] != NA else r["slate"]
        what = "seats" if r["measure"] == "mean seats" else r["measure"]
        vs = f" ({r['strategy']})" if len(strategies) > 2 else ""
        labels.append(f"{who}: {what}{vs}")
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    other = strategies[1] if len(strategies) == 2 else "each other strategy"
    ax.set_xlabel(f"'{other}' minus '{strategies[0]}' (paired, with 95% interval)")
    fig.tight_layout()
    return Chart(
        "differences",
        "What changing strategy changes",
        f"How much each measure moves under {other!s} compared with '{strategies[0]}', "
        "measured on the same simulated elections (so small differences show up). Right of "
        "the line: higher than under the first strategy. Filled dots are differences the "
        "simulations resolve (the 95% interval leaves out 0); hollow dots could be chance. "
        "Probabilities are shown as fractions (0.05 = 5 points); the largest changes are "
        "listed first.",
        _save(fig, "differences", out),
    )


def make_charts(data: FolderData, out: Path) -> list[Chart]:
    from simcore.results.report.plots_extra import optimize_charts, sweep_charts

    # (with dozens of strategies a layout can be cramped: matplotlib warns and draws it anyway)
    with matplotlib.rc_context(RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Tight layout not applied", UserWarning)
        if data.kind == "sweep":
            charts = sweep_charts(data, out)
        elif data.kind == "optimize":
            charts = optimize_charts(data, out)
        else:
            charts = [
                seats_chart(data, out),
                candidates_chart(data, out, "P(elected)"),
                candidates_chart(data, out, "P(win)"),
                differences_chart(data, out),
            ]
    return [c for c in charts if c is not None]
