"""The terminal summary of a sweep: the headline measure per point and strategy, then the
crossings in words."""

from __future__ import annotations

from simcore.results.sweep_outputs import wide_rows

HEADLINES = ("mean seats [", "P(win) [")  # the measures the table shows
MAX_ROWS = 60  # table rows shown (the CSV files have them all)


def render_sweep(rows: list[dict], keys: list[str], crossings: list[dict], meta: dict) -> str:
    wide, columns = wide_rows(rows, keys)
    shown = [c for c in columns if c.startswith(HEADLINES)]
    head = [*keys, "strategy", *shown]
    cells = [[_fmt(r.get(c)) for c in head] for r in wide[:MAX_ROWS]]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(head)]
    lines = [
        f"{meta['scenario']}: {meta['points']} point(s) x {len(meta['strategies'])} "
        f"strategies, {meta['simulations']:,} simulations each, seed {meta['seed']} "
        "(common random numbers)",
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    if len(wide) > MAX_ROWS:
        lines.append(f"... {len(wide) - MAX_ROWS} more row(s) in sweep_wide.csv")
    if crossings:
        lines.append("Crossings (paired differences from the first strategy changing sign):")
        lines += [f"  {c['summary']}" for c in crossings]
    else:
        lines.append(
            "No crossings: no paired difference from the first strategy changes sign between "
            "adjacent points."
        )
    return "\n".join(lines)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if v == v else ""
    return "" if v is None else str(v)
