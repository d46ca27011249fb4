"""ERS97 STV: the Electoral Reform Society's 1997 rules, in units of 0.01 of a vote.

Newland & Britton, *How to conduct an election by the Single Transferable Vote*, 3rd ed. (1997),
sections 5.1-5.6 (see ``docs/rules.md`` for every choice the text leaves open):

* quota ceil_0.01(N / (s+1)), recalculated without non-transferable votes until someone is
  elected (5.1.6, 5.4.8); election on the quota or, when lower, the total active vote divided by
  one more than the places left (5.1.7);
* surpluses transferred largest first unless deferred (5.2.2); only the last parcel is examined
  after the first stage, at floor_0.01(surplus / transferable papers) unless the papers are worth
  no more than the surplus (5.3);
* bulk exclusion (5.2.5); excluded papers move in batches by value, highest first, each batch a
  stage after which candidates may be elected (5.4);
* ties: the earliest stage at which the tied candidates differed, then lot; candidates tied for
  the last places who were equal throughout are not elected at that stage (5.6.2).

Group minimums (``constraints``) turn bulk exclusion off: the lowest unprotected candidate is
excluded alone.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel
from simcore.kernels.constraints import can_elect, must_exclude, protected
from simcore.kernels.countlog import (
    BULK_EXCLUSION,
    CONTINUING,
    ELECTED,
    EXCLUDED,
    EXCLUSION,
    FIRST_PREFERENCES,
    SURPLUS,
    WITHDRAWN,
)
from simcore.kernels.piles import (
    deal_first_preferences,
    move_paper,
    new_piles,
    next_continuing,
)
from simcore.kernels.ties import FORWARD, break_tie, extreme_candidate
from simcore.kernels.wigm import _elect, _record

UNIT = np.int64(100)


def max_stages(ncand: int, seats: int) -> int:
    """Stages an ERS97 count can need: each exclusion has at most one batch per distinct value
    (1 plus one per surplus transfer)."""
    return 4 + seats + ncand * (seats + 2) + ncand


@kernel
def _ceil_div(a, b):
    return -((-a) // b)


@kernel
def _elect_reached(stage, seats, n_elected, totals, state, quota, pending, lot, group,
                   group_min, log_votes, log_state, elected, elected_stage, scratch, mask, cand):
    """5.1.7 / 5.4.9 with 5.6.2: elect continuing candidates on the quota or the total active
    vote threshold, most votes first, up to the places left."""
    ncand = totals.shape[0]
    while n_elected < seats:
        places = seats - n_elected
        tav = np.int64(0)
        for c in range(ncand):
            if state[c] == CONTINUING:
                tav += totals[c]
            elif pending[c]:
                tav += totals[c] - quota
        threshold = min(quota, _ceil_div(tav, places + 1))
        if threshold < 1:
            threshold = 1
        n = 0
        for c in range(ncand):
            if state[c] == CONTINUING and totals[c] >= threshold and can_elect(
                    c, group, group_min, state, places):
                cand[n] = c
                n += 1
        if n == 0:
            break
        # most votes first; among equal votes, the one ahead at the earliest differing stage
        for c in range(ncand):
            mask[c] = False
        for j in range(n):
            mask[cand[j]] = True
        c, how = extreme_candidate(totals, mask, log_votes, stage, lot, False, FORWARD, scratch)
        # 5.6.2: equal candidates competing for too few places and equal at every stage
        n_eq = 0
        for j in range(n):
            if totals[cand[j]] == totals[c]:
                n_eq += 1
        if how == 2 and n_eq > places:
            break
        n_elected = _elect(c, stage, n_elected, state, elected, elected_stage, log_state)
        pending[c] = totals[c] > quota
    return n_elected


@kernel
def _exclusion_set(totals, state, places, deferred, order, group_min):
    """5.2.5: the largest k such that the k lowest continuing candidates can go together.

    Returns k (0 if none); ``order`` receives continuing candidates sorted by votes, lowest
    first.  With group minimums only k = 1 is considered.
    """
    ncand = totals.shape[0]
    n = 0
    for c in range(ncand):
        if state[c] == CONTINUING:
            order[n] = c
            n += 1
    # insertion sort by votes (stable in candidate index)
    for j in range(1, n):
        x = order[j]
        k = j - 1
        while k >= 0 and totals[order[k]] > totals[x]:
            order[k + 1] = order[k]
            k -= 1
        order[k + 1] = x
    best = 0
    prefix = np.int64(0)
    for k in range(1, n):
        prefix += totals[order[k - 1]]
        if n - k < places:
            break
        above = totals[order[k]]
        if prefix + deferred <= above and (k == 1 or totals[order[k - 1]] < above):
            best = k
        if group_min.shape[0] > 0:
            break
    return best, n


@kernel
def count_ers97(ballots, weights, seats, withdrawn, lot, group, group_min, log_votes, log_state,
                log_exh, log_lost, log_quota, log_action, log_subject, log_tie, elected,
                elected_stage, excluded_stage, meta):
    ncand = withdrawn.shape[0]
    n = ballots.shape[0]
    state = np.zeros(ncand, np.int8)
    for c in range(ncand):
        if withdrawn[c]:
            state[c] = WITHDRAWN
    totals = np.zeros(ncand, np.int64)
    pos = np.empty(n, np.int32)
    val = np.empty(n, np.int64)
    pile, size = new_piles(ncand, n)
    arrival = np.zeros(n, np.int64)
    last_in = np.zeros(ncand, np.int64)
    scratch = np.empty(ncand, np.int64)
    cand = np.empty(ncand, np.int64)
    order = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)
    pending = np.zeros(ncand, np.bool_)
    pool = np.empty(n, np.int64)

    valid = deal_first_preferences(ballots, weights, state, UNIT, pos, val, pile, size, totals)
    valid_units = valid * UNIT
    quota = _ceil_div(valid_units, seats + 1)
    exhausted = np.int64(0)
    transfer_id = 0
    n_elected = 0
    stage = 0
    _record(stage, totals, state, exhausted, 0, quota, FIRST_PREFERENCES, -1, 0, log_votes,
            log_state, log_exh, log_lost, log_quota, log_action, log_subject, log_tie)
    n_elected = _elect_reached(stage, seats, n_elected, totals, state, quota, pending, lot,
                               group, group_min, log_votes, log_state, elected, elected_stage,
                               scratch, mask, cand)
    while n_elected < seats:
        places = seats - n_elected
        n_cont = 0
        n_forced = 0
        for c in range(ncand):
            n_cont += state[c] == CONTINUING
            mask[c] = state[c] == CONTINUING and must_exclude(c, group, group_min, state, places)
            n_forced += mask[c]
        if n_forced == 0 and n_cont <= places:
            for c in range(ncand):
                mask[c] = state[c] == CONTINUING
            while True:
                c, how = extreme_candidate(totals, mask, log_votes, stage, lot, False, FORWARD,
                                           scratch)
                if c < 0:
                    break
                mask[c] = False
                n_elected = _elect(c, stage, n_elected, state, elected, elected_stage, log_state)
            break

        surplus_total = np.int64(0)
        for c in range(ncand):
            if pending[c]:
                surplus_total += totals[c] - quota
        how = 0
        if n_forced == 0 and surplus_total > 0:
            k, n_sorted = _exclusion_set(totals, state, places, surplus_total, order, group_min)
            if k == 0:
                # 5.2.3: transfer the largest surplus, last parcel only (5.3)
                c, how = extreme_candidate(totals, pending, log_votes, stage, lot, False,
                                           FORWARD, scratch)
                pending[c] = False
                surplus = totals[c] - quota
                parcel = last_in[c]
                n_papers = np.int64(0)
                value = np.int64(0)
                held = size[c]
                for j in range(held):
                    i = pile[c, j]
                    if arrival[i] == parcel and next_continuing(ballots, i, pos[i], state) < \
                            ballots.shape[1]:
                        n_papers += weights[i]
                        value += weights[i] * val[i]
                transfer_id += 1
                moved = np.int64(0)
                size[c] = 0
                for j in range(held):
                    i = pile[c, j]
                    if arrival[i] == parcel and next_continuing(ballots, i, pos[i], state) < \
                            ballots.shape[1]:
                        tv = surplus // n_papers if value > surplus else val[i]
                        m, e = move_paper(i, ballots, weights, state, pos, val, pile, size,
                                          totals, tv)
                        moved += m
                        d = ballots[i, pos[i]]
                        arrival[i] = transfer_id
                        last_in[d] = transfer_id
                    else:  # stays with the elected candidate
                        pile[c, size[c]] = i
                        size[c] += 1
                exhausted += surplus - moved
                totals[c] = quota
                stage += 1
                _record(stage, totals, state, exhausted, 0, quota, SURPLUS, c, how, log_votes,
                        log_state, log_exh, log_lost, log_quota, log_action, log_subject,
                        log_tie)
                n_elected = _elect_reached(stage, seats, n_elected, totals, state, quota,
                                           pending, lot, group, group_min, log_votes, log_state,
                                           elected, elected_stage, scratch, mask, cand)
                continue

        # exclusion: forced by a group minimum, in bulk (5.2.5), or the single lowest
        if n_forced > 0:
            k = 0
            for c in range(ncand):
                if mask[c]:
                    order[k] = c
                    k += 1
        else:
            k, n_sorted = _exclusion_set(totals, state, places, surplus_total, order, group_min)
            if k <= 1:
                for c in range(ncand):
                    mask[c] = state[c] == CONTINUING and not protected(c, group, group_min,
                                                                        state)
                order[0], how = extreme_candidate(totals, mask, log_votes, stage, lot, True,
                                                  FORWARD, scratch)
                k = 1
        subject = order[0] if k == 1 else -1
        action = EXCLUSION if k == 1 else BULK_EXCLUSION
        for j in range(k):
            state[order[j]] = EXCLUDED
            excluded_stage[order[j]] = stage + 1
        if n_cont - k <= places and n_forced == 0:
            # 5.5.1: the others fill the places; no papers are transferred
            stage += 1
            _record(stage, totals, state, exhausted, 0, quota, action, subject, how, log_votes,
                    log_state, log_exh, log_lost, log_quota, log_action, log_subject, log_tie)
            for c in range(ncand):
                mask[c] = state[c] == CONTINUING
            while True:
                c, h = extreme_candidate(totals, mask, log_votes, stage, lot, False, FORWARD,
                                         scratch)
                if c < 0:
                    break
                mask[c] = False
                n_elected = _elect(c, stage, n_elected, state, elected, elected_stage, log_state)
            break
        # pool the excluded candidates' papers, highest value first (5.4.1)
        m_pool = 0
        for j in range(k):
            x = order[j]
            for t in range(size[x]):
                pool[m_pool] = pile[x, t]
                m_pool += 1
            size[x] = 0
        vals = np.empty(m_pool, np.int64)
        for j in range(m_pool):
            vals[j] = -val[pool[j]]
        by_value = np.argsort(vals, kind="mergesort")
        start = 0
        while True:
            if start >= m_pool and start > 0:
                break
            end = start
            batch_value = val[pool[by_value[start]]] if m_pool > 0 else np.int64(0)
            while end < m_pool and val[pool[by_value[end]]] == batch_value:
                end += 1
            transfer_id += 1
            for j in range(start, end):
                i = pool[by_value[j]]
                owner = ballots[i, pos[i]]
                totals[owner] -= weights[i] * val[i]
                m, e = move_paper(i, ballots, weights, state, pos, val, pile, size, totals,
                                  val[i])
                exhausted += e
                if pos[i] < ballots.shape[1]:
                    d = ballots[i, pos[i]]
                    arrival[i] = transfer_id
                    last_in[d] = transfer_id
            if n_elected == 0:
                quota = _ceil_div(valid_units - exhausted, seats + 1)
            stage += 1
            _record(stage, totals, state, exhausted, 0, quota, action, subject, how, log_votes,
                    log_state, log_exh, log_lost, log_quota, log_action, log_subject, log_tie)
            n_elected = _elect_reached(stage, seats, n_elected, totals, state, quota, pending,
                                       lot, group, group_min, log_votes, log_state, elected,
                                       elected_stage, scratch, mask, cand)
            start = end
            if start >= m_pool or n_elected >= seats:
                break
        if n_elected == 0:
            quota = _ceil_div(valid_units - exhausted, seats + 1)

    meta[0] = stage + 1
    meta[1] = n_elected
    meta[2] = valid_units
    meta[3] = 0
