"""Reference count for ``meek`` (docs/rules.md, "meek"): NZ fixed point, unit 10^-9.

Reading of the stage structure (docs/rules.md leaves the bookkeeping between iterations
implicit; this is the reading used):

* Stage 1 is the first distribution (all keep values 1); candidates reaching the quota are
  elected.
* A later stage is an *exclusion* when the previous stage ended because the iteration stopped
  (one of the three "when to exclude" conditions), or when, at the start of the stage, the total
  surplus is below 0.0001 or the lowest candidate's votes plus the total surplus are below every
  other continuing candidate's votes.  Otherwise it is a *surpluses* stage.
* A surpluses stage repeats: update keep values, redistribute; it ends as soon as a continuing
  candidate reaches the quota, or a stop condition holds (then the next stage is an exclusion).
  "Did not decrease from the previous iteration" compares with the previous distribution of the
  same run of iterations (for a surpluses stage the first comparison is with the distribution
  the stage starts from).
* An exclusion stage sets the keep value to 0 and redistributes (with the keep values as they
  are); if nobody reaches the quota and no stop condition holds (the "did not decrease" test has
  nothing to compare with yet), it goes on iterating as a surpluses stage does.
* An exclusion that leaves no more continuing candidates than vacancies redistributes nothing:
  totals stay as they were and the others are elected (Common ground, "Last vacancies").
* "Below every other continuing candidate's votes" is true when no other candidate continues.
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

UNIT = 10**9
SMALL_SURPLUS = UNIT // 10**4  # 0.0001


def count(rankings, ncand, seats, withdrawn, lot, options=None, groups=None) -> RefResult:
    direction = "forward"
    withdrawn = set(withdrawn)
    cands = [c for c in range(ncand) if c not in withdrawn]
    ballots = clean_ballots(rankings, withdrawn)
    n_valid = sum(w for _, w in ballots)
    grp = Groups(groups, ncand)

    keep = {c: UNIT for c in cands}
    state = {c: CONTINUING for c in cands}
    elected: list[int] = []
    stages: list[RefStage] = []
    now = {}  # the latest distribution: votes, exhausted, quota

    def distribute():
        votes = {c: 0 for c in cands}
        exhausted = 0
        for ranking, weight in ballots:
            w = UNIT
            for c in ranking:
                if w == 0:
                    break
                take = ceil_div(w * keep[c], UNIT)  # ceil9(w x keep)
                votes[c] += take * weight
                w -= take
            exhausted += w * weight
        total = sum(votes.values())
        assert total + exhausted == n_valid * UNIT
        now.update(votes=votes, exhausted=exhausted, quota=total // (seats + 1) + 1)

    def continuing():
        return [c for c in cands if state[c] == CONTINUING]

    def total_surplus():
        q = now["quota"]
        return sum(max(0, now["votes"][c] - q) for c in elected)

    def must_stop(surplus, previous) -> bool:
        """The "when to exclude" conditions (previous: the last iteration's total surplus)."""
        if surplus < SMALL_SURPLUS:
            return True
        v = sorted(now["votes"][c] for c in continuing())
        if v and all(v[0] + surplus < x for x in v[1:]):  # (true when nobody else continues)
            return True
        return previous is not None and surplus >= previous

    def someone_reaches() -> bool:
        return any(now["votes"][c] >= now["quota"] for c in continuing())

    def update_keeps():
        q = now["quota"]
        for c in elected:
            v = now["votes"][c]
            if v > 0:
                keep[c] = min(UNIT, ceil_div(ceil_div(q * keep[c], UNIT) * UNIT, v))

    def iterate(previous) -> bool:
        """Iterate until someone reaches the quota (False) or the iteration stops (True)."""
        while True:
            update_keeps()
            distribute()
            if someone_reaches():
                return False
            s = total_surplus()
            if must_stop(s, previous):
                return True
            previous = s

    def history():
        return [s.votes for s in stages]

    def end_stage(action, subjects, tie) -> bool:
        current = dict(now["votes"])
        newly = []
        reached = [c for c in continuing() if current[c] >= now["quota"]]
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
                non_transferable=now["exhausted"],
                lost=0,
                quota=now["quota"],
                elected=tuple(newly),
                tie=tie,
            )
        )
        return done

    def exclusion(excluded, tie):
        for c in excluded:
            state[c] = EXCLUDED
            keep[c] = 0
        stopped = False
        if len(continuing()) <= seats - len(elected):
            # Last vacancies: an exclusion that leaves no more continuing candidates than
            # vacancies transfers nothing (totals unchanged); the others are elected
            return end_stage("exclusion", sorted(excluded), tie), stopped
        distribute()
        if not someone_reaches():
            s = total_surplus()
            stopped = must_stop(s, None) or iterate(s)
        return end_stage("exclusion", sorted(excluded), tie), stopped

    distribute()
    done = end_stage("first preferences", (), None)
    stopped = False
    while not done:
        cont = continuing()
        bulk = grp.must_exclude(cont, elected, seats)
        if bulk:
            done, stopped = exclusion(bulk, None)
            continue
        s = total_surplus()
        if stopped or must_stop(s, None):
            earlier = history()[:-1]
            candidates = [c for c in cont if not grp.protected(c, cont, elected)]
            c, tie = pick(candidates, stages[-1].votes, earlier, direction, lot, "low")
            done, stopped = exclusion([c], tie)
            continue
        stopped = iterate(s)
        done = end_stage("surpluses", (), None)

    return RefResult(elected=elected, stages=stages, decimals=9, valid=n_valid * UNIT)
