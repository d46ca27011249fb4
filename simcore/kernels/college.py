"""Electoral colleges, exactly: weighted-section instant runoff and block-vote units.

Each section (or unit) has its own ballot tree; all trees share one set of node arrays, section
``s`` being the subtree rooted at node ``roots[s]`` (see :mod:`trie`).  See ``docs/rules.md``
("Electoral colleges") for the rules.

Weighted sections: a candidate's weighted total is sum_s W_s * t_sc / T_s (W_s the section's
weight numerator over a common denominator, t_sc the candidate's votes there, T_s the section's
non-exhausted ballots).  Multiplying by the product of the T_s gives integers,
sum_s W_s * t_sc * P_s with P_s the product of the other sections' T: compared exactly in
128 bits.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.arith import _mul_u128, add_u128, less_u128, muldiv_floor
from simcore.kernels.countlog import CONTINUING, EXCLUDED
from simcore.kernels.lazy_tree import IN_PLACE, LAZY, expand
from simcore.kernels.stages import initial_states
from simcore.kernels.ties import break_tie

NO_WINNER = -1
OVERFLOW = -2
TREE_FULL = -3  # a lazy tree ran out of room: the caller retries with larger arrays
# scores stay below 2**126 so that doubling one (the majority test) cannot overflow 128 bits
_HALF_MAX = np.uint64((1 << 62) - 1)


# What the college counters write: per round (weighted sections) each section's tallies, its
# non-exhausted ballots, the candidate excluded after the round, how that tie was decided and
# the candidates' order; per unit (block units) its winner, and the weight each candidate won;
# and ``meta`` (see each counter).
CollegeLog = namedtuple(
    "CollegeLog", ["tallies", "active", "excluded", "tie", "rank", "winners", "won", "meta"]
)


@kernel
def new_college_log(ncand, n_units):
    """A :data:`CollegeLog` for ``ncand`` candidates and ``n_units`` sections or units."""
    return CollegeLog(
        np.zeros((ncand + 1, n_units, ncand), np.int64),
        np.zeros((ncand + 1, n_units), np.int64),
        np.full(ncand + 1, -1, np.int32),
        np.zeros(ncand + 1, np.int8),
        np.zeros((ncand + 1, ncand), np.int64),
        np.zeros(n_units, np.int64),
        np.zeros(ncand, np.int64),
        np.zeros(4, np.int64),
    )


@kernel
def tally_section(root, cand, end, weight, stop, state, out, lz):
    """First continuing preferences of section ``root``'s ballots into ``out``; returns the
    number of non-exhausted ballots, or -1 if a lazy tree ran out of room.

    ``lz`` holds a lazy tree's extra arrays (:data:`simcore.kernels.lazy_tree.LazyTree`); a tree
    built from ballot files has every node's children in place."""
    first, count, stack = lz.first, lz.count, lz.stack
    total = np.int64(0)
    y = root + 1
    last = end[root]
    top = 0
    while True:
        if y >= last:
            if top == 0:
                break
            top -= 1
            y = stack[top, 0]
            last = stack[top, 1]
            continue
        c = cand[y]
        if state[c] == CONTINUING:
            out[c] += weight[y]
            total += weight[y]
            y = end[y]
            continue
        # the candidate is out: this node's voters go on to their next preferences
        f = first[y]
        if f == IN_PLACE:
            y += 1
            continue
        if f == LAZY:
            if not expand(y, cand, end, weight, stop, lz):
                return -1
            f = first[y]
        stack[top, 0] = end[y]
        stack[top, 1] = last
        top += 1
        last = f + count[y]
        y = f
    return total


@borrowing_kernel
def _ranks(hi, lo, state, ranks):
    """Rank of each continuing candidate's score (0 lowest; equal scores share a rank)."""
    n = hi.shape[0]
    for c in range(n):
        r = 0
        if state[c] == CONTINUING:
            for d in range(n):
                if state[d] == CONTINUING and less_u128(hi[d], lo[d], hi[c], lo[c]):
                    r += 1
        ranks[c] = r


