"""What the report page shows of a sweep and of an optimisation, as plain values for the
templates ``sweep.html.j2`` and ``optimize.html.j2``."""

from __future__ import annotations

import math

from simcore.results.report.folder_data import NA, FolderData
from simcore.results.report.plots import Z95
from simcore.results.report.plots_extra import final_label

TABLE_POINTS = 30  # points in the sweep's seats table (every point is in the workbook)


def _g(x, digits: int = 4) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}g}"


def _value(v) -> str:
    return _g(v) if isinstance(v, float) else str(v)


def scenario_descriptions(data: FolderData) -> dict[str, str]:
    found = dict(data.descriptions())
    for st in getattr(data.scenario, "strategies", None) or ():
        found.setdefault(st.name, st.description or "")
    return found


def crossing_rows(data: FolderData) -> list[dict]:
    out = []
    for c in data.crossings:
        low = _g(c["interval_low"]) if not math.isnan(c["interval_low"]) else "below the sweep"
        high = _g(c["interval_high"]) if not math.isnan(c["interval_high"]) else "above the sweep"
        winner, loser = (
            (c["strategy"], c["versus"])
            if c["direction"] == "rising"
            else (c["versus"], c["strategy"])
        )
        fixed = c["fixed"] if isinstance(c["fixed"], str) and c["fixed"] else ""
        words = (
            f"\u201c{winner}\u201d overtakes \u201c{loser}\u201d on {c['measure']} at "
            f"{_g(c['crossing'])}, as {c['key']} grows"
            + (f" (with {fixed})" if fixed else "")
            + "."
        )
        out.append(
            {
                "words": words,
                "at": _g(c["crossing"])
                if len(data.sweep_keys) == 1
                else f"{c['key']} = {_g(c['crossing'])}",
                "interval": f"{low} to {high}",
                "between": f"{_g(c['below'])} and {_g(c['above'])}",
            }
        )
    return out


def sweep_context(data: FolderData) -> dict:
    keys = data.sweep_keys
    strategies = data.strategies
    seats = [r for r in data.sweep if r["measure"] == "mean seats"]
    by = {(r["point"], r["strategy"], r["slate"]): r for r in seats}
    points = list(dict.fromkeys(r["point"] for r in data.sweep))
    label = {p: next(r for r in data.sweep if r["point"] == p) for p in points}
    table = []
    for slate in dict.fromkeys(r["slate"] for r in seats):
        if all(r["estimate"] == 0 for r in seats if r["slate"] == slate):
            continue
        rows = []
        for p in points[:TABLE_POINTS]:
            cells = []
            for s in strategies:
                r = by[(p, s, slate)]
                d = r["difference_from_first"]
                has = s != strategies[0] and d is not None and not math.isnan(d)
                cells.append(
                    {
                        "value": f"{r['estimate']:.2f}",
                        "interval": f"{r['ci_low']:.2f} to {r['ci_high']:.2f}",
                        "diff": (
                            f"{d:+.2f} (95%: {r['difference_ci_low']:+.2f} to "
                            f"{r['difference_ci_high']:+.2f})"
                            if has
                            else ""
                        ),
                        "resolved": has
                        and (r["difference_ci_low"] > 0 or r["difference_ci_high"] < 0),
                    }
                )
            rows.append((", ".join(_value(label[p][k]) for k in keys), cells))
        table.append((slate, rows))
    return {
        "points": len(points),
        "varied": [
            (v["key"], ", ".join(_value(x) for x in v["values"]))
            for v in data.meta.get("varied") or []
        ],
        "crossings": crossing_rows(data),
        "table": table,
        "table_cut": len(points) > TABLE_POINTS,
        "point_header": ", ".join(keys),
    }


OBJECTIVE_WORDS = {
    "seats": "the slate's average number of seats",
    "all-elected": "the chance that every candidate of the slate is elected",
}


