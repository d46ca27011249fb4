"""Drawing a simulation's uncertain parameters: the first step of every simulation.

Everything a simulation draws before its electorate: the lot order for ties, candidate
strengths, turnout and voters by region, each region's voters split among the slates' blocs and
the non-aligned, and each slate's follow rate, Mallows dispersion and stop-after-slate
probability.  They are drawn from the simulation's own stream first, so an electorate generated
another way (lazily, sampled, or from another stream) has exactly the same parameters.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.rng import below, beta, binomial, multinomial, normal, uniform

# One simulation's drawn parameters: strengths (ncand,), voters by region (R,), each region's
# voters by bloc (R, K + 1; the last column non-aligned), and per slate the follow rate,
# Mallows dispersion and stop-after-slate probability (K,).
Drawn = namedtuple("Drawn", ["strength", "voters", "supporters", "follow", "phi", "stop_after"])


@kernel
def new_drawn(ncand, n_regions, n_slates):
    return Drawn(
        np.empty(ncand, np.float64),
        np.zeros(n_regions, np.int64),
        np.zeros((n_regions, n_slates + 1), np.int64),
        np.empty(n_slates, np.float64),
        np.empty(n_slates, np.float64),
        np.empty(n_slates, np.float64),
    )


@borrowing_kernel
def draw(s, row):
    """A draw of an uncertain parameter given as (kind, a, b): fixed a, Beta(a, b), U(a, b)."""
    if row[0] == 0:
        return row[1]
    if row[0] == 1:
        return beta(s, row[1], row[2])
    return row[1] + (row[2] - row[1]) * uniform(s)


@kernel
def draw_parameters(s, model, lot, d):
    """Draw a simulation's parameters from stream ``s`` into ``d`` (a :data:`Drawn`) and the
    ties' lot order into ``lot``.  Returns (voters, electorate) summed over the regions."""
    ncand = model.strength.shape[0]
    n_regions = model.electorate.shape[0]
    n_slates = model.swing_sd.shape[0]
    # ties by lot: a random priority per candidate
    for c in range(ncand):
        lot[c] = c
    for c in range(ncand - 1, 0, -1):
        j = below(s, c + 1)
        lot[c], lot[j] = lot[j], lot[c]
    sd = model.strength_sd
    for c in range(ncand):
        d.strength[c] = model.strength[c] * (math.exp(sd * normal(s)) if sd > 0 else 1.0)
    # turnout and blocs
    probs = np.empty(n_slates + 1, np.float64)
    swing = np.empty(n_slates, np.float64)
    for k in range(n_slates):
        swing[k] = model.swing_sd[k] * normal(s) if model.swing_sd[k] > 0 else 0.0
    voters_total = 0
    electorate_total = 0
    for r in range(n_regions):
        t = draw(s, model.turnout[r])
        d.voters[r] = binomial(s, model.electorate[r], t)
        voters_total += d.voters[r]
        electorate_total += model.electorate[r]
        total = 0.0
        for k in range(n_slates):
            x = model.base_share[r, k] + swing[k]
            if model.regional_sd[k] > 0:
                x += model.regional_sd[k] * normal(s)
            x = min(max(x, 0.0), 1.0)
            probs[k] = x
            total += x
        if total > 1.0:
            for k in range(n_slates):
                probs[k] /= total
            total = 1.0
        probs[n_slates] = max(1.0 - total, 0.0)
        multinomial(s, d.voters[r], probs, d.supporters[r])
    for k in range(n_slates):
        d.follow[k] = draw(s, model.follow[k])
        d.phi[k] = draw(s, model.phi[k])
        d.stop_after[k] = draw(s, model.stop_after[k])
    return voters_total, electorate_total


@borrowing_kernel
def keep_figures(stats, voters_total, electorate_total, d):
    """The drawn figures recorded for each simulation (see plan.STAT_*)."""
    stats[0] = voters_total
    stats[1] = voters_total / electorate_total if electorate_total > 0 else 0.0
    for k in range(d.follow.shape[0]):
        sup = 0
        for r in range(d.supporters.shape[0]):
            sup += d.supporters[r, k]
        stats[2 + 4 * k] = sup / voters_total if voters_total > 0 else 0.0
        stats[3 + 4 * k] = d.follow[k]
        stats[4 + 4 * k] = d.phi[k]
        stats[5 + 4 * k] = d.stop_after[k]
