"""Reference count for ``block`` and ``fptp`` (docs/rules.md, "block and fptp"): one stage."""

from __future__ import annotations

from .common import CONTINUING, ELECTED, LOT, RefResult, RefStage, Refused


def _group(item):
    return (item,) if isinstance(item, int) else tuple(item)


def count(rankings, ncand, seats, withdrawn, lot, options=None, groups=None) -> RefResult:
    """``options["votes"]``: marks per ballot (default: the seats; ``fptp`` passes 1)."""
    options = dict(options or {})
    marks = options.get("votes") or seats
    withdrawn = set(withdrawn)
    cands = [c for c in range(ncand) if c not in withdrawn]
    votes = {c: 0 for c in cands}
    valid = 0
    for ranking, weight in rankings:
        # a ranking entry is a candidate or a group of candidates ranked equal; withdrawn
        # candidates are skipped wherever they appear
        groups = [tuple(c for c in _group(x) if c not in withdrawn) for x in ranking]
        groups = [g for g in groups if g]
        if not groups:
            continue  # not a valid vote
        valid += weight
        counted = []
        for g in groups:  # one vote to each of its first N non-withdrawn choices
            if len(counted) >= marks:
                break
            if len(counted) + len(g) > marks:
                # a group of equal candidates straddles the ballot's last counted mark
                raise Refused(f"equal rankings straddle mark {marks}")
            counted += g
        for c in counted:
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
        action="first preferences",
        subjects=(),
        votes=votes,
        states=states,
        non_transferable=0,
        lost=0,
        quota=0,
        elected=tuple(elected),
        tie=tie,
    )
    return RefResult(elected=list(elected), stages=[stage], decimals=0, valid=valid)
