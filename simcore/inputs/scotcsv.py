"""The scot-elex CSV layout (MGGG's Scottish election data).

Row 1 ``ncand,nseats,``; ballot rows ``count,c1,c2,...,`` (1-based candidate numbers); then one
row per candidate ``"Candidate i","Name","Party (P)",``; the last row is the ward name.  The party
becomes the candidate attribute ``party``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from simcore.errors import InputError, shown
from simcore.inputs.fastparse import CSV, scan_ballots
from simcore.inputs.text import parse_int, read_text
from simcore.model.profile import MAX_CANDIDATES, Profile


def _fields(row):
    out = [f.strip() for f in row]
    while out and out[-1] == "":
        out.pop()
    return out


def read_scot_csv(path: str | Path) -> Profile:
    text = read_text(path)
    try:
        rows = [(i, _fields(r)) for i, r in enumerate(csv.reader(text.splitlines()), start=1)]
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file ({exc})", path=path) from None
    rows = [(i, r) for i, r in rows if r]
    if not rows:
        raise InputError("file is empty", path=path)
    lineno, head = rows[0]
    if len(head) != 2:
        raise InputError(
            f"first row must be 'ncandidates,nseats', got {shown(','.join(head))}",
            path=path,
            line=lineno,
        )
    ncand = parse_int(
        head[0], what="number of candidates", path=path, line=lineno, high=MAX_CANDIDATES
    )
    seats = parse_int(head[1], what="number of seats", path=path, line=lineno)
    if ncand < 1 or seats < 1:
        raise InputError(
            "numbers of candidates and seats must be at least 1", path=path, line=lineno
        )

    fast = _fast_ballots(text, lineno, ncand)
    if fast is not None:
        weights_arr, ranks, rest = fast
        rows = rows[:1] + rest
        k = 1
    rankings, weights = [], []
    k = 1
    while k < len(rows) and _is_int(rows[k][1][0]):
        lineno, row = rows[k]
        weight = parse_int(row[0], what="ballot count", path=path, line=lineno)
        if weight <= 0:
            raise InputError(f"ballot count must be positive, got {weight}", path=path, line=lineno)
        ranking, seen = [], set()
        for tok in row[1:]:
            c = parse_int(tok, what="candidate number", path=path, line=lineno)
            if not 1 <= c <= ncand:
                raise InputError(
                    f"candidate number {c} is out of range 1..{ncand}", path=path, line=lineno
                )
            if c in seen:
                raise InputError(f"candidate {c} is ranked twice", path=path, line=lineno)
            seen.add(c)
            ranking.append(c - 1)
        rankings.append(ranking)
        weights.append(weight)
        k += 1
    cand_rows = rows[k : k + ncand]
    if len(cand_rows) < ncand:
        raise InputError(
            f"file is truncated: expected {ncand} candidate rows after the ballots, "
            f"found {len(cand_rows)}",
            path=path,
            line=rows[-1][0],
        )
    names, parties = [], []
    for lineno, row in cand_rows:
        if len(row) < 2 or not row[1]:
            raise InputError(
                'candidate row must be \'"Candidate i","Name","Party"\'', path=path, line=lineno
            )
        names.append(row[1])
        parties.append(row[2] if len(row) > 2 else "")
    tail = rows[k + ncand :]
    if len(tail) > 1:
        raise InputError("unexpected rows after the ward name", path=path, line=tail[1][0])
    title = tail[0][1][0] if tail else ""
    meta = dict(
        candidates=names,
        seats=seats,
        title=title,
        attributes={"party": tuple(parties)},
        source=str(path),
    )
    if fast is not None:
        return Profile.from_arrays(ranks, weights_arr, **meta)
    return Profile.from_rankings(rankings, weights, **meta)


def _fast_ballots(text: str, header_line: int, ncand: int):
    """Plain ballot rows scanned by the compiled scanner: ``(weights, rankings, rows after)``,
    or ``None`` to use the row-by-row parser."""
    if "\r" in text.replace("\r\n", ""):
        return None
    data = text.replace("\r\n", "\n").encode("utf-8")
    offset = 0
    for _ in range(header_line):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return None
    found = scan_ballots(data, offset, CSV, ncand)
    if found is None:
        return None
    weights, ranks, end = found
    first = data[:end].count(b"\n") + 1
    tail = data[end:].decode("utf-8").splitlines()
    try:
        rows = [(i, _fields(r)) for i, r in enumerate(csv.reader(tail), start=first)]
    except csv.Error:
        return None
    return weights, ranks, [(i, r) for i, r in rows if r]


def _is_int(tok: str) -> bool:
    try:
        int(tok)
    except ValueError:
        return False
    return True
