"""Shared pieces of the reference counts: stage records, tie-breaking, group minimums.

Everything here follows ``docs/rules.md`` ("Common ground", "Ties and lot", "Group minimums").
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTINUING = "continuing"
ELECTED = "elected"
EXCLUDED = "excluded"

EARLIER = "earlier stages"
LOT = "lot"


def ceil_div(a: int, b: int) -> int:
    """Exact ceiling of a / b for integers (b > 0)."""
    return -((-a) // b)


@dataclass
class RefStage:
    """One stage: what was done, and everyone's totals (in units) afterwards."""

    action: str  # "first preferences" | "surplus" | "exclusion" | "surpluses"
    subjects: tuple[int, ...]  # the surplus's candidate, or the excluded candidate(s), by index
    votes: dict[int, int]  # non-withdrawn candidates only
    states: dict[int, str]
    non_transferable: int
    lost: int
    quota: int
    elected: tuple[int, ...]  # elected at this stage, in order of election
    tie: str | None = None  # None | "earlier stages" | "lot": how the subject was picked


@dataclass
class RefResult:
    elected: list[int]
    stages: list[RefStage] = field(default_factory=list)
    decimals: int = 0
    valid: int = 0  # valid votes, in units


class Refused(Exception):
    """The rule refuses these ballots (docs/rules.md, "Ballots")."""


def clean_ballots(rankings, withdrawn) -> list[tuple[tuple[int, ...], int]]:
    """Rankings with withdrawn candidates skipped; ballots left with nobody are not valid."""
    out = []
    for ranking, weight in rankings:
        if any(not isinstance(c, int) for c in ranking):
            raise Refused("equal rankings")  # every rule but block and fptp refuses them
        r = tuple(c for c in ranking if c not in withdrawn)
        if r:
            out.append((r, int(weight)))
    return out


# -- ties ------------------------------------------------------------------------------------


def pick(cands, current, earlier, direction, lot, want):
    """Pick one candidate from ``cands`` with the extreme ``current`` votes.

    ``want`` is "low" (an exclusion: fewest votes, lowest priority loses a lot) or "high"
    (a surplus or an election: most votes, highest priority wins a lot).  ``earlier`` is the
    list of earlier stages' votes (dicts), oldest first; ``direction`` is "backward" (most
    recent differing stage) or "forward" (earliest differing stage).  With three or more tied,
    each stage examined keeps only those at the extreme.

    Returns ``(candidate, how)`` with ``how`` None (no tie), "earlier stages" or "lot".
    """
    ext = min if want == "low" else max
    cands = list(cands)
    best = ext(current[c] for c in cands)
    tied = [c for c in cands if current[c] == best]
    if len(tied) == 1:
        return tied[0], None
    history = list(reversed(earlier)) if direction == "backward" else list(earlier)
    for votes in history:
        e = ext(votes[c] for c in tied)
        tied = [c for c in tied if votes[c] == e]
        if len(tied) == 1:
            return tied[0], EARLIER
    if want == "low":
        return min(tied, key=lambda c: lot[c]), LOT
    return max(tied, key=lambda c: lot[c]), LOT


def order(cands, current, earlier, direction, lot, want="high"):
    """``cands`` sorted by repeatedly picking (most votes first for "high").

    Returns ``[(candidate, how), ...]``; ``how`` says how that candidate was separated from the
    others still unplaced that had the same votes."""
    rest = list(cands)
    out = []
    while rest:
        c, how = pick(rest, current, earlier, direction, lot, want)
        out.append((c, how))
        rest.remove(c)
    return out


# -- group minimums --------------------------------------------------------------------------


class Groups:
    """Group minimums (docs/rules.md, "Group minimums").  ``groups`` is None or (group, mins)."""

    def __init__(self, groups, ncand):
        if groups is None:
            self.group = [-1] * ncand
            self.mins = []
        else:
            group, mins = groups
            self.group = [int(g) for g in group]
            self.mins = [int(m) for m in mins]

    def needs(self, elected) -> list[int]:
        """Members each group still needs."""
        out = []
        for g, m in enumerate(self.mins):
            have = sum(1 for c in elected if self.group[c] == g)
            out.append(max(0, m - have))
        return out

    def total_need(self, elected) -> int:
        return sum(self.needs(elected))

    def in_need(self, c, elected) -> bool:
        g = self.group[c]
        return g >= 0 and self.needs(elected)[g] > 0

    def can_elect(self, c, elected, seats) -> bool:
        """Rule 1: not elected if that would leave fewer vacancies than members still needed."""
        vacancies_after = seats - len(elected) - 1
        needs = self.needs(elected)
        g = self.group[c]
        if g >= 0 and needs[g] > 0:
            needs[g] -= 1
        return vacancies_after >= sum(needs)

    def protected(self, c, continuing, elected) -> bool:
        """Rule 2: a member is not excluded while the group's continuing members are no more
        than the members it still needs."""
        g = self.group[c]
        if g < 0:
            return False
        members = sum(1 for x in continuing if self.group[x] == g)
        return members <= self.needs(elected)[g]

    def must_exclude(self, continuing, elected, seats) -> list[int]:
        """Rule 3: once the vacancies left equal the members still needed (and some are still
        needed), every continuing candidate outside the groups still in need."""
        need = self.total_need(elected)
        if need == 0 or seats - len(elected) != need:
            return []
        return [c for c in continuing if not self.in_need(c, elected)]
