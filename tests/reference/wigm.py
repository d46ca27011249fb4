"""Reference count for ``scottish`` and ``wigm`` (docs/rules.md, "scottish" and "wigm").

Every voter's paper is tracked on its own (a ballot of weight w is w papers), with its value
in units of 10^-d of a vote; everything is recomputed from the papers.
"""

from __future__ import annotations

from .common import (
    CONTINUING,
    ELECTED,
    EXCLUDED,
    Groups,
    RefResult,
    RefStage,
    ceil_div,
    clean_ballots,
    order,
    pick,
)


class Paper:
    __slots__ = ("ranking", "pos", "value")

    def __init__(self, ranking, value):
        self.ranking = ranking
        self.pos = 0
        self.value = value


def count(rankings, ncand, seats, withdrawn, lot, options=None, groups=None) -> RefResult:
    """Scottish STV (``options`` empty) or WIGM with ``quota``, ``decimals``, ``ties``."""
    options = dict(options or {})
    decimals = int(options.get("decimals", 5))
    quota_kind = options.get("quota", "droop")
    direction = options.get("ties", "backward")
    unit = 10**decimals
    withdrawn = set(withdrawn)
    cands = [c for c in range(ncand) if c not in withdrawn]
    grp = Groups(groups, ncand)

    papers = []
    for ranking, weight in clean_ballots(rankings, withdrawn):
        for _ in range(weight):
            papers.append(Paper(ranking, unit))
    n_valid = len(papers)

    if quota_kind == "droop":
        quota = (n_valid // (seats + 1) + 1) * unit
    elif quota_kind == "droop-exact":
        quota = (n_valid * unit) // (seats + 1)
    elif quota_kind == "hare":
        quota = ceil_div(n_valid * unit, seats)
    else:
        raise ValueError(quota_kind)

    def reaches(v):
        return v > quota if quota_kind == "droop-exact" else v >= quota

    state = {c: CONTINUING for c in cands}
    pile = {c: [] for c in cands}
    transferred = set()  # elected candidates whose surplus has gone (they now hold the quota)
    elected: list[int] = []
    totals = {"nt": 0, "lost": 0}
    stages: list[RefStage] = []

    def votes(c):
        if c in transferred:
            return quota
        return sum(p.value for p in pile[c])

    def continuing():
        return [c for c in cands if state[c] == CONTINUING]

    def pass_on(paper, value):
        """Move ``paper`` at ``value`` to its next continuing preference, or exhaust it."""
        paper.value = value
        pos = paper.pos + 1
        while pos < len(paper.ranking) and state[paper.ranking[pos]] != CONTINUING:
            pos += 1
        if pos < len(paper.ranking):
            paper.pos = pos
            pile[paper.ranking[pos]].append(paper)
        else:
            totals["nt"] += value

    def history():
        return [s.votes for s in stages]

    def end_stage(action, subjects, tie) -> bool:
        """Elect, apply the last-vacancies rule, record the stage; True when the count ends."""
        current = {c: votes(c) for c in cands}
        newly = []
        reached = [c for c in continuing() if reaches(current[c])]
        for c, _ in order(reached, current, history(), direction, lot):
            if len(elected) == seats:
                break
            if not grp.can_elect(c, elected, seats):
                continue
            state[c] = ELECTED
            elected.append(c)
            newly.append(c)
        done = len(elected) == seats
        rest = continuing()
        if not done and len(rest) <= seats - len(elected):
            for c, _ in order(rest, current, history(), direction, lot):
                state[c] = ELECTED
                elected.append(c)
                newly.append(c)
            done = True
        if not continuing():
            done = True
        stages.append(
            RefStage(
                action=action,
                subjects=tuple(subjects),
                votes=current,
                states=dict(state),
                non_transferable=totals["nt"],
                lost=totals["lost"],
                quota=quota,
                elected=tuple(newly),
                tie=tie,
            )
        )
        return done

    def exclude(excluded, tie):
        for c in excluded:
            state[c] = EXCLUDED
        if len(continuing()) <= seats - len(elected):
            # Last vacancies: an exclusion that leaves no more continuing candidates than
            # vacancies transfers nothing (totals unchanged; rule 52(2)); the others are elected
            return end_stage("exclusion", sorted(excluded), tie)
        for c in excluded:
            moving, pile[c] = pile[c], []
            for p in moving:
                pass_on(p, p.value)
        return end_stage("exclusion", sorted(excluded), tie)

    # stage 1: first preferences
    for p in papers:
        pile[p.ranking[0]].append(p)
    done = end_stage("first preferences", (), None)

    while not done:
        cont = continuing()
        current = stages[-1].votes
        earlier = history()[:-1]
        # group rule 3: exclude everyone outside the groups still in need, in one stage
        bulk = grp.must_exclude(cont, elected, seats)
        if bulk:
            done = exclude(bulk, None)
            continue
        pending = [c for c in elected if c not in transferred and votes(c) > quota]
        if pending:
            c, tie = pick(pending, current, earlier, direction, lot, "high")
            total = votes(c)
            surplus = total - quota
            moving, pile[c] = pile[c], []
            moved = 0
            for p in moving:
                value = (surplus * p.value) // total  # per paper, truncated (rule 48(3))
                moved += value
                pass_on(p, value)
            transferred.add(c)
            totals["lost"] += surplus - moved
            done = end_stage("surplus", (c,), tie)
            continue
        candidates = [c for c in cont if not grp.protected(c, cont, elected)]
        c, tie = pick(candidates, current, earlier, direction, lot, "low")
        done = exclude([c], tie)

    return RefResult(elected=elected, stages=stages, decimals=decimals, valid=n_valid * unit)
