"""The chunk driver: simulations ``first .. first + n - 1``, each drawn, generated and counted
under every strategy, with every working array allocated (and grown) here, in one place.

Simulation ``i`` uses only its own random stream (:mod:`simcore.kernels.rng`), so a run's
results depend on the seed alone, not on threads or chunk sizes.  A simulation whose arrays run
out is repeated with larger ones: its streams restart, so nothing about it changes.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel
from simcore.kernels.lazy_tree import eager, new_lazy
from simcore.sim.electorate import generate_electorate, new_gen_work
from simcore.sim.electorate_lazy import generate_lazy_electorate
from simcore.sim.first_prefs import record_first_preferences
from simcore.sim.forest import OK, PATTERNS_FULL, new_forest
from simcore.sim.params import new_drawn
from simcore.sim.strategies import COLLEGE_IRV, count_strategies, new_count_work


@kernel
def run_chunk(key, first_sim, n_sims, do_count, model, spec, orderings, capacity, out):
    """Simulations ``first_sim .. first_sim + n_sims - 1`` of ``model`` (a
    :data:`~simcore.sim.bundles.Model`), counted as ``spec`` says under every strategy of
    ``orderings``, into ``out`` (:data:`~simcore.sim.bundles.Outputs`): ``out.elected[i, s, :]``
    the candidates elected (in order, -1 padded), ``out.stats[i]`` the drawn figures,
    ``out.nodes[i]`` the size of the ballot tree, ``out.first[i]`` and ``out.first_slot[i]`` its
    first preferences (:mod:`simcore.sim.first_prefs`).  ``do_count=False`` only generates (to time
    generation alone); ``capacity`` is the number of tree nodes to allocate at first.

    Colleges (``spec.rule`` COLLEGE_IRV or COLLEGE_BLOCK) generate lazy trees, one per region
    (a section or unit); ``out.elected[i, s, 0]`` is the winner (-1: no majority) and
    ``out.extra[i, s]`` holds (rounds, decisive section, runner-up) and ``out.final[i, s]`` each
    section's tallies in the final round for weighted sections, or ``out.extra[i, s]`` the
    weight each candidate won for block units.  Other elections generate one lazy tree
    (``model.lazy``) or an eager one (the sampled approximation, or the eager generator).
    ``out.nodes[i]``: the nodes generated, expansions during the counts included."""
    ncand = model.strength.shape[0]
    n_regions = model.electorate.shape[0]
    n_slates = model.swing_sd.shape[0]
    per_region = spec.rule >= COLLEGE_IRV
    lazy = per_region or model.lazy
    cap = capacity
    rel_cap = max(cap // 4, 1024)
    patterns = 4096
    width = model.slate_members.shape[1]
    forest = new_forest(cap, rel_cap)
    work = new_gen_work(ncand, width, patterns, new_drawn(ncand, n_regions, n_slates))
    counting = new_count_work(ncand, n_regions, spec.max_stages)
    lot = np.empty(ncand, np.int64)
    marks = np.zeros(n_regions + 1, np.int64)  # region roots, + 1 mark (see first_prefs)
    region_root = marks[:n_regions]
    n_groups = 2 * n_slates + 1
    hz_len = model.nonaligned_len.shape[0]
    lz = new_lazy(cap, ncand, n_groups, hz_len) if lazy else eager(ncand)
    for i in range(n_sims):
        while True:
            sim = first_sim + i
            if lazy:
                status, m, n_rel = generate_lazy_electorate(
                    key, sim, model, forest, work, out.stats[i], lot, per_region, marks, lz
                )
            else:
                status, m, n_rel = generate_electorate(
                    key, sim, model, forest, work, out.stats[i], lot, False, marks
                )
            if status == OK:
                record_first_preferences(
                    per_region,
                    marks,
                    forest,
                    n_rel,
                    work.drawn.supporters,
                    out.first[i],
                    out.first_slot[i],
                )
            if status == OK and do_count:
                status = count_strategies(
                    i, m, n_rel, spec, orderings, forest, lz, lot, region_root, counting, out
                )
            if status == OK:
                break
            if status == PATTERNS_FULL:
                patterns *= 4
                work = new_gen_work(ncand, width, patterns, work.drawn)
            else:
                cap *= 2
                rel_cap *= 2
                forest = new_forest(cap, rel_cap)
                if lazy:
                    lz = new_lazy(cap, ncand, n_groups, hz_len)
        out.nodes[i] = lz.fill[0] if lazy else m
