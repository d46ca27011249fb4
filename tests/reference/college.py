"""Reference counts for electoral colleges (docs/rules.md, "Electoral colleges").

Slow and obvious: every round is recounted from the ballots, and every share and total is an
exact :class:`fractions.Fraction`.  Ties follow docs/rules.md, "Ties and lot" (via
:func:`tests.reference.common.pick`): earlier rounds (backward by default), then lot, where
``lot[c]`` is ``simcore.counting.api.lot_priorities(seed, ncand)[c]`` and the lowest priority is
excluded first / loses a lot, the highest wins one.

Inputs are plain data, not simcore objects:

* a section (or unit) is ``(weight, rankings)``; ``rankings`` is a list of
  ``(ranking, count)`` with ``ranking`` a tuple of 0-based candidate indices;
* ``withdrawn`` is a set of candidate indices skipped wherever they appear (and never shown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .common import EARLIER, LOT, pick

EARLIER_ROUNDS = "earlier rounds"  # how CollegeRound.tie names EARLIER
_TIE_NAMES = {None: None, EARLIER: EARLIER_ROUNDS, LOT: LOT}


# -- weighted-irv ----------------------------------------------------------------------------


@dataclass
class RefRound:
    number: int
    votes: list[dict[int, int]]  # per section: candidate -> ballots counting for them
    active: list[int]  # per section: non-exhausted ballots
    shares: list[dict[int, Fraction]]  # per section: candidate -> weighted share (0..weight)
    totals: dict[int, Fraction]  # candidate -> weighted total
    excluded: int | None = None
    tie: str | None = None  # None | "earlier rounds" | "lot": how the excluded one was picked


@dataclass
class RefCollege:
    winner: int | None
    rounds: list[RefRound] = field(default_factory=list)
    # Where docs/rules.md leaves these open they are None (see weighted_irv's docstring).
    runner_up: int | None = None
    decisive_section: int | None = None


def first_continuing(ranking, continuing):
    """The ballot's first preference still in the count, or None (the ballot is exhausted)."""
    for c in ranking:
        if c in continuing:
            return c
    return None


def weighted_irv(sections, ncand, withdrawn, lot, ties="backward") -> RefCollege:
    """Weighted-section IRV (docs/rules.md, "weighted-irv").

    ``runner_up`` is set only where the final round shows two or more candidates and one
    non-winner has strictly the highest total; ``decisive_section`` only where, in addition,
    one section has strictly the largest weighted margin of the winner over the runner-up.
    (docs/rules.md does not say what these are otherwise.)
    """
    withdrawn = set(withdrawn)
    continuing = [c for c in range(ncand) if c not in withdrawn]
    rounds: list[RefRound] = []
    while True:
        # 1. every ballot counts for its first continuing preference; none left: exhausted
        votes, active, shares = [], [], []
        totals = {c: Fraction(0) for c in continuing}
        for weight, rankings in sections:
            v = {c: 0 for c in continuing}
            for ranking, count in rankings:
                top = first_continuing(ranking, set(continuing))
                if top is not None:
                    v[top] += count
            a = sum(v.values())
            # share = votes / non-exhausted ballots x weight; an all-exhausted section adds 0
            s = {c: (Fraction(v[c], a) * weight if a else Fraction(0)) for c in continuing}
            votes.append(v)
            active.append(a)
            shares.append(s)
            # 2. the weighted total is the sum of the shares
            for c in continuing:
                totals[c] += s[c]
        rnd = RefRound(len(rounds) + 1, votes, active, shares, totals)
        rounds.append(rnd)
        # 3. more than half of the sum of all candidates' totals wins; one left wins
        whole = sum(totals.values())
        winner = next((c for c in continuing if 2 * totals[c] > whole), None)
        if winner is None and len(continuing) == 1:
            winner = continuing[0]
        if winner is not None:
            break
        if not continuing:  # every candidate withdrawn: nobody to elect
            return RefCollege(None, rounds)
        # 4. exclude the lowest total (ties: earlier rounds, then lot)
        earlier = [r.totals for r in rounds[:-1]]
        loser, how = pick(continuing, totals, earlier, ties, lot, "low")
        rnd.excluded, rnd.tie = loser, _TIE_NAMES[how]
        continuing = [c for c in continuing if c != loser]

    final = rounds[-1]
    runner_up = decisive = None
    others = [c for c in continuing if c != winner]
    if others:
        best = max(final.totals[c] for c in others)
        top = [c for c in others if final.totals[c] == best]
        if len(top) == 1:
            runner_up = top[0]
            margins = [s[winner] - s[runner_up] for s in final.shares]
            widest = max(margins)
            if margins.count(widest) == 1:
                decisive = margins.index(widest)
    return RefCollege(winner, rounds, runner_up, decisive)


