"""``fit_ballots``: a scenario's voter model fitted to ballot files whose candidates carry party
labels (scot-elex CSV files), each file a region.

The parties become slates (candidates labelled Independent, or Ind, are on none).  Each ballot
is classified: a *supporter* of slate S if its first |S| preferences are exactly S's candidates
(in any order), otherwise *non-aligned*.  Non-aligned voters also put a slate's candidates first
by chance, so the raw fractions are corrected with the model's own probability of that
(:func:`fit_profiles`).  Fitted, with the model's scenario keys:

* strengths: Plackett-Luce by maximum likelihood (Hunter's MM algorithm, written out here) on
  every choice made by strength: each preference of a non-aligned ballot and each preference of
  a supporter after the slate, among the candidates not yet ranked;
* per slate: the modal order, the follow rate f (the modal order's share is f + (1 - f) times
  its Plackett-Luce probability: ``mallows_share`` is fitted as 0), the stop-after-slate rate
  and the continuation lengths;
* bloc shares by region, the non-aligned ballot lengths;
* a bootstrap sd (ballots resampled, strengths held) of the bloc shares, follow and stop rates;
* slates of three or more candidates: follow, ``mallows_share`` and Mallows phi by maximum
  likelihood (:mod:`simcore.jobs.fit_mallows`), with a bootstrap sd;
* slate affinities (``next``), fitted with the strengths by maximum likelihood
  (:mod:`simcore.jobs.fit_affinity`), with a standard error of each log multiplier from the
  observed information (strengths held).

Not fitted: the continuation lengths and non-aligned lengths are not corrected for the
misclassified ballots.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simcore.errors import InputError, shown
from simcore.jobs.fit_affinity import choices_of, fit_strengths_affinities
from simcore.jobs.fit_mallows import OrderData, bootstrap, fit_mixture, kendall
from simcore.model.profile import Profile

INDEPENDENT = re.compile(r"^\s*(independent|ind)\b", re.I)
BOOTSTRAP = 100


@dataclass
class SlateFit:
    id: str
    name: str  # the party label
    members: list[int]
    modal: list[int]
    share: float
    share_sd: float
    follow: float
    follow_sd: float
    stop: float
    stop_sd: float
    continue_probs: list[float]
    supporters: int  # ballots classified as the slate's
    region_shares: dict[str, float] = field(default_factory=dict)
    # slates of 3 or more: Mallows fitted (phi None: not fitted, mallows_share 0)
    mallows_share: float = 0.0
    mallows_sd: float = 0.0
    phi: float | None = None
    phi_sd: float = 0.0
    # affinities: multiplier by other slate id, and the standard error of its log
    next: dict[str, float] = field(default_factory=dict)
    next_se: dict[str, float] = field(default_factory=dict)


@dataclass
class Fit:
    candidates: list[str]
    party: list[str]
    slate_of: list[int]  # -1: none
    strengths: np.ndarray
    slates: list[SlateFit]
    nonaligned_probs: list[float]
    regions: list[tuple[str, int]]  # (name, ballots)
    files: list[str]


def slate_id(label: str, taken: set[str]) -> str:
    m = re.search(r"\(([^()]+)\)\s*$", label)
    base = re.sub(r"[^a-z0-9]+", "_", (m.group(1) if m else label).lower()).strip("_") or "slate"
    out, i = base, 2
    while out in taken:
        out, i = f"{base}_{i}", i + 1
    taken.add(out)
    return out


def check_files(profiles: list[Profile]) -> tuple[list[str], list[str]]:
    """The candidates and their party labels, the same in every file."""
    first = profiles[0]
    party = first.attributes.get("party")
    for p in profiles:
        labels = p.attributes.get("party")
        if labels is None or any(not x.strip() for x in labels):
            i = 0 if labels is None else [not x.strip() for x in labels].index(True)
            raise InputError(
                f"candidate {shown(p.candidates[i])} has no party label: fit needs each "
                "candidate's party (scot-elex CSV files carry them)",
                path=p.source,
            )
        if list(p.candidates) != list(first.candidates) or list(labels) != list(party):
            raise InputError(
                f"its candidates (or their parties) differ from {first.source}'s: each file is a "
                "region of one election",
                path=p.source,
            )
    return list(first.candidates), list(party)


def _rows(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(p.ballots), np.asarray(p.weights, np.int64)


def classify(ballots: np.ndarray, members: list[list[int]]) -> np.ndarray:
    """Each ballot's slate (-1: non-aligned)."""
    out = np.full(len(ballots), -1)
    for k, mem in enumerate(members):
        n = len(mem)
        if ballots.shape[1] < n:
            continue
        head = np.sort(ballots[:, :n], axis=1)
        out[(head == np.array(sorted(mem))).all(axis=1)] = k
    return out


