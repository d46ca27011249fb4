"""Reference count for ``ers97`` (docs/rules.md, "ers97"): unit 0.01, one paper per voter.

Readings of points docs/rules.md leaves open (each marked ``READING`` below):

* candidates are elected one at a time, the total-active-vote threshold being recomputed (with
  the places not yet filled) before each election;
* 5.6.2 ("equal votes compete for too few places") is judged among the qualified candidates that
  group rule 1 would let in, against the places left;
* 5.5.1 (docs/rules.md, "Last vacancies"): an exclusion -- any exclusion, group rule 3's too --
  that leaves no more continuing candidates than places is one stage in which no paper moves (the
  excluded candidates' votes stay where they were) and the others are elected in order of votes;
* an exclusion of candidates holding no papers is one stage (with no paper moving);
* a candidate elected at a stage at which they received no papers (possible when the quota is
  recalculated, 5.4.8) has as last parcel the papers they last received;
* a bulk exclusion (5.2.5) never separates candidates with equal votes: the candidate "next
  above" the excluded ones must have more votes than the highest of them (with equal votes no
  candidate is above the other; the single-lowest exclusion breaks such ties).  This only
  matters when the lower candidates have no votes and no surplus is deferred;
* with group minimums, a bulk exclusion (5.2.5) must leave every group at least the members it
  still needs (the same test is used for deferral), and a single exclusion takes the lowest
  candidate not protected (rule 2).
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

UNIT = 100


class Paper:
    __slots__ = ("ranking", "pos", "value")

    def __init__(self, ranking, value):
        self.ranking = ranking
        self.pos = 0
        self.value = value


def count(rankings, ncand, seats, withdrawn, lot, options=None, groups=None) -> RefResult:
    direction = "forward"
    withdrawn = set(withdrawn)
    cands = [c for c in range(ncand) if c not in withdrawn]
    grp = Groups(groups, ncand)

    papers = []
    for ranking, weight in clean_ballots(rankings, withdrawn):
        for _ in range(weight):
            papers.append(Paper(ranking, UNIT))
    valid = len(papers) * UNIT

    state = {c: CONTINUING for c in cands}
    pile = {c: [] for c in cands}
    received = {c: [] for c in cands}  # papers received at the current stage
    parcel = {c: [] for c in cands}  # the last parcel of an elected candidate
    last_received = {c: [] for c in cands}  # papers received at the latest stage they got any
    fixed = {}  # elected candidates whose surplus has been transferred: their vote (the quota)
    elected: list[int] = []
    stages: list[RefStage] = []
    t = {"nt": 0, "quota": ceil_div(valid, seats + 1)}  # 5.1.6

    def votes(c):
        if c in fixed:
            return fixed[c]
        return sum(p.value for p in pile[c])

    def continuing():
        return [c for c in cands if state[c] == CONTINUING]

    def surplus(c):
        return max(0, votes(c) - t["quota"]) if c not in fixed else 0

    def next_continuing(paper):
        for pos in range(paper.pos + 1, len(paper.ranking)):
            if state[paper.ranking[pos]] == CONTINUING:
                return pos
        return None

    def give(paper, pos, value):
        paper.pos = pos
        paper.value = value
        c = paper.ranking[pos]
        pile[c].append(paper)
        received[c].append(paper)

    def history():
        return [s.votes for s in stages]

    def end_stage(action, subjects, tie) -> bool:
        if not elected:  # 5.4.8: recalculated leaving out non-transferable votes
            t["quota"] = ceil_div(valid - t["nt"], seats + 1)
        quota = t["quota"]
        current = {c: votes(c) for c in cands}
        hist = history() + [current]

        def record(c):
            return [h[c] for h in hist]

        newly = []
        # 5.1.7 / 5.4.9: in descending order of votes, up to the places left.  READING: one
        # election at a time, the total active vote and the places not yet filled taken afresh
        # before each (an elected candidate's untransferred surplus stays in the active vote).
        while len(elected) < seats:
            places = seats - len(elected)
            cont = continuing()
            active = sum(current[c] for c in cont) + sum(surplus(c) for c in elected)
            threshold = min(quota, ceil_div(active, places + 1))
            qual = [c for c in cont if current[c] >= threshold]
            qualified = [c for c, _ in order(qual, current, history(), direction, lot)]
            # group rule 1.  READING: 5.6.2 is judged among the candidates rule 1 lets in
            qualified = [c for c in qualified if grp.can_elect(c, elected, seats)]
            # 5.6.2: equal votes competing for too few places are decided by the earliest stage
            # at which they differed (the order above); if they were equal at every stage (a
            # lot would decide), none of them is elected at this stage
            if len(qualified) > places:
                cut = record(qualified[places - 1])
                if record(qualified[places]) == cut:
                    qualified = [c for c in qualified[:places] if record(c) != cut]
            if not qualified:
                break
            c = qualified[0]
            state[c] = ELECTED
            elected.append(c)
            newly.append(c)
            # the last parcel: all papers at stage 1, else those received at this stage.
            # READING: elected at a stage at which they received nothing (the quota fell,
            # 5.4.8), the last parcel is the one they last received
            parcel[c] = list(received[c]) if received[c] else list(last_received[c])
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
                non_transferable=t["nt"],
                lost=0,
                quota=quota,
                elected=tuple(newly),
                tie=tie,
            )
        )
        for c in cands:
            if received[c]:
                last_received[c] = received[c]
            received[c] = []
        return done

    def exclude(excluded, tie, one_stage=False) -> bool:
        """5.4: papers in batches by value, highest first, each batch a stage (one stage for
        group rule 3)."""
        places = seats - len(elected)
        others = [c for c in continuing() if c not in excluded]
        for c in excluded:
            state[c] = EXCLUDED
        if len(others) <= places:
            # 5.5.1 READING: one stage, no paper moves, the others are elected
            return end_stage("exclusion", sorted(excluded), tie)
        held = [p for c in excluded for p in pile[c]]
        values = sorted({p.value for p in held}, reverse=True)
        if one_stage:
            values = [None]
        if not values:
            return end_stage("exclusion", sorted(excluded), tie)
        for v in values:
            for c in excluded:
                moving = [p for p in pile[c] if v is None or p.value == v]
                pile[c] = [p for p in pile[c] if not (v is None or p.value == v)]
                for p in moving:
                    pos = next_continuing(p)
                    if pos is None:
                        t["nt"] += p.value
                    else:
                        give(p, pos, p.value)
            if end_stage("exclusion", sorted(excluded), tie):
                return True
        return False

    def transfer_surplus(c, tie) -> bool:
        """5.3: the last parcel (all papers when elected at stage 1)."""
        s = surplus(c)
        movable = [(p, next_continuing(p)) for p in parcel[c]]
        movable = [(p, pos) for p, pos in movable if pos is not None]
        n = len(movable)
        total = sum(p.value for p, _ in movable)
        moved = 0
        keep_ids = {id(p) for p, _ in movable}
        pile[c] = [p for p in pile[c] if id(p) not in keep_ids]
        for p, pos in movable:
            value = s // n if total > s else p.value  # floor2(surplus / papers)
            moved += value
            give(p, pos, value)
        t["nt"] += s - moved
        fixed[c] = t["quota"]
        return end_stage("surplus", (c,), tie)

    def exclusion_plan(cont, deferred):
        """The candidates to exclude under 5.2.5 (most possible), with ``deferred`` surplus
        counted, as ``(list, tie)``; ``([], None)`` if no k >= 1 qualifies."""
        current = stages[-1].votes
        earlier = history()[:-1]
        ranked = order(cont, current, earlier, direction, lot, "low")
        places = seats - len(elected)
        best = 0
        for k in range(1, len(ranked)):
            low = [c for c, _ in ranked[:k]]
            if len(ranked) - k < places:
                break
            if sum(current[c] for c in low) + deferred > current[ranked[k][0]]:
                continue
            if current[low[-1]] == current[ranked[k][0]]:
                continue  # READING: a bulk exclusion does not split candidates with equal votes
            left = [c for c, _ in ranked[k:]]
            if grp.mins and any(
                sum(1 for x in left if grp.group[x] == g) < need
                for g, need in enumerate(grp.needs(elected))
            ):
                continue
            best = k
        if best == 0:
            return [], None
        return [c for c, _ in ranked[:best]], None

    # stage 1: first preferences
    for p in papers:
        pile[p.ranking[0]].append(p)
        received[p.ranking[0]].append(p)
    done = end_stage("first preferences", (), None)

    while not done:
        cont = continuing()
        bulk = grp.must_exclude(cont, elected, seats)
        if bulk:
            done = exclude(bulk, None, one_stage=True)
            continue
        pending = [c for c in elected if surplus(c) > 0]
        total = sum(surplus(c) for c in pending)
        plan, tie = exclusion_plan(cont, total)
        if pending and not plan:
            current = stages[-1].votes
            c, tie = pick(pending, current, history()[:-1], direction, lot, "high")
            done = transfer_surplus(c, tie)
            continue
        if len(plan) <= 1:
            candidates = [c for c in cont if not grp.protected(c, cont, elected)]
            c, tie = pick(candidates, stages[-1].votes, history()[:-1], direction, lot, "low")
            plan = [c]
        done = exclude(plan, tie)

    return RefResult(elected=elected, stages=stages, decimals=2, valid=valid)
