"""``forecast``: party behaviour fitted across many Scottish council wards, and a ward scenario
built from a ward's first preferences alone (the ``forecast-scotland`` benchmark,
docs/validation.md).

Each ward's parties become slates; candidates labelled Independent are on none.  A ballot whose
first preference is party P's candidate is P's *supporter's* if its first |P| preferences are
exactly P's candidates, else it is non-aligned (so are the independents' voters).  Pooled over
the wards, per party (parties with too few supporters lumped as ``other``):

* ``consecutive``: of the ballots headed by P (|P| >= 2), the share that are supporters';
* ``follow``: of the supporters (|P| >= 2), the share in P's first-preference order, less its
  Plackett-Luce chance (strengths = first preferences within the ward), as in
  :mod:`simcore.jobs.fit_ballots`;
* ``stop``: of the supporters, the share whose ballot ends after P;
* ``continue_probs``: the lengths after P of those who go on;
* ``next``: affinities.  For each supporter who goes on, the party of the next preference;
  observed counts O[P, Q] against expected E[P, Q] under Plackett-Luce with strengths = the
  ward's first preferences among the candidates not on P.  The multiplier is
  (O/E)[P, Q] / (O/E)[P, independents], so candidates on no slate keep the model's 1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import tomlkit

from simcore.jobs.fit_ballots import INDEPENDENT, _probs
from simcore.model.profile import Profile

MIN_SUPPORTERS = 3000  # pooled supporters' ballots for a party to get its own parameters
OTHER = "other"
IND = "ind"
SWING_SD = 0.01  # assumption: sd of each slate's share (a small uncertainty)
STRENGTH_SD = 0.1  # assumption: per-simulation noise on strengths
FOLLOW_CAP = 0.9  # follow is at most this fraction of the top candidate's share of its party


def party_code(label: str) -> str:
    """The party's short code (``SNP``, ``Con``, ...), or ``ind`` for independents."""
    if INDEPENDENT.match(label):
        return IND
    m = re.search(r"\(([^()]+)\)\s*$", label)
    return (m.group(1) if m else label).strip()


@dataclass
class Ward:
    """A ward's candidates, parties and ballots (as arrays)."""

    name: str
    seats: int
    candidates: list[str]
    party: list[str]  # codes
    ballots: np.ndarray  # rows of candidate indices, -1 padded
    weights: np.ndarray
    fp: np.ndarray = field(init=False)  # first-preference votes

    def __post_init__(self):
        first = self.ballots[:, 0] if self.ballots.shape[1] else np.zeros(0, int)
        ok = first >= 0
        self.fp = np.bincount(first[ok], weights=self.weights[ok], minlength=len(self.candidates))

    @property
    def valid(self) -> int:
        return int(self.fp.sum())

    def members(self) -> dict[str, list[int]]:
        """Each party's candidates by first preferences, best first; each independent is a
        party of one (``ind``, ``ind2``, ...)."""
        out: dict[str, list[int]] = {}
        for c, p in enumerate(self.party):
            if p == IND:
                out[IND if IND not in out else f"{IND}{len(out) + 1}"] = [c]
            else:
                out.setdefault(p, []).append(c)
        return {p: sorted(m, key=lambda c: (-self.fp[c], c)) for p, m in out.items()}


def ward_of(profile: Profile, name: str | None = None) -> Ward:
    labels = profile.attributes.get("party") or [""] * len(profile.candidates)
    return Ward(
        name or str(profile.title or profile.source),
        int(profile.seats),
        list(profile.candidates),
        [party_code(x) for x in labels],
        np.asarray(profile.ballots),
        np.asarray(profile.weights, np.int64),
    )


@dataclass
class PartyParams:
    consecutive: float
    follow: float
    stop: float
    continue_probs: list[float]
    supporters: int
    next: dict[str, float] = field(default_factory=dict)  # by party group (and ``other``)


@dataclass
class PartyModel:
    parties: dict[str, PartyParams]  # by group: the kept parties and ``other``
    nonaligned_probs: list[float]  # lengths of the non-aligned ballots
    all_probs: list[float]  # lengths of every ballot (the Plackett-Luce baseline)
    wards: int

    def group(self, code: str) -> str:
        code = _base(code)
        return code if code in self.parties else OTHER


class _Counts:
    def __init__(self, ncand: int):
        self.head = self.sup = self.follow_hits = self.follow_chance = self.stop = 0.0
        self.multi = 0.0  # supporters of parties with >= 2 candidates
        self.cont = np.zeros(ncand + 1)
        self.obs: dict[str, float] = {}
        self.exp: dict[str, float] = {}


