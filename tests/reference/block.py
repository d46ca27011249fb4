"""Reference count for ``block`` and ``fptp`` (docs/rules.md, "block and fptp"): one stage, then
with group minimums one "replacement" stage per candidate who gives way (docs/rules.md, "Group
minimums with block and fptp")."""

from __future__ import annotations

from .common import CONTINUING, ELECTED, EXCLUDED, LOT, RefResult, RefStage, Refused


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
        runs = [tuple(c for c in _group(x) if c not in withdrawn) for x in ranking]
        runs = [g for g in runs if g]
        if not runs:
            continue  # not a valid vote
        valid += weight
        counted = []
        for g in runs:  # one vote to each of its first N non-withdrawn choices
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
    stages = [stage]
    elected = list(elected)
    if groups is not None:
        group, mins = groups
        for g, m in enumerate(mins):  # docs/rules.md: a minimum that cannot be met is an error
            if sum(1 for c in cands if group[c] == g) < m:
                raise Refused(f"group {g} has fewer than {m} candidates standing")
        if sum(mins) > seats:
            raise Refused(f"minimums need {sum(mins)} seats")
        _replace(stages, elected, ranked, votes, states, groups)
    return RefResult(elected=elected, stages=stages, decimals=0, valid=valid)


def _replace(stages, elected, ranked, votes, states, groups):
    """While a group is short of its minimum (the first such, in the order given), the
    lowest-placed elected candidate who can give way is replaced by the highest-placed unelected
    member of that group.  ``ranked`` is the placing: most votes first, equal votes by lot."""
    group, mins = groups
    states = dict(states)

    def members(g):
        return [c for c in elected if group[c] == g]

    while True:
        short = [g for g in range(len(mins)) if len(members(g)) < mins[g]]
        if not short:
            return
        g = short[0]
        # candidates who can give way: in no group, or in a group that keeps its minimum
        can_go = [
            c for c in elected if group[c] < 0 or len(members(group[c])) - 1 >= mins[group[c]]
        ]
        waiting = [c for c in ranked if group[c] == g and states[c] == CONTINUING]
        assert can_go and waiting, "the minimums were checked above"
        comes_in = waiting[0]  # highest-placed
        gives_way = [c for c in ranked if c in can_go][-1]  # lowest-placed
        # lot decided it when the pick had equal votes with another candidate it was picked from
        tie = None
        if any(votes[c] == votes[comes_in] for c in waiting if c != comes_in) or any(
            votes[c] == votes[gives_way] for c in can_go if c != gives_way
        ):
            tie = LOT
        elected.remove(gives_way)
        elected.append(comes_in)
        states[gives_way] = EXCLUDED
        states[comes_in] = ELECTED
        stages.append(
            RefStage(
                action="replacement",
                subjects=(comes_in,),
                votes=dict(votes),
                states=dict(states),
                non_transferable=0,
                lost=0,
                quota=0,
                elected=(comes_in,),
                tie=tie,
            )
        )
