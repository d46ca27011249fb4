"""Scenario files: read a TOML scenario, check everything in it, and build a :class:`Scenario`.

The format is ``docs/scenarios.md``, declared in :mod:`simcore.inputs.scenario_schema`.  Checking
happens in three passes, all before any simulation: TOML syntax (:mod:`tomllib`), the shape of
every table and key (types, ranges, unknown keys, via the schema), then the references between
tables (candidates named by orderings, slates and regions named by strategies, the counting rule
and its options, group minimums, shares).  The first problem found is raised as one
:class:`~simcore.errors.InputError` line, ``FILE:LINE: key.path: message``, with the line found
in the text by :class:`~simcore.inputs.scenario_locate.KeyLocator`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from simcore.errors import InputError
from simcore.inputs import scenario_schema as schema
from simcore.inputs.scenario_locate import KeyLocator
from simcore.inputs.scenario_nodes import KeyPath, Problem, render_path, suggestion, unknown
from simcore.inputs.text import read_text
from simcore.model.college import ALLOCATIONS, METHODS, UNIT_RULES
from simcore.model.constraints import MINIMUM_RULES, Minimum, group_arrays, takes_minimums
from simcore.model.rules import RULES, Rule, get_rule, parse_options
from simcore.model.scenario import (
    Candidate,
    CollegeSpec,
    Dist,
    Length,
    NonAligned,
    Region,
    Scenario,
    Slate,
    Strategy,
    Supporters,
)

DEFAULT = "default"  # the key of a per-region strategy table that covers the other regions
SHARE_TOLERANCE = 1e-9

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = " (at end of document)"


def read_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; raise :class:`InputError` on the first problem."""
    return parse_scenario(read_text(path), path)


def parse_scenario(text: str, path: str | Path = "<scenario>") -> Scenario:
    """Check a scenario given as TOML text (``path`` names it in errors and as its source)."""
    text = text.removeprefix("\ufeff")
    data = _load_toml(text, path)
    try:
        schema.check(data)
        return _build(data, path)
    except Problem as problem:
        raise InputError(
            _with_hint(problem),
            path=path,
            line=KeyLocator(text).line(problem.path),
            key=render_path(problem.path) or None,
        ) from None


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


# -- values ---------------------------------------------------------------------------------------


def to_dist(value: Any) -> Dist:
    """A checked probability-like value -> :class:`Dist`."""
    if isinstance(value, Mapping):
        if "mean" in value:
            return Dist("beta", mean=float(value["mean"]), sd=float(value["sd"]))
        return Dist("uniform", low=float(value["low"]), high=float(value["high"]))
    return Dist.fixed(value)


def to_length(value: Any, ncand: int) -> Length:
    """A checked length -> :class:`Length`; ``{ mean = m }`` is 1 + a geometric number, cut at
    ``ncand`` (the probability of longer ballots goes to length ``ncand``)."""
    if isinstance(value, Mapping):
        if "probs" in value:
            return Length(tuple(float(p) for p in value["probs"]))
        return geometric_length(float(value["mean"]), ncand)
    return Length((0.0,) * (value - 1) + (1.0,))


def geometric_length(mean: float, ncand: int) -> Length:
    """P(L = k) = (1 - h)^(k - 1) h with h = 1 / mean, for k < ncand; the rest at k = ncand."""
    h = 1.0 / mean
    n = max(ncand, 1)
    probs = [(1 - h) ** (k - 1) * h for k in range(1, n)]
    probs.append((1 - h) ** (n - 1))
    return Length(tuple(probs))


# -- building -------------------------------------------------------------------------------------


