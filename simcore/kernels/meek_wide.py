"""Meek STV (NZ Meek, :mod:`simcore.kernels.meek`) with 128-bit values, for totals the 64-bit
kernel cannot hold.

The statute's arithmetic is unchanged (whole numbers of 10^-9 of a vote, the same roundings),
so this kernel takes the decisions and records the figures of
:func:`simcore.kernels.meek.count_meek`, bit for bit, wherever both can count.  Only the
containers are wider: votes, the non-transferable value, the quota, surpluses and the valid
vote are unsigned 128-bit pairs ``(hi, lo)`` (:mod:`simcore.kernels.arith`); keep values and a
paper's remaining weight (at most 10^9) stay int64.  Binary limbs rather than (whole votes,
nanovotes): each statutory step on a value in units (a sum, a floor division by seats + 1,
``ceil(quota x keep / 10^9)``, ``ceil(x * 10^9 / votes)``) is then one exact 128-bit
operation with no mixed-radix carries, and the low limb of a value below 2^63 is the 64-bit
kernel's value itself.

Bounds (docs/rules.md, Limits): with at most 2^62 votes every value is below 2^92 units, a sum
of two below 2^93, every product formed (weight x share, quota x keep, value x 10^9) below
2^122, every divisor below 2^127.

The record: the :data:`StageLog`'s int64 ``votes``, ``exhausted``, ``quota`` and ``meta[2]``
(valid votes) get each value's low 64 bits (as int64 bit patterns), a :data:`HighParts` the
high 64 bits (:func:`simcore.counting.result.wide_units` joins them).  A count the 64-bit kernel
can do leaves exactly its log, with high parts of zero.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.arith import (
    _mul_u128,
    add_u128,
    divmod_u128,
    divmod_u128_u64,
    less_u128,
    mul_u128_u64,
    sub_u128,
)
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
from simcore.kernels.stages import elect, initial_states
from simcore.kernels.ties import BACKWARD, FORWARD

UNIT = np.int64(10**9)
_UNIT = np.uint64(10**9)
_CONVERGED = np.uint64(10**5)  # 0.0001 of a vote
_ZERO = np.uint64(0)
_MAX = np.uint64(np.iinfo(np.uint64).max)  # (_MAX, _MAX): "no surplus yet"

# The high 64 bits of the values a StageLog holds the low 64 bits of: ``votes`` (stages x
# candidates), ``exhausted`` and ``quota`` (stages), ``meta`` (1: the valid votes), all uint64.
HighParts = namedtuple("HighParts", ["votes", "exhausted", "quota", "meta"])


def allocate_high(ncand: int, max_stages: int) -> HighParts:
    return HighParts(
        np.zeros((max_stages, ncand), np.uint64),
        np.zeros(max_stages, np.uint64),
        np.zeros(max_stages, np.uint64),
        np.zeros(1, np.uint64),
    )


# -- the count's arithmetic in 128 bits --------------------------------------------------------


@borrowing_kernel
def _distribute(tree, keep, vh, vl, stack_y, stack_last, stack_rem):
    """As :func:`simcore.kernels.meek._distribute`; returns the exhausted value ``(hi, lo)``."""
    cand, end, weight, stop, lz = tree
    for c in range(vh.shape[0]):
        vh[c] = _ZERO
        vl[c] = _ZERO
    eh = _ZERO
    el = _ZERO
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
            take = (w * k + UNIT - 1) // UNIT  # w, k <= 10^9: fits int64
        ph, pl = _mul_u128(np.uint64(weight[y]), np.uint64(take))
        vh[c], vl[c] = add_u128(vh[c], vl[c], ph, pl)
        r = w - take
        if stop[y] != 0 and r != 0:
            ph, pl = _mul_u128(np.uint64(stop[y]), np.uint64(r))
            eh, el = add_u128(eh, el, ph, pl)
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
    return eh, el


@borrowing_kernel
def _total(vh, vl):
    th = _ZERO
    tl = _ZERO
    for c in range(vh.shape[0]):
        th, tl = add_u128(th, tl, vh[c], vl[c])
    return th, tl


@borrowing_kernel
def _quota(vh, vl, seats):
    """floor(sum of votes / (seats + 1)) + 1 unit."""
    th, tl = _total(vh, vl)
    qh, ql, _ = divmod_u128_u64(th, tl, np.uint64(seats + 1))
    return add_u128(qh, ql, _ZERO, np.uint64(1))


@borrowing_kernel
def _surplus(vh, vl, state, qh, ql):
    sh = _ZERO
    sl = _ZERO
    for c in range(vh.shape[0]):
        if state[c] == ELECTED and less_u128(qh, ql, vh[c], vl[c]):
            dh, dl = sub_u128(vh[c], vl[c], qh, ql)
            sh, sl = add_u128(sh, sl, dh, dl)
    return sh, sl


@borrowing_kernel
def _must_stop(vh, vl, state, sh, sl, ph, pl):
    """As :func:`simcore.kernels.meek._must_stop` (``p``: the previous total surplus)."""
    if less_u128(sh, sl, _ZERO, _CONVERGED) or not less_u128(sh, sl, ph, pl):
        return True
    lh = _MAX
    ll = _MAX
    low_c = -1
    for c in range(vh.shape[0]):
        if state[c] == CONTINUING and less_u128(vh[c], vl[c], lh, ll):
            lh = vh[c]
            ll = vl[c]
            low_c = c
    if low_c < 0:
        return True
    xh, xl = add_u128(lh, ll, sh, sl)
    for c in range(vh.shape[0]):
        if state[c] == CONTINUING and c != low_c and not less_u128(xh, xl, vh[c], vl[c]):
            return False
    return True


@borrowing_kernel
def _any_reaching(vh, vl, state, qh, ql):
    for c in range(vh.shape[0]):
        if state[c] == CONTINUING and not less_u128(vh[c], vl[c], qh, ql):
            return True
    return False


@borrowing_kernel
def _update_keeps(vh, vl, state, keep, qh, ql):
    """keep = min(ceil(ceil(quota x keep / 10^9) x 10^9 / votes), 10^9) (NZ cl. 17)."""
    for c in range(vh.shape[0]):
        if state[c] != ELECTED or (vh[c] == _ZERO and vl[c] == _ZERO):
            continue
        ph, pl = mul_u128_u64(qh, ql, np.uint64(keep[c]))
        ah, al, r = divmod_u128_u64(ph, pl, _UNIT)
        if r != 0:
            ah, al = add_u128(ah, al, _ZERO, np.uint64(1))
        if not less_u128(ah, al, vh[c], vl[c]):
            keep[c] = UNIT  # the quotient is at least 10^9
            continue
        nh, nl = mul_u128_u64(ah, al, _UNIT)
        _, k, rh, rl = divmod_u128(nh, nl, vh[c], vl[c])  # k < 10^9
        if rh != 0 or rl != 0:
            k += np.uint64(1)
        keep[c] = np.int64(k)


# -- stages and ties on 128-bit values ----------------------------------------------------------


@borrowing_kernel
def _record(log, high, stage, vh, vl, state, eh, el, qh, ql, action, subject, how):
    """As :func:`simcore.kernels.stages.record`, low parts into ``log``, high into ``high``."""
    for c in range(vh.shape[0]):
        log.votes[stage, c] = np.int64(vl[c])
        high.votes[stage, c] = vh[c]
        log.state[stage, c] = state[c]
    log.exhausted[stage] = np.int64(el)
    high.exhausted[stage] = eh
    log.lost[stage] = 0
    log.quota[stage] = np.int64(ql)
    high.quota[stage] = qh
    log.action[stage] = action
    log.subject[stage] = subject
    log.tie[stage] = how


@borrowing_kernel
def _beats(ah, al, bh, bl, lowest):
    return less_u128(ah, al, bh, bl) if lowest else less_u128(bh, bl, ah, al)


@borrowing_kernel
def _break_tie(tied, n_tied, log, high, stage, lot, lowest, direction):
    """:func:`simcore.kernels.ties.break_tie` on the recorded 128-bit votes."""
    if n_tied == 1:
        return tied[0], 0
    m = n_tied
    for k in range(stage):
        s = stage - 1 - k if direction == BACKWARD else k
        bh = high.votes[s, tied[0]]
        bl = np.uint64(log.votes[s, tied[0]])
        for j in range(1, m):
            h = high.votes[s, tied[j]]
            lo = np.uint64(log.votes[s, tied[j]])
            if _beats(h, lo, bh, bl, lowest):
                bh = h
                bl = lo
        kept = 0
        for j in range(m):
            if high.votes[s, tied[j]] == bh and np.uint64(log.votes[s, tied[j]]) == bl:
                tied[kept] = tied[j]
                kept += 1
        m = kept
        if m == 1:
            return tied[0], 1
    pick = tied[0]
    for j in range(1, m):
        c = tied[j]
        if (lot[c] < lot[pick]) if lowest else (lot[c] > lot[pick]):
            pick = c
    return pick, 2


@borrowing_kernel
def _extreme_candidate(vh, vl, eligible, log, high, stage, lot, lowest, direction, scratch):
    """:func:`simcore.kernels.ties.extreme_candidate` on 128-bit totals."""
    bh = _ZERO
    bl = _ZERO
    found = False
    for c in range(vh.shape[0]):
        if eligible[c] and (not found or _beats(vh[c], vl[c], bh, bl, lowest)):
            bh = vh[c]
            bl = vl[c]
            found = True
    if not found:
        return -1, 0
    n = 0
    for c in range(vh.shape[0]):
        if eligible[c] and vh[c] == bh and vl[c] == bl:
            scratch[n] = c
            n += 1
    return _break_tie(scratch, n, log, high, stage, lot, lowest, direction)


@borrowing_kernel
def _elect_rest(log, high, stage, n_elected, vh, vl, state, mask, lot, scratch):
    """:func:`simcore.kernels.stages.elect_rest` on 128-bit totals."""
    for c in range(vh.shape[0]):
        mask[c] = state[c] == CONTINUING
    while True:
        c, how = _extreme_candidate(vh, vl, mask, log, high, stage, lot, False, FORWARD, scratch)
        if c < 0:
            return n_elected
        mask[c] = False
        n_elected = elect(log, c, stage, n_elected, state)


# -- the count --------------------------------------------------------------------------------


@kernel
def count_meek_wide(tree, depth, seats, withdrawn, lot, group, group_min, log, high):
    """:func:`simcore.kernels.meek.count_meek` in 128 bits; ``high``: a :data:`HighParts`."""
    ncand = withdrawn.shape[0]
    state = initial_states(withdrawn)
    keep = np.full(ncand, UNIT, np.int64)
    for c in range(ncand):
        if withdrawn[c]:
            keep[c] = 0
    vh = np.zeros(ncand, np.uint64)
    vl = np.zeros(ncand, np.uint64)
    scratch = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)

    stack_y = np.empty(depth + 2, np.int64)
    stack_last = np.empty(depth + 2, np.int64)
    stack_rem = np.empty(depth + 2, np.int64)
    # papers for withdrawn candidates only are not valid votes: leave them out of the figures
    ih, il = _distribute(tree, keep, vh, vl, stack_y, stack_last, stack_rem)
    eh = _ZERO
    el = _ZERO
    valid_h, valid_l = _total(vh, vl)
    qh, ql = _quota(vh, vl, seats)
    n_elected = 0
    stage = 0
    iterations = 0
    stalled = False
    _record(log, high, stage, vh, vl, state, eh, el, qh, ql, FIRST_PREFERENCES, -1, 0)
    while True:
        while n_elected < seats:  # elect all reaching the quota, most votes first
            for c in range(ncand):
                mask[c] = (
                    state[c] == CONTINUING
                    and not less_u128(vh[c], vl[c], qh, ql)
                    and can_elect(c, group, group_min, state, seats - n_elected)
                )
            c, how = _extreme_candidate(
                vh, vl, mask, log, high, stage, lot, False, FORWARD, scratch
            )
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
            n_elected = _elect_rest(log, high, stage, n_elected, vh, vl, state, mask, lot, scratch)
            break

        sh, sl = _surplus(vh, vl, state, qh, ql)
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
        elif stalled or _must_stop(vh, vl, state, sh, sl, _MAX, _MAX):
            for c in range(ncand):
                mask[c] = state[c] == CONTINUING and not protected(c, group, group_min, state)
            subject, how = _extreme_candidate(
                vh, vl, mask, log, high, stage, lot, True, FORWARD, scratch
            )
            state[subject] = EXCLUDED
            keep[subject] = 0
            log.excluded_stage[subject] = stage + 1
            action = EXCLUSION
            n_forced = 1
        if action != ITERATION and n_cont - n_forced <= vacancies:
            # the others fill the last vacancies: no further distribution is needed
            stage += 1
            _record(log, high, stage, vh, vl, state, eh, el, qh, ql, action, subject, how)
            n_elected = _elect_rest(log, high, stage, n_elected, vh, vl, state, mask, lot, scratch)
            break
        stage += 1
        if action == ITERATION:
            ph, pl = sh, sl
        else:
            ph, pl = _MAX, _MAX
        first = True
        while True:
            if not (first and action != ITERATION):
                _update_keeps(vh, vl, state, keep, qh, ql)
            first = False
            xh, xl = _distribute(tree, keep, vh, vl, stack_y, stack_last, stack_rem)
            eh, el = sub_u128(xh, xl, ih, il)
            qh, ql = _quota(vh, vl, seats)
            iterations += 1
            stalled = False
            if _any_reaching(vh, vl, state, qh, ql):
                break
            nh, nl = _surplus(vh, vl, state, qh, ql)
            if _must_stop(vh, vl, state, nh, nl, ph, pl):
                stalled = True  # converged or stable: the next stage excludes
                break
            ph, pl = nh, nl
        _record(log, high, stage, vh, vl, state, eh, el, qh, ql, action, subject, how)

    log.meta[0] = stage + 1
    log.meta[1] = n_elected
    log.meta[2] = np.int64(valid_l)
    high.meta[0] = valid_h
    log.meta[3] = iterations