# -- block -----------------------------------------------------------------------------------


@dataclass
class RefUnit:
    winner: int | None
    votes: dict[int, int]  # the votes the weight is split by (see unit_count)


@dataclass
class RefBlock:
    winner: int | None  # None: no majority
    unit_winners: list[int | None]
    weight_won: dict[int, int]  # every non-withdrawn candidate
    total_weight: int


def plurality_unit(rankings, candidates, lot) -> RefUnit:
    """First preferences; the most votes wins, ties by lot (highest priority wins)."""
    cont = set(candidates)
    votes = {c: 0 for c in candidates}
    for ranking, count in rankings:
        top = first_continuing(ranking, cont)
        if top is not None:
            votes[top] += count
    if not any(votes.values()):
        return RefUnit(None, votes)  # no valid ballot: docs/rules.md is silent; see block()
    winner = max(candidates, key=lambda c: (votes[c], lot[c]))
    return RefUnit(winner, votes)


def irv_unit(rankings, candidates, lot, ties="backward") -> RefUnit:
    """docs/rules.md, "irv": more than half of the continuing votes wins, else the fewest votes
    is excluded (ties: earlier rounds, then lot); the last candidate left wins.  Returns the
    final round's votes (excluded candidates 0)."""
    continuing = list(candidates)
    history: list[dict[int, int]] = []
    while True:
        cont = set(continuing)
        votes = {c: 0 for c in candidates}
        for ranking, count in rankings:
            top = first_continuing(ranking, cont)
            if top is not None:
                votes[top] += count
        active = sum(votes.values())
        if not history and active == 0:
            return RefUnit(None, votes)  # no valid ballot: see block()
        winner = next((c for c in continuing if 2 * votes[c] > active), None)
        if winner is None and len(continuing) == 1:
            winner = continuing[0]
        if winner is not None:
            return RefUnit(winner, votes)
        loser, _how = pick(continuing, votes, history, ties, lot, "low")
        history.append(votes)
        continuing.remove(loser)


def hamilton(weight: int, votes: dict[int, int], lot) -> dict[int, int]:
    """Largest remainders: ``weight`` split in proportion to ``votes``; equal remainders by lot
    (highest priority first)."""
    total = sum(votes.values())
    if total == 0:
        return {c: 0 for c in votes}
    # exact: candidate c's quotient is votes[c] * weight / total
    seats = {c: votes[c] * weight // total for c in votes}
    rem = {c: votes[c] * weight % total for c in votes}
    left = weight - sum(seats.values())
    for c in sorted(votes, key=lambda c: (-rem[c], -lot[c]))[:left]:
        seats[c] += 1
    return seats


def block(
    units,
    ncand,
    withdrawn,
    lot,
    unit_rule="plurality",
    allocation="winner-take-all",
    ties="backward",
) -> RefBlock:
    """Block-vote units (docs/rules.md, "block").

    ``units`` is a list of ``(weight, rankings)`` with whole-number weights.  A unit with no
    valid ballot (docs/rules.md does not cover it) is given no winner and no weight here; the
    property tests do not generate such units.
    """
    withdrawn = set(withdrawn)
    candidates = [c for c in range(ncand) if c not in withdrawn]
    won = {c: 0 for c in candidates}
    winners: list[int | None] = []
    total = 0
    for weight, rankings in units:
        weight = int(weight)
        total += weight
        if unit_rule == "irv":
            unit = irv_unit(rankings, candidates, lot, ties)
        else:
            unit = plurality_unit(rankings, candidates, lot)
        winners.append(unit.winner)
        if unit.winner is None:
            continue
        if allocation == "proportional":
            for c, w in hamilton(weight, unit.votes, lot).items():
                won[c] += w
        else:
            won[unit.winner] += weight
    winner = next((c for c in candidates if 2 * won[c] > total), None)
    return RefBlock(winner, winners, won, total)
