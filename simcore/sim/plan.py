"""A scenario compiled to the flat arrays the simulation kernels read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simcore.errors import InputError
from simcore.kernels.quota import QUOTA_KINDS
from simcore.kernels.ties import BACKWARD, FORWARD
from simcore.model.constraints import as_minimums, group_arrays
from simcore.model.rules import (
    GENERATOR_LIMIT,
    check_total_votes,
    college_limit_problem,
    get_rule,
    parse_options,
)
from simcore.model.scenario import Dist, Length, Scenario

# rule codes understood by the engine
# lazy ballot trees keep the candidates a ballot has placed as a 64-bit mask
LAZY_MAX_CANDIDATES = 64
RULE_CODES = {"scottish": 0, "wigm": 0, "meek": 1, "ers97": 2, "irv": 3, "block": 4, "fptp": 4}
DIST_FIXED, DIST_BETA, DIST_UNIFORM = 0, 1, 2
# per-simulation figures recorded besides the elected candidates
STAT_VOTERS, STAT_TURNOUT = 0, 1  # then per slate: share, follow, phi, stop_after_slate


def dist_row(d: Dist) -> tuple[float, float, float]:
    """(kind, a, b): fixed value, Beta(alpha, beta), or uniform(low, high)."""
    if d.kind == "fixed":
        return DIST_FIXED, d.value, 0.0
    if d.kind == "beta":
        common = d.mean * (1 - d.mean) / d.sd**2 - 1
        return DIST_BETA, d.mean * common, (1 - d.mean) * common
    return DIST_UNIFORM, d.low, d.high


def length_probs(length: Length, width: int) -> np.ndarray:
    out = np.zeros(width, np.float64)
    n = min(len(length.probs), width)
    out[:n] = length.probs[:n]
    out[n - 1] += max(0.0, 1.0 - out[:n].sum())  # mass beyond the candidates: the longest
    return out


@dataclass
class Plan:
    """Everything the engine needs, as arrays (see :func:`compile_plan`)."""

    scenario: Scenario
    ncand: int
    seats: int
    rule_code: int
    unit: int
    quota_kind: int
    direction: int
    block_votes: int
    group: np.ndarray
    group_min: np.ndarray
    strength: np.ndarray  # (ncand,)
    strength_sd: float
    electorate: np.ndarray  # (R,)
    turnout: np.ndarray  # (R, 3) dist rows
    base_share: np.ndarray  # (R, K)
    swing_sd: np.ndarray  # (K,)
    regional_sd: np.ndarray  # (K,)
    follow: np.ndarray  # (K, 3)
    mallows_share: np.ndarray  # (K,)
    phi: np.ndarray  # (K, 3)
    stop_after: np.ndarray  # (K, 3)
    continue_len: np.ndarray  # (K, ncand + 2) hazards
    nonaligned_len: np.ndarray  # (ncand + 2,) hazards
    slate_members: np.ndarray  # (K, maxK) candidates of each slate's orderings, -1 padded
    slate_size: np.ndarray  # (K,)
    off_slate: np.ndarray  # (K, ncand) candidates not on the slate's orderings, -1 padded
    off_size: np.ndarray  # (K,)
    orderings: np.ndarray  # (S, K, R, maxK) candidate at each slot
    slate_of: np.ndarray  # (ncand,) slate index of each candidate or -1
    college_weights: np.ndarray  # (R,) weights (numerators over a common denominator) or empty
    college_flags: np.ndarray  # (2,) units by IRV, proportional allocation
    affinity: np.ndarray  # (K, ncand) multipliers on strengths after the slate (1: none)
    voters_per_ballot: int = 1  # > 1: sampled electorates (see simcore.sim.electorate)
    lazy: bool = False  # exact STV/IRV/block electorates as lazy trees (colleges always are)
    generation_salt: int = 0  # != 0: electorates from another stream, same parameters (checks)

    @property
    def is_college(self) -> bool:
        return self.rule_code >= 10

    @property
    def n_regions(self) -> int:
        return int(self.electorate.shape[0])

    @property
    def n_slates(self) -> int:
        return int(self.swing_sd.shape[0])

    @property
    def n_strategies(self) -> int:
        return int(self.orderings.shape[0])

    @property
    def n_stats(self) -> int:
        return 2 + 4 * self.n_slates


def check_limits(sc: Scenario) -> None:
    """Refuse a scenario whose largest possible electorate is beyond what the rule (or college)
    counts exactly, or what the generator draws exactly, naming the key and the limit."""
    rule = get_rule(sc.rule)
    opts = parse_options(rule, dict(sc.options))
    if not sc.regions:
        return
    # a sampled electorate (K voters per ballot) weighs at most K x each group's voters
    k = max(int(sc.voters_per_ballot), 1)
    total = sum(int(r.electorate) for r in sc.regions) * k
    big = max(range(len(sc.regions)), key=lambda i: sc.regions[i].electorate)
    key = f"regions[{big}].electorate"
    what = "the regions' electorates add up to" + (f" (x {k} voters per ballot)" if k > 1 else "")
    if total > GENERATOR_LIMIT:
        raise InputError(
            f"{what} {total}, more than the {GENERATOR_LIMIT:,} (2^53) voters the generator "
            "draws exactly; see docs/rules.md (Limits)",
            path=sc.source,
            key=key,
        )
    if sc.college is None:
        check_total_votes(rule, opts, total, what=what, simulated=True, path=sc.source, key=key)
        return
    if len(sc.candidates) > LAZY_MAX_CANDIDATES:
        raise InputError(
            f"a college is simulated with lazy ballot trees, which hold at most "
            f"{LAZY_MAX_CANDIDATES} candidates; this one has {len(sc.candidates)}",
            path=sc.source,
            key="candidates",
        )
    den = math.lcm(*(r.weight.denominator for r in sc.regions))
    weights = [int(r.weight * den) for r in sc.regions]
    problem = college_limit_problem(
        sc.college.method, weights, [int(r.electorate) for r in sc.regions]
    )
    if problem:
        raise InputError(f"{problem}; see docs/rules.md (Limits)", path=sc.source, key="regions")


def affinity_table(sc: Scenario, slate_of: np.ndarray, slate_index: dict) -> np.ndarray:
    """(K, ncand) slate affinities: slate k's multiplier on candidate c's strength after the
    slate (``supporters.next``; 1 where none is given).  Colleges refuse them (their lazy
    generator has one strength per candidate)."""
    out = np.ones((len(sc.slates), len(sc.candidates)))
    for k, sl in enumerate(sc.slates):
        for other, mult in sl.supporters.next.items():
            if mult != 1.0 and sc.college is not None:
                raise InputError(
                    "slate affinities are not supported for colleges",
                    path=sc.source,
                    key=f"slates.{sl.id}.supporters.next",
                )
            out[k, slate_of == slate_index[other]] = mult
    return out


def compile_plan(sc: Scenario) -> Plan:
    from simcore.sim.generate import hazards

    check_limits(sc)
    names = sc.candidate_names
    index = {n: i for i, n in enumerate(names)}
    ncand = len(names)
    rule = get_rule(sc.rule)
    opts = parse_options(rule, dict(sc.options))
    college_weights = np.zeros(0, np.int64)
    college_flags = np.zeros(2, np.int64)
    rule_code = RULE_CODES[rule.name]
    if sc.college is not None:
        den = math.lcm(*(r.weight.denominator for r in sc.regions))
        college_weights = np.array([int(r.weight * den) for r in sc.regions], np.int64)
        college_flags = np.array(
            [sc.college.unit_rule == "irv", sc.college.allocation == "proportional"], np.int64
        )
        rule_code = 10 if sc.college.method == "weighted-irv" else 11
    unit, quota_kind, direction, votes = 1, 0, BACKWARD, 0
    if rule.name in ("scottish", "wigm"):
        unit = 10 ** (5 if rule.name == "scottish" else opts["decimals"])
        quota_kind = QUOTA_KINDS["droop" if rule.name == "scottish" else opts["quota"]]
        if rule.name == "wigm" and opts["ties"] == "forward":
            direction = FORWARD
    elif rule.name == "irv":
        direction = BACKWARD if opts["ties"] == "backward" else FORWARD
    elif rule.name in ("block", "fptp"):
        votes = 1 if rule.name == "fptp" else (opts.get("votes") or sc.seats)
    group, group_min = group_arrays(
        as_minimums(list(sc.minimum)), sc.attributes(), names, (), sc.seats
    )
    regions = [r.name for r in sc.regions]
    R, K, S = len(regions), len(sc.slates), len(sc.strategies)
    width = ncand + 2
    max_k = max((len(next(iter(sl.orderings.values()))) for sl in sc.slates), default=1)
    members = np.full((K, max(max_k, 1)), -1, np.int64)
    size = np.zeros(K, np.int64)
    off = np.full((K, ncand), -1, np.int64)
    off_size = np.zeros(K, np.int64)
    base = np.zeros((R, K))
    cont = np.zeros((K, width))
    orderings = np.full((S, K, R, max(max_k, 1)), -1, np.int16)
    follow, phi, stop = np.zeros((K, 3)), np.zeros((K, 3)), np.zeros((K, 3))
    slate_index = {sl.id: k for k, sl in enumerate(sc.slates)}
    for k, sl in enumerate(sc.slates):
        first = next(iter(sl.orderings.values()))
        on = sorted(index[n] for n in first)
        size[k] = len(on)
        members[k, : len(on)] = on
        rest = [c for c in range(ncand) if c not in set(on)]
        off_size[k] = len(rest)
        off[k, : len(rest)] = rest
        sup = sl.supporters
        for r, name in enumerate(regions):
            base[r, k] = sup.region_shares.get(name, sup.share)
        follow[k], phi[k], stop[k] = (
            dist_row(sup.follow),
            dist_row(sup.phi),
            dist_row(sup.stop_after_slate),
        )
        hazards(length_probs(sup.continue_length, width), cont[k])
        for s_i, st in enumerate(sc.strategies):
            for r, name in enumerate(regions):
                order = sl.orderings[st.orderings[sl.id][name]]
                orderings[s_i, k, r, : len(order)] = [index[n] for n in order]
    na = np.zeros(width)
    hazards(length_probs(sc.nonaligned.length, width), na)
    slate_of = np.array(
        [slate_index.get(c.slate, -1) if c.slate else -1 for c in sc.candidates], np.int64
    )
    affinity = affinity_table(sc, slate_of, slate_index)
    return Plan(
        scenario=sc,
        ncand=ncand,
        seats=sc.seats,
        rule_code=rule_code,
        unit=unit,
        quota_kind=quota_kind,
        direction=direction,
        block_votes=votes,
        group=group,
        group_min=group_min,
        strength=np.array([c.strength for c in sc.candidates], float),
        strength_sd=sc.nonaligned.strength_sd,
        electorate=np.array([r.electorate for r in sc.regions], np.int64),
        turnout=np.array([dist_row(r.turnout) for r in sc.regions], float).reshape(R, 3),
        base_share=base,
        swing_sd=np.array([sl.supporters.swing_sd for sl in sc.slates], float),
        regional_sd=np.array([sl.supporters.regional_sd for sl in sc.slates], float),
        follow=follow,
        mallows_share=np.array([sl.supporters.mallows_share for sl in sc.slates], float),
        phi=phi,
        stop_after=stop,
        continue_len=cont,
        nonaligned_len=na,
        slate_members=members,
        slate_size=size,
        off_slate=off,
        off_size=off_size,
        affinity=affinity,
        orderings=orderings,
        slate_of=slate_of,
        college_weights=college_weights,
        college_flags=college_flags,
        voters_per_ballot=sc.voters_per_ballot,
        lazy=uses_lazy_trees(sc),
    )


def uses_lazy_trees(sc: Scenario) -> bool:
    """Whether a committee election's exact electorates are lazy ballot trees: the scenario's
    generator says so, every voter is generated (no sampling) and there are at most
    :data:`LAZY_MAX_CANDIDATES` candidates (else the eager generator draws them)."""
    return (
        sc.generator == "lazy"
        and int(sc.voters_per_ballot) == 1
        and len(sc.candidates) <= LAZY_MAX_CANDIDATES
    )
