"""Scenario files, second pass: slates, their orderings and shares, and the strategies.

Called by :mod:`simcore.inputs.scenario_file` once every table has the right shape.  Each
function records the problems it finds in a :class:`~simcore.inputs.scenario_nodes.Problems`
and goes on, so that ``simcore validate`` can list them all; what it returns is only used when
no problem was found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from simcore.errors import shown
from simcore.inputs import scenario_schema as schema
from simcore.inputs.scenario_nodes import KeyPath, Problem, Problems, suggestion, unknown
from simcore.model.names import (
    NO_SLATE_ID,
    NO_SLATE_LABEL,
    is_reserved_slate,
    label_key,
    name_problem,
)
from simcore.model.scenario import Dist, Length, Slate, Strategy, Supporters

DEFAULT = "default"  # the key of a per-region strategy table that covers the other regions
SHARE_TOLERANCE = 1e-9


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


# -- slates ---------------------------------------------------------------------------------------


def slates(
    tables: dict[str, dict], names: Sequence[str], region_names: Sequence[str], found: Problems
) -> dict[str, Slate]:
    out: dict[str, Slate] = {}
    ids: dict[str, str] = {}  # label_key -> the id that has it
    labels: dict[str, str] = {}  # label_key of a display name -> the slate id that has it
    for sid, table in tables.items():
        where: KeyPath = ("slates", sid)
        name = table.get("name", sid)
        for problem in _slate_label_problems(sid, name, ids, labels, where):
            found.add(problem)
        ids.setdefault(label_key(sid), sid)
        labels.setdefault(label_key(name), sid)
        orderings = _orderings(table["orderings"], names, (*where, "orderings"), found)
        supporters = table["supporters"]
        for region in supporters.get("region_shares", {}):
            if region not in region_names:
                found.add(
                    Problem(
                        unknown("region", region, region_names),
                        (*where, "supporters", "region_shares", region),
                    )
                )
        for other in supporters.get("next", {}):
            if other not in tables or other == sid:
                what = (
                    "a slate's own candidates come first; next lists other slates"
                    if other == sid
                    else unknown("slate", other, [t for t in tables if t != sid])
                )
                found.add(Problem(what, (*where, "supporters", "next", other)))
        out[sid] = Slate(
            id=sid,
            name=name,
            orderings=orderings,
            supporters=_supporters(supporters, len(names)),
        )
    return out


def _slate_label_problems(sid, name, ids, labels, where):
    """A slate's id names output columns (``seats_<id>``) and its name a group in summaries:
    neither may read as the candidates on no slate, or as another slate's."""
    if sid == "description":
        yield Problem(
            "a slate cannot have the id 'description': in a strategy that key is the "
            "strategy's description",
            where,
        )
    problem = name_problem(sid)
    if problem:
        yield Problem(f"a slate id {problem}", where)
    elif is_reserved_slate(sid):
        yield Problem(
            f"a slate cannot have the id {shown(sid)}: the column seats_{NO_SLATE_ID} and the "
            f"summaries' group {NO_SLATE_LABEL!r} are the candidates on no slate",
            where,
        )
    elif label_key(sid) in ids:
        yield Problem(
            f"slate id {shown(sid)} reads the same as slate {shown(ids[label_key(sid)])} "
            "(ids name output columns: they must differ by more than case, spaces, '_' or '-')",
            where,
        )
    if name == sid:
        return
    problem = name_problem(name)
    if problem:
        yield Problem(problem, (*where, "name"))
    elif is_reserved_slate(name):
        yield Problem(
            f"a slate cannot be named {shown(name)}: summaries show the candidates on no slate "
            f"as {NO_SLATE_LABEL!r}",
            (*where, "name"),
        )
    elif label_key(name) in labels:
        yield Problem(
            f"slate name {shown(name)} reads the same as slate {shown(labels[label_key(name)])}'s "
            "name (summaries group by name: they must differ by more than case or spacing)",
            (*where, "name"),
        )


