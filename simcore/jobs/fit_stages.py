"""``fit_stages``: a scenario's transfer parameters fitted to a published stage table by
simulated method of moments.

The moments are the stage table's figures as shares of the valid vote: each candidate's votes at
each stage (stage 1 is the first preferences).  For a parameter value, the scenario is simulated
``sims`` times with one fixed seed (common random numbers: every evaluation draws the same
random streams), each electorate is counted by the scenario's rule with simcore's own counting
kernels, and the stage-by-stage shares are averaged over the simulations (a count that ends
early keeps its last stage's figures).  The objective is the weighted sum of squares

    sum over stages t and candidates c of (simulated - published)^2 / max(published, 0.005)

(a chi-square-like weighting: a share's sampling variance grows with the share), minimised by
Nelder-Mead over the parameters on an unbounded scale (logit for probabilities, log for
multipliers).

The parameters (``--param``; default: every slate's ``stop_after_slate`` and every slate's
``next`` multiplier for every other slate): ``SLATE.stop_after_slate``, ``SLATE.next.OTHER``
and ``SLATE.follow``.  Stop-after-slate and the affinities move only preferences after a slate,
so they leave stage 1 alone and are identified by the transfers from a slate's last candidate;
``follow`` also moves first preferences within the slate, where it is confounded with the
candidates' strengths (fit those to first preferences first).
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simcore.errors import InputError, shown
from simcore.model.scenario import Dist, Scenario

WEIGHT_FLOOR = 0.005
EDGE = 1e-4  # probabilities are kept in [EDGE, 1 - EDGE], multipliers in [1e-3, 1e3]


# -- the published table ------------------------------------------------------------------------
def read_stage_table(path: str | Path, names: tuple[str, ...]) -> np.ndarray:
    """(stages, candidates) votes from a CSV with columns ``stage``, ``candidate`` and
    ``votes`` (others are ignored, so ``simcore count --format csv`` output reads as it is);
    NaN where a stage does not list a candidate.  Stage 1 must list every candidate."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the stage table: {exc.strerror}", path=path) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError("empty file: expected a header row", path=path, line=1)
    header = [h.strip().lower() for h in rows[0]]
    for col in ("stage", "candidate", "votes"):
        if col not in header:
            raise InputError(
                f"no {col!r} column: a stage table has columns stage, candidate, votes",
                path=path,
                line=1,
            )
    i_stage, i_cand, i_votes = (header.index(c) for c in ("stage", "candidate", "votes"))
    i_file = header.index("file") if "file" in header else None
    index = {n: i for i, n in enumerate(names)}
    seen: dict[tuple[int, int], tuple[int, float]] = {}
    files: set[str] = set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in row):
            continue
        if len(row) != len(header):
            raise InputError(f"expected {len(header)} fields, got {len(row)}", path=path, line=line)
        if i_file is not None:
            files.add(row[i_file])
            if len(files) > 1:
                raise InputError(
                    "the table has rows of two files: give one count", path=path, line=line
                )
        stage_text, name, votes_text = row[i_stage].strip(), row[i_cand].strip(), row[i_votes]
        if not re.fullmatch(r"[1-9][0-9]{0,5}", stage_text):
            raise InputError(
                f"stage: expected a stage number (1, 2, ...), got {shown(stage_text)}",
                path=path,
                line=line,
            )
        if name not in index:
            raise InputError(
                f"candidate: {shown(name)} is not a candidate of the scenario", path=path, line=line
            )
        votes_text = votes_text.strip()
        if not votes_text:
            continue  # (a blank: the table does not give it, e.g. after an exclusion)
        try:
            votes = float(votes_text)
        except ValueError:
            votes = -1.0
        if not (math.isfinite(votes) and votes >= 0):
            raise InputError(
                f"votes: expected a number >= 0, got {shown(votes_text)}", path=path, line=line
            )
        key = (int(stage_text), index[name])
        if key in seen:
            raise InputError(
                f"stage {key[0]} lists {shown(name)} twice (also line {seen[key][0]})",
                path=path,
                line=line,
            )
        seen[key] = (line, votes)
    if not seen:
        raise InputError("no rows of stage totals", path=path, line=2)
    n_stages = max(t for t, _ in seen)
    out = np.full((n_stages, len(names)), np.nan)
    for (stage, c), (_, votes) in seen.items():
        out[stage - 1, c] = votes
    missing = [t + 1 for t in range(n_stages) if np.isnan(out[t]).all()]
    if missing:
        raise InputError(f"stage {missing[0]} has no rows: stages must be 1, 2, ...", path=path)
    absent = [names[c] for c in range(len(names)) if np.isnan(out[0, c])]
    if absent:
        raise InputError(
            f"stage 1 does not list {shown(absent[0])}: the first preferences must list every "
            "candidate",
            path=path,
        )
    if out[0].sum() <= 0:
        raise InputError("stage 1 has no votes", path=path)
    return out


