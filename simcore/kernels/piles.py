"""Piles of papers: which distinct ballots each candidate currently holds.

Every distinct ballot ``i`` stands for ``weights[i]`` identical papers.  Identical papers follow
identical paths through a count, so they always sit together on one pile with one value per paper
(``val[i]``, in the rule's fixed-point units) and one position (``pos[i]``, the index in the
ballot of the candidate holding them).  Piles are singly linked lists (``head[c]``, ``nxt[i]``)
so a transfer touches only the papers it moves: a whole count reads each ballot entry about once.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel
from simcore.kernels.arith import muldiv_floor
from simcore.kernels.countlog import CONTINUING


@kernel
def deal_first_preferences(ballots, weights, state, unit, pos, val, head, nxt, totals):
    """Give each paper to its first continuing preference at value ``unit``.

    Returns the number of valid papers (ballots with at least one continuing preference).
    """
    n, width = ballots.shape
    for c in range(head.shape[0]):
        head[c] = -1
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
            nxt[i] = head[c]
            head[c] = i
            totals[c] += weights[i] * unit
            valid += weights[i]
        else:
            pos[i] = width
            val[i] = 0
            nxt[i] = -1
    return valid


@kernel
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


@kernel
def move_paper(i, ballots, weights, state, pos, val, head, nxt, totals, new_value):
    """Move ballot ``i``'s papers at ``new_value`` each to their next continuing preference.

    Returns ``(value moved to a candidate, value exhausted)``.
    """
    width = ballots.shape[1]
    q = next_continuing(ballots, i, pos[i], state)
    val[i] = new_value
    pos[i] = q
    amount = weights[i] * new_value
    if q < width:
        d = ballots[i, q]
        nxt[i] = head[d]
        head[d] = i
        totals[d] += amount
        return amount, np.int64(0)
    nxt[i] = -1
    return np.int64(0), amount


@kernel
def transfer_pile(c, ballots, weights, state, pos, val, head, nxt, totals, surplus, total):
    """Move every paper on ``c``'s pile to its next continuing preference.

    With ``total == 0`` papers keep their value (an exclusion); otherwise each paper's new value
    is ``floor(surplus * value / total)`` in the rule's units (weighted inclusive Gregory, the
    remainder ignored).  Returns ``(value moved, value exhausted)``.
    """
    i = head[c]
    head[c] = -1
    moved = np.int64(0)
    exhausted = np.int64(0)
    while i >= 0:
        nx = nxt[i]
        v = val[i] if total == 0 else muldiv_floor(surplus, val[i], total)
        m, e = move_paper(i, ballots, weights, state, pos, val, head, nxt, totals, v)
        moved += m
        exhausted += e
        i = nx
    return moved, exhausted
