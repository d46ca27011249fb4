"""``fit_first_prefs``: a scenario's bloc shares and strengths fitted to first-preference totals.

The *expected* first-preference share of each candidate under the scenario's voter model
(:mod:`simcore.sim.electorate`), in region r under one strategy, is

    sum_k e[r,k] P[r,k](c) + n[r] pi(c)

* e[r,k]: slate k's expected bloc share, E[clip(base + Z, 0, 1)] with Z normal of variance
  swing_sd^2 + regional_sd^2 (the rare draws where the slates add up to more than 1, which the
  simulator scales down, are ignored); n[r] = 1 - sum_k e[r,k], the non-aligned voters.
* P[r,k](c), a supporter's first preference: the top of the strategy's order for k in r with
  probability f = E[follow]; otherwise, with probability ``mallows_share``, a Mallows draw around
  the order, whose top is the order's i-th candidate with probability phi^i / sum_j<|k| phi^j
  (averaged over phi's distribution by quadrature); else Plackett-Luce over the slate's
  candidates with the strengths times the slate's affinities (``next``).
* pi(c): Plackett-Luce over every candidate.  Both Plackett-Luce terms are averaged over the
  per-simulation noise exp(strength_sd z) by a fixed set of antithetic normal draws.

National shares weigh each region by its expected voters (electorate x mean turnout).

Each row of the CSV (a candidate, a slate, or ``no slate``; national or in one region) is an
equation.  The unknowns are log multipliers on the file's values: on each slate's bloc share
(per region if any row has a region, else one per slate), and on each candidate's strength
(candidate rows) or on each slate's candidates' strengths together and on the candidates on
none together (slate rows: the ratios within each group are kept).  The equations rarely
determine all of them (a slate's first preferences can come from its supporters or from
non-aligned voters), so the fit is the solution *nearest to the file*: the smallest sum of
squared log multipliers, found by Gauss-Newton steps with minimum-norm least squares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simcore.errors import InputError, shown
from simcore.jobs.check_fit import Observed, _all_items
from simcore.model.scenario import Dist, Scenario

NOISE_DRAWS = 2048  # antithetic normal draws for the strength noise (fixed seed)
NOISE_SEED = 20201112
QUAD_POINTS = 400  # midpoints for averaging over phi's distribution
TOLERANCE = 5e-4  # a target is matched when the expected share is within this (0.05 points)
SUM_SLACK = 0.005  # shares listing every item may add up to 1 +/- this (rounding)
MAX_STEPS = 60
ZERO_START = 1e-3  # a share or strength of 0 to be fitted starts here


def _expected_clip(b: float, sd: float) -> float:
    """E[clip(b + Z, 0, 1)], Z ~ N(0, sd^2)."""
    if sd <= 0:
        return min(max(b, 0.0), 1.0)

    def pos(mu):  # E[max(mu + Z, 0)]
        t = mu / sd
        return mu * 0.5 * math.erfc(-t / math.sqrt(2)) + sd * math.exp(-t * t / 2) / math.sqrt(
            2 * math.pi
        )

    return pos(b) - pos(b - 1.0)


def _phi_nodes(d: Dist) -> tuple[np.ndarray, np.ndarray]:
    """(values, weights) averaging over the distribution of Mallows phi."""
    if d.kind == "fixed":
        return np.array([d.value]), np.array([1.0])
    if d.kind == "uniform":
        x = d.low + (d.high - d.low) * (np.arange(QUAD_POINTS) + 0.5) / QUAD_POINTS
        return x, np.full(QUAD_POINTS, 1.0 / QUAD_POINTS)
    common = d.mean * (1 - d.mean) / d.sd**2 - 1
    a, b = d.mean * common, (1 - d.mean) * common
    x = (np.arange(QUAD_POINTS) + 0.5) / QUAD_POINTS
    w = np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x))
    return x, w / w.sum()


def mallows_top(k: int, d: Dist) -> np.ndarray:
    """P(the order's i-th candidate is first) for a Mallows draw of k items, phi ~ ``d``."""
    xs, ws = _phi_nodes(d)
    out = np.zeros(k)
    for phi, w in zip(xs, ws, strict=True):
        p = np.array([phi**i for i in range(k)]) if phi > 0 else np.eye(k)[0]
        out += w * p / p.sum()
    return out


class Model:
    """The scenario's expected first preferences as a function of base shares and strengths."""

    def __init__(self, sc: Scenario, strategy: str):
        self.sc = sc
        names = sc.candidate_names
        index = {n: i for i, n in enumerate(names)}
        self.ncand, self.R, self.K = len(names), len(sc.regions), len(sc.slates)
        st = next(s for s in sc.strategies if s.name == strategy)
        slate_index = {sl.id: k for k, sl in enumerate(sc.slates)}
        slate_of = np.array(
            [slate_index.get(c.slate, -1) if c.slate else -1 for c in sc.candidates]
        )
        self.slate_of = slate_of
        self.members = []
        self.top = np.zeros((self.R, self.K, self.ncand))  # P(first = c) not by strength
        self.pl_weight = np.zeros(self.K)  # P(a supporter's first preference is by strength)
        self.affinity = np.ones((self.K, self.ncand))
        for k, sl in enumerate(sc.slates):
            sup = sl.supporters
            on = sorted(index[n] for n in next(iter(sl.orderings.values())))
            self.members.append(np.array(on, dtype=int))
            f = sup.follow.expected()
            mall = mallows_top(len(on), sup.phi)
            for r, reg in enumerate(sc.regions):
                order = [index[n] for n in sl.orderings[st.orderings[sl.id][reg.name]]]
                self.top[r, k, order[0]] += f
                self.top[r, k, order] += (1 - f) * sup.mallows_share * mall
            self.pl_weight[k] = (1 - f) * (1 - sup.mallows_share)
            for other, mult in sup.next.items():
                self.affinity[k, slate_of == slate_index[other]] = mult
        self.sd = np.array(
            [math.hypot(sl.supporters.swing_sd, sl.supporters.regional_sd) for sl in sc.slates]
        )
        self.voters = np.array([r.electorate * r.turnout.expected() for r in sc.regions], float)
        sd = sc.nonaligned.strength_sd
        if sd > 0:
            z = np.random.default_rng(NOISE_SEED).standard_normal((NOISE_DRAWS // 2, self.ncand))
            self.noise = np.exp(sd * np.vstack([z, -z]))
        else:
            self.noise = np.ones((1, self.ncand))

    def _pl_first(self, w: np.ndarray, members: np.ndarray) -> np.ndarray:
        x = w[members] * self.noise[:, members]
        tot = x.sum(axis=1, keepdims=True)
        out = np.zeros(self.ncand)
        out[members] = np.divide(x, tot, out=np.zeros_like(x), where=tot > 0).mean(axis=0)
        return out

    def shares(self, base: np.ndarray, strength: np.ndarray) -> np.ndarray:
        """(R, ncand) expected first-preference shares by region."""
        everyone = np.arange(self.ncand)
        pi = self._pl_first(strength, everyone)
        sup = np.zeros((self.K, self.ncand))
        for k in range(self.K):
            sup[k] = self.pl_weight[k] * self._pl_first(
                strength * self.affinity[k], self.members[k]
            )
        out = np.zeros((self.R, self.ncand))
        for r in range(self.R):
            e = np.array([_expected_clip(base[r, k], self.sd[k]) for k in range(self.K)])
            if e.sum() > 1:
                e /= e.sum()
            out[r] = e @ (self.top[r] + sup) + (1 - e.sum()) * pi
        return out

    def national(self, by_region: np.ndarray) -> np.ndarray:
        return self.voters @ by_region / self.voters.sum()


@dataclass
class TotalsFit:
    strategy: str
    by_region: bool  # bloc shares fitted region by region
    base: np.ndarray  # (R, K) fitted base shares
    strength: np.ndarray  # (ncand,)
    rows: list[tuple[Observed, float]]  # each target and its fitted expected share
    steps: int


def _checked_targets(sc: Scenario, observed: list[Observed], path) -> None:
    """Rows listing every item of a region must add up to 1 (within rounding): normalised."""
    kind = observed[0].kind
    items = set(_all_items(sc, kind))
    for region in {o.region for o in observed}:
        here = [o for o in observed if o.region == region]
        total = sum(o.share for o in here)
        if {o.name for o in here} == items:
            if abs(total - 1) > SUM_SLACK:
                where = f" in region {region!r}" if region else ""
                raise InputError(
                    f"first_preferences: the shares of every {kind}{where} add up to "
                    f"{100 * total:.2f}%, not 100%",
                    path=path,
                    line=here[0].line,
                )
            for o in here:
                o.share /= total
        elif total > 1 + SUM_SLACK:
            raise InputError(
                f"first_preferences: the shares add up to {100 * total:.2f}%, more than 100%",
                path=path,
                line=here[0].line,
            )


def fit_first_prefs(
    sc: Scenario, observed: list[Observed], *, strategy: str | None = None, path=None
) -> TotalsFit:
    """Bloc shares and strengths of ``sc`` whose expected first preferences match ``observed``
    (rows from :func:`simcore.jobs.check_fit.read_observed`), nearest to the file's values."""
    names = [s.name for s in sc.strategies]
    strategy = strategy if strategy is not None else names[0]
    if strategy not in names:
        raise InputError(
            f"--strategy: {shown(strategy)} is not a strategy of the scenario "
            f"(its strategies: {', '.join(names)})"
        )
    if not sc.slates:
        raise InputError("no slates: there are no bloc shares to fit", path=sc.source)
    _checked_targets(sc, observed, path)
    model = Model(sc, strategy)
    R, K, ncand = model.R, model.K, model.ncand
    region_of = {r.name: i for i, r in enumerate(sc.regions)}
    kind = observed[0].kind
    # each row: (region index or -1, the candidates whose shares it sums)
    slate_name = {sl.name: k for k, sl in enumerate(sc.slates)}
    rows = []
    for o in observed:
        if kind == "candidate":
            cands = [sc.candidate_names.index(o.name)]
        elif o.name == "no slate":
            cands = list(np.flatnonzero(model.slate_of < 0))
        else:
            cands = list(np.flatnonzero(model.slate_of == slate_name[o.name]))
        rows.append((region_of[o.region] if o.region else -1, np.array(cands, dtype=int)))
    target = np.array([o.share for o in observed])
    by_region = any(o.region for o in observed) and R > 1
    # the unknowns: log multipliers on base shares, then on strengths (by candidate or group)
    base0 = np.array(
        [
            [sl.supporters.region_shares.get(r.name, sl.supporters.share) for sl in sc.slates]
            for r in sc.regions
        ]
    ).reshape(R, K)
    base0 = np.where(base0 > 0, base0, ZERO_START)
    strength0 = np.array([c.strength for c in sc.candidates], float)
    if kind == "candidate":
        groups = [np.array([c]) for c in range(ncand)]
    else:
        groups = [model.members[k] for k in range(K)] + [np.flatnonzero(model.slate_of < 0)]
        groups = [g for g in groups if len(g)]
    for (_, cands), o, t in zip(rows, observed, target, strict=True):
        if t > 0 and not len(cands):  # (strengths are positive: anyone else can be first)
            raise InputError(
                f"first_preferences: {o.name} has {100 * t:.1f}% but no voter can put it first: "
                "no candidate is on no slate",
                path=path,
                line=o.line,
            )
    n_share = R * K if by_region else K

    def unpack(x):
        u = x[:n_share].reshape(R, K) if by_region else np.broadcast_to(x[:n_share], (R, K))
        base = base0 * np.exp(u)
        mult = np.ones(ncand)
        for g, v in zip(groups, x[n_share:], strict=True):
            mult[g] = math.exp(v)
        return base, strength0 * mult

    def predict(x):
        by_r = model.shares(*unpack(x))
        nat = model.national(by_r)
        return np.array([(by_r[r] if r >= 0 else nat)[c].sum() for r, c in rows])

    x = np.zeros(n_share + len(groups))
    f = predict(x)
    steps = 0
    h = 1e-6
    while steps < MAX_STEPS:
        steps += 1
        resid = target - f
        if np.abs(resid).max() < 1e-9:
            break
        jac = np.empty((len(rows), len(x)))
        for i in range(len(x)):
            xi = x.copy()
            xi[i] += h
            jac[:, i] = (predict(xi) - f) / h
        # the nearest x (to 0, the file) where the linearised rows hold
        want = np.linalg.lstsq(jac, resid + jac @ x, rcond=1e-7)[0]
        step = want - x
        old = np.linalg.norm(resid)
        t = 1.0
        while t > 1e-4:
            f_new = predict(x + t * step)
            if np.linalg.norm(target - f_new) < old or np.abs(target - f_new).max() < 1e-9:
                break
            t /= 2
        if t <= 1e-4:
            break
        x, f = x + t * step, f_new
    base, strength = unpack(x)
    resid = target - f
    worst = int(np.argmax(np.abs(resid)))
    if abs(resid[worst]) > TOLERANCE:
        o = observed[worst]
        where = f" in region {o.region!r}" if o.region else ""
        raise InputError(
            f"first_preferences: totals that cannot be matched with the scenario's other "
            f"parameters: {o.name}{where} comes no closer than {100 * f[worst]:.2f}% to "
            f"{100 * target[worst]:.2f}%",
            path=path,
            line=o.line,
        )
    for r in range(R):
        if base[r].sum() > 1:
            raise InputError(
                f"first_preferences: the fitted bloc shares in region {sc.regions[r].name!r} "
                f"add up to {base[r].sum():.3f}, more than 1: the totals cannot be matched",
                path=path,
            )
    return TotalsFit(
        strategy, by_region, base, strength, list(zip(observed, f, strict=True)), steps
    )
