"""``count_college``: count an electoral college exactly and describe every round."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from simcore.counting.api import lot_priorities, new_seed, total_weight
from simcore.errors import RuleError
from simcore.kernels.ties import BACKWARD
from simcore.model.college import College
from simcore.model.rules import college_limit_problem

TIES = {1: "earlier rounds", 2: "lot"}


@dataclass(frozen=True)
class CollegeRound:
    number: int
    votes: dict[str, dict[str, int]]  # section -> candidate -> votes
    active: dict[str, int]  # section -> non-exhausted ballots
    shares: dict[str, dict[str, Fraction]]  # section -> candidate -> weighted share (0..weight)
    totals: dict[str, Fraction]  # candidate -> weighted total
    excluded: str | None
    tie: str | None


@dataclass(frozen=True)
class CollegeResult:
    title: str
    method: str
    winner: str | None
    rounds: tuple[CollegeRound, ...] = ()
    decisive_section: str | None = None
    runner_up: str | None = None
    unit_winners: dict[str, str | None] = field(default_factory=dict)
    weight_won: dict[str, int] = field(default_factory=dict)
    total_weight: int = 0
    seed: int | None = None
    source: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "method": self.method}
        if self.source:
            out["file"] = self.source
        out.update(winner=self.winner, seed=self.seed, options=self.options)
        if self.method == "weighted-irv":
            out["runner_up"] = self.runner_up
            out["decisive_section"] = self.decisive_section
            out["rounds"] = [
                {
                    "round": r.number,
                    "excluded": r.excluded,
                    "tie_broken_by": r.tie,
                    "totals": {c: _pct(v) for c, v in r.totals.items()},
                    "sections": {
                        s: {
                            "votes": r.votes[s],
                            "non_exhausted": r.active[s],
                            "shares": {c: _pct(v) for c, v in r.shares[s].items()},
                        }
                        for s in r.votes
                    },
                }
                for r in self.rounds
            ]
        else:
            out["majority"] = self.winner is not None
            out["total_weight"] = self.total_weight
            out["weight_won"] = self.weight_won
            out["unit_winners"] = self.unit_winners
        return out


def _pct(x: Fraction) -> str:
    """A weighted share as percentage points, 6 decimal places (rounded half to even)."""
    return f"{float(x * 100):.6f}" if x.denominator > 1 else f"{int(x * 100)}.000000"


def check_college_limits(college: College) -> None:
    """Refuse a college whose weights and ballots are beyond what its method counts exactly."""
    den = math.lcm(*(s.weight.denominator for s in college.sections))
    weights = [int(s.weight * den) for s in college.sections]
    sizes = [total_weight(s.profile) for s in college.sections]
    problem = college_limit_problem(college.method, weights, sizes)
    if problem:
        key = "units" if college.method == "block" else "sections"
        raise RuleError(f"{problem}; see docs/rules.md (Limits)", path=college.source, key=key)


def count_college(
    college: College, seed: int | None = None, *, ties: str = "backward"
) -> CollegeResult:
    from simcore.kernels import college as kc
    from simcore.kernels.lazy_tree import new_lazy
    from simcore.kernels.trie import Trie

    if ties not in ("backward", "forward"):
        raise RuleError(f"ties must be 'backward' or 'forward', got {ties!r}")
    for s in college.sections:
        if s.profile.has_equal_rankings:
            raise RuleError(
                f"section {s.name!r}: a ballot ranks candidates equally; colleges need strict "
                "rankings",
                path=s.profile.source,
            )
    check_college_limits(college)
    seed = new_seed() if seed is None else int(seed)
    names = college.candidates
    ncand = len(names)
    lot = lot_priorities(seed, ncand)
    withdrawn = np.zeros(ncand, np.bool_)
    for s in college.sections:
        for c in s.profile.withdrawn:
            withdrawn[c] = True
    cand, end, weight, roots = college.forest()
    stop = np.zeros(len(cand), np.int64)  # (only lazy generated trees need it)
    lz = new_lazy(len(cand), ncand, 1, 1)
    tree = Trie(cand, end, weight, stop, lz)
    direction = BACKWARD if ties == "backward" else 1
    if college.method == "block":
        w = np.array([int(s.weight) for s in college.sections], np.int64)
        clog = kc.new_college_log(ncand, len(roots))
        kc.count_block_units(
            tree,
            lz,
            roots,
            w,
            withdrawn,
            college.unit_rule == "irv",
            college.allocation == "proportional",
            direction,
            lot,
            clog,
        )
        winners, won, meta = clog.winners, clog.won, clog.meta
        if meta[0] == kc.OVERFLOW:
            raise RuleError("unit weight x votes beyond 64 bits: too large to split exactly")
        return CollegeResult(
            college.title,
            "block",
            names[meta[0]] if meta[0] >= 0 else None,
            unit_winners={
                s.name: (names[winners[u]] if winners[u] >= 0 else None)
                for u, s in enumerate(college.sections)
            },
            weight_won={names[c]: int(won[c]) for c in range(ncand) if not withdrawn[c]},
            total_weight=int(meta[1]),
            seed=seed,
            source=college.source,
            options={"unit_rule": college.unit_rule, "allocation": college.allocation},
        )
    nums, _den = college.weight_numerators()
    n_sec = len(roots)
    clog = kc.new_college_log(ncand, n_sec)
    kc.count_weighted_irv(tree, lz, roots, nums, withdrawn, direction, lot, clog)
    tallies, active, excluded, tie = clog.tallies, clog.active, clog.excluded, clog.tie
    meta = clog.meta
    if meta[1] == kc.OVERFLOW:
        raise RuleError("section sizes too large for exact 128-bit arithmetic")
    rounds = []
    shown = [c for c in range(ncand) if not withdrawn[c]]
    for r in range(int(meta[0])):
        if r > 0:  # like the published tables: only candidates still in the count
            shown = [c for c in shown if c != int(excluded[r - 1])]
        votes, act, shares = {}, {}, {}
        totals = {names[c]: Fraction(0) for c in shown}
        for s, sec in enumerate(college.sections):
            votes[sec.name] = {names[c]: int(tallies[r, s, c]) for c in shown}
            act[sec.name] = int(active[r, s])
            shares[sec.name] = {
                names[c]: (
                    sec.weight * Fraction(int(tallies[r, s, c]), int(active[r, s]))
                    if active[r, s]
                    else Fraction(0)
                )
                for c in shown
            }
            for c in shown:
                totals[names[c]] += shares[sec.name][names[c]]
        x = int(excluded[r])
        rounds.append(
            CollegeRound(
                r + 1,
                votes,
                act,
                shares,
                totals,
                names[x] if x >= 0 else None,
                TIES.get(int(tie[r])),
            )
        )
    winner = names[meta[1]] if meta[1] >= 0 else None
    return CollegeResult(
        college.title,
        "weighted-irv",
        winner,
        tuple(rounds),
        decisive_section=college.sections[meta[3]].name if meta[3] >= 0 else None,
        runner_up=names[meta[2]] if meta[2] >= 0 else None,
        seed=seed,
        source=college.source,
        options={"ties": ties},
    )