# -- simulated stage tables ---------------------------------------------------------------------
def simulate_stages(
    sc: Scenario, sims: int, seed: int, strategy: int = 0, voters: list | None = None
) -> np.ndarray:
    """(sims, stages, candidates) shares of the valid vote at each stage of each simulation's
    count (under ``strategy``); a count that ends early repeats its last stage.  ``voters``, if
    given, receives each simulation's number of voters (every simulated ballot is valid)."""
    from simcore.kernels.lazy_tree import eager
    from simcore.kernels.rng import stream_key
    from simcore.sim.bundles import count_spec_of, model_of, new_outputs
    from simcore.sim.electorate import generate_electorate, new_gen_work
    from simcore.sim.forest import OK, PATTERNS_FULL, new_forest
    from simcore.sim.params import new_drawn
    from simcore.sim.plan import STAT_VOTERS, compile_plan
    from simcore.sim.strategies import count_strategies, new_count_work

    plan = compile_plan(sc)
    if sc.college is not None:
        raise InputError("a college has rounds by section, not a stage table", path=sc.source)
    model, spec = model_of(plan), count_spec_of(plan)
    orderings = np.ascontiguousarray(plan.orderings[strategy : strategy + 1])
    nc, nr, nk = plan.ncand, plan.n_regions, plan.n_slates
    cap, patterns = 1 << 14, 4096
    forest = new_forest(cap, cap)
    work = new_gen_work(nc, plan.slate_members.shape[1], patterns, new_drawn(nc, nr, nk))
    counting = new_count_work(nc, nr, spec.max_stages)
    lz = eager(nc)  # (eager trees: every node in place; the same model as a run's lazy ones)
    lot = np.empty(nc, np.int64)
    marks = np.zeros(nr + 1, np.int64)
    out = new_outputs(plan, 1)
    key = stream_key(seed)
    tables = []
    for i in range(sims):
        while True:
            status, m, n_rel = generate_electorate(
                key, i, model, forest, work, out.stats[0], lot, False, marks
            )
            if status == OK:
                status = count_strategies(
                    0, m, n_rel, spec, orderings, forest, lz, lot, marks[:nr], counting, out
                )
            if status == OK:
                break
            if status == PATTERNS_FULL:
                patterns *= 4
                work = new_gen_work(nc, plan.slate_members.shape[1], patterns, work.drawn)
            else:
                cap *= 2
                forest = new_forest(cap, cap)
        log = counting.log
        n = int(log.meta[0])
        votes = log.votes[:n].astype(float)
        tables.append(votes / max(votes[0].sum(), 1.0))
        if voters is not None:
            voters.append(int(out.stats[0][STAT_VOTERS]))
    width = max(len(t) for t in tables)
    return np.array([np.vstack([t, np.repeat(t[-1:], width - len(t), axis=0)]) for t in tables])


def stage_rows(sc: Scenario, seed: int) -> list[tuple[int, str, float]]:
    """A stage table simcore made itself: the count of the scenario's simulation 0 under
    ``seed``, as (stage, candidate, votes) rows (votes to 2 decimals)."""
    voters: list[int] = []
    shares = simulate_stages(sc, 1, seed, voters=voters)[0]
    return [
        (t + 1, name, round(float(shares[t, c]) * voters[0], 2))
        for t in range(len(shares))
        for c, name in enumerate(sc.candidate_names)
    ]


# -- the parameters -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    slate: str
    kind: str  # "stop_after_slate", "follow" or "next"
    other: str = ""  # for "next": the other slate

    @property
    def name(self) -> str:
        return (
            f"{self.slate}.next.{self.other}"
            if self.kind == "next"
            else f"{self.slate}.{self.kind}"
        )

    def value(self, sc: Scenario) -> float:
        sup = _slate(sc, self.slate).supporters
        if self.kind == "next":
            return float(sup.next.get(self.other, 1.0))
        return float(getattr(sup, self.kind).expected())

    def to_free(self, x: float) -> float:
        if self.kind == "next":
            return math.log(min(max(x, 1e-3), 1e3))
        x = min(max(x, EDGE), 1 - EDGE)
        return math.log(x / (1 - x))

    def from_free(self, y: float) -> float:
        if self.kind == "next":
            return math.exp(min(max(y, math.log(1e-3)), math.log(1e3)))
        return min(max(1 / (1 + math.exp(-y)), EDGE), 1 - EDGE)


