"""Candidate attribute files: a CSV with a ``name`` column and one column per attribute.

    name,gender,slate
    Ann Black,woman,Open Labour
    ...

Every candidate of the ballot file must appear exactly once; names are matched after
collapsing whitespace.
"""

from __future__ import annotations

import csv
from pathlib import Path

from simcore.errors import InputError, shown
from simcore.inputs.text import read_config_text


def read_candidate_attributes(path: str | Path, candidates) -> dict[str, tuple[str, ...]]:
    text = read_config_text(path)
    rows = list(csv.reader(text.splitlines()))
    if not rows or not rows[0]:
        raise InputError("expected a header row starting with 'name'", path=path, line=1)
    header = [h.strip() for h in rows[0]]
    if header[0].lower() != "name" or len(header) < 2:
        raise InputError(
            "header must be 'name,ATTRIBUTE[,ATTRIBUTE...]', e.g. 'name,gender'", path=path, line=1
        )
    attrs = header[1:]
    found: dict[str, list[str]] = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(f.strip() for f in row):
            continue
        if len(row) != len(header):
            raise InputError(
                f"expected {len(header)} fields, got {len(row)}", path=path, line=lineno
            )
        name = " ".join(row[0].split())
        if name not in candidates:
            raise InputError(
                f"no candidate named {shown(name)} in the ballot file", path=path, line=lineno
            )
        if name in found:
            raise InputError(f"candidate {shown(name)} is listed twice", path=path, line=lineno)
        found[name] = [f.strip() for f in row[1:]]
    missing = [c for c in candidates if c not in found]
    if missing:
        raise InputError(
            f"candidate {shown(missing[0])} is missing ({len(missing)} missing in all)", path=path
        )
    return {a: tuple(found[c][k] for c in candidates) for k, a in enumerate(attrs)}