@kernel
def count_weighted_irv(tree, lz, roots, weights, withdrawn, direction, lot, clog):
    """Weighted-section IRV.  Per round r: ``out_tallies[r, s, c]`` votes, ``out_active[r, s]``
    non-exhausted ballots, ``out_excluded[r]`` the candidate excluded after it (-1),
    ``out_tie[r]`` how that tie was decided, ``out_rank[r, c]`` the candidates' order.  ``meta``:
    [rounds, winner (-1 none, -2 overflow), winner's runner-up, decisive section]."""
    cand, end, weight, stop = tree.cand, tree.end, tree.weight, tree.stop
    out_tallies, out_active, out_excluded = clog.tallies, clog.active, clog.excluded
    out_tie, out_rank, meta = clog.tie, clog.rank, clog.meta
    ncand = withdrawn.shape[0]
    n_sec = roots.shape[0]
    state = initial_states(withdrawn)
    hi = np.zeros(ncand, np.uint64)
    lo = np.zeros(ncand, np.uint64)
    prod = np.zeros(n_sec, np.uint64)
    scratch = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)
    r = 0
    winner = NO_WINNER
    while True:
        n_cont = 0
        for c in range(ncand):
            n_cont += state[c] == CONTINUING
            out_rank[r, c] = -1
        for s in range(n_sec):
            for c in range(ncand):
                out_tallies[r, s, c] = 0
            t = tally_section(roots[s], cand, end, weight, stop, state, out_tallies[r, s], lz)
            if t < 0:
                meta[0] = r + 1
                meta[1] = TREE_FULL
                return
            out_active[r, s] = t
        # P_s: product of the other active sections' totals (inactive ones count as 1)
        for s in range(n_sec):
            p = np.uint64(1)
            for q in range(n_sec):
                if q != s and out_active[r, q] > 0:
                    t = np.uint64(out_active[r, q])
                    h, l_ = _mul_u128(p, t)
                    if h != 0:
                        meta[0] = r + 1
                        meta[1] = OVERFLOW
                        return
                    p = l_
            prod[s] = p
        tot_hi = np.uint64(0)
        tot_lo = np.uint64(0)
        for c in range(ncand):
            hi[c] = 0
            lo[c] = 0
            if state[c] != CONTINUING:
                continue
            for s in range(n_sec):
                if out_active[r, s] == 0:
                    continue
                ah, a = _mul_u128(np.uint64(weights[s]), np.uint64(out_tallies[r, s, c]))
                h, l_ = _mul_u128(a, prod[s])
                if ah != 0 or h > _HALF_MAX:  # beyond 127 bits: refuse rather than miscount
                    meta[0] = r + 1
                    meta[1] = OVERFLOW
                    return
                hi[c], lo[c] = add_u128(hi[c], lo[c], h, l_)
                if hi[c] > _HALF_MAX:
                    meta[0] = r + 1
                    meta[1] = OVERFLOW
                    return
            tot_hi, tot_lo = add_u128(tot_hi, tot_lo, hi[c], lo[c])
            if tot_hi > _HALF_MAX:
                meta[0] = r + 1
                meta[1] = OVERFLOW
                return
        _ranks(hi, lo, state, out_rank[r])
        # a majority of the weighted total (or the last candidate) wins
        best = -1
        for c in range(ncand):
            if state[c] == CONTINUING and (best < 0 or less_u128(hi[best], lo[best], hi[c], lo[c])):
                best = c
        dhi, dlo = add_u128(hi[best], lo[best], hi[best], lo[best])
        out_excluded[r] = -1
        out_tie[r] = 0
        if n_cont <= 1 or less_u128(tot_hi, tot_lo, dhi, dlo):
            winner = best
            break
        for c in range(ncand):
            mask[c] = state[c] == CONTINUING and out_rank[r, c] == 0
        n = 0
        for c in range(ncand):
            if mask[c]:
                scratch[n] = c
                n += 1
        x, how = break_tie(scratch, n, out_rank, r, lot, True, direction)
        out_excluded[r] = x
        out_tie[r] = how
        state[x] = EXCLUDED
        r += 1
    meta[0] = r + 1
    meta[1] = winner
    # runner-up and decisive section of the final round
    runner = -1
    for c in range(ncand):
        if state[c] == CONTINUING and c != winner:
            if runner < 0 or less_u128(hi[runner], lo[runner], hi[c], lo[c]):
                runner = c
    meta[2] = runner
    decisive = -1
    best_margin = -1.0
    for s in range(n_sec):
        if out_active[r, s] == 0:
            continue
        lead = out_tallies[r, s, winner] - (out_tallies[r, s, runner] if runner >= 0 else 0)
        margin = weights[s] * lead / out_active[r, s]
        if decisive < 0 or margin > best_margin:
            decisive = s
            best_margin = margin
    meta[3] = decisive


