"""Piles of papers: which distinct ballots each candidate currently holds.

Every distinct ballot ``i`` stands for ``weights[i]`` identical papers.  Identical papers follow
identical paths through a count, so they always sit together on one pile with one value per paper
(``val[i]``, in the rule's fixed-point units) and one position (``pos[i]``, the index in the
ballot of the candidate holding them).  Candidate ``c``'s pile is ``pile[c, :size[c]]``, a list of
ballot indices: a transfer reads only the papers it moves, in an order the processor can
prefetch, so a whole count costs about one read of each ballot entry.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import inline_kernel, kernel
from simcore.kernels.arith import muldiv_floor
from simcore.kernels.countlog import CONTINUING


@kernel
def new_piles(ncand, n):
    """Empty piles for ``ncand`` candidates over ``n`` distinct ballots."""
    return np.empty((ncand, n), np.int32), np.zeros(ncand, np.int64)


@kernel
def deal_first_preferences(ballots, weights, state, unit, pos, val, pile, size, totals):
    """Give each paper to its first continuing preference at value ``unit``.

    Returns the number of valid papers (ballots with at least one continuing preference).
    """
    n, width = ballots.shape
    for c in range(size.shape[0]):
        size[c] = 0
    valid = np.int64(0)
    for i in range(n):
        p = 0
        while p < width:
            c = ballots[i, p]
            if c < 0 or state[c] == CONTINUING:
                break
            p += 1
        if p < width and ballots[i, p] >= 0:
            c = ballots[i, p]
            pos[i] = p
            val[i] = unit
            pile[c, size[c]] = i
            size[c] += 1
            totals[c] += weights[i] * unit
            valid += weights[i]
        else:
            pos[i] = width
            val[i] = 0
    return valid


@inline_kernel
def next_continuing(ballots, i, p, state):
    """Position of the first continuing candidate on ballot ``i`` after position ``p``, or the
    ballot's width if there is none (the paper is exhausted)."""
    width = ballots.shape[1]
    q = p + 1
    while q < width:
        c = ballots[i, q]
        if c < 0:
            return width
        if state[c] == CONTINUING:
            return q
        q += 1
    return width


@inline_kernel
def move_paper(i, ballots, weights, state, pos, val, pile, size, totals, new_value):
    """Move ballot ``i``'s papers at ``new_value`` each to their next continuing preference.

    Returns ``(value moved to a candidate, value exhausted)``.  The caller removes ``i`` from
    the pile it was on.
    """
    width = ballots.shape[1]
    q = next_continuing(ballots, i, pos[i], state)
    val[i] = new_value
    pos[i] = q
    amount = weights[i] * new_value
    if q < width:
        d = ballots[i, q]
        pile[d, size[d]] = i
        size[d] += 1
        totals[d] += amount
        return amount, np.int64(0)
    return np.int64(0), amount


@kernel
def transfer_pile(c, ballots, weights, state, pos, val, pile, size, totals, surplus, total):
    """Move every paper on ``c``'s pile to its next continuing preference.

    With ``total == 0`` papers keep their value (an exclusion); otherwise each paper's new value
    is ``floor(surplus * value / total)`` in the rule's units (weighted inclusive Gregory, the
    remainder ignored).  Returns ``(value moved, value exhausted)``.
    """
    width = ballots.shape[1]
    moved = np.int64(0)
    exhausted = np.int64(0)
    # papers on a pile share few distinct values: reuse the last quotient
    last_v = np.int64(-1)
    last_q = np.int64(0)
    n = size[c]
    size[c] = 0
    for j in range(n):
        i = pile[c, j]
        v = val[i]
        if total != 0:
            if v != last_v:
                last_v = v
                last_q = muldiv_floor(surplus, v, total)
            v = last_q
        q = pos[i] + 1
        while q < width:
            d = ballots[i, q]
            if d < 0:
                q = width
                break
            if state[d] == CONTINUING:
                break
            q += 1
        pos[i] = q
        val[i] = v
        amount = weights[i] * v
        if q < width:
            d = ballots[i, q]
            pile[d, size[d]] = i
            size[d] += 1
            totals[d] += amount
            moved += amount
        else:
            exhausted += amount
    return moved, exhausted
