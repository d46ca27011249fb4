"""Reference count for ``irv`` (docs/rules.md, "irv"): whole votes, one round per stage."""

from __future__ import annotations

from .common import CONTINUING, ELECTED, EXCLUDED, RefResult, RefStage, clean_ballots, pick


def count(rankings, ncand, seats, withdrawn, lot, options=None, groups=None) -> RefResult:
    options = dict(options or {})
    direction = options.get("ties", "backward")
    withdrawn = set(withdrawn)
    cands = [c for c in range(ncand) if c not in withdrawn]
    ballots = clean_ballots(rankings, withdrawn)
    n_valid = sum(w for _, w in ballots)
    state = {c: CONTINUING for c in cands}
    stages: list[RefStage] = []
    elected: list[int] = []
    action, subjects, tie = "first preferences", (), None

    while True:
        # every ballot counts for its first continuing preference (recomputed from scratch)
        votes = {c: 0 for c in cands}
        exhausted = 0
        for ranking, weight in ballots:
            top = next((c for c in ranking if state[c] == CONTINUING), None)
            if top is None:
                exhausted += weight
            else:
                votes[top] += weight
        cont = [c for c in cands if state[c] == CONTINUING]
        active = sum(votes[c] for c in cont)
        majority = active // 2 + 1  # more than half of the continuing votes
        winner = next((c for c in cont if votes[c] >= majority), None)
        if winner is None and len(cont) == 1:
            winner = cont[0]  # the last candidate left wins
        newly = ()
        if winner is not None:
            state[winner] = ELECTED
            elected.append(winner)
            newly = (winner,)
        stages.append(
            RefStage(
                action=action,
                subjects=subjects,
                votes=votes,
                states=dict(state),
                non_transferable=exhausted,
                lost=0,
                quota=majority,
                elected=newly,
                tie=tie,
            )
        )
        if winner is not None or not cont:
            break
        earlier = [s.votes for s in stages[:-1]]
        loser, tie = pick(cont, votes, earlier, direction, lot, "low")
        state[loser] = EXCLUDED
        action, subjects = "exclusion", (loser,)

    return RefResult(elected=elected, stages=stages, decimals=0, valid=n_valid)
