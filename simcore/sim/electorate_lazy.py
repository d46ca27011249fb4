"""Generating a simulation's electorate lazily: trees whose Plackett-Luce choices are left for
the count to expand.

Recommended-order chains are written out; everything below them, and every group's
Plackett-Luce choices, become unexpanded nodes of a :data:`simcore.kernels.lazy_tree.LazyTree`
with node-keyed streams, so any expansion order gives the same electorate.

Colleges get one tree per region (a section or unit).  A committee election (STV, IRV, block)
gets one tree rooted at node 0 laid out as the eager generator's (:mod:`simcore.sim.electorate`):
each region's slate supporters, region by region (``marks[r]`` is where region ``r``'s start),
then the non-aligned voters of every region as one group (from ``marks[R]``).  The model is the
eager generator's; the random numbers are drawn in another order, so the same seed gives another
electorate (``GENERATOR_VERSION``, recorded in run.json).
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel
from simcore.kernels.lazy_tree import IN_PLACE, LAZY, mix, split_group
from simcore.kernels.rng import binomial, seed_stream
from simcore.sim.electorate import chain_of_slots
from simcore.sim.forest import FOREST_FULL, OK, PATTERNS_FULL, emit
from simcore.sim.generate import alias_table, mallows_patterns
from simcore.sim.params import Drawn, draw_parameters, keep_figures

# run.json's ``generator``: how exact electorates are drawn from the seed (results of another
# version are another sample of the same model)
GENERATOR_VERSION = "lazy-1"
EAGER_GENERATOR_VERSION = "eager-1"


def generator_version(plan) -> str:
    """What generated a plan's electorates (run.json's ``generator``): lazy trees (colleges,
    and exact committee elections unless the scenario asks for eager ones) or eager ones."""
    return GENERATOR_VERSION if plan.is_college or plan.lazy else EAGER_GENERATOR_VERSION


@kernel
def set_ballot_models(model, d, lz):
    """The lazy tree's ballot models for the drawn parameters: slate k's continuation (2k), its
    Plackett-Luce supporters (2k + 1), and the non-aligned (2K); row 0 of the member tables is
    phase A, row 1 phase B."""
    ncand = model.strength.shape[0]
    n_slates = model.swing_sd.shape[0]
    slate_members, slate_size = model.slate_members, model.slate_size
    off_slate, off_size = model.off_slate, model.off_size
    g_a, g_pswitch, g_hazard, g_size, g_mem = lz.g_a, lz.g_pswitch, lz.g_hazard, lz.g_size, lz.g_mem
    g_strength = lz.g_strength
    na = 2 * n_slates
    for gi in range(na + 1):
        k = gi // 2
        if gi == na:
            g_a[gi] = 0
            g_pswitch[gi] = 1.0
            g_size[gi, 0] = 0
            g_size[gi, 1] = ncand
            for c in range(ncand):
                g_mem[gi, 1, c] = c
            for h in range(g_hazard.shape[1]):
                g_hazard[gi, h] = model.nonaligned_len[min(h, model.nonaligned_len.shape[0] - 1)]
        else:
            pl = gi % 2 == 1
            g_a[gi] = slate_size[k] if pl else 0
            g_pswitch[gi] = d.stop_after[k] if pl else 1.0
            g_size[gi, 0] = slate_size[k] if pl else 0
            g_size[gi, 1] = off_size[k]
            for t in range(slate_size[k]):
                g_mem[gi, 0, t] = slate_members[k, t]
            for t in range(off_size[k]):
                g_mem[gi, 1, t] = off_slate[k, t]
            for h in range(g_hazard.shape[1]):
                g_hazard[gi, h] = model.continue_len[k, min(h, model.continue_len.shape[1] - 1)]
        # a slate's supporters rank by the strengths times its affinities (all 1: none)
        for c in range(ncand):
            g_strength[gi, c] = d.strength[c] * (model.affinity[k, c] if gi < na else 1.0)
        for ph_ in range(2):
            n = g_size[gi, ph_]
            if n > 0:
                alias_table(
                    g_mem[gi, ph_, :n],
                    g_strength[gi],
                    lz.g_prob[gi, ph_, :n],
                    lz.g_alias[gi, ph_, :n],
                )


@kernel
def generate_lazy_electorate(key, sim, model, forest, work, stats, lot, per_region, marks, lz):
    """Draw simulation ``sim`` as lazy trees, one per region (``per_region``: ``marks[r]`` is
    region ``r``'s root) or one for all (see the module); returns (status, nodes, relabel
    rows)."""
    s = np.empty(4, np.uint64)
    seed_stream(key, sim, s)
    w = work.drawn
    d = Drawn(lz.strength, w.voters, w.supporters, w.follow, w.phi, w.stop_after)
    n_regions = model.electorate.shape[0]
    n_slates = model.swing_sd.shape[0]
    voters_total, electorate_total = draw_parameters(s, model, lot, d)
    set_ballot_models(model, d, lz)
    cand, end, weight, stop = forest.cand, forest.end, forest.weight, forest.stop
    first, group, depth, used, keys, fill = lz.first, lz.group, lz.depth, lz.used, lz.keys, lz.fill
    perms, counts = work.perms, work.counts
    na = 2 * n_slates
    ncand = model.strength.shape[0]
    sim_key = mix(mix(key[0], key[1]), sim)
    if model.generation_salt != 0:  # another electorate from the same parameters
        key2 = key.copy()
        key2[1] ^= np.uint64(model.generation_salt)
        seed_stream(key2, sim, s)
        sim_key = mix(mix(key2[0], key2[1]), sim)
    chain = np.empty(ncand + 1, np.int64)
    slots = np.empty(ncand + 1, np.int64)
    for t in range(ncand + 1):
        slots[t] = t
    m = 0
    n_rel = 0
    fill[1] = 0
    if not per_region:  # one tree for every region: node 0 is its root
        if emit(cand, weight, stop, 0, -1, voters_total) < 0:
            return FOREST_FULL, 0, 0
        first[0] = IN_PLACE
        m = 1
    for r in range(n_regions):
        root = m
        if per_region:
            if emit(cand, weight, stop, root, -1, d.voters[r]) < 0:
                return FOREST_FULL, 0, 0
            first[root] = IN_PLACE
            m += 1
        marks[r] = root
        r_key = mix(sim_key, r)
        for k in range(n_slates):
            ka = model.slate_size[k]
            n_sup = d.supporters[r, k]
            followers = binomial(s, n_sup, d.follow[k])
            others = n_sup - followers
            n_mallows = binomial(s, others, model.mallows_share[k])
            n_pl = others - n_mallows
            n_pat = 0
            if n_mallows > 0:
                n_pat = mallows_patterns(s, n_mallows, ka, d.phi[k], perms, counts)
                if n_pat < 0:
                    return PATTERNS_FULL, 0, 0
            k_key = mix(r_key, 2 * k)
            for p in range(-1, n_pat):
                cnt = followers if p < 0 else counts[p]
                if cnt <= 0:
                    continue
                m, n_rel = chain_of_slots(
                    slots if p < 0 else perms[p], ka, cnt, k, r, forest, m, n_rel, chain
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                for t in range(ka):
                    end[chain[t]] = m
                    first[chain[t]] = IN_PLACE
                tail = chain[ka - 1]
                stop[tail] = binomial(s, cnt, d.stop_after[k])
                first[tail] = LAZY
                group[tail] = 2 * k
                depth[tail] = 0
                used[tail] = 0
                keys[tail] = mix(k_key, p + 1)
            fill[0] = m
            key_pl = mix(r_key, 2 * k + 1)
            if (
                split_group(n_pl, 2 * k + 1, 0, np.uint64(0), key_pl, cand, end, weight, stop, lz)
                < 0
            ):
                return FOREST_FULL, 0, 0
            m = fill[0]
        fill[0] = m
        if per_region:  # this region's non-aligned voters
            n_na = d.supporters[r, n_slates]
            key_na = mix(r_key, na)
            if split_group(n_na, na, 0, np.uint64(0), key_na, cand, end, weight, stop, lz) < 0:
                return FOREST_FULL, 0, 0
            m = fill[0]
            end[root] = m
    if not per_region:  # the non-aligned voters of every region: one group
        n_na = 0
        for r in range(n_regions):
            n_na += d.supporters[r, n_slates]
        marks[n_regions] = m
        fill[0] = m
        key_na = mix(sim_key, n_regions + na + 1)
        if split_group(n_na, na, 0, np.uint64(0), key_na, cand, end, weight, stop, lz) < 0:
            return FOREST_FULL, 0, 0
        m = fill[0]
        end[0] = m
    fill[0] = m
    keep_figures(stats, voters_total, electorate_total, d)
    return OK, m, n_rel
