"""College results as text: round tables by section (weighted percentage points), CSV, JSON."""

from __future__ import annotations

import csv
import io
import json

from simcore.counting.college_api import CollegeResult


def to_json(res: CollegeResult, indent: int | None = 2) -> str:
    return json.dumps(res.to_dict(), indent=indent, ensure_ascii=False)


def _p(x) -> str:
    return f"{float(x * 100):.2f}"


def to_table(res: CollegeResult) -> str:
    lines = [f"{res.title} | {res.method} | winner: {res.winner or 'no majority'}"]
    if res.method == "block":
        width = max([len(u) for u in res.unit_winners] + [len("Unit")]) + 2
        lines.append(f"{'Unit'.ljust(width)}winner")
        for u, w in res.unit_winners.items():
            lines.append(f"{u.ljust(width)}{w or '(none)'}")
        lines.append("")
        lines.append(f"Weight won (of {res.total_weight}; a majority needs more than half):")
        for c, w in sorted(res.weight_won.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {c}: {w}")
        return "\n".join(lines)
    for r in res.rounds:
        sections = list(r.shares)
        names = list(r.totals)
        cw = max([len(n) for n in names] + [len("Candidate")]) + 2
        sw = [max(len(s), 7) + 2 for s in sections]
        lines.append("")
        lines.append(f"Round {r.number}")
        lines.append(
            "Candidate".ljust(cw)
            + "".join(s.rjust(w) for s, w in zip(sections, sw, strict=True))
            + "total".rjust(9)
        )
        for n in names:
            lines.append(
                n.ljust(cw)
                + "".join(_p(r.shares[s][n]).rjust(w) for s, w in zip(sections, sw, strict=True))
                + _p(r.totals[n]).rjust(9)
            )
        if r.excluded:
            tie = f" (tie broken by {r.tie})" if r.tie else ""
            lines.append(f"Excluded: {r.excluded}{tie}")
    lines.append("")
    lines.append(
        f"Winner: {res.winner}; runner-up: {res.runner_up}; decisive section: "
        f"{res.decisive_section}"
    )
    lines.append(
        "Figures are weighted percentage points; each section's column sums to 100 x its weight."
    )
    return "\n".join(lines)


CSV_COLUMNS = (
    "file",
    "round",
    "section",
    "candidate",
    "votes",
    "non_exhausted",
    "weighted_share",
    "weighted_total",
    "excluded_after_round",
)


def to_csv(res: CollegeResult, header: bool = True) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(CSV_COLUMNS)
    if res.method == "block":
        for u, win in res.unit_winners.items():
            w.writerow([res.source or "", 1, u, win or "", "", "", "", "", ""])
        return buf.getvalue()
    for r in res.rounds:
        for s in r.votes:
            for c in r.totals:
                w.writerow(
                    [
                        res.source or "",
                        r.number,
                        s,
                        c,
                        r.votes[s][c],
                        r.active[s],
                        f"{float(r.shares[s][c] * 100):.6f}",
                        f"{float(r.totals[c] * 100):.6f}",
                        r.excluded or "",
                    ]
                )
    return buf.getvalue()
