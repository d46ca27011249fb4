"""Scenario files, second pass: the election (seats, rule, options, group minimums) and the
electoral college, checked against the candidates and regions.  Like
:mod:`simcore.inputs.scenario_slates`, each function records its problems and goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simcore.errors import InputError
from simcore.inputs import scenario_schema as schema
from simcore.inputs.scenario_nodes import Problem, Problems, suggestion, unknown
from simcore.model.college import ALLOCATIONS, METHODS, UNIT_RULES
from simcore.model.constraints import MINIMUM_RULES, Minimum, group_arrays, takes_minimums
from simcore.model.rules import RULES, Rule, get_rule, parse_options
from simcore.model.scenario import Candidate, CollegeSpec, Region, attributes_of


def college(
    table: dict | None,
    region_tables: list[dict],
    regions: Sequence[Region],
    seats: int,
    given_minimums: bool,
    found: Problems,
) -> CollegeSpec | None:
    if table is None:
        for i, r in enumerate(region_tables):
            if "weight" in r:
                found.add(
                    Problem(
                        "a region weight is only used in college scenarios (add a [college] table)",
                        ("regions", i, "weight"),
                    )
                )
        return None
    spec = CollegeSpec(
        method=str(schema.COLLEGE.get(table, "method")).lower(),
        unit_rule=str(schema.COLLEGE.get(table, "unit_rule")).lower(),
        allocation=str(schema.COLLEGE.get(table, "allocation")).lower(),
    )
    for key, value, allowed in (
        ("method", spec.method, METHODS),
        ("unit_rule", spec.unit_rule, UNIT_RULES),
        ("allocation", spec.allocation, ALLOCATIONS),
    ):
        if value not in allowed:
            found.add(Problem(unknown(key, value, allowed), ("college", key)))
    if seats != 1:
        found.add(Problem("a college elects one winner: seats must be 1", ("election", "seats")))
    if given_minimums:
        found.add(Problem("group minimums do not apply to a college", ("election", "minimum")))
    for i, r in enumerate(regions):
        if "weight" not in region_tables[i]:
            found.add(Problem("every region of a college needs a weight", ("regions", i)))
        elif spec.method == "block" and r.weight is not None and r.weight.denominator != 1:
            found.add(
                Problem(
                    "a block-vote unit's weight must be a whole number", ("regions", i, "weight")
                )
            )
    return spec


# -- the election ---------------------------------------------------------------------------------


def election(
    table: dict[str, Any], ncand: int, found: Problems
) -> tuple[int, Rule | None, dict, list[Minimum] | None]:
    """Seats, rule (None if unknown), options and minimums (None if one cannot be read)."""
    seats = table["seats"]
    if seats > ncand:
        found.add(
            Problem(
                f"{seats} seats to fill but only {ncand} candidate(s); seats must not exceed "
                "the number of candidates",
                ("election", "seats"),
            )
        )
    rule = None
    with found.guard():
        rule = _rule(schema.ELECTION.get(table, "rule"))
    options: dict = {}
    if rule is not None:
        if rule.single_seat and seats != 1:
            found.add(
                Problem(
                    f"rule {rule.name!r} fills one seat; seats must be 1", ("election", "seats")
                )
            )
        options = _options(rule, schema.ELECTION.get(table, "options"), found)
    minimums: list[Minimum] | None = []
    texts = schema.ELECTION.get(table, "minimum")
    for i, text in enumerate(texts):
        try:
            minimums.append(Minimum.parse(text))
        except InputError as exc:
            found.add(Problem(exc.message, ("election", "minimum", i)))
            minimums = None
            break
    if texts and rule is not None and not takes_minimums(rule):
        found.add(
            Problem(
                f"rule {rule.name!r} does not take group minimums ({MINIMUM_RULES} do)",
                ("election", "minimum"),
            )
        )
    return seats, rule, options, minimums


def _rule(name: str) -> Rule:
    try:
        return get_rule(name)
    except InputError as exc:
        names = [*RULES, *(a for r in RULES.values() for a in r.aliases)]
        hint = suggestion(name.strip().lower(), names)
        raise Problem(exc.message + hint, ("election", "rule")) from None


def _options(rule: Rule, given: dict[str, Any], found: Problems) -> dict[str, Any]:
    ok = True
    for key, value in given.items():
        try:
            parse_options(rule, {key: value})
        except InputError as exc:
            hint = (
                suggestion(key, [o.name for o in rule.options]) if rule.option(key) is None else ""
            )
            found.add(Problem(exc.message + hint, ("election", "options", key)))
            ok = False
    if not ok:
        return {}
    try:
        return parse_options(rule, given)
    except InputError as exc:  # options that do not go together
        found.add(Problem(exc.message, ("election", "options")))
        return {}


def check_minimums(
    candidates: Sequence[Candidate], seats: int, minimums: Sequence[Minimum], found: Problems
) -> None:
    """Each minimum names existing candidates' attributes and all of them can hold together."""
    attributes = attributes_of(candidates)
    names = tuple(c.name for c in candidates)
    for i in range(len(minimums)):
        try:
            group_arrays(minimums[: i + 1], attributes, names, (), seats)
        except InputError as exc:
            found.add(Problem(exc.message, ("election", "minimum", i)))
            return  # (the later ones would fail with it)
