"""Meek STV in 9-decimal fixed point (NZ Meek).

Hill, Wichmann & Woodall, "Algorithm 123: Single transferable vote by Meek's method", Computer
Journal 30(3) 1987, with the arithmetic of the New Zealand Local Electoral Regulations 2001,
Schedule 1A.  Values are integers in units of 10^-9 of a vote (``UNIT``).

* Distribution: a ballot starts with weight 10^9; each candidate on it keeps
  ``ceil(w * keep / UNIT)`` and ``w`` is reduced by that amount (Hill's and the NZ calculator's
  practice); what is left at the end of the ballot is non-transferable.
* Quota: ``floor(sum of votes / (seats + 1)) + 1`` unit, after every distribution (cl. 5).
* Keep values of elected candidates: ``ceil(ceil(quota * keep / UNIT) * UNIT / votes)``
  (cl. 17), capped at 1.
* Exclusion when the total surplus is below 0.0001, or the lowest continuing candidate plus the
  total surplus is below every other continuing candidate (cl. 13), or the total surplus stopped
  decreasing (stable state, PR Foundation reference rule B.2.e).  Ties: earliest stage at which
  the tied candidates differed (cl. 19, AAFD), then lot.  One exclusion per stage.

Stages: first preferences; then either "surpluses" (iterate until someone is elected or the
iteration stops) or an exclusion followed by the same iteration.  See ``docs/rules.md``.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.arith import muldiv_ceil
from simcore.kernels.constraints import can_elect, must_exclude, protected
from simcore.kernels.countlog import (
    BULK_EXCLUSION,
    CONTINUING,
    ELECTED,
    EXCLUDED,
    EXCLUSION,
    FIRST_PREFERENCES,
    ITERATION,
)
from simcore.kernels.lazy_tree import IN_PLACE, children_of
from simcore.kernels.stages import elect, elect_rest, initial_states, record
from simcore.kernels.ties import FORWARD, extreme_candidate

UNIT = np.int64(10**9)
CONVERGED = np.int64(10**5)  # 0.0001 of a vote
_NO_SURPLUS = np.int64(np.iinfo(np.int64).max)


@borrowing_kernel
def _distribute(tree, keep, votes, stack_y, stack_last, stack_rem):
    """Share every paper among its candidates by keep values; returns the exhausted value.

    Walks the ballot tree depth first; all papers through a node carry the same remaining
    weight there, so each node is one multiplication.  Subtrees below a candidate who keeps
    everything (keep value 1) are never visited.  The stack holds, per level, where the parent
    level resumes, its end and its remaining weight.
    """
    cand, end, weight, stop, lz = tree
    for c in range(votes.shape[0]):
        votes[c] = 0
    exhausted = np.int64(0)
    top = 0
    w = UNIT
    y, last = children_of(0, cand, end, weight, stop, lz)
    while True:
        if y >= last:
            if top == 0:
                break
            top -= 1
            y, last, w = stack_y[top], stack_last[top], stack_rem[top]
            continue
        c = cand[y]
        k = keep[c]
        if k == UNIT:
            take = w
        elif k == 0:
            take = np.int64(0)
        else:
            take = (w * k + UNIT - 1) // UNIT
        votes[c] += weight[y] * take
        r = w - take
        exhausted += stop[y] * r
        if r == 0:
            y = end[y]
            continue
        stack_y[top], stack_last[top], stack_rem[top] = end[y], last, w
        top += 1
        w = r
        if y >= lz.first.shape[0] or lz.first[y] == IN_PLACE:  # (in place: no call)
            y, last = y + 1, end[y]
        else:
            y, last = children_of(y, cand, end, weight, stop, lz)
    return exhausted


@borrowing_kernel
def _quota(votes, seats):
    total = np.int64(0)
    for c in range(votes.shape[0]):
        total += votes[c]
    return total // (seats + 1) + 1


@borrowing_kernel
def _surplus(votes, state, quota):
    s = np.int64(0)
    for c in range(votes.shape[0]):
        if state[c] == ELECTED and votes[c] > quota:
            s += votes[c] - quota
    return s


@borrowing_kernel
def _must_stop(votes, state, s, prev):
    """NZ cl. 13 and the stable-state safeguard: stop iterating and exclude."""
    if s < CONVERGED or s >= prev:
        return True
    low = _NO_SURPLUS
    low_c = -1
    for c in range(votes.shape[0]):
        if state[c] == CONTINUING and votes[c] < low:
            low = votes[c]
            low_c = c
    if low_c < 0:
        return True
    for c in range(votes.shape[0]):
        if state[c] == CONTINUING and c != low_c and low + s >= votes[c]:
            return False
    return True


@borrowing_kernel
def _any_reaching(votes, state, quota):
    for c in range(votes.shape[0]):
        if state[c] == CONTINUING and votes[c] >= quota:
            return True
    return False


@borrowing_kernel
def _update_keeps(votes, state, keep, quota):
    for c in range(votes.shape[0]):
        if state[c] == ELECTED and votes[c] > 0:
            k = muldiv_ceil(muldiv_ceil(quota, keep[c], UNIT), UNIT, votes[c])
            keep[c] = min(k, UNIT)


@kernel
def count_meek(tree, depth, seats, withdrawn, lot, group, group_min, log):
    ncand = withdrawn.shape[0]
    state = initial_states(withdrawn)
    keep = np.full(ncand, UNIT, np.int64)
    for c in range(ncand):
        if withdrawn[c]:
            keep[c] = 0
    votes = np.zeros(ncand, np.int64)
    scratch = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)

    stack_y = np.empty(depth + 2, np.int64)
    stack_last = np.empty(depth + 2, np.int64)
    stack_rem = np.empty(depth + 2, np.int64)
    # papers for withdrawn candidates only are not valid votes: leave them out of the figures
    invalid = _distribute(tree, keep, votes, stack_y, stack_last, stack_rem)
    exhausted = np.int64(0)
    valid_units = np.int64(0)
    for c in range(ncand):
        valid_units += votes[c]
    quota = _quota(votes, seats)
    n_elected = 0
    stage = 0
    iterations = 0
    stalled = False
    record(log, stage, votes, state, exhausted, 0, quota, FIRST_PREFERENCES, -1, 0)
    while True:
        while n_elected < seats:  # elect all reaching the quota, most votes first
            for c in range(ncand):
                mask[c] = (
                    state[c] == CONTINUING
                    and votes[c] >= quota
                    and can_elect(c, group, group_min, state, seats - n_elected)
                )
            c, how = extreme_candidate(votes, mask, log.votes, stage, lot, False, FORWARD, scratch)
            if c < 0:
                break
            n_elected = elect(log, c, stage, n_elected, state)
        if n_elected >= seats:
            break
        vacancies = seats - n_elected
        n_forced = 0
        n_cont = 0
        for c in range(ncand):
            mask[c] = state[c] == CONTINUING and must_exclude(c, group, group_min, state, vacancies)
            n_forced += mask[c]
            n_cont += state[c] == CONTINUING
        if n_forced == 0 and n_cont <= vacancies:
            n_elected = elect_rest(log, stage, n_elected, votes, state, mask, lot, FORWARD, scratch)
            break

        s = _surplus(votes, state, quota)
        action = ITERATION
        subject = -1
        how = 0
        if n_forced > 0:
            for c in range(ncand):
                if mask[c]:
                    state[c] = EXCLUDED
                    keep[c] = 0
                    log.excluded_stage[c] = stage + 1
                    subject = c if subject == -1 else -2
            action = EXCLUSION if subject >= 0 else BULK_EXCLUSION
            subject = max(subject, -1)
        elif stalled or _must_stop(votes, state, s, _NO_SURPLUS):
            for c in range(ncand):
                mask[c] = state[c] == CONTINUING and not protected(c, group, group_min, state)
            subject, how = extreme_candidate(
                votes, mask, log.votes, stage, lot, True, FORWARD, scratch
            )
            state[subject] = EXCLUDED
            keep[subject] = 0
            log.excluded_stage[subject] = stage + 1
            action = EXCLUSION
            n_forced = 1
        if action != ITERATION and n_cont - n_forced <= vacancies:
            # the others fill the last vacancies: no further distribution is needed
            stage += 1
            record(log, stage, votes, state, exhausted, 0, quota, action, subject, how)
            n_elected = elect_rest(log, stage, n_elected, votes, state, mask, lot, FORWARD, scratch)
            break
        stage += 1
        prev = s if action == ITERATION else _NO_SURPLUS
        first = True
        while True:
            if not (first and action != ITERATION):
                _update_keeps(votes, state, keep, quota)
            first = False
            exhausted = _distribute(tree, keep, votes, stack_y, stack_last, stack_rem) - invalid
            quota = _quota(votes, seats)
            iterations += 1
            stalled = False
            if _any_reaching(votes, state, quota):
                break
            s_new = _surplus(votes, state, quota)
            if _must_stop(votes, state, s_new, prev):
                stalled = True  # converged or stable: the next stage excludes
                break
            prev = s_new
        record(log, stage, votes, state, exhausted, 0, quota, action, subject, how)

    log.meta[0] = stage + 1
    log.meta[1] = n_elected
    log.meta[2] = valid_units
    log.meta[3] = iterations
