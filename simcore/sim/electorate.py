"""Generating a simulation's electorate, eagerly, as one ballot tree (or one per region).

After the parameters are drawn (:mod:`simcore.sim.params`), each region's blocs are written into
the forest (:mod:`simcore.sim.forest`): a slate's followers as a chain of recommended-order
*slots* (filled in per strategy, so every strategy is counted on the same electorate), each
Mallows pattern of the order likewise, then their continuations, the slate's Plackett-Luce
supporters and the non-aligned voters, all by :func:`simcore.sim.generate.grow`.

``model.voters_per_ballot`` K > 1 is the documented approximation (docs/scenarios.md).  The
parameters, the blocs, and the split of each slate's supporters into followers, Mallows and
Plackett-Luce voters are drawn exactly, as are the followers' ballots down to the slate's end.
Below that, each group is generated exactly down to its first ``EXACT_DEPTH`` randomly drawn
preferences, and from there on from a 1-in-K sample of its voters, each weighing K
(:func:`generate.grow` samples, :func:`generate.scale_sampled` weighs); Mallows voters are a
1-in-K sample as a whole.  Nodes above a sample weigh what it stands for (within K of the exact
count).  The parameters are drawn before any of this, so they (and the recorded figures) are
the exact run's with the same seed.

``model.generation_salt`` (0 in runs) != 0 generates the electorate from a stream of its own
after the parameters are drawn: another electorate from the same parameters.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.rng import binomial, seed_stream
from simcore.sim.forest import FOREST_FULL, OK, PATTERNS_FULL, emit
from simcore.sim.generate import (
    GroupModel,
    GrowScratch,
    alias_table,
    grow,
    mallows_patterns,
    scale_sampled,
    thin,
)
from simcore.sim.params import draw_parameters, keep_figures

# voters_per_ballot K > 1: randomly drawn preferences generated exactly in each group before its
# voters are sampled (0 or 1: see generate.scale_sampled)
EXACT_DEPTH = 1

# The generator's working arrays, kept across a chunk's simulations: Mallows patterns and their
# counts (grown when full), the stack and path of :func:`grow` (``used`` is replaced per
# simulation), and the drawn parameters.
GenWork = namedtuple("GenWork", ["perms", "counts", "grow", "drawn"])


@kernel
def new_gen_work(ncand, width, patterns, drawn):
    stack = ncand * (ncand + 2) + 8
    return GenWork(
        np.empty((patterns, width), np.int64),
        np.empty(patterns, np.int64),
        GrowScratch(
            np.zeros(ncand, np.bool_),
            np.empty(stack, np.int64),
            np.empty(stack, np.int64),
            np.empty(stack, np.int64),
            np.empty(ncand + 2, np.int64),
            np.empty(ncand + 2, np.int64),
            np.zeros(2 * ncand + 8, np.int64),
        ),
        drawn,
    )


@borrowing_kernel
def chain_of_slots(slots, k, count, slate, region, forest, m, n_rel, chain):
    """Nodes for a group whose first ``k`` preferences are slots ``slots[:k]`` of the ordering
    the strategy gives ``slate`` in ``region``.  Returns (m, n_rel) or (-1, 0) when full."""
    rel = forest.rel
    for t in range(k):
        y = emit(forest.cand, forest.weight, forest.stop, m, -1, count)
        if y < 0 or n_rel >= rel.shape[0]:
            return -1, 0
        rel[n_rel, 0] = y
        rel[n_rel, 1] = slate
        rel[n_rel, 2] = region
        rel[n_rel, 3] = slots[t]
        n_rel += 1
        chain[t] = y
        m += 1
    return m, n_rel


@kernel
def generate_electorate(key, sim, model, forest, work, stats, lot, per_region, region_root):
    """Draw simulation ``sim`` into ``forest``; returns (status, nodes, relabel rows).

    With ``per_region`` every region gets a tree of its own (rooted at ``region_root[r]``; a
    college counts them separately); otherwise node 0 roots one tree for all regions, and
    ``region_root[r]`` (where it has room) marks where region ``r``'s slate supporters start,
    ``region_root[R]`` where the non-aligned voters start (see :mod:`simcore.sim.first_prefs`)."""
    s = np.empty(4, np.uint64)
    seed_stream(key, sim, s)
    d = work.drawn
    ncand = model.strength.shape[0]
    n_regions = model.electorate.shape[0]
    n_slates = model.swing_sd.shape[0]
    voters_total, electorate_total = draw_parameters(s, model, lot, d)
    keep_figures(stats, voters_total, electorate_total, d)
    if model.generation_salt != 0:  # another electorate from the same parameters
        key2 = key.copy()
        key2[1] ^= np.uint64(model.generation_salt)
        seed_stream(key2, sim, s)
    strength = d.strength
    g = work.grow
    scratch = GrowScratch(
        np.zeros(ncand, np.bool_), g.st_c, g.st_n, g.st_d, g.path_node, g.path_cand, g.tmp
    )
    cand, end, weight, stop = forest.cand, forest.end, forest.weight, forest.stop
    perms, counts = work.perms, work.counts
    slate_members, slate_size = model.slate_members, model.slate_size
    off_slate, off_size = model.off_slate, model.off_size
    # the forest
    all_members = np.arange(ncand)
    prob_all = np.empty(ncand, np.float64)
    alias_all = np.empty(ncand, np.int64)
    chain = np.empty(ncand + 1, np.int64)
    slots = np.empty(ncand + 1, np.int64)
    n_a_max = slate_members.shape[1]
    prob_a2 = np.empty((n_slates, max(n_a_max, 1)), np.float64)
    alias_a2 = np.empty((n_slates, max(n_a_max, 1)), np.int64)
    prob_b2 = np.empty((n_slates, ncand), np.float64)
    alias_b2 = np.empty((n_slates, ncand), np.int64)
    # slate affinities: each slate's supporters rank with strengths times its multipliers (a
    # slate without any uses the drawn strengths themselves, so nothing else changes)
    strength_k = np.empty((n_slates, ncand), np.float64)
    affine = np.zeros(n_slates, np.bool_)
    for k in range(n_slates):
        for c in range(ncand):
            strength_k[k, c] = strength[c] * model.affinity[k, c]
            if model.affinity[k, c] != 1.0:
                affine[k] = True
    for k in range(n_slates):
        sk = strength_k[k] if affine[k] else strength
        alias_table(slate_members[k, : slate_size[k]], sk, prob_a2[k], alias_a2[k])
        alias_table(off_slate[k, : off_size[k]], sk, prob_b2[k], alias_b2[k])
    alias_table(all_members, strength, prob_all, alias_all)
    everyone = GroupModel(
        all_members,
        prob_all,
        alias_all,
        all_members,
        prob_all,
        alias_all,
        1.0,
        model.nonaligned_len,
    )
    for t in range(ncand + 1):
        slots[t] = t
    per = model.voters_per_ballot
    sampled = per > 1
    thin_depth = EXACT_DEPTH if sampled else -1  # (grow: -1 generates every voter)
    m = 0
    if not per_region:  # one tree for every region: node 0 is its root
        cand[0] = -1
        weight[0] = voters_total
        stop[0] = 0
        m = 1
    n_rel = 0
    delta = 0  # (sampled: the voters the tree stands for, less the exact number)
    for r in range(n_regions):
        root = m
        if per_region:  # each region (a college's section or unit) has a tree of its own
            if emit(cand, weight, stop, root, -1, d.voters[r]) < 0:
                return FOREST_FULL, 0, 0
            region_root[r] = root
            m += 1
        elif r < region_root.shape[0]:  # where this region's groups start (first_prefs)
            region_root[r] = root
        for k in range(n_slates):
            ka = slate_size[k]
            nb = off_size[k]
            sk = strength_k[k] if affine[k] else strength
            n_sup = d.supporters[r, k]
            followers = binomial(s, n_sup, d.follow[k])
            others = n_sup - followers
            n_mallows = binomial(s, others, model.mallows_share[k])
            n_pl = others - n_mallows
            if sampled:  # Mallows voters: a 1-in-K sample of them, patterns and all
                n_sample = thin(s, n_mallows, per)
                delta += n_sample * per - n_mallows
                n_mallows = n_sample
            n_pat = 0
            if n_mallows > 0:
                n_pat = mallows_patterns(s, n_mallows, ka, d.phi[k], perms, counts)
                if n_pat < 0:
                    return PATTERNS_FULL, 0, 0
            # the slate's ballot model: its candidates, then the rest (a follower's continuation
            # starts in phase B: grow with a = 0 never reads p_switch)
            slate_group = GroupModel(
                slate_members[k, :ka],
                prob_a2[k, :ka],
                alias_a2[k, :ka],
                off_slate[k, :nb],
                prob_b2[k, :nb],
                alias_b2[k, :nb],
                d.stop_after[k],
                model.continue_len[k],
            )
            # followers (the recommended order itself), then each Mallows pattern of it
            for p in range(-1, n_pat):
                count = followers if p < 0 else counts[p]
                if count <= 0:
                    continue
                scale = per if p >= 0 else 1  # (sampled Mallows voters weigh K)
                m, n_rel = chain_of_slots(
                    slots if p < 0 else perms[p], ka, count * scale, k, r, forest, m, n_rel, chain
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                halt = binomial(s, count, d.stop_after[k])
                stop[chain[ka - 1]] = halt * scale
                m0 = m
                m = grow(
                    s,
                    count - halt,
                    0,
                    slate_group,
                    sk,
                    forest,
                    m,
                    scratch,
                    per,
                    thin_depth if p < 0 else -1,
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                for t in range(ka):
                    end[chain[t]] = m
                if sampled and p < 0:  # the followers' chain weighs what its sample stands for
                    dd = scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - (count - halt)
                    for t in range(ka):
                        weight[chain[t]] += dd
                    delta += dd
                elif sampled:  # (a Mallows pattern's voters are all sampled)
                    scale_sampled(weight, stop, end, m0, m, per, 0)
            # Plackett-Luce over the slate's candidates, then off the slate
            if n_pl > 0:
                m0 = m
                m = grow(s, n_pl, ka, slate_group, sk, forest, m, scratch, per, thin_depth)
                if m < 0:
                    return FOREST_FULL, 0, 0
                if sampled:
                    delta += scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - n_pl
        if per_region:  # this region's non-aligned voters
            m0 = m
            n_na = d.supporters[r, n_slates]
            m = grow(s, n_na, 0, everyone, strength, forest, m, scratch, per, thin_depth)
            if m < 0:
                return FOREST_FULL, 0, 0
            end[root] = m
            if sampled:
                delta += scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - n_na
                weight[root] += delta
                delta = 0
    if not per_region:  # the non-aligned voters of every region: Plackett-Luce over everyone
        n_na = 0
        for r in range(n_regions):
            n_na += d.supporters[r, n_slates]
        m0 = m
        if n_regions < region_root.shape[0]:  # where the non-aligned voters start
            region_root[n_regions] = m
        m = grow(s, n_na, 0, everyone, strength, forest, m, scratch, per, thin_depth)
        if m < 0:
            return FOREST_FULL, 0, 0
        end[0] = m
        if sampled:
            delta += scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - n_na
            weight[0] += delta
    return OK, m, n_rel
