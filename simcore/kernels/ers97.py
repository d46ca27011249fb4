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

With group minimums (``constraints``) a bulk exclusion must leave every group the members it still
needs; a single exclusion takes the lowest candidate that is not protected.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import borrowing_kernel, inlined_kernel, kernel
from simcore.kernels.constraints import can_elect, group_needs, must_exclude, protected
from simcore.kernels.countlog import (
    BULK_EXCLUSION,
    CONTINUING,
    EXCLUDED,
    EXCLUSION,
    FIRST_PREFERENCES,
    SURPLUS,
)
from simcore.kernels.lazy_tree import IN_PLACE, children_of, expanded_children
from simcore.kernels.piles import _pass_on_calling, deal_first_preferences, new_piles, take_pile
from simcore.kernels.stages import elect, elect_rest, initial_states, record
from simcore.kernels.ties import FORWARD, extreme_candidate

UNIT = np.int64(100)


def max_stages(ncand: int, seats: int) -> int:
    """Stages an ERS97 count can need: each exclusion has at most one batch per distinct value
    (1 plus one per surplus transfer)."""
    return 4 + seats + ncand * (seats + 2) + ncand


@borrowing_kernel
def _ceil_div(a, b):
    return -((-a) // b)


@kernel
def _elect_reached(
    stage,
    seats,
    n_elected,
    totals,
    state,
    quota,
    pending,
    lot,
    group,
    group_min,
    log,
    scratch,
    mask,
    picks,
):
    """5.1.7 / 5.4.9 with 5.6.2: elect continuing candidates on the quota or the total active
    vote threshold, most votes first, up to the places left."""
    ncand = totals.shape[0]
    log_votes = log.votes
    while n_elected < seats:
        places = seats - n_elected
        tav = np.int64(0)
        for c in range(ncand):
            if state[c] == CONTINUING:
                tav += totals[c]
            elif pending[c]:
                tav += totals[c] - quota
        threshold = min(quota, _ceil_div(tav, places + 1))
        n = 0
        for c in range(ncand):
            if (
                state[c] == CONTINUING
                and totals[c] >= threshold
                and can_elect(c, group, group_min, state, places)
            ):
                picks[n] = c
                n += 1
        if n == 0:
            break
        # most votes first; among equal votes, the one ahead at the earliest differing stage
        for c in range(ncand):
            mask[c] = False
        for j in range(n):
            mask[picks[j]] = True
        c, how = extreme_candidate(totals, mask, log_votes, stage, lot, False, FORWARD, scratch)
        n_eq = 0
        for j in range(n):
            if totals[picks[j]] == totals[c]:
                scratch[n_eq] = picks[j]
                n_eq += 1
        if n_eq <= places:
            n_elected = elect(log, c, stage, n_elected, state)
            pending[c] = totals[c] > quota
            continue
        # 5.6.2: more equal candidates than places: rank them by their votes at the earliest
        # stage where they differed; elect the best (among candidates equal at every stage, the
        # first by lot) unless its group of candidates equal at every stage would straddle the
        # last place, in which case none of them is elected at this stage.  One at a time, as
        # above: the threshold, the places and the group minimums are taken afresh before the
        # next election (a minimum may bar the next candidate once a place is filled)
        eq = scratch[:n_eq].copy()
        for i in range(1, n_eq):  # insertion sort, best first
            x = eq[i]
            k = i - 1
            while k >= 0 and _earlier_better(x, eq[k], log_votes, stage):
                eq[k + 1] = eq[k]
                k -= 1
            eq[k + 1] = x
        k = 1
        while k < n_eq and _same_history(eq[0], eq[k], log_votes, stage):
            k += 1
        if k > places:
            break
        best = 0
        for u in range(1, k):  # within the group: by lot
            if lot[eq[u]] > lot[eq[best]]:
                best = u
        n_elected = elect(log, eq[best], stage, n_elected, state)
        pending[eq[best]] = totals[eq[best]] > quota
    return n_elected


@borrowing_kernel
def _earlier_better(a, b, log_votes, stage):
    """Whether ``a`` had more votes than ``b`` at the earliest stage where they differed."""
    for s in range(stage):
        if log_votes[s, a] != log_votes[s, b]:
            return log_votes[s, a] > log_votes[s, b]
    return False


@borrowing_kernel
def _same_history(a, b, log_votes, stage):
    for s in range(stage):
        if log_votes[s, a] != log_votes[s, b]:
            return False
    return True


@borrowing_kernel
def _exclusion_set(totals, state, places, deferred, order, group, group_min):
    """5.2.5: the largest k such that the k lowest continuing candidates can go together.

    Returns k (0 if none); ``order`` receives continuing candidates sorted by votes, lowest
    first.  A set never splits candidates with equal votes (the candidate next above must have
    more votes), and with group minimums it must leave every group the members it still needs.
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
        if prefix + deferred > above or totals[order[k - 1]] == above:
            continue
        fits = True
        for g in range(group_min.shape[0]):
            need = group_needs(g, group, group_min, state)
            left = 0
            for j in range(k, n):
                left += group[order[j]] == g
            if left < need:
                fits = False
        if fits:
            best = k
    return best, n


@inlined_kernel
def _transferable(x, tree, state):
    """Papers of node ``x`` that have a next continuing preference."""
    cand, end, weight, stop, lz = tree
    stack = lz.stack
    n = weight[x] - stop[x]
    y, last = children_of(x, cand, end, weight, stop, lz)
    top = 0
    while True:
        if y >= last:
            if top == 0:
                break
            top -= 1
            y = stack[top, 0]
            last = stack[top, 1]
            continue
        if state[cand[y]] == CONTINUING:
            y = end[y]
            continue
        n -= stop[y]
        stack[top, 0] = end[y]
        stack[top, 1] = last
        top += 1
        if y >= lz.first.shape[0] or lz.first[y] == IN_PLACE:  # (in place: no call)
            y, last = y + 1, end[y]
        else:
            y, last = children_of(y, cand, end, weight, stop, lz)
    return n


@kernel
def count_ers97(tree, seats, withdrawn, lot, group, group_min, log):
    cand, end, weight, stop, lz = tree
    ncand = withdrawn.shape[0]
    n_nodes = cand.shape[0]
    state = initial_states(withdrawn)
    totals = np.zeros(ncand, np.int64)
    piles = new_piles(n_nodes, ncand)
    nxt, val = piles.nxt, piles.val
    arrival = np.zeros(n_nodes, np.int64)
    last_in = np.zeros(ncand, np.int64)
    scratch = np.empty(ncand, np.int64)
    picks = np.empty(ncand, np.int64)
    order = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)
    pending = np.zeros(ncand, np.bool_)
    pool = np.empty(n_nodes, np.int64)

    valid = deal_first_preferences(UNIT, tree, state, piles, totals)
    valid_units = valid * UNIT
    quota = _ceil_div(valid_units, seats + 1)
    exhausted = np.int64(0)
    transfer_id = 0
    n_elected = 0
    stage = 0
    record(log, stage, totals, state, exhausted, 0, quota, FIRST_PREFERENCES, -1, 0)
    n_elected = _elect_reached(
        stage,
        seats,
        n_elected,
        totals,
        state,
        quota,
        pending,
        lot,
        group,
        group_min,
        log,
        scratch,
        mask,
        picks,
    )
    while n_elected < seats:
        places = seats - n_elected
        n_cont = 0
        n_forced = 0
        for c in range(ncand):
            n_cont += state[c] == CONTINUING
            mask[c] = state[c] == CONTINUING and must_exclude(c, group, group_min, state, places)
            n_forced += mask[c]
        if n_forced == 0 and n_cont <= places:
            n_elected = elect_rest(
                log, stage, n_elected, totals, state, mask, lot, FORWARD, scratch
            )
            break

        surplus_total = np.int64(0)
        for c in range(ncand):
            if pending[c]:
                surplus_total += totals[c] - quota
        how = 0
        if n_forced == 0 and surplus_total > 0:
            k, n_sorted = _exclusion_set(
                totals, state, places, surplus_total, order, group, group_min
            )
            if k == 0:
                # 5.2.3: transfer the largest surplus, last parcel only (5.3)
                c, how = extreme_candidate(
                    totals, pending, log.votes, stage, lot, False, FORWARD, scratch
                )
                pending[c] = False
                surplus = totals[c] - quota
                parcel = last_in[c]
                transfer_id += 1
                moved = _transfer_parcel(
                    c, parcel, surplus, transfer_id, tree, state, piles, totals, arrival, last_in
                )
                exhausted += surplus - moved
                totals[c] = quota
                stage += 1
                record(log, stage, totals, state, exhausted, 0, quota, SURPLUS, c, how)
                n_elected = _elect_reached(
                    stage,
                    seats,
                    n_elected,
                    totals,
                    state,
                    quota,
                    pending,
                    lot,
                    group,
                    group_min,
                    log,
                    scratch,
                    mask,
                    picks,
                )
                continue

        # exclusion: forced by a group minimum, in bulk (5.2.5), or the single lowest
        if n_forced > 0:
            k = 0
            for c in range(ncand):
                if mask[c]:
                    order[k] = c
                    k += 1
        else:
            k, n_sorted = _exclusion_set(
                totals, state, places, surplus_total, order, group, group_min
            )
            if k <= 1:
                for c in range(ncand):
                    mask[c] = state[c] == CONTINUING and not protected(c, group, group_min, state)
                order[0], how = extreme_candidate(
                    totals, mask, log.votes, stage, lot, True, FORWARD, scratch
                )
                k = 1
        subject = order[0] if k == 1 else -1
        action = EXCLUSION if k == 1 else BULK_EXCLUSION
        for j in range(k):
            state[order[j]] = EXCLUDED
            log.excluded_stage[order[j]] = stage + 1
        if n_cont - k <= places:
            # 5.5.1: the others fill the places; no papers are transferred
            stage += 1
            record(log, stage, totals, state, exhausted, 0, quota, action, subject, how)
            n_elected = elect_rest(
                log, stage, n_elected, totals, state, mask, lot, FORWARD, scratch
            )
            break
        # pool the excluded candidates' papers, highest value first (5.4.1)
        m_pool = 0
        for j in range(k):
            x0 = order[j]
            x, n = take_pile(x0, piles)
            for _ in range(n):
                pool[m_pool] = x
                m_pool += 1
                x = nxt[x]
        vals = np.empty(m_pool, np.int64)
        for j in range(m_pool):
            vals[j] = -val[pool[j]]
        by_value = np.argsort(vals, kind="mergesort")
        begin = 0
        while True:
            stop_at = begin
            batch_value = val[pool[by_value[begin]]] if m_pool > 0 else np.int64(0)
            while stop_at < m_pool and (
                val[pool[by_value[stop_at]]] == batch_value or n_forced > 0
            ):  # (a group rule's exclusion moves all papers in one stage)
                stop_at += 1
            transfer_id += 1
            exhausted += _transfer_batch(
                pool,
                by_value,
                begin,
                stop_at,
                transfer_id,
                tree,
                state,
                piles,
                totals,
                arrival,
                last_in,
            )
            if n_elected == 0:
                quota = _ceil_div(valid_units - exhausted, seats + 1)
            stage += 1
            record(log, stage, totals, state, exhausted, 0, quota, action, subject, how)
            n_elected = _elect_reached(
                stage,
                seats,
                n_elected,
                totals,
                state,
                quota,
                pending,
                lot,
                group,
                group_min,
                log,
                scratch,
                mask,
                picks,
            )
            begin = stop_at
            if begin >= m_pool or n_elected >= seats:
                break
        if n_elected == 0:
            quota = _ceil_div(valid_units - exhausted, seats + 1)

    log.meta[0] = stage + 1
    log.meta[1] = n_elected
    log.meta[2] = valid_units
    log.meta[3] = 0


@inlined_kernel
def _stamp_new(x, transfer_id, tree, state, arrival, last_in):
    """Mark the nodes that just received papers from node ``x`` as arrived in this transfer."""
    cand, end, weight, stop, lz = tree
    stack = lz.stack
    y, last = expanded_children(x, cand, end, weight, stop, lz)
    top = 0
    while True:
        if y >= last:
            if top == 0:
                break
            top -= 1
            y = stack[top, 0]
            last = stack[top, 1]
            continue
        d = cand[y]
        if state[d] == CONTINUING:
            arrival[y] = transfer_id
            last_in[d] = transfer_id
            y = end[y]
            continue
        stack[top, 0] = end[y]
        stack[top, 1] = last
        top += 1
        if y >= lz.first.shape[0] or lz.first[y] == IN_PLACE:  # (in place: no call)
            y, last = y + 1, end[y]
        else:
            y, last = expanded_children(y, cand, end, weight, stop, lz)


@borrowing_kernel
def _transfer_parcel(c, parcel, surplus, transfer_id, tree, state, piles, totals, arrival, last_in):
    """5.2.3/5.3: move the papers of ``c``'s last parcel on, at the transfer value of its
    transferable papers (or their present value if that is less); returns the value moved.
    (One call per surplus: the tree's arrays are passed once, not per node.)"""
    nxt, val = piles.nxt, piles.val
    head = piles.head[c]
    held = piles.size[c]
    n_papers = np.int64(0)
    value = np.int64(0)
    x = head
    for _ in range(held):
        if arrival[x] == parcel:
            t = _transferable(x, tree, state)
            n_papers += t
            value += t * val[x]
        x = nxt[x]
    moved = np.int64(0)
    x = head
    for _ in range(held):
        here = x
        x = nxt[x]
        if arrival[here] == parcel and n_papers > 0:
            tv = surplus // n_papers if value > surplus else val[here]
            # papers with no next preference stay with the elected candidate
            mv, ex = _pass_on_calling(here, tv, tree, state, piles, totals)
            moved += mv
            _stamp_new(here, transfer_id, tree, state, arrival, last_in)
    return moved


@borrowing_kernel
def _transfer_batch(
    pool, by_value, begin, stop_at, transfer_id, tree, state, piles, totals, arrival, last_in
):
    """5.4: move the pooled papers ``by_value[begin:stop_at]`` of excluded candidates on at their
    present value; returns the value exhausted."""
    cand, weight, val = tree.cand, tree.weight, piles.val
    exhausted = np.int64(0)
    for j in range(begin, stop_at):
        x = pool[by_value[j]]
        totals[cand[x]] -= weight[x] * val[x]
        mv, ex = _pass_on_calling(x, val[x], tree, state, piles, totals)
        exhausted += ex
        _stamp_new(x, transfer_id, tree, state, arrival, last_in)
    return exhausted
