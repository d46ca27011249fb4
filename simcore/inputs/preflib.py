"""PrefLib ordinal files: ``.soi`` (strict incomplete orders) and ``.toi`` (with ties).

Current PrefLib layout: ``#`` header lines (``# ALTERNATIVE NAME i: name``, ``# TITLE: ...``,
``# NUMBER ALTERNATIVES: n``) then data lines ``count: 1,3,{2,5},7`` where braces group
candidates ranked equal.  The older layout (a first line with the number of alternatives, then
``i,name`` lines, a ``voters,sum,unique`` line and ``count,1,3,{2,5}`` lines) is read too.
PrefLib files do not state a number of seats: give it when counting.
"""

from __future__ import annotations

import re
from pathlib import Path

from simcore.errors import InputError, shown
from simcore.inputs.text import parse_int, read_text
from simcore.model.profile import MAX_CANDIDATES, Profile

_META = re.compile(r"^#\s*([A-Za-z0-9 ]+?)\s*:\s*(.*)$")
_ALT = re.compile(r"^ALTERNATIVE NAME (\d+)$")


def read_preflib(path: str | Path) -> Profile:
    text = read_text(path)
    lines = [(i, s.strip()) for i, s in enumerate(text.splitlines(), start=1) if s.strip()]
    if lines and not lines[0][1].startswith("#"):
        return _read_old(lines, path)
    names: dict[int, str] = {}
    meta: dict[str, str] = {}
    data = []
    for lineno, s in lines:
        if s.startswith("#"):
            m = _META.match(s)
            if m:
                key, val = m.group(1).upper(), m.group(2).strip()
                a = _ALT.match(key)
                if a:
                    index = parse_int(
                        a.group(1),
                        what="alternative number",
                        path=path,
                        line=lineno,
                        high=MAX_CANDIDATES,
                    )
                    names[index] = val
                else:
                    meta[key] = val
            continue
        if ":" not in s:
            raise InputError(
                f"expected a data line 'count: 1,3,{{2,5}}', got {shown(s, 40)}",
                path=path,
                line=lineno,
            )
        count, order = s.split(":", 1)
        data.append((lineno, count.strip(), order.strip()))
    if "NUMBER ALTERNATIVES" in meta:
        ncand = parse_int(
            meta["NUMBER ALTERNATIVES"],
            what="NUMBER ALTERNATIVES",
            path=path,
            line=1,
            high=MAX_CANDIDATES,
        )
    else:
        ncand = max(names, default=0)
    if ncand < 1:
        raise InputError(
            "no '# NUMBER ALTERNATIVES' or '# ALTERNATIVE NAME' header lines", path=path
        )
    missing = [i for i in range(1, ncand + 1) if i not in names]
    if missing:
        raise InputError(f"missing '# ALTERNATIVE NAME {missing[0]}: ...' line", path=path)
    return _build(data, ncand, [names[i] for i in range(1, ncand + 1)], meta.get("TITLE", ""), path)


def _read_old(lines, path):
    lineno, first = lines[0]
    ncand = parse_int(
        first, what="number of alternatives", path=path, line=lineno, high=MAX_CANDIDATES
    )
    if len(lines) < ncand + 2:
        raise InputError("file is truncated: expected the list of alternatives", path=path)
    names = []
    for k in range(1, ncand + 1):
        lineno, s = lines[k]
        idx, _, name = s.partition(",")
        if parse_int(idx.strip(), what="alternative number", path=path, line=lineno) != k:
            raise InputError(f"expected alternative {k} here", path=path, line=lineno)
        names.append(name.strip())
    data = []
    for lineno, s in lines[ncand + 2 :]:
        count, _, order = s.partition(",")
        data.append((lineno, count.strip(), order.strip()))
    return _build(data, ncand, names, "", path)


def _build(data, ncand, names, title, path):
    rankings, ties, weights = [], [], []
    for lineno, count, order in data:
        w = parse_int(count, what="ballot count", path=path, line=lineno)
        if w <= 0:
            raise InputError(f"ballot count must be positive, got {w}", path=path, line=lineno)
        ranking, tie = _parse_order(order, ncand, path, lineno)
        rankings.append(ranking)
        ties.append(tie)
        weights.append(w)
    any_tie = any(any(t) for t in ties)
    return Profile.from_rankings(
        rankings,
        weights,
        candidates=names,
        equal_after=ties if any_tie else None,
        title=title,
        source=str(path),
    )


def _parse_order(order, ncand, path, lineno):
    ranking, tie, seen = [], [], set()
    i = 0
    order = order.replace(" ", "")
    while i < len(order):
        if order[i] == "{":
            j = order.find("}", i)
            if j < 0:
                raise InputError("unclosed '{' in ranking", path=path, line=lineno)
            group = [g for g in order[i + 1 : j].split(",") if g]
            i = j + 1
        else:
            j = order.find(",", i)
            j = len(order) if j < 0 else j
            group = [order[i:j]]
            i = j
        if i < len(order):
            if order[i] != ",":
                raise InputError(f"unexpected {shown(order[i])} in ranking", path=path, line=lineno)
            i += 1
        for k, tok in enumerate(group):
            c = parse_int(tok, what="candidate number", path=path, line=lineno)
            if not 1 <= c <= ncand:
                raise InputError(
                    f"candidate number {c} is out of range 1..{ncand}", path=path, line=lineno
                )
            if c in seen:
                raise InputError(f"candidate {c} is ranked twice", path=path, line=lineno)
            seen.add(c)
            ranking.append(c - 1)
            tie.append(k > 0)
    return ranking, tie
