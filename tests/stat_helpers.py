"""Goodness-of-fit helpers for the seeded statistical tests."""

from __future__ import annotations

import numpy as np
from scipy import stats

ALPHA = 1e-3  # every statistical test here: reject at p < 0.001


def chi_square_pvalue(observed, probs) -> float:
    """Chi-square goodness of fit of counts to probabilities, pooling cells whose expected
    count is below 5 into one cell (dropped if its expected count is zero)."""
    observed = np.asarray(observed, float)
    expected = np.asarray(probs, float) * observed.sum()
    small = expected < 5
    obs, exp = observed[~small], expected[~small]
    if expected[small].sum() > 0:
        obs = np.append(obs, observed[small].sum())
        exp = np.append(exp, expected[small].sum())
    elif observed[small].sum() > 0:
        return 0.0  # counts where the model says never
    return float(stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue)