@kernel
def unit_winner(
    root, cand, end, weight, stop, lz, withdrawn, irv, direction, lot, tallies, rank_log, scratch
):
    """The winner of one unit by plurality (``irv`` False, ties by lot) or IRV; ``tallies``
    receives the votes of its last round.  Returns (winner, rounds); winner TREE_FULL if a lazy
    tree ran out of room."""
    ncand = withdrawn.shape[0]
    state = initial_states(withdrawn)
    r = 0
    while True:
        for c in range(ncand):
            tallies[c] = 0
        total = tally_section(root, cand, end, weight, stop, state, tallies, lz)
        if total < 0:
            return TREE_FULL, r + 1
        n_cont = 0
        top = -1
        for c in range(ncand):
            rank_log[r, c] = tallies[c] if state[c] == CONTINUING else -1
            if state[c] == CONTINUING:
                n_cont += 1
                if top < 0 or tallies[c] > tallies[top]:
                    top = c
        if n_cont == 0 or total == 0:  # no valid ballot (left): the unit has no winner
            return -1, r + 1
        if not irv or n_cont == 1 or 2 * tallies[top] > total:
            n = 0
            for c in range(ncand):
                if state[c] == CONTINUING and tallies[c] == tallies[top]:
                    scratch[n] = c
                    n += 1
            w, how = break_tie(scratch, n, rank_log, r if irv else 0, lot, False, direction)
            return w, r + 1
        low = -1
        for c in range(ncand):
            if state[c] == CONTINUING and (low < 0 or tallies[c] < tallies[low]):
                low = c
        n = 0
        for c in range(ncand):
            if state[c] == CONTINUING and tallies[c] == tallies[low]:
                scratch[n] = c
                n += 1
        x, how = break_tie(scratch, n, rank_log, r, lot, True, direction)
        state[x] = EXCLUDED
        r += 1


@kernel
def hamilton(w, tallies, state_mask, lot, out):
    """Split whole weight ``w`` among candidates in proportion to ``tallies`` by largest
    remainders (equal remainders by lot); adds to ``out``."""
    ncand = tallies.shape[0]
    total = np.int64(0)
    for c in range(ncand):
        total += tallies[c]
    if total == 0:
        return True
    given = np.int64(0)
    rem = np.zeros(ncand, np.int64)
    for c in range(ncand):
        # floor(w * t / total) and its remainder, w * t in 128 bits (the remainder is below
        # total, so it is exact modulo 2**64)
        q = muldiv_floor(w, tallies[c], total)
        out[c] += q
        given += q
        rem[c] = np.int64(np.uint64(w) * np.uint64(tallies[c]) - np.uint64(q) * np.uint64(total))
    left = w - given
    taken = np.zeros(ncand, np.bool_)
    for _ in range(left):
        best = -1
        for c in range(ncand):
            if taken[c] or tallies[c] == 0 and rem[c] == 0:
                continue
            if best < 0 or rem[c] > rem[best] or (rem[c] == rem[best] and lot[c] > lot[best]):
                best = c
        if best < 0:
            break
        taken[best] = True
        out[best] += 1
    return True


@kernel
def count_block_units(tree, lz, roots, weights, withdrawn, irv, proportional, direction, lot, clog):
    """Block-vote units: ``out_winner[u]`` each unit's winner (-1: a unit with no valid ballot,
    whose weight nobody wins), ``out_weight[c]`` the weight each candidate won.  ``meta``:
    [winner (-1: no majority, -2: numbers beyond 64 bits), total weight]."""
    cand, end, weight, stop = tree.cand, tree.end, tree.weight, tree.stop
    out_winner, out_weight, meta = clog.winners, clog.won, clog.meta
    ncand = withdrawn.shape[0]
    n_units = roots.shape[0]
    tallies = np.zeros(ncand, np.int64)
    rank_log = np.zeros((ncand + 1, ncand), np.int64)
    scratch = np.empty(ncand, np.int64)
    mask = np.ones(ncand, np.bool_)
    total_weight = np.int64(0)
    for c in range(ncand):
        out_weight[c] = 0
    for u in range(n_units):
        w_u, rounds = unit_winner(
            roots[u],
            cand,
            end,
            weight,
            stop,
            lz,
            withdrawn,
            irv,
            direction,
            lot,
            tallies,
            rank_log,
            scratch,
        )
        if w_u == TREE_FULL:
            meta[0] = TREE_FULL
            meta[1] = 0
            return
        out_winner[u] = w_u
        total_weight += weights[u]
        if proportional:
            if not hamilton(weights[u], tallies, mask, lot, out_weight):
                meta[0] = OVERFLOW
                meta[1] = total_weight
                return
        elif w_u >= 0:
            out_weight[w_u] += weights[u]
    winner = -1
    for c in range(ncand):
        if 2 * out_weight[c] > total_weight:
            winner = c
    meta[0] = winner
    meta[1] = total_weight