def _build(data: dict[str, Any], path: str | Path) -> Scenario:
    candidates = _candidates(data["candidates"])
    names = [c.name for c in candidates]
    regions = _regions(data["regions"])
    region_names = [r.name for r in regions]
    slates = _slates(schema.SCENARIO.get(data, "slates"), names, region_names)
    _check_candidate_slates(candidates, slates)
    _check_shares(slates, region_names)
    strategies = _strategies(data["strategies"], slates, region_names)
    election = data["election"]
    seats, rule, options, minimums = _election(election, len(candidates))
    simulation = schema.SCENARIO.get(data, "simulation")
    nonaligned = schema.SCENARIO.get(data, "nonaligned")
    scenario = Scenario(
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
            strength_sd=float(schema.NONALIGNED.get(nonaligned, "strength_sd")),
        ),
        sims=schema.SIMULATION.get(simulation, "sims"),
        seed=schema.SIMULATION.get(simulation, "seed"),
        precision=_float_or_none(schema.SIMULATION.get(simulation, "precision")),
        voters_per_ballot=schema.SIMULATION.get(simulation, "voters_per_ballot"),
        description=schema.SCENARIO.get(data, "description"),
        source=str(path),
    )
    _check_minimums(scenario, minimums)
    college = _college(data.get("college"), regions, seats, minimums)
    if college is not None and scenario.voters_per_ballot > 1:
        raise Problem(
            "sampling voters does not apply to a college (its counts are fast already): "
            "remove it or set it to 1",
            ("simulation", "voters_per_ballot"),
        )
    if college is not None:
        scenario = dataclasses.replace(scenario, college=college)
    return scenario


