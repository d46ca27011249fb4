"""BLT ballot files (the format of OpenSTV, eSTV and the Scottish council publications).

Layout: ``ncand nseats``; an optional line of withdrawn candidates as negative numbers; ballot
lines ``weight c1 c2 ... 0`` (1-based candidate numbers); a lone ``0``; the candidate names; the
title.  Variants accepted (all seen in real files):

* names quoted (``"A. Smith"``, with ``""`` for a literal quote), unquoted one per line, several
  quoted names on one line, or given only as ``# ALTERNATIVE NAME i: name`` comment lines;
* ``#`` comment lines anywhere, blank lines, trailing commas;
* a ballot id in parentheses before the weight: ``(17) 1 3 2 0``;
* ``=`` between candidates ranked equal (``1=2 3``), ``-`` for a skipped rank: preferences after
  a skipped rank are not valid and are dropped (a ballot stops at its first gap).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from simcore.errors import InputError, shown
from simcore.inputs.fastparse import BLT, scan_ballots
from simcore.inputs.text import parse_int, read_text
from simcore.model.profile import MAX_CANDIDATES, Profile

_ALT_NAME = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s*(.*)$", re.IGNORECASE)
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')


def read_blt(path: str | Path) -> Profile:
    text = read_text(path)
    lines = text.splitlines()
    alt_names: dict[int, str] = {}
    it = _content_lines(lines, alt_names)

    lineno, header = _next(it, path, "the header line 'ncand nseats'")
    tokens = header.replace(",", " ").split()
    if len(tokens) != 2:
        raise InputError(
            f"header must be 'ncandidates nseats', got {shown(header.strip())}",
            path=path,
            line=lineno,
        )
    ncand = parse_int(
        tokens[0], what="number of candidates", path=path, line=lineno, high=MAX_CANDIDATES
    )
    seats = parse_int(tokens[1], what="number of seats", path=path, line=lineno)
    if ncand < 1:
        raise InputError("number of candidates must be at least 1", path=path, line=lineno)
    if seats < 1:
        raise InputError("number of seats must be at least 1", path=path, line=lineno)

    withdrawn: set[int] = set()
    lineno, line = _next(it, path, "ballot lines ending with a lone '0' line", truncated=True)
    tokens = line.replace(",", " ").split()
    if tokens and all(t.startswith("-") and t[1:].isdigit() for t in tokens):
        for t in tokens:
            c = parse_int(t[1:], what="withdrawn candidate", path=path, line=lineno)
            _check_cand(c, ncand, path, lineno, what="withdrawn candidate")
            withdrawn.add(c - 1)
        lineno, line = _next(it, path, "ballot lines ending with a lone '0' line", truncated=True)

    meta = dict(seats=seats, withdrawn=frozenset(withdrawn), source=str(path))
    fast = _fast_ballots(text, lineno, ncand)
    if fast is not None:
        weights, ranks, rest, first_rest_line = fast
        rest_lines = list(_content_lines(rest, alt_names, first=first_rest_line))
        names, title = _parse_names(rest_lines, alt_names, ncand, path, len(lines))
        return Profile.from_arrays(ranks, weights, candidates=names, title=title, **meta)

    rankings: list[list[int]] = []
    ties: list[list[bool]] = []
    weights: list[int] = []
    any_tie = False
    while True:
        tokens = line.replace(",", " ").split()
        if tokens == ["0"]:
            break
        ranking, tie, weight = _parse_ballot(tokens, ncand, path, lineno)
        any_tie = any_tie or any(tie)
        rankings.append(ranking)
        ties.append(tie)
        weights.append(weight)
        lineno, line = _next(it, path, "ballot lines ending with a lone '0' line", truncated=True)

    rest = list(it)
    names, title = _parse_names(rest, alt_names, ncand, path, lines_total=len(lines))
    return Profile.from_rankings(
        rankings,
        weights,
        candidates=names,
        equal_after=ties if any_tie else None,
        title=title,
        **meta,
    )


_ODD_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _fast_ballots(text: str, first_line: int, ncand: int):
    """Scan plain ballot lines with the compiled scanner, starting at line ``first_line``.

    Returns ``(weights, rankings, remaining lines, number of the first remaining line)`` or
    ``None`` when the slow parser must be used (unusual line breaks or ballot syntax, errors).
    """
    if any(b in text for b in _ODD_BREAKS) and "\r\n" not in text:
        return None
    text = text.replace("\r\n", "\n")
    if any(b in text for b in _ODD_BREAKS):
        return None
    data = text.encode("utf-8")
    offset = 0
    for _ in range(first_line - 1):
        offset = data.find(b"\n", offset) + 1
    found = scan_ballots(data, offset, BLT, ncand)
    if found is None:
        return None
    weights, ranks, end = found
    done = data[:end].count(b"\n")
    return weights, ranks, data[end:].decode("utf-8").split("\n"), done + 1


def _content_lines(lines, alt_names, first=1):
    """Yield (line number, text) of non-blank, non-comment lines; collect alternative names."""
    for i, raw in enumerate(lines, start=first):
        s = raw.strip()
        if not s:
            continue
        if s.startswith("#"):
            m = _ALT_NAME.match(s)
            if m:
                alt_names[int(m.group(1))] = m.group(2).strip()
            continue
        yield i, s


def _next(it, path, expected, truncated=False):
    try:
        return next(it)
    except StopIteration:
        what = "file is truncated" if truncated else "file ends early"
        raise InputError(f"{what}: expected {expected}", path=path) from None


def _check_cand(c, ncand, path, lineno, what="candidate number"):
    if not 1 <= c <= ncand:
        raise InputError(f"{what} {c} is out of range 1..{ncand}", path=path, line=lineno)


def _parse_ballot(tokens, ncand, path, lineno):
    if tokens and tokens[0].startswith("(") and tokens[0].endswith(")"):
        tokens = tokens[1:]  # ballot id
    if not tokens:
        raise InputError("empty ballot line", path=path, line=lineno)
    weight = parse_int(tokens[0], what="ballot weight", path=path, line=lineno)
    if weight <= 0:
        raise InputError(f"ballot weight must be positive, got {weight}", path=path, line=lineno)
    if weight > 2**63 - 1:
        raise InputError(
            f"ballot weight {weight} is beyond 2^63 - 1 = {2**63 - 1}", path=path, line=lineno
        )
    if tokens[-1] != "0":
        raise InputError(
            "ballot line must end with 0 (is the file truncated?)", path=path, line=lineno
        )
    ranking: list[int] = []
    tie: list[bool] = []
    seen: set[int] = set()
    stopped = False
    for tok in tokens[1:-1]:
        if tok == "0":
            raise InputError("a 0 in the middle of a ballot line", path=path, line=lineno)
        if tok == "-":
            stopped = True  # a skipped rank: later preferences are not valid
            continue
        for k, part in enumerate(tok.split("=")):
            c = parse_int(part, what="candidate number", path=path, line=lineno)
            _check_cand(c, ncand, path, lineno)
            if c in seen:
                raise InputError(f"candidate {c} is ranked twice", path=path, line=lineno)
            seen.add(c)
            if not stopped:
                ranking.append(c - 1)
                tie.append(k > 0)
    return ranking, tie, weight


def _unquote_line(s: str) -> str:
    s = s.strip()
    while s.endswith(","):
        s = s[:-1].rstrip()
    # Quoted names: "A ""B""" is A "B"; two quoted fields on a line are joined; some files
    # quote a whole line of quoted fields, so unquote until no quoted field is left.
    while s.startswith('"'):
        fields = next(csv.reader([s], delimiter=" ", skipinitialspace=True))
        unquoted = " ".join(f.strip() for f in fields if f.strip())
        if unquoted == s:
            break
        s = unquoted
    return s


def _parse_names(rest, alt_names, ncand, path, lines_total):
    texts = [s for _, s in rest]
    if alt_names:
        missing = [i for i in range(1, ncand + 1) if i not in alt_names]
        if not missing and len(texts) <= 1:
            title = _unquote_line(texts[0]) if texts else ""
            return [alt_names[i] for i in range(1, ncand + 1)], title
    if len(texts) == ncand + 1:
        names = [_unquote_line(s) for s in texts]
        return names[:-1], names[-1]
    stream = [m.replace('""', '"') for m in _QUOTED.findall("\n".join(texts))]
    if len(stream) in (ncand, ncand + 1) and all(s.startswith('"') for s in texts):
        return stream[:ncand], (stream[ncand] if len(stream) > ncand else "")
    if len(texts) == ncand:
        return [_unquote_line(s) for s in texts], ""
    found = len(texts) - 1 if len(texts) > ncand else len(texts)
    raise InputError(
        f"expected {ncand} candidate names after the ballots, found {max(found, 0)}",
        path=path,
        line=rest[-1][0] if rest else lines_total,
    )