def objective_words(objective: str) -> str:
    if objective in OBJECTIVE_WORDS:
        return OBJECTIVE_WORDS[objective]
    if objective.startswith("seats>="):
        return f"the chance that the slate wins at least {objective[7:]} seats"
    if objective.startswith("elected:"):
        return f"the chance that {objective[8:]} is elected"
    return objective


def _num(x, digits: int = 4) -> str:
    return f"{x:.{digits}f}"


def optimize_context(data: FolderData) -> dict:
    m = data.meta
    result = m.get("result") or {}
    best = result.get("best") or {}
    regions = data.regions
    selected = next((r for r in data.search if r["selected"]), None)
    files = [r for r in data.search if r["origin"] == "scenario"]
    orders = [
        (
            region,
            " > ".join(best.get("orderings", {}).get(region, []))
            or (selected or {}).get(f"order [{region}]", ""),
            [r.get(f"order [{region}]") or NA for r in files],
        )
        for region in regions
    ]
    se = best.get("std_error") or 0.0
    est = best.get("estimate", math.nan)
    vs = []
    for name, d in (best.get("vs") or {}).items():
        dse = d.get("std_error") or 0.0
        lo, hi = d["difference"] - Z95 * dse, d["difference"] + Z95 * dse
        better = "better" if d["difference"] > 0 else "worse"
        vs.append(
            {
                "name": name,
                "text": f"the recommendation is {abs(d['difference']):.4f} {better} "
                f"(95%: {lo:+.4f} to {hi:+.4f}, paired)",
                "resolved": lo > 0 or hi < 0,
            }
        )
    final = [
        {
            "rank": int(r["rank"]),
            "label": final_label(r),
            "orderings": r["orderings"],
            "estimate": _num(r["estimate"]),
            "interval": f"{_num(r['ci_low'])} to {_num(r['ci_high'])}",
            "diff": "" if r["selected"] else f"{r['difference_from_best']:+.4f}",
            "diff_interval": ""
            if r["selected"]
            else f"{r['difference_ci_low']:+.4f} to {r['difference_ci_high']:+.4f}",
            "resolved": not r["selected"]
            and (r["difference_ci_low"] > 0 or r["difference_ci_high"] < 0),
        }
        for r in data.final
    ]
    settings, selection, fin = m.get("settings", {}), m.get("selection", {}), m.get("final", {})
    half = fin.get("widest_half_width")
    precision = settings.get("precision")
    if fin.get("precision_met"):
        ptext = (
            f"The final comparison reached the precision asked for: every 95% interval of a "
            f"difference is within +/- {precision:g}."
        )
    else:
        ptext = (
            f"The budget ran out before the final comparison reached the precision asked for "
            f"(+/- {precision:g}): its widest 95% half-width is {_g(half)}. Strategies whose "
            "intervals overlap the recommended one's may be as good; a larger --budget "
            "separates them."
        )
    names = {s.id: s.name for s in getattr(data.scenario, "slates", None) or ()}
    slate = m.get("slate", "")
    return {
        "slate": f"{names[slate]} ({slate})" if slate in names else slate,
        "objective": m.get("objective", ""),
        "objective_words": objective_words(m.get("objective", "")),
        "best": _num(est),
        "best_interval": f"{_num(est - Z95 * se)} to {_num(est + Z95 * se)}",
        "vs": vs,
        "others": [r["strategy"] for r in files],
        "orders": orders,
        "final": final,
        "scored": result.get("candidates_evaluated", 0),
        "space_size": (m.get("space") or {}).get("size", "?"),
        "search_method": settings.get("search", ""),
        "train_sims": settings.get("train_simulations", "?"),
        "finalists": settings.get("finalists", "?"),
        "selection_method": selection.get("method", ""),
        "selection_sims": selection.get("simulations", 0),
        "survivors": selection.get("survivors", "?"),
        "final_sims": fin.get("simulations", 0),
        "precision_text": ptext,
    }
