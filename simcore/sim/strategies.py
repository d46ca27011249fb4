"""Counting one simulated electorate under every strategy (common random numbers).

The electorate was generated once with recommended-order *slots*; for each strategy the slots
are filled in place with the candidates of its orderings and the forest is counted under the
scenario's rule (or as a college).  A lazy tree's nodes expanded by one strategy's count stay
for the next: every strategy counts the same electorate.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import kernel
from simcore.kernels import college, ers97, irv, meek, wigm
from simcore.kernels.countlog import StageLog
from simcore.kernels.trie import Trie
from simcore.sim.forest import FOREST_FULL, OK

COLLEGE_IRV = 10  # rule codes of the engine beyond the counting rules (see plan.RULE_CODES)
COLLEGE_BLOCK = 11

# The count's working arrays, kept across a chunk's simulations: withdrawn candidates (none in
# simulations), the stage log, and the college counters' tallies.
CountWork = namedtuple("CountWork", ["withdrawn", "log", "college"])


@kernel
def new_count_work(ncand, n_regions, max_stages):
    return CountWork(
        np.zeros(ncand, np.bool_),
        StageLog(
            np.zeros((max_stages, ncand), np.int64),
            np.zeros((max_stages, ncand), np.int8),
            np.zeros(max_stages, np.int64),
            np.zeros(max_stages, np.int64),
            np.zeros(max_stages, np.int64),
            np.zeros(max_stages, np.int8),
            np.zeros(max_stages, np.int32),
            np.zeros(max_stages, np.int8),
            np.zeros(ncand, np.int32),
            np.zeros(ncand, np.int32),
            np.zeros(ncand, np.int32),
            np.zeros(4, np.int64),
        ),
        college.new_college_log(ncand, n_regions),
    )


@kernel
def count_forest(spec, tree, lot, withdrawn, log):
    """Count a forest (a :data:`simcore.kernels.trie.Trie`) under ``spec`` (a
    :data:`simcore.sim.bundles.CountSpec`) into ``log`` (a
    :data:`simcore.kernels.countlog.StageLog`)."""
    rule = spec.rule
    seats = spec.seats
    if rule == 0:
        wigm.count_wigm(
            tree,
            seats,
            withdrawn,
            spec.unit,
            spec.quota_kind,
            spec.direction,
            lot,
            spec.group,
            spec.group_min,
            log,
        )
    elif rule == 1:
        depth = withdrawn.shape[0] + 1
        meek.count_meek(tree, depth, seats, withdrawn, lot, spec.group, spec.group_min, log)
    elif rule == 2:
        ers97.count_ers97(tree, seats, withdrawn, lot, spec.group, spec.group_min, log)
    elif rule == 3:
        irv.count_irv(tree, withdrawn, spec.direction, lot, log)
    else:
        irv.count_block(
            tree, withdrawn, seats, spec.block_votes, lot, spec.group, spec.group_min, log
        )


@kernel
def _count_college(i, strategy, spec, forest, lz, lot, region_root, work, out):
    """Count simulation ``i``'s college under ``strategy``: OK or FOREST_FULL."""
    tree = Trie(forest.cand, forest.end, forest.weight, forest.stop, lz)
    clog = work.college
    meta = clog.meta
    if spec.rule == COLLEGE_IRV:
        weights = spec.college_weights
        college.count_weighted_irv(
            tree, lz, region_root, weights, work.withdrawn, spec.direction, lot, clog
        )
        if meta[1] == college.TREE_FULL:
            return FOREST_FULL
        if meta[1] == college.OVERFLOW:
            raise OverflowError("college sections too large for exact 128-bit arithmetic")
        out.elected[i, strategy, 0] = meta[1] if meta[1] >= 0 else -1
        out.extra[i, strategy, 0] = meta[0]
        out.extra[i, strategy, 1] = meta[3]
        out.extra[i, strategy, 2] = meta[2]
        # each section's tallies in the final round (the round the count stopped in)
        last = meta[0] - 1
        for s in range(out.final.shape[2]):
            for c in range(out.final.shape[3]):
                out.final[i, strategy, s, c] = clog.tallies[last, s, c]
        return OK
    by_irv, proportional = spec.college_flags[0] != 0, spec.college_flags[1] != 0
    college.count_block_units(
        tree,
        lz,
        region_root,
        spec.college_weights,
        work.withdrawn,
        by_irv,
        proportional,
        spec.direction,
        lot,
        clog,
    )
    if meta[0] == college.TREE_FULL:
        return FOREST_FULL
    if meta[0] == college.OVERFLOW:
        raise OverflowError("unit weight x votes beyond 64 bits")
    out.elected[i, strategy, 0] = meta[0]
    for c in range(work.withdrawn.shape[0]):
        out.extra[i, strategy, c] = clog.won[c]
    return OK


@kernel
def count_strategies(i, m, n_rel, spec, orderings, forest, lz, lot, region_root, work, out):
    """Count simulation ``i``'s electorate (``m`` nodes, ``n_rel`` slots) under every strategy
    into ``out`` (a :data:`simcore.sim.bundles.Outputs`); FOREST_FULL if a lazy tree ran out of
    room (the caller repeats the simulation with larger arrays).

    ``lz``: the tree's :data:`simcore.kernels.lazy_tree.LazyTree`, or one of capacity 0 for an
    eagerly generated tree (every node in place: the count sees its ``m`` nodes only)."""
    n_strat = orderings.shape[0]
    cand, rel = forest.cand, forest.rel
    elected, meta = work.log.elected, work.log.meta
    n = cand.shape[0] if lz.first.shape[0] > 0 else m  # (a lazy tree grows during counts)
    tree = Trie(cand[:n], forest.end[:n], forest.weight[:n], forest.stop[:n], lz)
    for strategy in range(n_strat):
        # fill in the slots in place
        for j in range(n_rel):
            cand[rel[j, 0]] = orderings[strategy, rel[j, 1], rel[j, 2], rel[j, 3]]
        if spec.rule >= COLLEGE_IRV:
            if _count_college(i, strategy, spec, forest, lz, lot, region_root, work, out) != OK:
                return FOREST_FULL
            continue
        for c in range(elected.shape[0]):
            elected[c] = -1
        meta[1] = 0
        count_forest(spec, tree, lot, work.withdrawn, work.log)
        if lz.fill[1] != 0:  # a lazy tree ran out of room: this count is void
            return FOREST_FULL
        for j in range(out.elected.shape[2]):
            out.elected[i, strategy, j] = elected[j] if j < meta[1] else -1
    return OK
