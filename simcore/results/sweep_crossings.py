"""Crossings: where a strategy's paired difference from the first strategy changes sign along
a line of a sweep (docs/sweep.md).

Along each varied key with numeric values (holding any other varied keys fixed), for each
strategy after the first and each measure of :data:`MEASURES`, the points are put in order of
the key's value.  Where the paired difference ``d`` is below zero at one point and above at the
next (points where it is exactly zero are passed over), the crossing is placed by linear
interpolation, ``x0 + (x1 - x0) * d0 / (d0 - d1)``.  Its interval runs between the points where
the 95% interval of ``d`` stops including zero on either side: the last point before the
crossing whose interval lies wholly on the earlier sign, interpolated linearly to where that
bound reaches zero towards the next point; likewise after.  When the interval still includes
zero at the first (or last) point of the line, that end is open: the crossing may lie beyond the
swept range.
"""

from __future__ import annotations

from collections.abc import Sequence

from simcore.results.sweep_outputs import measure_label

MEASURES = ("mean seats", "P(elected)", "P(win)")  # the measures crossings are looked for in


def _interp(x0: float, y0: float, x1: float, y1: float) -> float:
    """Where the line through (x0, y0) and (x1, y1) reaches y = 0."""
    return x0 + (x1 - x0) * y0 / (y0 - y1)


def line_crossings(
    xs: Sequence[float], d: Sequence[float], lo: Sequence[float], hi: Sequence[float]
) -> list[dict]:
    """The sign changes of ``d`` along ``xs`` (ascending), each with its interval from the 95%
    bounds ``lo`` and ``hi``: dicts of ``below``, ``above`` (the bracketing values),
    ``crossing``, ``interval_low``, ``interval_high`` (None where open), ``rising``."""
    idx = [i for i in range(len(xs)) if d[i] == d[i] and d[i] != 0]  # (not NaN, not zero)
    out = []
    for a, b in zip(idx, idx[1:], strict=False):
        if (d[a] < 0) == (d[b] < 0):
            continue
        rising = d[a] < 0
        # before: the last point at or before a whose interval lies wholly on a's side
        before = hi if rising else lo
        low = None
        for j in range(a, -1, -1):
            if (before[j] < 0) if rising else (before[j] > 0):
                low = _interp(xs[j], before[j], xs[j + 1], before[j + 1])
                break
        # after: the first point at or after b whose interval lies wholly on b's side
        after = lo if rising else hi
        high = None
        for k in range(b, len(xs)):
            if (after[k] > 0) if rising else (after[k] < 0):
                high = _interp(xs[k - 1], after[k - 1], xs[k], after[k])
                break
        out.append(
            {
                "below": xs[a],
                "above": xs[b],
                "crossing": _interp(xs[a], d[a], xs[b], d[b]),
                "interval_low": low,
                "interval_high": high,
                "rising": rising,
            }
        )
    return out


def find_crossings(rows: list[dict], keys: Sequence[str], numeric: Sequence[bool]) -> list[dict]:
    """Every crossing in the sweep's ``rows``, along each numeric key (rows of
    :data:`crossings.csv <simcore.results.sweep_outputs.CROSSING_COLUMNS>`)."""
    if not rows:
        return []
    first = rows[0]["strategy"]
    lines: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["strategy"] == first or r["measure"] not in MEASURES:
            continue
        for a, key in enumerate(keys):
            if not numeric[a]:
                continue
            fixed = tuple((k, r[k]) for k in keys if k != key)
            lines.setdefault((key, r["strategy"], measure_label(r), fixed), []).append(r)
    out = []
    for (key, strategy, label, fixed), line in lines.items():
        line.sort(key=lambda r: r[key])
        found = line_crossings(
            [r[key] for r in line],
            [r["difference_from_first"] for r in line],
            [r["difference_ci_low"] for r in line],
            [r["difference_ci_high"] for r in line],
        )
        for c in found:
            lo, hi = c["interval_low"], c["interval_high"]
            row = {
                "key": key,
                "strategy": strategy,
                "versus": first,
                "measure": label,
                "fixed": ", ".join(f"{k}={v}" for k, v in fixed),
                "below": c["below"],
                "above": c["above"],
                "crossing": c["crossing"],
                "interval_low": lo,
                "interval_high": hi,
                "interval_open": "/".join(
                    side for side, v in (("low", lo), ("high", hi)) if v is None
                ),
                "direction": "rising" if c["rising"] else "falling",
            }
            row["summary"] = sentence(row, line[0][key], line[-1][key])
            out.append(row)
    return out


def sentence(c: dict, first_x: float, last_x: float) -> str:
    """``regional beats national on mean seats [Grassroots Voice] once KEY >= 0.71 (95%: 0.66
    to 0.77)``: 'beats' means a higher estimate."""
    winner, loser = (
        (c["strategy"], c["versus"]) if c["direction"] == "rising" else (c["versus"], c["strategy"])
    )
    low = f"{c['interval_low']:.4g}" if c["interval_low"] is not None else f"below {first_x:.4g}"
    high = f"{c['interval_high']:.4g}" if c["interval_high"] is not None else f"above {last_x:.4g}"
    where = f" (with {c['fixed']})" if c["fixed"] else ""
    return (
        f"{winner} beats {loser} on {c['measure']} once {c['key']} >= {c['crossing']:.4g} "
        f"(95%: {low} to {high}){where}"
    )
