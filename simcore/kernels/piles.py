"""Piles of papers held by candidates, over the ballot prefix tree (:mod:`trie`).

A candidate's pile is a list of tree nodes: node ``k`` held by ``cand[k]`` stands for the
``weight[k]`` papers whose ballots start with that prefix, all at the same value ``val[k]`` (in
the rule's fixed-point units) because they have had the same history.  Piles live in one flat
buffer: candidate ``c``'s pile is ``pile[start[c] : start[c] + size[c]]``.

:func:`pass_on` moves one held node's papers to their next continuing preferences by walking its
subtree in memory order: through candidates no longer continuing, to the first continuing one.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.arith import muldiv_floor
from simcore.kernels.countlog import CONTINUING

# The piles: the flat buffer of held nodes, each candidate's pile size, and each node's value.
Piles = namedtuple("Piles", ["pile", "size", "val"])


@kernel
def new_piles(cand, start):
    """:data:`Piles` for a count over a tree with node candidates ``cand`` and pile
    segments ``start`` (:func:`simcore.kernels.trie.pile_offsets`)."""
    ncand = start.shape[0] - 1
    # a node's value is written when it is first held, before anything reads it
    return Piles(
        np.empty(cand.shape[0], np.int32),
        np.zeros(ncand, np.int64),
        np.empty(cand.shape[0], np.int64),
    )


@borrowing_kernel
def pass_on(x, v, tree, state, piles, totals):
    """Move the papers of node ``x`` of ``tree`` (a :data:`simcore.kernels.trie.Trie`) on at
    ``v`` per paper to their next continuing preference, onto their :data:`Piles`.

    Papers whose ballot ends on the way are exhausted.  Returns ``(value moved, value
    exhausted)``.
    """
    cand, end, weight, stop, start = tree
    pile, size, val = piles
    moved = np.int64(0)
    exhausted = stop[x] * v
    y = x + 1
    last = end[x]
    while y < last:
        d = cand[y]
        if state[d] == CONTINUING:
            val[y] = v
            pile[start[d] + size[d]] = y
            size[d] += 1
            amount = weight[y] * v
            totals[d] += amount
            moved += amount
            y = end[y]
        else:
            exhausted += stop[y] * v
            y += 1
    return moved, exhausted


@borrowing_kernel
def transfer_pile(c, tree, state, piles, totals, surplus, total):
    """Move every paper on ``c``'s pile to its next continuing preference.

    With ``total == 0`` papers keep their value (an exclusion); otherwise each paper's new value
    is ``floor(surplus * value / total)`` in the rule's units (weighted inclusive Gregory, the
    remainder ignored).  Returns ``(value moved, value exhausted)``.
    """
    pile, size, val = piles
    start = tree.start
    moved = np.int64(0)
    exhausted = np.int64(0)
    last_v = np.int64(-1)  # piles hold few distinct values: reuse the last quotient
    last_q = np.int64(0)
    n = size[c]
    size[c] = 0
    base = start[c]
    for j in range(n):
        x = pile[base + j]
        v = val[x]
        if total != 0:
            if v != last_v:
                last_v = v
                last_q = muldiv_floor(surplus, v, total)
            v = last_q
        m, e = pass_on(x, v, tree, state, piles, totals)
        moved += m
        exhausted += e
    return moved, exhausted


@borrowing_kernel
def deal_first_preferences(unit, tree, state, piles, totals):
    """Give every paper to its first continuing preference at value ``unit``.

    Returns the number of valid papers (those with at least one continuing preference).
    """
    m, e = pass_on(0, unit, tree, state, piles, totals)
    return tree.weight[0] - e // unit