def _slate(sc: Scenario, sid: str):
    return next(sl for sl in sc.slates if sl.id == sid)


def parse_params(sc: Scenario, names: tuple[str, ...]) -> list[Param]:
    """The parameters to fit: ``names`` (``SLATE.stop_after_slate``, ``SLATE.follow``,
    ``SLATE.next.OTHER``), or by default every slate's stop-after-slate and affinities."""
    ids = [sl.id for sl in sc.slates]
    if not ids:
        raise InputError(
            "the scenario has no slates: no transfer parameters to fit", path=sc.source
        )
    if not names:
        out = [Param(s, "stop_after_slate") for s in ids]
        return out + [Param(s, "next", o) for s in ids for o in ids if o != s]
    out = []
    for text in names:
        parts = text.split(".")
        ok = parts[0] in ids and (
            (len(parts) == 2 and parts[1] in ("stop_after_slate", "follow"))
            or (len(parts) == 3 and parts[1] == "next" and parts[2] in ids and parts[2] != parts[0])
        )
        if not ok:
            raise InputError(
                f"--param {shown(text)}: expected SLATE.stop_after_slate, SLATE.follow or "
                f"SLATE.next.OTHER with slates among {', '.join(ids)}"
            )
        p = Param(parts[0], parts[1], parts[2] if len(parts) == 3 else "")
        if p not in out:
            out.append(p)
    return out


def with_values(sc: Scenario, params: list[Param], values) -> Scenario:
    """The scenario with the parameters set (a Beta keeps its sd where it still can)."""
    slates = {sl.id: sl for sl in sc.slates}
    for p, x in zip(params, values, strict=True):
        sl = slates[p.slate]
        sup = sl.supporters
        if p.kind == "next":
            sup = dataclasses.replace(sup, next={**sup.next, p.other: float(x)})
        else:
            sup = dataclasses.replace(sup, **{p.kind: _dist_at(getattr(sup, p.kind), x)})
        slates[p.slate] = dataclasses.replace(sl, supporters=sup)
    return dataclasses.replace(sc, slates=tuple(slates[sl.id] for sl in sc.slates))


def _dist_at(d: Dist, x: float) -> Dist:
    if d.kind == "beta":
        sd = min(d.sd, 0.9 * math.sqrt(x * (1 - x)))
        return Dist("beta", mean=x, sd=sd)
    return Dist.fixed(x)


# -- the fit ------------------------------------------------------------------------------------
@dataclass
class StageFit:
    params: list[Param]
    start: list[float]
    values: list[float]
    objective_start: float
    objective: float
    evaluations: int
    rms_start: float  # root mean square difference of the shares, in share points
    rms: float
    # per parameter: the objective's relative rise 0.25 off the optimum (the mean of both
    # sides, on the logit or log scale); near 0: the table hardly identifies it
    sensitivity: list[float]


def objective(simulated: np.ndarray, observed: np.ndarray) -> tuple[float, float]:
    """(the weighted sum of squares, the rms difference) of mean simulated shares against the
    observed table (shares), stage by stage; a stage table longer than the simulated counts is
    compared with their last stage."""
    mean = simulated.mean(axis=0)
    t = observed.shape[0]
    if mean.shape[0] < t:
        mean = np.vstack([mean, np.repeat(mean[-1:], t - mean.shape[0], axis=0)])
    mean = mean[:t]
    ok = ~np.isnan(observed)
    diff = (mean - np.where(ok, observed, 0))[ok]
    weight = 1 / np.maximum(observed[ok], WEIGHT_FLOOR)
    return float((weight * diff**2).sum()), float(np.sqrt((diff**2).mean()))


