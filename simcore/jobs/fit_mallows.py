"""``fit_mallows``: a slate's follow rate, Mallows share and Mallows dispersion phi fitted by
maximum likelihood to the orders in which its supporters rank the slate's candidates.

The scenario model (docs/scenarios.md, "How voters are simulated"; ``sim/generate.py``,
``mallows_patterns``) gives a supporter's order o of the slate's k candidates, around the
recommended order O, the probability

    P(o) = f [o = O] + (1 - f) (m Mallows_phi(o) + (1 - m) PL(o))

with f = ``follow``, m = ``mallows_share`` and PL the Plackett-Luce order over the candidates'
strengths.  Mallows_phi(o) = phi^d(o, O) / Z_k(phi): d is the Kendall distance (the number of
pairs in the other order than in O) and Z_k(phi) = prod_{i=1..k} (1 + phi + ... + phi^(i-1)),
which is the generator's repeated insertion (item i goes i - j places ahead with weight
phi^(i - j)).  Ballots classified as the slate's include non-aligned ballots that happen to
start with its candidates: a known share ``c`` of them, whose orders have the known
probabilities ``NA(o)``; the likelihood mixes them in at that weight.

Maximised by EM: the responsibilities of the four components are the E-step; f and m have
closed-form M-steps, and phi maximises the Mallows component's weighted log-likelihood, the
exact one with its normalising constant, by golden-section search on log phi (the likelihood is
an exponential family in log phi, so it is unimodal there).  With k = 2 the three are not
identified (there are two orders), and the caller keeps m = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PHI_MIN = 1e-6  # the search's range of phi: (practically) 0 .. 1
GOLDEN = (math.sqrt(5) - 1) / 2


def kendall(order, center) -> int:
    """The number of pairs of ``order`` in the other order than in ``center``."""
    pos = {c: i for i, c in enumerate(center)}
    r = [pos[c] for c in order]
    return sum(1 for i in range(len(r)) for j in range(i + 1, len(r)) if r[i] > r[j])


def log_norm(k: int, phi: float) -> float:
    """log Z_k(phi) = sum_{i=1..k} log(1 + phi + ... + phi^(i-1))."""
    return sum(math.log(sum(phi**j for j in range(i))) for i in range(1, k + 1))


def mallows_prob(d, k: int, phi: float) -> np.ndarray:
    """Mallows probabilities of orders at Kendall distances ``d`` from the centre."""
    d = np.asarray(d, float)
    if phi <= 0:
        return (d == 0).astype(float)
    return np.exp(d * math.log(phi) - log_norm(k, phi))


def phi_mle(mean_distance: float, k: int) -> float:
    """The phi maximising d_bar log(phi) - log Z_k(phi) (the Mallows log-likelihood per
    ballot with mean distance d_bar), by golden-section search on log phi."""
    if mean_distance <= 0:
        return 0.0

    def loglik(t):
        return mean_distance * t - log_norm(k, math.exp(t))

    a, b = math.log(PHI_MIN), 0.0
    x1, x2 = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    f1, f2 = loglik(x1), loglik(x2)
    while b - a > 1e-9:
        if f1 < f2:
            a, x1, f1 = x1, x2, f2
            x2 = a + GOLDEN * (b - a)
            f2 = loglik(x2)
        else:
            b, x2, f2 = x2, x1, f1
            x1 = b - GOLDEN * (b - a)
            f1 = loglik(x1)
    return math.exp((a + b) / 2)


@dataclass
class OrderData:
    """A slate's observed orders: each distinct order's count, Kendall distance from the
    centre, Plackett-Luce probability, non-aligned probability, and whether it is the centre."""

    k: int
    counts: np.ndarray
    distance: np.ndarray
    pl: np.ndarray
    na: np.ndarray
    is_centre: np.ndarray
    contamination: float  # c: the share of the ballots that are non-aligned


@dataclass
class MallowsFit:
    follow: float
    mallows_share: float
    phi: float
    loglik: float
    iterations: int


def fit_mixture(data: OrderData, start=(0.5, 0.5, 0.5), tol=1e-10, max_iter=5000) -> MallowsFit:
    """Maximum-likelihood (f, m, phi) by EM (module docstring)."""
    f, m, phi = start
    n, c = data.counts.astype(float), float(data.contamination)
    lik = -math.inf
    it = 0
    while it < max_iter:
        it += 1
        mal = mallows_prob(data.distance, data.k, phi)
        comp_f = (1 - c) * f * data.is_centre
        comp_m = (1 - c) * (1 - f) * m * mal
        comp_p = (1 - c) * (1 - f) * (1 - m) * data.pl
        total = c * data.na + comp_f + comp_m + comp_p
        total = np.maximum(total, 1e-300)
        new_lik = float((n * np.log(total)).sum())
        rf, rm, rp = (n * x / total for x in (comp_f, comp_m, comp_p))
        sf, sm, sp = rf.sum(), rm.sum(), rp.sum()
        if sf + sm + sp <= 0:
            break
        f = sf / (sf + sm + sp)
        m = sm / (sm + sp) if sm + sp > 0 else m
        if sm > 0:
            phi = phi_mle(float((rm * data.distance).sum() / sm), data.k)
        if abs(new_lik - lik) < tol * max(1.0, abs(new_lik)):
            lik = new_lik
            break
        lik = new_lik
    return MallowsFit(float(f), float(m), float(phi), lik, it)


def bootstrap(data: OrderData, point: MallowsFit, reps: int, rng) -> np.ndarray:
    """(reps, 3) refits of (f, m, phi) to the order counts resampled (multinomial), each EM
    started from the point estimate."""
    total = int(data.counts.sum())
    probs = data.counts / max(total, 1)
    out = np.empty((reps, 3))
    start = (point.follow, point.mallows_share, point.phi)
    for r in range(reps):
        counts = rng.multinomial(total, probs)
        again = OrderData(
            data.k,
            counts,
            data.distance,
            data.pl,
            data.na,
            data.is_centre,
            data.contamination,
        )
        fit = fit_mixture(again, start=start, tol=1e-8, max_iter=2000)
        out[r] = fit.follow, fit.mallows_share, fit.phi
    return out