def _base(key: str) -> str:
    """A party key's code: ``ind2`` (the ward's second independent) is ``ind``."""
    return IND if re.fullmatch(IND + r"\d*", key) else key


def _lengths(b: np.ndarray) -> np.ndarray:
    return (b >= 0).sum(axis=1)


def fit_parties(wards: list[Ward], min_supporters: int = MIN_SUPPORTERS) -> PartyModel:
    """Pooled party behaviour (module docstring) from labelled wards."""
    maxc = max(len(w.candidates) for w in wards)
    counts: dict[str, _Counts] = {}
    na_len = np.zeros(maxc + 1)
    all_len = np.zeros(maxc + 1)
    raw: list[tuple[Ward, dict[str, list[int]], np.ndarray]] = []
    for w in wards:
        b, wt, ln = w.ballots, w.weights.astype(float), _lengths(w.ballots)
        np.add.at(all_len, ln, wt)
        mem = w.members()
        sup_of = np.full(len(b), "", dtype=object)
        for p, m in mem.items():
            n = len(m)
            head = np.isin(b[:, 0], m)
            sup = head.copy()
            for j in range(1, n):
                sup &= np.isin(b[:, j], m) if b.shape[1] > j else False
            sup_of[sup] = p
            k = counts.setdefault(_base(p), _Counts(maxc))
            k.sup += wt[sup].sum()
            if n >= 2:
                k.head += wt[head].sum()
                k.multi += wt[sup].sum()
                hit = (b[sup][:, :n] == np.array(m)).all(axis=1)
                k.follow_hits += wt[sup][hit].sum()
                s = w.fp[m] / max(w.fp[m].sum(), 1)
                k.follow_chance += wt[sup].sum() * _pl_prob(s)
            k.stop += wt[sup & (ln == n)].sum()
            go = sup & (ln > n)
            np.add.at(k.cont, ln[go] - n, wt[go])
        na = sup_of == ""
        np.add.at(na_len, ln[na], wt[na])
        raw.append((w, mem, sup_of))
    kept = {p for p, k in counts.items() if k.sup >= min_supporters}
    groups = sorted(kept) + [OTHER]
    pooled = {g: _Counts(maxc) for g in groups}
    for p, k in counts.items():
        t = pooled[p if p in kept else OTHER]
        for a in ("head", "sup", "follow_hits", "follow_chance", "stop", "multi"):
            setattr(t, a, getattr(t, a) + getattr(k, a))
        t.cont += k.cont
    for w, mem, sup_of in raw:  # affinities, now that the groups are known
        grp = [IND if p == IND else (p if p in kept else OTHER) for p in w.party]
        b, wt, ln = w.ballots, w.weights.astype(float), _lengths(w.ballots)
        for p, m in mem.items():
            n = len(m)
            go = (sup_of == p) & (ln > n)
            if not go.any():
                continue
            t = pooled[_base(p) if _base(p) in kept else OTHER]
            rest = [c for c in range(len(w.candidates)) if c not in m]
            tot = w.fp[rest].sum()
            nxt = b[go, n]
            for c in rest:
                t.obs[grp[c]] = t.obs.get(grp[c], 0.0) + wt[go][nxt == c].sum()
                if tot > 0:
                    t.exp[grp[c]] = t.exp.get(grp[c], 0.0) + wt[go].sum() * w.fp[c] / tot
    multi = sum(pooled[g].multi for g in groups)
    overall = multi / max(sum(pooled[g].head for g in groups), 1)
    parties = {}
    for g in groups:
        t = pooled[g]
        chance = t.follow_chance / t.multi if t.multi else 0.0
        m = t.follow_hits / t.multi if t.multi else 1.0
        follow = (m - chance) / (1 - chance) if chance < 1 else 1.0
        parties[g] = PartyParams(
            consecutive=float(t.multi / t.head) if t.head else float(overall),
            follow=float(np.clip(follow, 0, 1)),
            stop=float(t.stop / t.sup) if t.sup else 1.0,
            continue_probs=_probs(t.cont[1:]),
            supporters=int(t.sup),
            next=_affinities(t.obs, t.exp),
        )
    return PartyModel(parties, _probs(na_len[1:]), _probs(all_len[1:]), len(wards))


def _pl_prob(s: np.ndarray) -> float:
    """P(a Plackett-Luce ranking with strengths ``s`` is in the order of ``s``, largest
    first)."""
    s = np.sort(s)[::-1]
    p, left = 1.0, s.sum()
    for x in s:
        if left <= 0:
            break
        p *= x / left
        left -= x
    return float(p)


