"""The readable summary of a simulation run, for the terminal."""

from __future__ import annotations


def _pm(est: float, se: float, digits: int) -> str:
    return f"{est:.{digits}f} ± {se:.{digits}f}"


def render_summary(rows: list[dict], metadata: dict, top: int = 12) -> str:
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
    out.append("")
    out.append(
        f"Mean seats (± Monte Carlo standard error); below: paired difference from '{first}'"
    )
    width = max(len(s) for s in strategies) + 2
    cols = [g for g in groups if any(mean[(s, g)]["estimate"] > 0 for s in strategies)]
    colw = max([16] + [len(g) + 2 for g in cols])
    out.append(" " * width + "".join(g.rjust(colw) for g in cols))
    for s in strategies:
        out.append(
            s.ljust(width)
            + "".join(
                _pm(mean[(s, g)]["estimate"], mean[(s, g)]["std_error"], 3).rjust(colw)
                for g in cols
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
                    for g in cols
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
    out.append(" " * namew + "".join(s.rjust(sw) for s in strategies))
    for c in shown:
        out.append(
            c.ljust(namew)
            + "".join(f"{by_cand[c][s]['estimate']:.3f}".rjust(sw) for s in strategies)
        )
    t = m.get("timings", {})
    if t.get("simulations_per_s"):
        out.append("")
        out.append(
            f"{t['simulate_s']:.1f} s, {t['simulations_per_s']:,.0f} simulations/s on "
            f"{m['threads']} thread{'s' if m['threads'] != 1 else ''}"
        )
    return "\n".join(out)