def fit_stage_table(
    sc: Scenario,
    observed_votes: np.ndarray,
    params: list[Param],
    *,
    sims: int,
    seed: int,
    max_evals: int = 200,
) -> StageFit:
    observed = observed_votes / np.nansum(observed_votes[0])

    def f(y):
        vals = [p.from_free(v) for p, v in zip(params, y, strict=True)]
        return objective(simulate_stages(with_values(sc, params, vals), sims, seed), observed)

    start = [p.value(sc) for p in params]
    # (a probability starts inside [0.05, 0.95]: at 0 or 1 the logit scale is flat)
    y0 = np.array(
        [
            p.to_free(x if p.kind == "next" else min(max(x, 0.05), 0.95))
            for p, x in zip(params, start, strict=True)
        ]
    )
    first = f(y0)
    best, evals = nelder_mead(lambda y: f(y)[0], y0, max_evals=max_evals)
    final = f(best)
    sens = []
    for i in range(len(params)):
        rise = []
        for d in (-0.25, 0.25):
            y = best.copy()
            y[i] += d
            rise.append(f(y)[0] - final[0])
        sens.append(float(np.mean(rise)) / max(final[0], 1e-300))
    return StageFit(
        params,
        start,
        [p.from_free(v) for p, v in zip(params, best, strict=True)],
        first[0],
        final[0],
        evals,
        first[1],
        final[1],
        sens,
    )


def nelder_mead(f, x0, *, step=0.5, max_evals=200, xtol=1e-3, ftol=1e-12):
    """The minimum of ``f`` by the Nelder-Mead simplex (reflection 1, expansion 2, contraction
    1/2, shrink 1/2) from ``x0`` with steps ``step``; (the best point, evaluations)."""
    n = len(x0)
    pts = [np.asarray(x0, float)] + [np.asarray(x0, float) + step * np.eye(n)[i] for i in range(n)]
    vals = [f(p) for p in pts]
    evals = n + 1
    while evals < max_evals:
        order = np.argsort(vals, kind="stable")
        pts, vals = [pts[i] for i in order], [vals[i] for i in order]
        size = max(np.abs(p - pts[0]).max() for p in pts[1:]) if n else 0.0
        if size < xtol or vals[-1] - vals[0] < ftol:
            break
        centre = np.mean(pts[:-1], axis=0)
        xr = centre + (centre - pts[-1])
        fr = f(xr)
        evals += 1
        if fr < vals[0]:
            xe = centre + 2 * (centre - pts[-1])
            fe = f(xe)
            evals += 1
            pts[-1], vals[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = xr, fr
        else:
            xc = (
                centre + 0.5 * (pts[-1] - centre)
                if fr >= vals[-1]
                else centre + 0.5 * (xr - centre)
            )
            fc = f(xc)
            evals += 1
            if fc < min(fr, vals[-1]):
                pts[-1], vals[-1] = xc, fc
            else:
                for i in range(1, n + 1):
                    pts[i] = pts[0] + 0.5 * (pts[i] - pts[0])
                    vals[i] = f(pts[i])
                evals += n
    i = int(np.argmin(vals))
    return pts[i], evals


# -- writing the fitted values into the scenario document ------------------------------------------
def update_document(doc, fit: StageFit, source: str) -> None:
    """Set the fitted values in a tomlkit document of the scenario (``--into``), each with a
    comment naming the stage table; the document's other values and comments are kept."""
    import tomlkit

    note = f"fitted: simulated method of moments to the stage table {Path(source).name}"
    for p, x in zip(fit.params, fit.values, strict=True):
        sup = doc["slates"][p.slate].setdefault("supporters", tomlkit.table())
        if p.kind == "next":
            nxt = sup.get("next")
            if nxt is None:
                nxt = tomlkit.inline_table()
                sup["next"] = nxt
            was = _was(sup, "next")
            nxt[p.other] = round(x, 4)
            sup["next"].comment(f"{note} (affinities){was}")
            continue
        old = sup.get(p.kind)
        was = _was(sup, p.kind)
        if isinstance(old, dict) and "mean" in old and "sd" in old:
            value = tomlkit.inline_table()
            value.update(
                {
                    "mean": round(x, 4),
                    "sd": round(min(float(old["sd"]), 0.9 * math.sqrt(x * (1 - x))), 4),
                }
            )
        else:
            value = round(x, 4)
        sup[p.kind] = value
        sup[p.kind].comment(f"{note}{was}")


def _was(table, key: str) -> str:
    """The old value's comment, kept after the new one (`` (was: ...)``), if it had one."""
    item = table.get(key)
    text = getattr(getattr(item, "trivia", None), "comment", "") or ""
    text = text.lstrip("#").strip()
    if not text or text.startswith("fitted: simulated method of moments"):
        return ""
    return f" (was: {text})"