def _affinities(obs: dict[str, float], exp: dict[str, float]) -> dict[str, float]:
    ratio = {g: obs.get(g, 0.0) / e for g, e in exp.items() if e >= 50}
    ref = ratio.get(IND) or 1.0
    return {g: round(float(np.clip(r / ref, 0.05, 20)), 4) for g, r in ratio.items() if g != IND}


def _slate_id(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_") or "party"


def _solve_strengths(target, groups, shares, follow, nonaligned, iters: int = 2000):
    """Strengths (mean 1) whose expected first preferences equal ``target`` (shares adding to
    1): slate supporters' (their share x (follow on the top candidate + the rest by
    Plackett-Luce within the slate)) plus the non-aligned voters' (by Plackett-Luce over all)."""
    s = np.maximum(np.asarray(target, float), 1e-9)
    for _ in range(iters):
        exp = nonaligned * s / s.sum()
        for m, sh, f in zip(groups, shares, follow, strict=True):
            exp[m] += sh * (1 - f) * s[m] / s[m].sum()
            exp[m[0]] += sh * f
        new = s * target / np.maximum(exp, 1e-300)
        new = np.maximum(new / new.mean(), 1e-6)
        if np.abs(new - s).max() < 1e-12:
            s = new
            break
        s = new
    return s / s.mean()


def ward_scenario(ward: Ward, model: PartyModel, *, sims: int, seed: int, party: bool = True):
    """A scenario document for ``ward`` from its first preferences alone: with ``party`` the
    parties as slates with ``model``'s behaviour; without, Plackett-Luce on first-preference
    shares with no party structure (every voter non-aligned, every ballot's length from
    ``model.all_probs``)."""
    fp = ward.fp / ward.valid
    ncand = len(ward.candidates)
    doc: dict = {
        "title": ward.name,
        "election": {"seats": ward.seats, "rule": "scottish"},
        "simulation": {"sims": sims, "seed": seed},
    }
    slates, groups, shares, follows = {}, [], [], []
    slate_of = [""] * ncand
    if party:
        for code, m in ward.members().items():
            g = model.group(code)
            pp = model.parties[g]
            sid = _slate_id(code)
            party_share = float(fp[m].sum())
            share = party_share * pp.consecutive
            top = fp[m[0]] / party_share if party_share > 0 else 1.0
            f = min(pp.follow, FOLLOW_CAP * top) if len(m) > 1 else 1.0
            for c in m:
                slate_of[c] = sid
            groups.append(np.array(m))
            shares.append(share)
            follows.append(f)
            nxt = {}
            for other in ward.members():
                if other != code and model.group(other) in pp.next:
                    nxt[_slate_id(other)] = pp.next[model.group(other)]
            sup = {
                "share": math.floor(share * 1e6) / 1e6,
                "swing_sd": SWING_SD,
                "follow": round(f, 6),
                "mallows_share": 0.0,
                "stop_after_slate": round(pp.stop, 6),
                "continue_length": {"probs": pp.continue_probs},
            }
            if nxt:
                sup["next"] = nxt
            slates[sid] = {
                "name": code,
                "orderings": {"fp": [ward.candidates[c] for c in m]},
                "supporters": sup,
            }
    nonaligned = 1.0 - sum(shares)
    s = _solve_strengths(fp, groups, shares, follows, nonaligned)
    doc["candidates"] = [
        {"name": ward.candidates[c], **({"slate": slate_of[c]} if slate_of[c] else {})}
        | {"strength": float(f"{s[c]:.6g}")}
        for c in range(ncand)
    ]
    if slates:
        doc["slates"] = slates
    probs = model.nonaligned_probs if party else model.all_probs
    doc["nonaligned"] = {"length": {"probs": probs}, "strength_sd": STRENGTH_SD}
    doc["regions"] = [{"name": "ward", "electorate": ward.valid, "turnout": 1.0}]
    doc["strategies"] = {"main": {sid: "fp" for sid in slates}}
    return doc


def scenario_text(doc: dict) -> str:
    return tomlkit.dumps(doc)


def p_elected(doc: dict, *, threads: int = 1) -> dict[str, float]:
    """Each candidate's P(elected) from simulating the scenario document."""
    from simcore.inputs.scenario_file import parse_scenario
    from simcore.jobs.run import run_scenario

    sc = parse_scenario(scenario_text(doc), f"<{doc['title']}>")
    summary = run_scenario(sc, threads=threads, precision=None)
    return {
        r["candidate"]: float(r["estimate"])
        for r in summary.rows
        if r["measure"] == "P(elected)" and r["candidate"]
    }