def _pl_prob(order, s) -> float:
    p, left = 1.0, list(order)
    for c in order:
        p *= s[c] / s[left].sum()
        left.remove(c)
    return p


def _pl_prob_from_all(seq, s, ncand) -> float:
    """P(a Plackett-Luce ranking of everyone starts with ``seq``, in that order)."""
    p, left = 1.0, list(range(ncand))
    for c in seq:
        p *= s[c] / s[left].sum()
        left.remove(c)
    return p


def _first_block_prob(mem, s, ncand) -> float:
    """P(a Plackett-Luce ranking of everyone starts with ``mem`` in some order)."""
    total = 0.0
    for perm in itertools.permutations(mem):
        p, left = 1.0, list(range(ncand))
        for c in perm:
            p *= s[c] / s[left].sum()
            left.remove(c)
        total += p
    return total


def _probs(counts: np.ndarray) -> list[float]:
    tot = counts.sum()
    if tot == 0:
        return [1.0]
    last = int(np.nonzero(counts)[0].max())
    out = [round(float(x), 4) for x in counts[:last] / tot]
    return [*out, round(1.0 - sum(out), 6)]  # (they add up to 1)


def fit_profiles(profiles: list[Profile], region_names: list[str]) -> Fit:
    names, party = check_files(profiles)
    ncand = len(names)
    labels = [x for x in dict.fromkeys(party) if not INDEPENDENT.match(x)]
    taken: set[str] = set()
    ids = [slate_id(x, taken) for x in labels]
    slate_of = [labels.index(x) if x in labels else -1 for x in party]
    members = [[c for c in range(ncand) if slate_of[c] == k] for k in range(len(labels))]
    K = len(labels)
    data = [_rows(p) for p in profiles]
    klass = [classify(b, members) for b, _ in data]
    length = [(b >= 0).sum(axis=1) for b, _ in data]
    # strengths, non-aligned lengths and the chance q of a non-aligned ballot starting with a
    # slate, fitted together: the non-aligned ballots taken for a slate's are added back, in
    # expectation (their first choices at weight pi, their lengths in proportion), a few rounds
    base, block = [], []
    for (b, w), k_of, ln in zip(data, klass, length, strict=True):
        for i in range(len(b)):
            n_s = 0 if k_of[i] < 0 else len(members[k_of[i]])
            used = np.zeros(ncand, bool)
            for j in range(ln[i]):
                item = (int(b[i, j]), ~used, int(w[i]))
                (base if j >= n_s else block).append((item, k_of[i]))
                used[b[i, j]] = True
    na_counts = np.zeros(ncand + 1)
    for k_of, ln, (_, w) in zip(klass, length, data, strict=True):
        np.add.at(na_counts, ln[k_of < 0], w[k_of < 0])
    n_all = float(sum(w.sum() for _, w in data))
    tot = np.zeros(K + 1)
    for k_of, (_, w) in zip(klass, data, strict=True):
        tot += np.bincount(k_of + 1, weights=w, minlength=K + 1)
    pi = np.zeros(K)
    na = na_counts[1:] / max(na_counts.sum(), 1)
    for _ in range(4):
        # (the non-aligned ballots added back choose as non-aligned voters: group -1)
        items = base + [((c, a, x * pi[k]), -1) for (c, a, x), k in block if pi[k] > 0]
        arrays = choices_of(items)
        s, aff = fit_strengths_affinities(*arrays, np.array(slate_of), K)
        blocks = np.array([_first_block_prob(m, s, ncand) for m in members])
        ge = np.concatenate([[1.0], 1 - np.cumsum(na)])  # ge[j] = P(length > j)
        q = np.array([ge[len(m) - 1] * blocks[k] for k, m in enumerate(members)])
        n_na = 1 - _correct(tot, q).sum()
        pi = np.where(tot[1:] > 0, n_na * q * n_all / np.maximum(tot[1:], 1), 0)
        pi = np.clip(pi, 0, 1)
        added = na_counts[1:].copy()
        for k, m in enumerate(members):
            added[len(m) - 1 :] += n_all * n_na * blocks[k] * na[len(m) - 1 :]
        if added.sum() > 0:  # (no non-aligned ballots at all: nothing to fit)
            na = added / added.sum()
    na_fit = added
    h = np.array([na[len(m) - 1] / ge[len(m) - 1] if ge[len(m) - 1] > 0 else 1.0 for m in members])
    # per-slate raw statistics (national): modal order, stop and continuation counts
    modal, pl_modal, order_counts = [], [], []
    for k, mem in enumerate(members):
        orders: dict[tuple, int] = {}
        order_counts.append(orders)
        for (b, w), k_of in zip(data, klass, strict=True):
            for i in np.nonzero(k_of == k)[0]:
                key = tuple(int(c) for c in b[i, : len(mem)])
                orders[key] = orders.get(key, 0) + int(w[i])
        best = max(orders, key=orders.get) if orders else tuple(mem)
        modal.append(list(best))
        pl_modal.append(_pl_prob(best, s))
    # P(a non-aligned ballot headed by the slate has it in the modal order)
    na_modal = np.array(
        [_pl_prob_from_all(mo, s, ncand) / max(blocks[k], 1e-300) for k, mo in enumerate(modal)]
    )

    def estimates(weights):
        """(shares by region (R, K), national shares, follow, stop) for ballot weights."""
        tot = np.zeros(K + 1)
        by_region = []
        is_modal, stops = np.zeros(K), np.zeros(K)
        for (b, _), k_of, ln, w in zip(data, klass, length, weights, strict=True):
            counts = np.bincount(k_of + 1, weights=w, minlength=K + 1)
            by_region.append(_correct(counts, q))
            tot += counts
            for k, mem in enumerate(members):
                sel = k_of == k
                n = len(mem)
                hit = (b[sel, :n] == np.array(modal[k])).all(axis=1)
                is_modal[k] += w[sel][hit].sum()
                stops[k] += w[sel][ln[sel] == n].sum()
        sh = _correct(tot, q)
        n_all = tot.sum()
        p_hat = tot[1:] / n_all
        n_na = 1 - sh.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            m_hat = np.where(tot[1:] > 0, is_modal / tot[1:], 0)
            r_hat = np.where(tot[1:] > 0, stops / tot[1:], 0)
            pm = np.array(pl_modal)
            # the modal order's ballots: followers, non-followers by Plackett-Luce within the
            # slate (pm), and non-aligned ballots headed by the slate in that order (na_modal)
            lead = n_na * q * na_modal
            f = np.where(pm < 1, (p_hat * m_hat - sh * pm - lead) / (sh * (1 - pm)), 1.0)
            st = (p_hat * r_hat - n_na * q * h) / sh
        f = np.clip(np.nan_to_num(f, nan=1.0), 0, 1)
        st = np.clip(np.nan_to_num(st, nan=1.0), 0, 1)
        return np.array(by_region), sh, f, st

    weights = [w.astype(float) for _, w in data]
    by_region, share, follow, stop = estimates(weights)
    rng = np.random.default_rng(12345)
    boot = []
    for _ in range(BOOTSTRAP):
        resampled = [rng.multinomial(int(w.sum()), w / w.sum()).astype(float) for w in weights]
        boot.append(np.concatenate(estimates(resampled)[1:]))
    sd = np.array(boot).std(axis=0, ddof=1)
    mallows = [
        _fit_mallows(order_counts[k], modal[k], s, ncand, blocks[k], pi[k], rng)
        if len(members[k]) >= 3
        else None
        for k in range(K)
    ]
    aff_se = affinity_se(*arrays, np.array(slate_of), K, s, aff)
    slates = []
    for k in range(K):
        cont = np.zeros(ncand + 1)
        for (_, w), k_of, ln in zip(data, klass, length, strict=True):
            sel = (k_of == k) & (ln > len(members[k]))
            np.add.at(cont, ln[sel] - len(members[k]), w[sel])
        slates.append(
            SlateFit(
                id=ids[k],
                name=labels[k],
                members=members[k],
                modal=modal[k],
                share=float(share[k]),
                share_sd=float(sd[k]),
                follow=float(follow[k]),
                follow_sd=float(sd[K + k]),
                stop=float(stop[k]),
                stop_sd=float(sd[2 * K + k]),
                continue_probs=_probs(cont[1:]),
                supporters=int(
                    sum(w[k_of == k].sum() for (_, w), k_of in zip(data, klass, strict=True))
                ),
                region_shares={r: float(by_region[i, k]) for i, r in enumerate(region_names)},
                next={ids[j]: float(aff[k, j]) for j in range(K) if j != k},
                next_se={ids[j]: float(aff_se[k, j]) for j in range(K) if j != k},
            )
        )
        if mallows[k] is not None:  # the maximum-likelihood follow replaces the moment one
            point, sds = mallows[k]
            sl = slates[-1]
            sl.follow, sl.mallows_share, sl.phi = point.follow, point.mallows_share, point.phi
            sl.follow_sd, sl.mallows_sd, sl.phi_sd = (float(x) for x in sds)
    return Fit(
        names,
        party,
        slate_of,
        s,
        slates,
        _probs(na_fit),
        [(r, int(w.sum())) for r, (_, w) in zip(region_names, data, strict=True)],
        [str(p.source) for p in profiles],
    )


