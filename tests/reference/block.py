"""Reference count for ``block`` and ``fptp`` (docs/rules.md, "block and fptp"): one stage."""

from __future__ import annotations

from .common import CONTINUING, ELECTED, LOT, RefResult, RefStage, clean_ballots


def count(rankings, ncand, seats, withdrawn, lot, options=None, groups=None) -> RefResult:
    """``options["votes"]``: marks per ballot (default: the seats; ``fptp`` passes 1)."""
    options = dict(options or {})
    marks = options.get("votes") or seats
    withdrawn = set(withdrawn)
    cands = [c for c in range(ncand) if c not in withdrawn]
    ballots = clean_ballots(rankings, withdrawn)
    votes = {c: 0 for c in cands}
    for ranking, weight in ballots:
        for c in ranking[:marks]:  # its first N non-withdrawn choices
            votes[c] += weight
    # the most-voted win; equal votes by lot (highest priority first)
    ranked = sorted(cands, key=lambda c: (-votes[c], -lot[c]))
    elected = ranked[:seats]
    # docs/rules.md, "Last vacancies": when every seat is filled the count stops and the
    # remaining candidates stay continuing (they were not excluded).
    states = {c: (ELECTED if c in elected else CONTINUING) for c in cands}
    # READING (docs/rules.md says only "ties by lot" and "a stage whose subject was picked ...
    # by lot says so"): the stage says "lot" when lot decided who was elected or the order of
    # election, i.e. an elected candidate has the same votes as any other candidate.
    tie = LOT if any(votes[a] == votes[b] for a in elected for b in cands if b != a) else None
    stage = RefStage(
        action="first preferences", subjects=(), votes=votes, states=states,
        non_transferable=0, lost=0, quota=0, elected=tuple(elected), tie=tie,
    )
    return RefResult(elected=list(elected), stages=[stage], decimals=0,
                     valid=sum(w for _, w in ballots))
