"""The readable summary of a simulation run, for the terminal."""

from __future__ import annotations

import shutil


def width_limit() -> int:
    """The terminal's width (100 when not a terminal)."""
    return shutil.get_terminal_size((100, 24)).columns


def blocks(label_width: int, col_widths: list[int], limit: int | None = None) -> list[range]:
    """The columns in consecutive blocks, each fitting ``limit`` characters beside the row
    labels (at least one column per block)."""
    limit = limit or width_limit()
    out, start, used = [], 0, label_width
    for j, w in enumerate(col_widths):
        if j > start and used + w > limit:
            out.append(range(start, j))
            start, used = j, label_width
        used += w
    out.append(range(start, len(col_widths)))
    return out


def _pm(est: float, se: float, digits: int) -> str:
    return f"{est:.{digits}f} ± {se:.{digits}f}"


def _run_notes(m: dict) -> list[str]:
    """What a run with a precision target came to, and whether its electorates were sampled
    (nothing for a plain exact run)."""
    out = []
    k = m.get("voters_per_ballot", 1)
    if k > 1:
        out.append(
            f"Approximate: voters sampled 1 in {k} below their first drawn preference, each "
            f"sampled ballot counted {k} times (see 'simcore check-sampling')"
        )
    if m.get("precision") is None:
        return out
    how = "met" if m.get("precision_met") else "not met"
    return out + [
        f"Precision +/- {m['precision']:g} {how} after {m['simulations']:,} of at most "
        f"{m['max_simulations']:,} simulations (widest 95% interval: "
        f"+/- {m.get('precision_reached', float('nan')):.4f})"
    ]


def render_college(rows: list[dict], metadata: dict) -> str:
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    m = metadata
    out = [f"{m['scenario']}: {m['simulations']:,} simulations, seed {m['seed']}, {m['rule']}"]
    out += _run_notes(m) + [""]

    def table(measure, key, title, fmt="{:.3f}"):
        items = list(dict.fromkeys(r[key] for r in rows if r["measure"] == measure))
        if not items:
            return
        val = {(r["strategy"], r[key]): r for r in rows if r["measure"] == measure}
        cells = {
            (s, i): fmt.format(val[(s, i)]["estimate"])
            + " ± "
            + fmt.format(val[(s, i)]["std_error"])
            for s in strategies
            for i in items
        }
        cw = max([len(c) for c in cells.values()] + [len(s) for s in strategies]) + 2
        w = max(len(i) for i in items) + 2
        out.append(title)
        for block in blocks(w, [cw] * len(strategies)):
            shown = [strategies[j] for j in block]
            out.append(" " * w + "".join(s.rjust(cw) for s in shown))
            for i in items:
                out.append(i.ljust(w) + "".join(cells[(s, i)].rjust(cw) for s in shown))
            out.append("")

    table("P(win)", "candidate", "P(win) (± Monte Carlo standard error)")
    nomaj = {r["strategy"]: r for r in rows if r["measure"] == "P(no majority)"}
    if nomaj:
        out.append(
            "P(no majority): "
            + ", ".join(
                f"{s} {nomaj[s]['estimate']:.3f} ± {nomaj[s]['std_error']:.3f}" for s in strategies
            )
        )
        out.append("")
    table("mean weight won", "candidate", "Mean weight won", "{:.1f}")
    table("P(decisive section)", "section", "P(decisive section)")
    rounds = {r["strategy"]: r for r in rows if r["measure"] == "mean rounds"}
    if rounds:
        out.append(
            "Mean rounds: " + ", ".join(f"{s} {rounds[s]['estimate']:.2f}" for s in strategies)
        )
    t = m.get("timings", {})
    if t.get("simulations_per_s"):
        out.append(
            f"{t['simulate_s']:.1f} s, {t['simulations_per_s']:,.0f} simulations/s on "
            f"{m['threads']} thread{'s' if m['threads'] != 1 else ''}"
        )
    return "\n".join(out)


def render_summary(rows: list[dict], metadata: dict, top: int = 12) -> str:
    if str(metadata.get("rule", "")).startswith("college"):
        return render_college(rows, metadata)
    strategies = list(dict.fromkeys(r["strategy"] for r in rows))
    first = strategies[0]
    groups = list(dict.fromkeys(r["slate"] for r in rows if r["measure"] == "mean seats"))
    mean = {(r["strategy"], r["slate"]): r for r in rows if r["measure"] == "mean seats"}
    out = []
    m = metadata
    out.append(
        f"{m['scenario']}: {m['simulations']:,} simulations, seed {m['seed']}, rule {m['rule']}, "
        f"{m['seats']} seats"
    )
    out += _run_notes(m)
    out.append("")
    out.append("Mean seats (± Monte Carlo standard error)")
    out.append(f"below each: the paired difference from '{first}'")
    width = max(len(s) for s in strategies) + 2
    cols = [g for g in groups if any(mean[(s, g)]["estimate"] > 0 for s in strategies)]
    colw = max([16] + [len(g) + 2 for g in cols])
    for n, block in enumerate(blocks(width, [colw] * len(cols))):
        shown = [cols[j] for j in block]
        if n:
            out.append("")
        out.append(" " * width + "".join(g.rjust(colw) for g in shown))
        for s in strategies:
            out.append(
                s.ljust(width)
                + "".join(
                    _pm(mean[(s, g)]["estimate"], mean[(s, g)]["std_error"], 3).rjust(colw)
                    for g in shown
                )
            )
            if s != first:
                out.append(
                    " " * width
                    + "".join(
                        (
                            "{:+.3f} ± {:.3f}".format(
                                mean[(s, g)]["difference_from_first"],
                                mean[(s, g)]["difference_std_error"],
                            )
                        ).rjust(colw)
                        for g in shown
                    )
                )
    out.append("")
    elected = [r for r in rows if r["measure"] == "P(elected)"]
    by_cand: dict[str, dict[str, dict]] = {}
    for r in elected:
        by_cand.setdefault(r["candidate"], {})[r["strategy"]] = r
    order = sorted(by_cand, key=lambda c: -max(v["estimate"] for v in by_cand[c].values()))
    shown = order[:top]
    out.append(f"P(elected), the {len(shown)} most likely candidates of {len(order)}")
    namew = max(len(c) for c in shown) + 2
    sw = max(max(len(s) for s in strategies) + 2, 10)
    for n, block in enumerate(blocks(namew, [sw] * len(strategies))):
        cols_shown = [strategies[j] for j in block]
        if n:
            out.append("")
        out.append(" " * namew + "".join(s.rjust(sw) for s in cols_shown))
        for c in shown:
            out.append(
                c.ljust(namew)
                + "".join(f"{by_cand[c][s]['estimate']:.3f}".rjust(sw) for s in cols_shown)
            )
    t = m.get("timings", {})
    if t.get("simulations_per_s"):
        out.append("")
        out.append(
            f"{t['simulate_s']:.1f} s, {t['simulations_per_s']:,.0f} simulations/s on "
            f"{m['threads']} thread{'s' if m['threads'] != 1 else ''}"
        )
    return "\n".join(out)