def _correct(counts: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Bloc shares from the classified counts (non-aligned first): a slate's ballots are its
    supporters plus the non-aligned who put its candidates first by chance (q)."""
    n = counts.sum()
    if n == 0:
        return np.zeros(len(q))
    p_hat = counts[1:] / n
    n_na = (1 - p_hat.sum()) / max(1 - q.sum(), 1e-12)
    return np.clip(p_hat - n_na * q, 0, 1)


def read_labelled(paths: list[str | Path]) -> list[Profile]:
    from simcore.inputs.scotcsv import read_scot_csv

    return [read_scot_csv(p) for p in paths]


def _fit_mallows(orders: dict, modal, s, ncand: int, block: float, contamination: float, rng):
    """(the maximum-likelihood fit, bootstrap sds of (f, m, phi)) of a slate's orders
    (:mod:`simcore.jobs.fit_mallows`); the non-aligned ballots among them (``contamination``)
    have the Plackett-Luce order of a ballot of everyone, given it starts with the slate."""
    keys = list(orders)
    data = OrderData(
        k=len(modal),
        counts=np.array([orders[o] for o in keys], np.int64),
        distance=np.array([kendall(o, modal) for o in keys], float),
        pl=np.array([_pl_prob(o, s) for o in keys]),
        na=np.array([_pl_prob_from_all(o, s, ncand) / max(block, 1e-300) for o in keys]),
        is_centre=np.array([list(o) == list(modal) for o in keys], float),
        contamination=float(np.clip(contamination, 0, 1)),
    )
    point = fit_mixture(data)
    sds = bootstrap(data, point, BOOTSTRAP, rng).std(axis=0, ddof=1)
    return point, sds


def affinity_se(chosen, avail, weight, group, slate_of, n_slates, s, aff) -> np.ndarray:
    """(K, K) standard errors of log a[k, j] from the observed information, the other
    parameters held: 1 / sqrt(sum over slate k's choices of w p_j (1 - p_j)), p_j the chance
    that the choice falls on slate j's candidates (inf where never available)."""
    K = n_slates
    col = np.where(slate_of >= 0, slate_of, K)
    a = np.vstack([aff, np.ones(K + 1)])
    row = np.where(group >= 0, group, K)
    member = np.zeros((len(col), K + 1))
    member[np.arange(len(col)), col] = 1.0
    out = np.full((K, K), np.inf)
    for k in range(K):
        sel = row == k
        if not sel.any():
            continue
        mass = (avail[sel] * s) @ member * a[k]  # (n, K + 1): available mass by slate
        p = mass / np.maximum(mass.sum(axis=1, keepdims=True), 1e-300)
        info = (weight[sel][:, None] * p * (1 - p)).sum(axis=0)
        with np.errstate(divide="ignore"):
            out[k] = np.where(info[:K] > 0, 1 / np.sqrt(info[:K]), np.inf)
    return out
