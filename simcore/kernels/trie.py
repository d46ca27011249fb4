"""Ballots as a prefix tree: the shape every counting kernel walks.

Papers with the same first k preferences have had the same history up to their k-th preference
in any count (same holders, same transfer values), so the count only ever needs to move *groups
of papers sharing a prefix*.  The profile's distinct ballots, sorted lexicographically (shorter
before longer), are turned into a prefix tree stored in depth-first order:

* node 0 is the root (no candidate); node ``k`` stands for one distinct prefix and its last
  candidate ``cand[k]``;
* ``end[k]``: one past the last node of ``k``'s subtree, so ``k + 1`` is its first child (if
  ``k + 1 < end[k]``) and ``end[child]`` the child's next sibling;
* ``weight[k]``: papers whose ballot starts with the prefix; ``stop[k]``: papers whose ballot is
  exactly the prefix (they have no further preference).

A transfer walks a held node's subtree in memory order, descending through candidates who are no
longer continuing and stopping at the first continuing one.  The tree has at most one node per
ballot entry, and far fewer near the root, where most transfers happen.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import kernel

# A ballot tree as the counting kernels take it; ``lz`` is a
# :data:`simcore.kernels.lazy_tree.LazyTree`: a generated tree's unexpanded nodes (colleges and
# exact simulations), or :func:`simcore.kernels.lazy_tree.eager` for a tree with every node's
# children in place.
Trie = namedtuple("Trie", ["cand", "end", "weight", "stop", "lz"])


@kernel
def is_sorted(ballots):
    """Whether rows are in lexicographic order (padding, -1, first)."""
    n, width = ballots.shape
    for i in range(1, n):
        for j in range(width):
            a = ballots[i - 1, j]
            b = ballots[i, j]
            if a < b:
                break
            if a > b:
                return False
    return True


@kernel
def build_trie(ballots, weights, ncand):
    """``(cand, end, weight, stop)`` of the prefix tree of lexicographically sorted ballots."""
    n, width = ballots.shape
    entries = 0
    for i in range(n):
        for j in range(width):
            if ballots[i, j] < 0:
                break
            entries += 1
    cap = entries + 1
    cand = np.empty(cap, np.int32)
    end = np.empty(cap, np.int32)
    weight = np.zeros(cap, np.int64)
    stop = np.zeros(cap, np.int64)
    path = np.zeros(width + 1, np.int32)
    cand[0] = -1
    m = 1
    depth = 0
    for i in range(n):
        common = 0
        if i > 0:
            while common < depth and ballots[i, common] == ballots[i - 1, common]:
                common += 1
        for d in range(depth, common, -1):
            end[path[d]] = m
        depth = common
        j = common
        while j < width and ballots[i, j] >= 0:
            cand[m] = ballots[i, j]
            depth += 1
            path[depth] = m
            m += 1
            j += 1
        w = weights[i]
        weight[0] += w
        for d in range(1, depth + 1):
            weight[path[d]] += w
        stop[path[depth]] += w
    for d in range(depth, 0, -1):
        end[path[d]] = m
    end[0] = m
    return cand[:m], end[:m], weight[:m], stop[:m]
