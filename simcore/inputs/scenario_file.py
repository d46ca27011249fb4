"""Scenario files: read a TOML scenario, check everything in it, and build a :class:`Scenario`.

The format is ``docs/scenarios.md``, declared in :mod:`simcore.inputs.scenario_schema`.  Checking
happens in three passes, all before any simulation: TOML syntax (:mod:`tomllib`), the shape of
every table and key (types, ranges, unknown keys, via the schema), then, once the shape is right,
the references between tables (candidates named by orderings, slates and regions named by
strategies, the counting rule and its options, group minimums, shares; see
:mod:`simcore.inputs.scenario_slates` and :mod:`simcore.inputs.scenario_election`) and the
limits of the numbers (docs/scenarios.md, "Limits").  Each pass lists every problem it finds;
they are raised together as one :class:`ScenarioError`, which reads as the first,
``FILE:LINE: key.path: message``, with the line found in the text by
:class:`~simcore.inputs.scenario_locate.KeyLocator`; its ``errors`` are all of them
(``simcore validate`` prints them).
"""

from __future__ import annotations

import copy
import math
import re
import sys
import tomllib
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from simcore.errors import InputError, shown
from simcore.inputs import scenario_election as elect
from simcore.inputs import scenario_schema as schema
from simcore.inputs import scenario_slates as refs
from simcore.inputs.scenario_locate import KeyLocator
from simcore.inputs.scenario_nodes import (
    INT64_MAX,
    KeyPath,
    Problem,
    Problems,
    render_path,
)
from simcore.inputs.scenario_overrides import Override, apply_overrides, blame, parse_set
from simcore.inputs.scenario_slates import DEFAULT, geometric_length, to_dist, to_length
from simcore.inputs.text import parse_fraction, read_config_text
from simcore.model.names import collapse, name_problem
from simcore.model.scenario import (
    NORMAL_BOUND,
    STRENGTH_MIN,
    STRENGTH_SUM_MAX,
    Candidate,
    NonAligned,
    Region,
    Scenario,
)

__all__ = ["ScenarioError", "geometric_length", "parse_scenario", "read_scenario"]
__all__ += ["to_dist", "to_length"]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = " (at end of document)"


class ScenarioError(InputError):
    """Every problem found in a scenario: it reads as the first; ``errors`` lists them all."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        first = errors[0]
        super().__init__(first.message, path=first.path, line=first.line, key=first.key)
        self.errors = list(errors)


def read_scenario(path: str | Path, sets: Sequence[str | Override] = ()) -> Scenario:
    """Read and check a scenario file with overrides ``sets`` (``KEY=VALUE`` texts, see
    :mod:`simcore.inputs.scenario_overrides`); raise :class:`ScenarioError` listing its
    problems."""
    return parse_scenario(read_config_text(path), path, sets)


def parse_scenario(
    text: str, path: str | Path = "<scenario>", sets: Sequence[str | Override] = ()
) -> Scenario:
    """Check a scenario given as TOML text (``path`` names it in errors and as its source),
    after applying the overrides ``sets`` to it; a problem an override causes names it."""
    text = text.removeprefix("\ufeff")
    data = _load_toml(text, path)
    overrides = [s if isinstance(s, Override) else parse_set(s, path) for s in sets]
    base = copy.deepcopy(data) if overrides else None
    apply_overrides(data, overrides, path)
    found = Problems()
    found.extend(schema.problems(data))
    scenario = None if found else _build(data, path, found, overrides)
    if found:
        locator = KeyLocator(text)
        in_file = _problems_of(base, path) if overrides else set()
        raise ScenarioError(
            [_error(problem, path, locator, overrides, in_file) for problem in found.found]
        )
    return scenario


def _problems_of(data: dict[str, Any], path: str | Path) -> set[tuple[KeyPath, str]]:
    """The problems of the file itself (without overrides), as (key path, message) pairs."""
    found = Problems()
    found.extend(schema.problems(data))
    if not found:
        _build(data, path, found, [])
    return {(p.path, p.message) for p in found.found}


def _error(
    problem: Problem,
    path: str | Path,
    locator: KeyLocator,
    overrides: Sequence[Override],
    in_file: set[tuple[KeyPath, str]],
) -> InputError:
    """The problem as an error at its line of the file, or naming the override that caused it
    (one the file does not have without the overrides)."""
    if overrides and (problem.path, problem.message) not in in_file:
        cause = blame(problem.path, overrides)
        where = "" if problem.path == cause.path else f"{render_path(problem.path)}: "
        return InputError(f"{where}{_with_hint(problem)}", path=path, key=cause.origin)
    return InputError(
        _with_hint(problem),
        path=path,
        line=locator.line(problem.path),
        key=render_path(problem.path) or None,
    )


def _with_hint(problem: Problem) -> str:
    """The problem's message, with a hint when a top-level key was written inside a table."""
    name = problem.path[-1] if problem.path else None
    if (
        len(problem.path) > 1
        and problem.message.startswith("unknown key")
        and (name in schema.SCENARIO.keys)
    ):
        return (
            f"{problem.message}; {name!r} is a top-level key: write it before the first "
            "[table] header, or as a [table] of its own"
        )
    return problem.message


