"""Count results as text: a stage table for the terminal, JSON, and tidy CSV rows."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap

from simcore.counting.result import Result, fixed_str

CSV_COLUMNS = (
    "file",
    "stage",
    "action",
    "subject",
    "candidate",
    "votes",
    "state",
    "non_transferable",
    "lost_to_rounding",
    "quota",
)


def to_json(result: Result, *, indent: int | None = None) -> str:
    return json.dumps(result.to_dict(), indent=indent, ensure_ascii=False)


def csv_header() -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(CSV_COLUMNS)
    return buf.getvalue()


def to_csv_rows(result: Result) -> str:
    """One row per stage and candidate (a tidy table a spreadsheet can pivot)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    d = result.decimals

    def s(x):
        return fixed_str(int(x.scaleb(d)), d)

    for st in result.stages:
        for name, votes in st.votes.items():
            w.writerow(
                [
                    result.source or "",
                    st.number,
                    st.action,
                    _subject(st),
                    name,
                    s(votes),
                    st.states[name],
                    s(st.non_transferable),
                    s(st.lost),
                    s(st.quota),
                ]
            )
    return buf.getvalue()


SUBJECT_WIDTH = 24  # a stage's subject wraps at this width


def terminal_width() -> int:
    """The terminal's width (``COLUMNS`` if set), 100 when output is not a terminal."""
    return max(shutil.get_terminal_size((100, 24)).columns, 40)


def _blocks(widths: list[int], width: int) -> list[list[int]]:
    """The stage columns (1, 2, ...) in blocks whose lines, beside the name column, fit
    ``width`` (a block holds at least one stage)."""
    out: list[list[int]] = [[]]
    used = widths[0]
    for j in range(1, len(widths)):
        if out[-1] and used + 2 + widths[j] > width:
            out.append([])
            used = widths[0]
        out[-1].append(j)
        used += 2 + widths[j]
    return out


def to_table(result: Result, width: int | None = None) -> str:
    """Candidates as rows, stages as columns; ``*`` marks elected, ``-`` excluded.  No line is
    wider than ``width`` (default: the terminal's): the stages are wrapped into blocks."""
    width = width or terminal_width()
    d = result.decimals

    def s(x):
        return fixed_str(int(x.scaleb(d)), d)

    stages = result.stages
    names = list(stages[0].votes) if stages else []
    # (a long subject, e.g. a bulk exclusion, takes several lines of SUBJECT_WIDTH)
    subjects = [textwrap.wrap(_subject(st), SUBJECT_WIDTH) or [""] for st in stages]
    depth = max((len(x) for x in subjects), default=1)
    head = [
        ["Stage"] + [str(st.number) for st in stages],
        ["Action"] + [_short(st.action) for st in stages],
    ]
    head += [
        ["Of" if i == 0 else ""] + [x[i] if i < len(x) else "" for x in subjects]
        for i in range(depth)
    ]
    body = []
    for name in names:
        row = [name]
        for st in stages:
            state = st.states[name]
            mark = "*" if state == "elected" else ("-" if state == "excluded" else " ")
            row.append(f"{s(st.votes[name])}{mark}")
        body.append(row)
    foot = [
        ["Non-transferable"] + [s(st.non_transferable) + " " for st in stages],
        ["Lost to rounding"] + [s(st.lost) + " " for st in stages],
        ["Quota"] + [s(st.quota) + " " for st in stages],
    ]
    rows = head + body + foot
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = []
    title = result.title or result.source or ""
    heading = (
        f"{title} | rule {result.rule} | {result.seats} seat{'s' if result.seats != 1 else ''} | "
        f"valid votes {s(result.valid_votes)} | quota {s(result.quota)}"
    )
    lines += textwrap.wrap(heading, width, break_on_hyphens=False) or [""]
    blocks = _blocks(widths, width)
    for b, block in enumerate(blocks):
        if b:
            lines.append("")
        shown = sum(widths[j] + 2 for j in block) + widths[0]
        for k, r in enumerate(rows):
            cells = [r[0].ljust(widths[0])[: max(width - 2 - widths[block[0]], 8)]]
            cells += [r[j].rjust(widths[j]) for j in block]
            lines.append("  ".join(cells).rstrip())
            if k in (len(head) - 1, len(head) + len(body) - 1):
                lines.append("-" * min(shown, width))
    gave_way = any(st.removed for st in stages)
    lines.append("* elected, - excluded" + (" (or gave way: replacement)" if gave_way else ""))
    elected = ", ".join(f"{n} (stage {_stage_of(result, n)})" for n in result.elected)
    lines += textwrap.wrap(f"Elected in order: {elected or 'nobody'}", width)
    ties = [st for st in stages if st.tie == "lot"]
    if ties:
        lines += textwrap.wrap(
            f"Ties decided by lot at stage(s) {', '.join(str(t.number) for t in ties)} "
            f"(seed {result.seed}; rerun with --seed {result.seed} to repeat)",
            width,
        )
    return "\n".join(lines)


def _short(action: str) -> str:
    return {"first preferences": "first", "surpluses": "iterate", "replacement": "replace"}.get(
        action, action
    )


def _subject(stage) -> str:
    """The stage's subject; a replacement reads "IN for OUT" (IN elected, OUT giving way)."""
    if stage.removed:
        return f"{stage.candidate} for {', '.join(stage.removed)}"
    return stage.candidate or ""


def _stage_of(result: Result, name: str) -> int:
    return next(st.number for st in result.stages if name in st.elected)
