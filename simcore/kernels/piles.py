"""Piles of papers held by candidates, over the ballot prefix tree (:mod:`trie`).

A candidate's pile is a list of tree nodes: node ``k`` held by ``cand[k]`` stands for the
``weight[k]`` papers whose ballots start with that prefix, all at the same value ``val[k]`` (in
the rule's fixed-point units) because they have had the same history.  A pile is a linked list
through the nodes (``nxt``), in the order the nodes arrived: a node is only ever held by its own
candidate, once, so the links need one entry per node, and piles can grow while a lazy tree
(:mod:`lazy_tree`) grows during the count.

:func:`pass_on` moves one held node's papers to their next continuing preferences by walking its
subtree: through candidates no longer continuing, to the first continuing one.  The subtree's
nodes are in place (memory order, as :mod:`trie` lays them out) or, in a lazy tree, expanded on
the way (:func:`simcore.kernels.lazy_tree.child_range`).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, inlined_kernel, kernel
from simcore.kernels.arith import muldiv_floor
from simcore.kernels.countlog import CONTINUING
from simcore.kernels.lazy_tree import IN_PLACE, child_range, children_of, expanded_children

# The piles: each node's successor on its pile (-1: the last), each candidate's first and last
# node and pile size, and each held node's value.
Piles = namedtuple("Piles", ["nxt", "head", "tail", "size", "val"])


@kernel
def new_piles(n_nodes, ncand):
    """Empty :data:`Piles` for a count over a tree of up to ``n_nodes`` nodes."""
    # a node's value and link are written when it is first held, before anything reads them
    return Piles(
        np.empty(n_nodes, np.int32),
        np.full(ncand, -1, np.int32),
        np.full(ncand, -1, np.int32),
        np.zeros(ncand, np.int64),
        np.empty(n_nodes, np.int64),
    )


@inlined_kernel
def hold(y, d, v, piles):
    """Put node ``y`` on candidate ``d``'s pile at value ``v`` per paper."""
    nxt, head, tail, size, val = piles
    val[y] = v
    nxt[y] = -1
    if size[d] == 0:
        head[d] = y
    else:
        nxt[tail[d]] = y
    tail[d] = y
    size[d] += 1


@inlined_kernel
def take_pile(c, piles):
    """Empty ``c``'s pile; returns its first node and its size (follow ``nxt`` for the rest,
    which stays readable: nodes taken off a pile are never held again)."""
    first = piles.head[c]
    n = piles.size[c]
    piles.head[c] = -1
    piles.tail[c] = -1
    piles.size[c] = 0
    return first, n


def _walk(child_range_of):
    """The walk of :func:`_pass_on`, with ``child_range_of`` finding a node's children: the
    expansion inlined (:func:`simcore.kernels.lazy_tree.child_range`, for the hot transfers) or
    called (:func:`simcore.kernels.lazy_tree.children_of`, for kernels that inline the walk in
    several places: each inlined expansion adds to their compile time)."""

    @inlined_kernel
    def _pass_on(x, v, tree, state, piles, totals):
        """Move the papers of node ``x`` of ``tree`` (a :data:`simcore.kernels.trie.Trie`) on at
        ``v`` per paper to their next continuing preference, onto their :data:`Piles`.

        Papers whose ballot ends on the way are exhausted.  Returns ``(value moved, value
        exhausted)``.
        """
        cand, end, weight, stop, lz = tree
        stack = lz.stack
        n_lazy = lz.first.shape[0]
        moved = np.int64(0)
        exhausted = stop[x] * v
        top = 0
        node = x  # a node whose children the walk enters next (-1: none)
        y = np.int64(0)
        last = np.int64(0)
        while True:
            if node >= 0:  # (the one place the walk expands a node: inlined once)
                y, last = child_range_of(node, cand, end, weight, stop, lz)
                node = -1
            if y >= last:
                if top == 0:
                    break
                top -= 1
                y = stack[top, 0]
                last = stack[top, 1]
                continue
            d = cand[y]
            if state[d] == CONTINUING:
                hold(y, d, v, piles)
                amount = weight[y] * v
                totals[d] += amount
                moved += amount
                y = end[y]
                continue
            exhausted += stop[y] * v
            if y >= n_lazy or lz.first[y] == IN_PLACE:
                y += 1  # the children follow in place, then the siblings
                continue
            stack[top, 0] = end[y]
            stack[top, 1] = last
            top += 1
            node = y
        return moved, exhausted

    return _pass_on


_pass_on = _walk(child_range)
_pass_on_calling = _walk(children_of)
_pass_on_expanded = _walk(expanded_children)


@borrowing_kernel
def pass_on(x, v, tree, state, piles, totals):
    """:func:`_pass_on` for callers outside this module's loops (the tree is a named tuple of
    some 25 arrays: inlined into the loops below, it is not copied at every call)."""
    return _pass_on_expanded(x, v, tree, state, piles, totals)


@borrowing_kernel
def transfer_pile(c, tree, state, piles, totals, surplus, total):
    """Move every paper on ``c``'s pile to its next continuing preference.

    With ``total == 0`` papers keep their value (an exclusion); otherwise each paper's new value
    is ``floor(surplus * value / total)`` in the rule's units (weighted inclusive Gregory, the
    remainder ignored).  Returns ``(value moved, value exhausted)``.
    """
    val, nxt = piles.val, piles.nxt
    moved = np.int64(0)
    exhausted = np.int64(0)
    last_v = np.int64(-1)  # piles hold few distinct values: reuse the last quotient
    last_q = np.int64(0)
    x, n = take_pile(c, piles)
    for _ in range(n):
        v = val[x]
        if total != 0:
            if v != last_v:
                last_v = v
                last_q = muldiv_floor(surplus, v, total)
            v = last_q
        m, e = _pass_on(x, v, tree, state, piles, totals)
        moved += m
        exhausted += e
        x = nxt[x]
    return moved, exhausted


@borrowing_kernel
def deal_first_preferences(unit, tree, state, piles, totals):
    """Give every paper to its first continuing preference at value ``unit``.

    Returns the number of valid papers (those with at least one continuing preference).
    """
    m, e = pass_on(0, unit, tree, state, piles, totals)  # (once per count: a call)
    return tree.weight[0] - e // unit