def _load_toml(text: str, path: str | Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = str(exc), None
        match = _TOML_POSITION.search(message)
        if match:
            line = int(match.group(1))
            message = f"{message[: match.start()]} (column {match.group(2)})"
        elif message.endswith(_TOML_END):
            line = text.count("\n") + 1
            message = f"{message.removesuffix(_TOML_END)} (at the end of the file)"
        raise InputError(f"not valid TOML: {message}", path=path, line=line) from None
    except ValueError:  # a whole number of more digits than Python converts
        digits = sys.get_int_max_str_digits()
        raise InputError(
            f"not valid TOML for simcore: a number has more than {digits} digits", path=path
        ) from None
    except RecursionError:
        raise InputError(
            "not valid TOML for simcore: arrays or tables nested too deeply", path=path
        ) from None


# -- building -------------------------------------------------------------------------------------


def _build(
    data: dict[str, Any], path: str | Path, found: Problems, overrides: Sequence[Override]
) -> Scenario | None:
    """The scenario, or None after recording in ``found`` what is wrong with it."""
    nonaligned = schema.SCENARIO.get(data, "nonaligned")
    strength_sd = float(schema.NONALIGNED.get(nonaligned, "strength_sd"))
    candidates = _candidates(data["candidates"], found)
    _check_strengths(candidates, strength_sd, found)
    names = [c.name for c in candidates]
    regions = _regions(data["regions"], found)
    region_names = [r.name for r in regions]
    slates = refs.slates(schema.SCENARIO.get(data, "slates"), names, region_names, found)
    refs.check_candidate_slates(candidates, slates, found)
    refs.check_shares(slates, region_names, found)
    strategies = refs.strategies(data["strategies"], slates, region_names, found)
    election = data["election"]
    seats, rule, options, minimums = elect.election(election, len(candidates), found)
    if minimums is not None:
        elect.check_minimums(candidates, seats, minimums, found)
    given_minimums = bool(schema.ELECTION.get(election, "minimum"))
    college = elect.college(
        data.get("college"), data["regions"], regions, seats, given_minimums, found
    )
    simulation = schema.SCENARIO.get(data, "simulation")
    voters_per_ballot = schema.SIMULATION.get(simulation, "voters_per_ballot")
    if data.get("college") is not None and voters_per_ballot > 1:
        found.add(
            Problem(
                "sampling voters does not apply to a college (its counts are fast already): "
                "remove it or set it to 1",
                ("simulation", "voters_per_ballot"),
            )
        )
    generator = schema.SIMULATION.get(simulation, "generator")
    if generator not in ("lazy", "eager"):
        found.add(
            Problem(f'must be "lazy" or "eager", got {generator!r}', ("simulation", "generator"))
        )
    elif (
        generator == "eager"
        and data.get("college") is not None
        and "generator" in (simulation or {})
    ):
        found.add(
            Problem(
                'a college is always generated lazily: remove it or set it to "lazy"',
                ("simulation", "generator"),
            )
        )
    if found:
        return None
    return Scenario(
        title=data.get("title", Path(str(path)).stem),
        seats=seats,
        rule=rule.name,
        options=options,
        minimum=tuple(str(m) for m in minimums),
        candidates=tuple(candidates),
        slates=tuple(slates.values()),
        regions=tuple(regions),
        strategies=tuple(strategies),
        nonaligned=NonAligned(
            length=to_length(schema.NONALIGNED.get(nonaligned, "length"), len(candidates)),
            strength_sd=strength_sd,
        ),
        sims=schema.SIMULATION.get(simulation, "sims"),
        seed=schema.SIMULATION.get(simulation, "seed"),
        precision=_float_or_none(schema.SIMULATION.get(simulation, "precision")),
        voters_per_ballot=voters_per_ballot,
        generator=generator,
        description=schema.SCENARIO.get(data, "description"),
        source=str(path),
        college=college,
        overrides=tuple(ov.text for ov in overrides),
    )


def _candidates(tables: list[dict], found: Problems) -> list[Candidate]:
    out: list[Candidate] = []
    first: dict[str, int] = {}
    for i, table in enumerate(tables):
        name = table["name"]
        key = collapse(name)
        problem = name_problem(name)
        if problem:
            found.add(Problem(problem, ("candidates", i, "name")))
        elif key in first:
            spacing = "" if name == tables[first[key]]["name"] else " (apart from spacing)"
            found.add(
                Problem(
                    f"candidate name {shown(name)} is used twice{spacing} "
                    f"(also candidates[{first[key]}])",
                    ("candidates", i, "name"),
                )
            )
        first.setdefault(key, i)
        attributes = schema.CANDIDATE.get(table, "attributes")
        if "slate" in attributes:
            found.add(
                Problem(
                    "'slate' is not an attribute: give the candidate's slate with its 'slate' key",
                    ("candidates", i, "attributes", "slate"),
                )
            )
        out.append(
            Candidate(
                name=name,
                slate=table.get("slate"),
                strength=float(schema.CANDIDATE.get(table, "strength")),
                attributes=dict(attributes),
            )
        )
    return out


def _check_strengths(candidates: Sequence[Candidate], strength_sd: float, found: Problems) -> None:
    """The strengths, after the noise of any simulation, add up to a finite number and none of
    them underflows (see the limits in :mod:`simcore.model.scenario`)."""
    strengths = [c.strength for c in candidates]
    spread = strength_sd * NORMAL_BOUND  # the most a simulation's noise moves a log strength
    noise = f" with nonaligned.strength_sd = {strength_sd:g}" if strength_sd > 0 else ""
    try:
        total = math.fsum(strengths)
    except OverflowError:
        total = math.inf
    if math.log(total) + spread > math.log(STRENGTH_SUM_MAX):
        biggest = max(range(len(strengths)), key=strengths.__getitem__)
        found.add(
            Problem(
                f"the candidates' strengths add up to {total:g}; they must add up to at most "
                f"{STRENGTH_SUM_MAX * math.exp(-spread):.3g}{noise} "
                "(strengths are relative: scale them down)",
                ("candidates", biggest, "strength"),
            )
        )
    smallest = min(range(len(strengths)), key=strengths.__getitem__)
    if math.log(strengths[smallest]) - spread < math.log(STRENGTH_MIN):
        found.add(
            Problem(
                f"strength {strengths[smallest]:g} is too small: strengths must be at least "
                f"{STRENGTH_MIN * math.exp(spread):.3g}{noise} "
                "(strengths are relative: scale them up)",
                ("candidates", smallest, "strength"),
            )
        )


def _regions(tables: list[dict], found: Problems) -> list[Region]:
    out: list[Region] = []
    first: dict[str, int] = {}
    total = 0
    for i, table in enumerate(tables):
        name = table["name"]
        problem = name_problem(name)
        if problem:
            found.add(Problem(problem, ("regions", i, "name")))
        elif name in first:
            found.add(
                Problem(
                    f"region name {shown(name)} is used twice (also regions[{first[name]}])",
                    ("regions", i, "name"),
                )
            )
        elif name == DEFAULT:
            found.add(
                Problem(
                    f"a region cannot be called {DEFAULT!r}: strategies use that word for "
                    "'every other region'",
                    ("regions", i, "name"),
                )
            )
        first.setdefault(name, i)
        weight = None
        if "weight" in table:
            weight = _fraction(table["weight"], ("regions", i, "weight"), found)
        total += table["electorate"]
        if total > INT64_MAX:
            found.add(
                Problem(
                    f"the regions' electorates add up to more than {INT64_MAX:,} (2^63 - 1, the "
                    "largest 64-bit integer)",
                    ("regions", i, "electorate"),
                )
            )
            total = -INT64_MAX  # (said once)
        out.append(Region(name, table["electorate"], to_dist(table["turnout"]), weight))
    return out


def _fraction(value: Any, where: KeyPath, found: Problems) -> Fraction | None:
    """A positive weight whose numerator and denominator fit in 64 bits (None if not)."""
    text = str(value).strip()
    try:
        w = parse_fraction(text)
    except (ValueError, ZeroDivisionError):
        found.add(Problem(f'must be a number or a fraction like "1/3", got {shown(value)}', where))
        return None
    if w <= 0:
        found.add(Problem("must be positive", where))
        return None
    if w.numerator > INT64_MAX or w.denominator > INT64_MAX:
        found.add(
            Problem(
                f"{shown(text)} is too large or too fine: its numerator and denominator (in "
                f"lowest terms) must be at most {INT64_MAX:,} (2^63 - 1)",
                where,
            )
        )
        return None
    return w


def _float_or_none(value):
    return None if value is None else float(value)
