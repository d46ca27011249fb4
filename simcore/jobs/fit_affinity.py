"""``fit_affinity``: Plackett-Luce strengths and slate affinities fitted together by maximum
likelihood.

In the scenario model (docs/scenarios.md), a supporter of slate k who goes on after the slate
ranks the other candidates by Plackett-Luce over strength x affinity: candidate c is next with
probability s_c a[k, j(c)] / sum over the candidates d still unranked of s_d a[k, j(d)], where
j(c) is c's slate and a[k, j] is slate k's ``next`` multiplier for slate j (1 for candidates on
no slate).  Non-aligned voters rank by s alone (the model has no affinities for them: a
multiplier shared by all of them would only rescale the strengths).

Each recorded choice is (chosen, the candidates available, weight, the chooser's slate or -1).
Both blocks are fitted by Hunter's MM algorithm, alternating: strengths given the affinities
(each choice's availability weighted by its multipliers), then each slate's affinities given
the strengths (a multiplier is a strength shared by a group of candidates).  Where every
candidate off slate k is on some slate, k's multipliers are identified only up to a common
factor: they are then scaled to a geometric mean of 1.
"""

from __future__ import annotations

import numpy as np


def fit_strengths_affinities(
    chosen: np.ndarray,
    avail: np.ndarray,
    weight: np.ndarray,
    group: np.ndarray,
    slate_of: np.ndarray,
    n_slates: int,
    *,
    affinities: bool = True,
    iters: int = 2000,
    tol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray]:
    """Strengths (mean 1; a candidate never chosen gets a floor of 1e-3) and the (K, K + 1)
    affinity table ``a[k, j]`` (column K: candidates on no slate, always 1; a[k, k] = 1) from
    the choices.  ``affinities=False`` keeps every multiplier at 1 (plain Plackett-Luce)."""
    ncand = avail.shape[1]
    K = n_slates
    col = np.where(np.asarray(slate_of) >= 0, slate_of, K)  # each candidate's column
    member = np.zeros((ncand, K + 1))
    member[np.arange(ncand), col] = 1.0
    w = np.asarray(weight, float)
    avail = np.asarray(avail, float)
    row = np.where(group >= 0, group, K)  # the chooser's row (K: non-aligned, all 1)
    a = np.ones((K + 1, K + 1))
    wins = np.bincount(chosen, weights=w, minlength=ncand)
    # the wins of each (row, column): how often slate k's supporters chose slate j's candidates
    group_wins = np.zeros((K + 1, K + 1))
    np.add.at(group_wins, (row, col[chosen]), w)
    free = np.zeros((K + 1, K + 1), bool)
    if affinities:
        for k in range(K):
            for j in range(K):
                free[k, j] = j != k and group_wins[k].sum() > 0
    s = np.ones(ncand)
    for _ in range(iters):
        mult = a[row][:, col]  # (N, ncand): each choice's multiplier for each candidate
        denom = (avail * mult) @ s
        new = wins / np.maximum((w / denom) @ (avail * mult), 1e-300)
        new = np.maximum(new / new.mean(), 1e-3)
        change = np.abs(new - s).max()
        s = new
        if free.any():
            denom = (avail * a[row][:, col]) @ s
            # each choice's available strength by slate column
            by_col = (avail * s) @ member  # (N, K + 1)
            expo = np.zeros((K + 1, K + 1))
            np.add.at(expo, row, (w / denom)[:, None] * by_col)
            ok = free & (expo > 0)
            raw = np.where(ok, group_wins / np.where(ok, expo, 1.0), a)
            raw = np.where(ok & (group_wins <= 0), 1e-3, raw)  # never chosen: a floor
            for k in range(K):
                if not free[k].any():
                    continue
                off = np.flatnonzero(col != k)
                if not (col[off] == K).any():  # no reference: geometric mean 1 over the free
                    raw[k, free[k]] /= np.exp(np.log(raw[k, free[k]]).mean())
            change = max(change, float(np.abs(raw - a).max()))
            a = raw
        if change < tol:
            break
    return s / s.mean(), a[:K]


def choices_of(items: list[tuple[tuple[int, np.ndarray, float], int]]):
    """Arrays (chosen, avail, weight, group) from ``((chosen, available mask, weight), group)``
    items."""
    chosen = np.array([c for (c, _, _), _ in items], np.int64)
    avail = np.array([m for (_, m, _), _ in items], bool)
    weight = np.array([x for (_, _, x), _ in items], float)
    group = np.array([g for _, g in items], np.int64)
    return chosen, avail, weight, group