def _orderings(
    tables: dict[str, list[str]], names: Sequence[str], where: KeyPath, found: Problems
) -> dict[str, tuple[str, ...]]:
    known = set(names)
    out: dict[str, tuple[str, ...]] = {}
    before = len(found)
    for oname, order in tables.items():
        for j, name in enumerate(order):
            if name not in known:
                found.add(
                    Problem(
                        f"no candidate named {shown(name)}{suggestion(name, names)}",
                        (*where, oname, j),
                    )
                )
        out[oname] = tuple(order)
    if len(found) > before:
        return out  # (comparing orderings with unknown names would say the same again)
    first_name, first = next(iter(out.items()))
    for oname, order in out.items():
        missing = [c for c in first if c not in order]
        extra = [c for c in order if c not in first]
        if missing or extra:
            what = "; ".join(
                text
                for text in (
                    _listing("it leaves out", missing),
                    _listing(f"it adds (not in {shown(first_name)})", extra),
                )
                if text
            )
            found.add(
                Problem(
                    "all orderings of a slate must rank the same candidates as "
                    f"{shown(first_name)}: {what}",
                    (*where, oname),
                )
            )
    return out


def _listing(prefix: str, items: Sequence[str]) -> str:
    return f"{prefix} {', '.join(map(shown, items))}" if items else ""


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
        next={k: float(v) for k, v in get(table, "next").items()},
    )


def check_candidate_slates(candidates, slates: Mapping[str, Slate], found: Problems) -> None:
    for i, c in enumerate(candidates):
        if c.slate is not None and c.slate not in slates:
            what = unknown("slate", c.slate, slates) if slates else "there are no [slates]"
            found.add(Problem(what, ("candidates", i, "slate")))


def check_shares(slates: Mapping[str, Slate], region_names: Sequence[str], found: Problems) -> None:
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
            listed = ", ".join(f"{sid} {share:g}" for sid, share in parts)
            found.add(
                Problem(
                    f"the slates' base shares in region {shown(region)} add up to {total:g} "
                    f"({listed}); they must not exceed 1",
                    where,
                )
            )


def _base_share(slate: Slate, region: str) -> float:
    return slate.supporters.region_shares.get(region, slate.supporters.share)


# -- strategies -----------------------------------------------------------------------------------


def strategies(
    tables: dict[str, dict],
    slates: Mapping[str, Slate],
    region_names: Sequence[str],
    found: Problems,
) -> list[Strategy]:
    out = []
    for name, table in tables.items():
        where: KeyPath = ("strategies", name)
        problem = name_problem(name)
        if problem:
            found.add(Problem(f"a strategy's name {problem}", where))
        chosen: dict[str, dict[str, str]] = {}
        for sid, value in table.items():
            if sid == "description":
                continue
            if sid not in slates:  # a slate id, or a misspelt 'description'
                found.add(Problem(unknown("slate", sid, [*slates, "description"]), (*where, sid)))
                continue
            chosen[sid] = _by_region(value, slates[sid], region_names, (*where, sid), found)
        for sid, slate in slates.items():
            if sid in chosen:
                continue
            if len(slate.orderings) > 1:
                found.add(
                    Problem(
                        f"slate {shown(sid)} has {len(slate.orderings)} orderings "
                        f"({', '.join(slate.orderings)}); say which one this strategy uses",
                        (*where, sid),
                    )
                )
                continue
            only = next(iter(slate.orderings))
            chosen[sid] = dict.fromkeys(region_names, only)
        ordered = {sid: chosen[sid] for sid in slates if sid in chosen}  # the slates' order
        out.append(Strategy(name, schema.STRATEGY.get(table, "description"), ordered))
    return out


def _by_region(
    value: str | dict[str, str],
    slate: Slate,
    region_names: Sequence[str],
    where: KeyPath,
    found: Problems,
) -> dict[str, str]:
    """A strategy's choice for one slate as {region: ordering}, every region filled in."""
    if isinstance(value, str):
        _check_ordering(value, slate, where, found)
        return dict.fromkeys(region_names, value)
    for region, ordering in value.items():
        if region != DEFAULT and region not in region_names:
            found.add(
                Problem(
                    unknown("region", region, region_names) + f" (or {DEFAULT!r} for the rest)",
                    (*where, region),
                )
            )
        _check_ordering(ordering, slate, (*where, region), found)
    if DEFAULT not in value:
        missing = [r for r in region_names if r not in value]
        if missing:
            found.add(
                Problem(
                    f"no ordering for region(s) {', '.join(map(shown, missing))}; name them or "
                    f"add {DEFAULT} = ORDERING",
                    where,
                )
            )
    return {r: value.get(r, value.get(DEFAULT, "")) for r in region_names}


def _check_ordering(name: str, slate: Slate, where: KeyPath, found: Problems) -> None:
    if name not in slate.orderings:
        found.add(
            Problem(
                f"slate {shown(slate.id)} has no ordering {shown(name)}"
                f"{suggestion(name, slate.orderings)} "
                f"(its orderings: {', '.join(slate.orderings)})",
                where,
            )
        )
