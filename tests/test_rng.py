"""The samplers of ``simcore.kernels.rng`` against scipy's distributions (seeded; alpha = 0.001)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from simcore.kernels import rng
from tests.stat_helpers import ALPHA, chi_square_pvalue


def stream(seed=7, index=0):
    s = np.empty(4, np.uint64)
    rng.seed_stream(rng.stream_key(seed), index, s)
    return s


@njit
def _binomials(s, n, p, k):
    out = np.empty(k, np.int64)
    for i in range(k):
        out[i] = rng.binomial(s, n, p)
    return out


@njit
def _floats(s, kind, a, b, k):
    out = np.empty(k, np.float64)
    for i in range(k):
        if kind == 0:
            out[i] = rng.uniform(s)
        elif kind == 1:
            out[i] = rng.normal(s)
        elif kind == 2:
            out[i] = rng.gamma(s, a)
        else:
            out[i] = rng.beta(s, a, b)
    return out


@pytest.mark.parametrize(
    "n,p",
    [
        (1, 0.3),
        (5, 0.5),
        (40, 0.1),
        (30, 0.95),
        (1000, 0.3),
        (100_000, 0.5),
        (1_000_000, 0.001),
        (130_000, 0.25),
    ],
)
def test_binomial_matches_scipy(n, p):
    x = _binomials(stream(), n, p, 100_000)
    lo, hi = stats.binom.ppf([1e-9, 1 - 1e-9], n, p).astype(int)
    ks = np.arange(lo, hi + 1)
    observed = np.array([(x == k).sum() for k in ks])
    assert observed.sum() == len(x)
    assert chi_square_pvalue(observed, stats.binom.pmf(ks, n, p)) > ALPHA
    # the large-n bias found in Numba's legacy sampler would show here
    assert abs(x.mean() - n * p) < 5 * np.sqrt(n * p * (1 - p) / len(x))


@pytest.mark.parametrize(
    "kind,a,b,dist",
    [
        (0, 0, 0, stats.uniform()),
        (1, 0, 0, stats.norm()),
        (2, 0.4, 0, stats.gamma(0.4)),
        (2, 3.5, 0, stats.gamma(3.5)),
        (3, 2.0, 5.0, stats.beta(2.0, 5.0)),
        (3, 0.5, 0.7, stats.beta(0.5, 0.7)),
    ],
)
def test_continuous_samplers_match_scipy(kind, a, b, dist):
    x = _floats(stream(11), kind, a, b, 50_000)
    assert stats.kstest(x, dist.cdf).pvalue > ALPHA


def test_streams_are_deterministic_and_distinct():
    a = _floats(stream(3, 0), 0, 0, 0, 5)
    assert np.array_equal(a, _floats(stream(3, 0), 0, 0, 0, 5))
    assert not np.array_equal(a, _floats(stream(3, 1), 0, 0, 0, 5))
    assert not np.array_equal(a, _floats(stream(4, 0), 0, 0, 0, 5))


@njit
def _multis(s, n, probs, k):
    out = np.zeros((k, probs.shape[0]), np.int64)
    for i in range(k):
        rng.multinomial(s, n, probs, out[i])
    return out


def test_multinomial_margins():
    probs = np.array([0.5, 0.2, 0.0, 0.3])
    x = _multis(stream(5), 50, probs, 20_000)
    assert (x.sum(axis=1) == 50).all() and (x[:, 2] == 0).all()
    for j in (0, 1, 3):
        ks = np.arange(51)
        observed = np.bincount(x[:, j], minlength=51)
        assert chi_square_pvalue(observed, stats.binom.pmf(ks, 50, probs[j])) > ALPHA
