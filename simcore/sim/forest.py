"""A growing ballot tree ("forest") written depth first, for generated electorates.

Generated ballots are emitted straight into the prefix-tree layout the counting kernels walk
(:mod:`simcore.kernels.trie`): node 0 is the root and every group of voters (a region's
followers of a slate, a Mallows pattern, the non-aligned...) hangs its own subtree below it.
Prefixes shared by different groups are not merged; the count is exact either way, because every
node still stands for papers with one common history.

A node's candidate may be a *slot* of a recommended ordering (``cand < 0``): slot ``t`` of the
ordering that the strategy gives slate ``k`` in region ``r``.  Such nodes are listed in the
relabel table so that the same electorate can be counted under every strategy (common random
numbers) by filling in the labels.

Buffers are fixed-size arrays; a generator that runs out of room reports it, and the caller
repeats the simulation with larger buffers (its random stream is restarted, so nothing changes).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, kernel

# status of a generator or a count: done, the node arrays are full, the Mallows patterns are full
OK = 0
FOREST_FULL = 1
PATTERNS_FULL = 2

# The node arrays of the trie layout (cand, end, weight, stop) and the relabel table ``rel``,
# whose rows are (node, slate, region, slot).
Forest = namedtuple("Forest", ["cand", "end", "weight", "stop", "rel"])


@kernel
def new_forest(capacity, relabel_capacity):
    """Empty buffers for a forest of up to ``capacity`` nodes and ``relabel_capacity`` slots."""
    return Forest(
        np.empty(capacity, np.int16),
        np.empty(capacity, np.int32),
        np.empty(capacity, np.int64),
        np.empty(capacity, np.int64),
        np.empty((relabel_capacity, 4), np.int32),
    )


@borrowing_kernel
def emit(cand, weight, stop, m, c, w):
    """Append a node (candidate ``c``, ``w`` papers); returns its index or -1 if full."""
    if m >= cand.shape[0]:
        return -1
    cand[m] = c
    weight[m] = w
    stop[m] = 0
    return m


@borrowing_kernel
def relabel(template, rel, n_rel, orderings, strategy, out):
    """Candidate labels of the forest under ``strategy``: slot nodes get the candidate at that
    slot of the strategy's ordering for their slate and region."""
    m = template.shape[0]
    for y in range(m):
        out[y] = template[y]
    for j in range(n_rel):
        out[rel[j, 0]] = orderings[strategy, rel[j, 1], rel[j, 2], rel[j, 3]]
