"""First preferences of a simulated electorate, read off its ballot tree's top level.

Every group of voters hangs its own subtree below a root (:mod:`simcore.sim.forest`), so a
tree's first preferences are the weights of the root's children.  A child that is a
recommended-order *slot* stands for whichever candidate the strategy puts there: its voters are
kept apart, by (region, slate, slot), and :func:`by_strategy` adds them to the strategy's
candidate.  Everything is an integer count of voters (of sampled ballots' weights when
``voters_per_ballot`` K > 1), so the figures are the same for any threads or chunking.

Regions: a college has one tree per region, read region by region.  A committee election's one
tree holds each region's slate supporters region by region (``region_root[r]`` marks where they
start, ``region_root[R]`` where the non-aligned voters start), but the non-aligned voters of all
regions are generated as one group; their first preferences are shared out among the regions in
proportion to each region's non-aligned voters (largest remainders), which keeps the national
figures exact and the regional ones right on average.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel


@kernel
def record_first_preferences(per_region, region_root, forest, n_rel, supporters, first, slot):
    """Write one simulation's first preferences: ``first[r, c]`` voters in region ``r`` whose
    first preference is candidate ``c`` (outside the slots), ``slot[r, k, t]`` voters whose first
    preference is slot ``t`` of slate ``k``'s ordering in region ``r``.

    ``per_region``: one tree per region rooted at ``region_root[r]`` (colleges); otherwise one
    tree rooted at node 0, with ``region_root`` (R + 1 entries) as the module says.
    ``supporters``: the drawn (R, K + 1) voters by region and bloc (last: non-aligned)."""
    cand, end, weight, rel = forest.cand, forest.end, forest.weight, forest.rel
    n_regions = first.shape[0]
    ncand = first.shape[1]
    first[:, :] = 0
    slot[:, :, :] = 0
    j = 0  # relabel rows are in node order, as are the regions' root children
    for r in range(n_regions):
        if per_region:
            a, b = region_root[r] + 1, end[region_root[r]]
        else:
            a, b = region_root[r], region_root[r + 1]
        y = a
        while y < b:
            c = cand[y]
            if c >= 0:
                first[r, c] += weight[y]
            else:
                while j < n_rel and rel[j, 0] < y:
                    j += 1
                slot[r, rel[j, 1], rel[j, 3]] += weight[y]
            y = end[y]
    if per_region:
        return
    # the non-aligned voters of every region, shared out by region
    k_na = supporters.shape[1] - 1
    n_na = 0
    for r in range(n_regions):
        n_na += supporters[r, k_na]
    national = np.zeros(ncand, np.int64)
    y = region_root[n_regions]
    while y < end[0]:
        national[cand[y]] += weight[y]
        y = end[y]
    if n_regions == 1 or n_na == 0:
        for c in range(ncand):
            first[0, c] += national[c]
        return
    frac = np.empty(n_regions, np.float64)
    share = np.empty(n_regions, np.int64)
    for c in range(ncand):
        total = national[c]
        if total == 0:
            continue
        given = 0
        for r in range(n_regions):
            q = total * (supporters[r, k_na] / n_na)
            share[r] = min(np.int64(np.floor(q)), total - given)
            frac[r] = q - share[r]
            given += share[r]
        while given < total:  # the largest remainders get one more (the first of equals)
            best = 0
            for r in range(1, n_regions):
                if frac[r] > frac[best]:
                    best = r
            share[best] += 1
            frac[best] = -1.0
            given += 1
        for r in range(n_regions):
            first[r, c] += share[r]


def by_strategy(first: np.ndarray, slot: np.ndarray, orderings: np.ndarray) -> np.ndarray:
    """(n, S, R, ncand) first preferences under each strategy, from a chunk's ``first`` (n, R,
    ncand) and ``slot`` (n, R, K, width) and the plan's ``orderings`` (S, K, R, width)."""
    n, n_regions, ncand = first.shape
    n_strat, n_slates, _, width = orderings.shape
    out = np.repeat(first[:, None, :, :], n_strat, axis=1)
    regions = np.arange(n_regions)
    for s in range(n_strat):
        for k in range(n_slates):
            for t in range(width):
                c = orderings[s, k, :, t].astype(np.int64)
                if (c < 0).any():
                    continue
                # (regions are distinct, so no index repeats)
                out[:, s, regions, c] += slot[:, :, k, t]
    return out
