"""Scoring probability forecasts of who is elected (the ``forecast-scotland`` benchmark):
Brier score, log loss, a reliability table and wards fully right; the real winners counted with
simcore's own counter; the first-preference baseline."""

from __future__ import annotations

import numpy as np

from simcore.counting.api import count
from simcore.jobs.forecast import Ward

CLIP = 1e-3


def brier(p, y) -> float:
    p, y = np.asarray(p, float), np.asarray(y, float)
    return float(np.mean((p - y) ** 2))


def log_loss(p, y, clip: float = CLIP) -> float:
    p = np.clip(np.asarray(p, float), clip, 1 - clip)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def reliability(p, y, bins: int = 10) -> list[dict]:
    """Deciles of P (bin i holds i/bins <= P < (i+1)/bins, the last including 1): mean P,
    share elected and count, for the bins that hold any candidate."""
    p, y = np.asarray(p, float), np.asarray(y, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for i in range(bins):
        sel = idx == i
        if sel.any():
            out.append(
                {
                    "bin": f"{i / bins:.1f}-{(i + 1) / bins:.1f}",
                    "mean_p": round(float(p[sel].mean()), 4),
                    "share_elected": round(float(y[sel].mean()), 4),
                    "count": int(sel.sum()),
                }
            )
    return out


def top_k_right(p, y, seats: int, tiebreak=None) -> bool:
    """Whether the ``seats`` candidates with the highest P (ties broken by ``tiebreak``, higher
    first, then by index) are exactly the winners."""
    p = np.asarray(p, float)
    tb = np.zeros(len(p)) if tiebreak is None else np.asarray(tiebreak, float)
    order = sorted(range(len(p)), key=lambda c: (-p[c], -tb[c], c))
    return set(order[:seats]) == {c for c in range(len(p)) if y[c]}


def winners(ward: Ward, profile) -> np.ndarray:
    """1 for each candidate elected under the Scottish rule (simcore's counter), else 0."""
    res = count(profile, "scottish", ward.seats, seed=1)
    return np.array([1 if c in res.elected else 0 for c in ward.candidates])


def fp_baseline(ward: Ward) -> np.ndarray:
    """P = 1 for the ``seats`` candidates with most first preferences, else 0."""
    order = sorted(range(len(ward.candidates)), key=lambda c: (-ward.fp[c], c))
    p = np.zeros(len(ward.candidates))
    p[order[: ward.seats]] = 1
    return p


def score(forecasts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]]) -> dict:
    """Figures for (P, elected, seats, first preferences) per ward."""
    p = np.concatenate([f[0] for f in forecasts])
    y = np.concatenate([f[1] for f in forecasts])
    return {
        "brier": round(brier(p, y), 5),
        "log_loss": round(log_loss(p, y), 5),
        "wards_right": sum(top_k_right(q, e, k, fp) for q, e, k, fp in forecasts),
        "reliability": reliability(p, y),
    }
