"""College files: TOML naming each section's (or unit's) ballot file and weight.

    title = "Labour deputy leadership 2007"
    method = "weighted-irv"          # or "block"
    # unit_rule = "plurality"        # block units: "plurality" or "irv"
    # allocation = "winner-take-all" # block units: or "proportional"

    [[sections]]                     # or [[units]]
    name = "MPs and MEPs"
    ballots = "mps.blt"              # relative to this file; any ballot format simcore reads
    weight = "1/3"                   # a fraction, decimal or whole number

Every section must list the same candidates in the same order.
"""

from __future__ import annotations

import difflib
import tomllib
from fractions import Fraction
from pathlib import Path

from simcore.errors import InputError, shown
from simcore.inputs.ballots import read_ballots
from simcore.inputs.text import INT64_MAX, parse_fraction, read_config_text
from simcore.model.college import ALLOCATIONS, METHODS, UNIT_RULES, College, Section

_TOP = ("title", "method", "unit_rule", "allocation", "sections", "units")
_SECTION = ("name", "ballots", "weight")


def is_college_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".toml"


def _unknown(keys, allowed, path, where):
    for k in keys:
        if k not in allowed:
            close = difflib.get_close_matches(k, allowed, n=1)
            hint = f"; did you mean {shown(close[0])}?" if close else ""
            raise InputError(f"unknown key{hint}", path=path, key=f"{where}{k}")


def _weight(value, path, key) -> Fraction:
    """A positive weight whose numerator and denominator (lowest terms) fit in 64 bits."""
    text = str(value).strip()
    try:
        w = parse_fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InputError(
            f'weight must be a number or fraction like "1/3", got {shown(value)}',
            path=path,
            key=key,
        ) from None
    if w <= 0:
        raise InputError("weight must be positive", path=path, key=key)
    if w.numerator > INT64_MAX or w.denominator > INT64_MAX:
        raise InputError(
            f"weight {shown(text)} is too large or too fine: its numerator and denominator (in "
            f"lowest terms) must be at most {INT64_MAX:,} (2^63 - 1)",
            path=path,
            key=key,
        )
    return w


def read_college(path: str | Path) -> College:
    path = Path(path)
    text = read_config_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from None
    _unknown(data, _TOP, path, "")
    method = str(data.get("method", "weighted-irv")).lower()
    if method not in METHODS:
        raise InputError(f"must be one of {', '.join(METHODS)}", path=path, key="method")
    unit_rule = str(data.get("unit_rule", "plurality")).lower()
    if unit_rule not in UNIT_RULES:
        raise InputError(f"must be one of {', '.join(UNIT_RULES)}", path=path, key="unit_rule")
    allocation = str(data.get("allocation", "winner-take-all")).lower()
    if allocation not in ALLOCATIONS:
        raise InputError(f"must be one of {', '.join(ALLOCATIONS)}", path=path, key="allocation")
    table = "units" if "units" in data else "sections"
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise InputError("expected at least one [[sections]] (or [[units]]) table", path=path)
    sections = []
    names: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"{table}[{i}]."
        if not isinstance(entry, dict):
            raise InputError("expected a table", path=path, key=f"{table}[{i}]")
        _unknown(entry, _SECTION, path, where)
        for k in _SECTION:
            if k not in entry:
                raise InputError("missing", path=path, key=where + k)
        name = str(entry["name"])
        if name in names:
            raise InputError(f"two sections are named {shown(name)}", path=path, key=where + "name")
        names.add(name)
        ballots = path.parent / str(entry["ballots"])
        try:
            profile = read_ballots(ballots)
        except InputError as exc:  # say which section's file it is, and what is wrong with it
            raise InputError(str(exc), path=path, key=where + "ballots") from None
        sections.append(Section(name, _weight(entry["weight"], path, where + "weight"), profile))
    if method == "block":
        for i, s in enumerate(sections):
            if s.weight.denominator != 1:
                raise InputError(
                    "a unit's weight must be a whole number", path=path, key=f"{table}[{i}].weight"
                )
    cands = sections[0].profile.candidates
    for i, s in enumerate(sections[1:], start=1):
        if s.profile.candidates != cands:
            raise InputError(
                f"section {shown(s.name)} lists different candidates from section "
                f"{shown(sections[0].name)}; every section must list the same, in the same order",
                path=path,
                key=f"{table}[{i}].ballots",
            )
    return College(
        str(data.get("title", path.stem)),
        method,
        tuple(sections),
        cands,
        unit_rule,
        allocation,
        str(path),
    )
