"""The named structures the simulation kernels take instead of dozens of positional arrays.

A compiled :class:`~simcore.sim.plan.Plan` becomes three read-only structures, each built by one
function here:

* :data:`Model`: the scenario's numeric voter model (candidates, slates, regions and the
  distributions of the uncertain parameters), plus the generation options;
* :data:`CountSpec`: how every simulated electorate is counted (rule, seats, options, group
  minimums, college weights);
* ``plan.orderings``: the strategies' recommended orderings, one array ``(S, K, R, slots)``.

Results go into :data:`Outputs` (:func:`new_outputs`).  The kernels' working arrays (the forest,
the generator's scratch, the count's logs) are allocated inside the chunk kernel
(:mod:`simcore.sim.chunk`), in one place, and grown there.

They are plain named tuples: Numba passes them to compiled code member by member, so a kernel
reads ``model.strength`` at no cost, and they can be built anywhere, in Python or in a kernel.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.kernels.ers97 import max_stages

Model = namedtuple(
    "Model",
    [
        "strength",  # (ncand,) strengths before the drawn national noise
        "strength_sd",  # sd of the log-normal noise on every strength
        "electorate",  # (R,) members by region
        "turnout",  # (R, 3) distribution rows (see plan.dist_row)
        "base_share",  # (R, K) each slate's share of a region's voters before swings
        "swing_sd",  # (K,) national swing
        "regional_sd",  # (K,) regional noise
        "follow",  # (K, 3) distribution rows: share of supporters copying the order
        "mallows_share",  # (K,) share of the others who permute it (Mallows)
        "phi",  # (K, 3) Mallows dispersion
        "stop_after",  # (K, 3) probability of stopping after the slate
        "continue_len",  # (K, ncand + 2) hazards of stopping after the slate's continuation
        "nonaligned_len",  # (ncand + 2,) hazards of the non-aligned voters' ballot length
        "slate_members",  # (K, maxK) each slate's candidates, -1 padded
        "slate_size",  # (K,)
        "off_slate",  # (K, ncand) the candidates off each slate, -1 padded
        "off_size",  # (K,)
        "affinity",  # (K, ncand) multipliers on strengths after each slate (all 1: none)
        "voters_per_ballot",  # > 1: the sampled approximation (see simcore.sim.electorate)
        "lazy",  # exact committee electorates as lazy trees (simcore.sim.electorate_lazy)
        "generation_salt",  # != 0: another electorate from the same parameters (checks)
    ],
)

CountSpec = namedtuple(
    "CountSpec",
    [
        "rule",  # the engine's rule code (plan.RULE_CODES, COLLEGE_IRV, COLLEGE_BLOCK)
        "seats",
        "unit",  # fixed-point unit of the WIGM rules (10 ** decimals)
        "quota_kind",
        "direction",  # tie-breaking direction
        "block_votes",  # votes per ballot under block voting
        "group",  # (ncand,) group of each candidate for minimums (-1: none)
        "group_min",  # (G,) seats each group must have
        "max_stages",  # room in the stage logs
        "college_weights",  # (R,) section or unit weights, or empty
        "college_flags",  # (2,) units by IRV, proportional allocation
    ],
)

Outputs = namedtuple(
    "Outputs",
    [
        "elected",  # (n, S, seats) candidates in order of election, -1 padded
        "stats",  # (n, n_stats) drawn figures (plan.STAT_*)
        "nodes",  # (n,) size of each simulated ballot tree
        "extra",  # (n, S, width) college figures (see simcore.sim.strategies)
        "first",  # (n, R, ncand) first preferences outside the slots (simcore.sim.first_prefs)
        "first_slot",  # (n, R, K, width) first preferences for each recommended-order slot
        "final",  # (n, S, R, ncand) weighted colleges: each section's final-round tallies
    ],
)


def model_of(plan) -> Model:
    """The numeric voter model of a compiled plan."""
    return Model(
        plan.strength,
        float(plan.strength_sd),
        plan.electorate,
        plan.turnout,
        plan.base_share,
        plan.swing_sd,
        plan.regional_sd,
        plan.follow,
        plan.mallows_share,
        plan.phi,
        plan.stop_after,
        plan.continue_len,
        plan.nonaligned_len,
        plan.slate_members,
        plan.slate_size,
        plan.off_slate,
        plan.off_size,
        plan.affinity,
        int(plan.voters_per_ballot),
        bool(plan.lazy),
        int(plan.generation_salt),
    )


def stages_for(plan) -> int:
    """Room in the stage logs for any count of the plan's elections."""
    return max(max_stages(plan.ncand, plan.seats), 3 * plan.ncand + plan.seats + 4)


def count_spec_of(plan) -> CountSpec:
    """How a compiled plan's electorates are counted."""
    return CountSpec(
        int(plan.rule_code),
        int(plan.seats),
        int(plan.unit),
        int(plan.quota_kind),
        int(plan.direction),
        int(plan.block_votes),
        plan.group,
        plan.group_min,
        stages_for(plan),
        plan.college_weights,
        plan.college_flags,
    )


def new_outputs(plan, n: int) -> Outputs:
    """Result arrays for ``n`` simulations of the plan."""
    return Outputs(
        np.full((n, plan.n_strategies, plan.seats), -1, np.int16),
        np.zeros((n, plan.n_stats), np.float64),
        np.zeros(n, np.int64),
        np.zeros((n, plan.n_strategies, max(plan.ncand, 3)), np.int64),
        np.zeros((n, plan.n_regions, plan.ncand), np.int64),
        np.zeros((n, plan.n_regions, plan.n_slates, plan.slate_members.shape[1]), np.int64),
        np.zeros((n, plan.n_strategies, final_sections(plan), plan.ncand), np.int64),
    )


def final_sections(plan) -> int:
    """Sections whose final-round tallies :data:`Outputs` keeps: a weighted college's, else
    none (the array is then empty)."""
    if plan.is_college and plan.scenario.college.method != "block":
        return int(plan.n_regions)
    return 0