def _candidates(tables: list[dict]) -> list[Candidate]:
    out: list[Candidate] = []
    first: dict[str, int] = {}
    for i, table in enumerate(tables):
        name = table["name"]
        if name in first:
            raise Problem(
                f"candidate name {name!r} is used twice (also candidates[{first[name]}])",
                ("candidates", i, "name"),
            )
        first[name] = i
        attributes = schema.CANDIDATE.get(table, "attributes")
        if "slate" in attributes:
            raise Problem(
                "'slate' is not an attribute: give the candidate's slate with its 'slate' key",
                ("candidates", i, "attributes", "slate"),
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


def _regions(tables: list[dict]) -> list[Region]:
    out: list[Region] = []
    first: dict[str, int] = {}
    for i, table in enumerate(tables):
        name = table["name"]
        if name in first:
            raise Problem(
                f"region name {name!r} is used twice (also regions[{first[name]}])",
                ("regions", i, "name"),
            )
        if name == DEFAULT:
            raise Problem(
                f"a region cannot be called {DEFAULT!r}: strategies use that word for "
                "'every other region'",
                ("regions", i, "name"),
            )
        first[name] = i
        weight = None
        if "weight" in table:
            weight = _fraction(table["weight"], ("regions", i, "weight"))
        out.append(Region(name, table["electorate"], to_dist(table["turnout"]), weight))
    return out


def _fraction(value: Any, where: KeyPath) -> Fraction:
    try:
        w = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise Problem(f'must be a number or a fraction like "1/3", got {value!r}', where) from None
    if w <= 0:
        raise Problem("must be positive", where)
    return w


def _college(
    table: dict | None, regions: Sequence[Region], seats: int, minimums: Sequence[Minimum]
) -> CollegeSpec | None:
    if table is None:
        for i, r in enumerate(regions):
            if r.weight is not None:
                raise Problem(
                    "a region weight is only used in college scenarios (add a [college] table)",
                    ("regions", i, "weight"),
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
            raise Problem(unknown(key, value, allowed), ("college", key))
    if seats != 1:
        raise Problem("a college elects one winner: seats must be 1", ("election", "seats"))
    if minimums:
        raise Problem("group minimums do not apply to a college", ("election", "minimum"))
    for i, r in enumerate(regions):
        if r.weight is None:
            raise Problem("every region of a college needs a weight", ("regions", i))
        if spec.method == "block" and r.weight.denominator != 1:
            raise Problem(
                "a block-vote unit's weight must be a whole number", ("regions", i, "weight")
            )
    return spec


def _slates(
    tables: dict[str, dict], names: Sequence[str], region_names: Sequence[str]
) -> dict[str, Slate]:
    out: dict[str, Slate] = {}
    for sid, table in tables.items():
        where: KeyPath = ("slates", sid)
        if sid == "description":
            raise Problem(
                "a slate cannot have the id 'description': in a strategy that key is the "
                "strategy's description",
                where,
            )
        orderings = _orderings(table["orderings"], names, (*where, "orderings"))
        supporters = table["supporters"]
        for region in supporters.get("region_shares", {}):
            if region not in region_names:
                raise Problem(
                    unknown("region", region, region_names),
                    (*where, "supporters", "region_shares", region),
                )
        out[sid] = Slate(
            id=sid,
            name=table.get("name", sid),
            orderings=orderings,
            supporters=_supporters(supporters, len(names)),
        )
    return out


def _orderings(
    tables: dict[str, list[str]], names: Sequence[str], where: KeyPath
) -> dict[str, tuple[str, ...]]:
    known = set(names)
    out: dict[str, tuple[str, ...]] = {}
    for oname, order in tables.items():
        for j, name in enumerate(order):
            if name not in known:
                raise Problem(
                    f"no candidate named {name!r}{suggestion(name, names)}", (*where, oname, j)
                )
        out[oname] = tuple(order)
    first_name, first = next(iter(out.items()))
    for oname, order in out.items():
        missing = [c for c in first if c not in order]
        extra = [c for c in order if c not in first]
        if missing or extra:
            what = "; ".join(
                text
                for text in (
                    _listing("it leaves out", missing),
                    _listing(f"it adds (not in {first_name!r})", extra),
                )
                if text
            )
            raise Problem(
                f"all orderings of a slate must rank the same candidates as {first_name!r}: {what}",
                (*where, oname),
            )
    return out


def _listing(prefix: str, items: Sequence[str]) -> str:
    return f"{prefix} {', '.join(map(repr, items))}" if items else ""


def _supporters(table: dict[str, Any], ncand: int) -> Supporters:
    get = schema.SUPPORTERS.get
    return Supporters(
        share=float(table["share"]),
        region_shares={k: float(v) for k, v in get(table, "region_shares").items()},
        swing_sd=float(get(table, "swing_sd")),
        regional_sd=float(get(table, "regional_sd")),
        follow=to_dist(get(table, "follow")),
        mallows_share=float(get(table, "mallows_share")),
        phi=to_dist(get(table, "phi")),
        stop_after_slate=to_dist(get(table, "stop_after_slate")),
        continue_length=to_length(get(table, "continue_length"), ncand),
    )


def _check_candidate_slates(candidates: Sequence[Candidate], slates: Mapping[str, Slate]) -> None:
    for i, c in enumerate(candidates):
        if c.slate is not None and c.slate not in slates:
            what = unknown("slate", c.slate, slates) if slates else "there are no [slates]"
            raise Problem(what, ("candidates", i, "slate"))


def _check_shares(slates: Mapping[str, Slate], region_names: Sequence[str]) -> None:
    """The slates' base shares must not add up to more than 1 in any region."""
    for region in region_names:
        parts = [(sid, _base_share(slate, region)) for sid, slate in slates.items()]
        parts = [(sid, share) for sid, share in parts if share > 0]
        total = math.fsum(share for _, share in parts)
        if total > 1 + SHARE_TOLERANCE:
            regional = [sid for sid, _ in parts if region in slates[sid].supporters.region_shares]
            where = (
                ("slates", regional[-1], "supporters", "region_shares", region)
                if regional  # point at a share given for this region if there is one
                else ("slates", parts[-1][0], "supporters", "share")
            )
            shown = ", ".join(f"{sid} {share:g}" for sid, share in parts)
            raise Problem(
                f"the slates' base shares in region {region!r} add up to {total:g} ({shown}); "
                "they must not exceed 1",
                where,
            )


def _base_share(slate: Slate, region: str) -> float:
    return slate.supporters.region_shares.get(region, slate.supporters.share)


# -- strategies -----------------------------------------------------------------------------------


def _strategies(
    tables: dict[str, dict], slates: Mapping[str, Slate], region_names: Sequence[str]
) -> list[Strategy]:
    out = []
    for name, table in tables.items():
        where: KeyPath = ("strategies", name)
        chosen: dict[str, dict[str, str]] = {}
        for sid, value in table.items():
            if sid == "description":
                continue
            if sid not in slates:  # a slate id, or a misspelt 'description'
                raise Problem(unknown("slate", sid, [*slates, "description"]), (*where, sid))
            chosen[sid] = _by_region(value, slates[sid], region_names, (*where, sid))
        for sid, slate in slates.items():
            if sid in chosen:
                continue
            if len(slate.orderings) > 1:
                raise Problem(
                    f"slate {sid!r} has {len(slate.orderings)} orderings "
                    f"({', '.join(slate.orderings)}); say which one this strategy uses",
                    (*where, sid),
                )
            only = next(iter(slate.orderings))
            chosen[sid] = dict.fromkeys(region_names, only)
        ordered = {sid: chosen[sid] for sid in slates}  # in the slates' order
        out.append(Strategy(name, schema.STRATEGY.get(table, "description"), ordered))
    return out


def _by_region(
    value: str | dict[str, str], slate: Slate, region_names: Sequence[str], where: KeyPath
) -> dict[str, str]:
    """A strategy's choice for one slate as {region: ordering}, every region filled in."""
    if isinstance(value, str):
        _check_ordering(value, slate, where)
        return dict.fromkeys(region_names, value)
    for region, ordering in value.items():
        if region != DEFAULT and region not in region_names:
            raise Problem(
                unknown("region", region, region_names) + f" (or {DEFAULT!r} for the rest)",
                (*where, region),
            )
        _check_ordering(ordering, slate, (*where, region))
    if DEFAULT not in value:
        missing = [r for r in region_names if r not in value]
        if missing:
            raise Problem(
                f"no ordering for region(s) {', '.join(map(repr, missing))}; name them or "
                f"add {DEFAULT} = ORDERING",
                where,
            )
    return {r: value.get(r, value.get(DEFAULT, "")) for r in region_names}


def _check_ordering(name: str, slate: Slate, where: KeyPath) -> None:
    if name not in slate.orderings:
        raise Problem(
            f"slate {slate.id!r} has no ordering {name!r}{suggestion(name, slate.orderings)} "
            f"(its orderings: {', '.join(slate.orderings)})",
            where,
        )


# -- the election ---------------------------------------------------------------------------------


def _election(table: dict[str, Any], ncand: int) -> tuple[int, Rule, dict, list[Minimum]]:
    seats = table["seats"]
    if seats > ncand:
        raise Problem(
            f"{seats} seats to fill but only {ncand} candidate(s); seats must not exceed "
            "the number of candidates",
            ("election", "seats"),
        )
    rule = _rule(schema.ELECTION.get(table, "rule"))
    if rule.single_seat and seats != 1:
        raise Problem(f"rule {rule.name!r} fills one seat; seats must be 1", ("election", "seats"))
    options = _options(rule, schema.ELECTION.get(table, "options"))
    minimums = []
    for i, text in enumerate(schema.ELECTION.get(table, "minimum")):
        try:
            minimums.append(Minimum.parse(text))
        except InputError as exc:
            raise Problem(exc.message, ("election", "minimum", i)) from None
    if minimums and not takes_minimums(rule):
        raise Problem(
            f"rule {rule.name!r} does not take group minimums ({MINIMUM_RULES} do)",
            ("election", "minimum"),
        )
    return seats, rule, options, minimums


def _rule(name: str) -> Rule:
    try:
        return get_rule(name)
    except InputError as exc:
        names = [*RULES, *(a for r in RULES.values() for a in r.aliases)]
        hint = suggestion(name.strip().lower(), names)
        raise Problem(exc.message + hint, ("election", "rule")) from None


def _options(rule: Rule, given: dict[str, Any]) -> dict[str, Any]:
    for key, value in given.items():
        try:
            parse_options(rule, {key: value})
        except InputError as exc:
            hint = (
                suggestion(key, [o.name for o in rule.options]) if rule.option(key) is None else ""
            )
            raise Problem(exc.message + hint, ("election", "options", key)) from None
    return parse_options(rule, given)


def _check_minimums(scenario: Scenario, minimums: Sequence[Minimum]) -> None:
    """Each minimum names existing candidates' attributes and all of them can hold together."""
    attributes = scenario.attributes()
    for i in range(len(minimums)):
        try:
            group_arrays(
                minimums[: i + 1], attributes, scenario.candidate_names, (), scenario.seats
            )
        except InputError as exc:
            message = exc.message
            raise Problem(message, ("election", "minimum", i)) from None


def _float_or_none(value):
    return None if value is None else float(value)
