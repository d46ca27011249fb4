"""How much a sampled electorate (``voters_per_ballot`` K > 1) moves a scenario's results.

The scenario is simulated with one seed exactly and with a 1-in-K sample.  Both runs draw the
same parameters in every simulation (turnout, shares, follow rates), so each outcome measure is
compared on paired simulations: the shift (sampled minus exact) has a paired standard error,
smaller than that of two independent runs.  For scale, a third run generates a second exact
electorate from the same parameters: even two exact electorates elect different candidates in
some simulations, and that share is the floor for the sampled one.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from simcore.errors import InputError
from simcore.kernels.rng import stream_key
from simcore.model.scenario import Scenario, Strategy
from simcore.results.accumulate import Accumulator
from simcore.results.sim_outputs import summary_rows
from simcore.sim.plan import compile_plan
from simcore.sim.runner import default_threads, run_chunk, simulate

CHECK_COLUMNS = (
    "strategy",
    "measure",
    "slate",
    "candidate",
    "seats",
    "exact",
    "sampled",
    "shift",
    "shift_std_error",
    "z",
)


@dataclass
class SamplingCheck:
    voters_per_ballot: int
    simulations: int
    seed: int
    threads: int
    exact_per_s: float
    sampled_per_s: float
    differ_share: float  # share of (simulation, strategy) pairs electing different candidates
    rows: list[dict]  # CHECK_COLUMNS, largest |z| first
    baseline_differ_share: float  # the same between two exact electorates
    baseline_rows: list[dict]  # and their shifts

    def largest_shift(self) -> dict:
        return max(self.rows, key=lambda r: abs(r["shift"]))

    def as_dict(self) -> dict:
        big = self.largest_shift()
        return {
            "voters_per_ballot": self.voters_per_ballot,
            "simulations": self.simulations,
            "seed": self.seed,
            "threads": self.threads,
            "exact_simulations_per_s": round(self.exact_per_s, 1),
            "sampled_simulations_per_s": round(self.sampled_per_s, 1),
            "elected_differ_share": round(self.differ_share, 4),
            "exact_vs_exact_differ_share": round(self.baseline_differ_share, 4),
            "exact_vs_exact_largest_abs_z": _finite(
                {"z": max(abs(r["z"]) for r in self.baseline_rows)}
            )["z"],
            "largest_shift": _finite(big),
            "largest_abs_z": _finite({"z": max(abs(r["z"]) for r in self.rows)})["z"],
            "measures": [_finite(r) for r in self.rows],
        }


def _finite(row: dict) -> dict:
    """(JSON has no infinity: a shift with no spread at all has z None)"""
    return {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in row.items()}


def check_sampling(
    sc: Scenario,
    voters_per_ballot: int,
    sims: int,
    seed: int,
    *,
    threads: int | None = None,
    chunk_size: int = 50,
    progress=None,
) -> SamplingCheck:
    """Simulate ``sc`` ``sims`` times exactly and with a 1-in-``voters_per_ballot`` sample, on
    the same seed, and compare every summary measure of the two runs on paired simulations."""
    sc.sampled(voters_per_ballot)  # (refuses a college)
    threads = threads or default_threads()
    if voters_per_ballot < 2:
        raise InputError("--voters-per-ballot: compare a sample of 1 in 2 or more with the exact")
    elected, per_s = [], []
    runs = ((1, 0), (1, _SALT), (voters_per_ballot, 0))  # exact, exact again, sampled
    for k, salt in runs:
        plan = dataclasses.replace(compile_plan(sc.sampled(k)), generation_salt=salt)
        run_chunk(plan, stream_key(seed), 0, 1)  # compile (or load) the kernels
        t = time.perf_counter()
        chunks = simulate(plan, sims, seed, threads=threads, chunk_size=chunk_size)
        parts = []
        for c in chunks:
            parts.append(c.elected)
            if progress is not None:  # (done, total) over the three runs
                progress(len(elected) * sims + c.first + c.n, 3 * sims)
        elected.append(np.concatenate(parts))
        per_s.append(sims / max(time.perf_counter() - t, 1e-9))
    exact, again, sampled = elected
    differ, rows = _compare(sc, plan, exact, sampled)
    base_differ, base_rows = _compare(sc, plan, exact, again)
    return SamplingCheck(
        voters_per_ballot,
        sims,
        seed,
        threads,
        per_s[0],
        per_s[2],
        differ,
        rows,
        base_differ,
        base_rows,
    )


_SALT = 0x5A4D504C45  # the second exact electorate's stream


def _compare(sc, plan, first, second) -> tuple[float, list[dict]]:
    """The share of paired (simulation, strategy) results electing different candidates, and
    every summary measure of ``first`` and ``second`` with the paired shift between them."""
    same = np.sort(first, axis=2) == np.sort(second, axis=2)
    differ = float(np.mean(~same.all(axis=2)))
    # per strategy: a two-"strategy" summary (first, second) whose paired difference is the shift
    pair = dataclasses.replace(
        sc, strategies=(Strategy("first", "", {}), Strategy("second", "", {}))
    )
    rows = []
    for s, strategy in enumerate(sc.strategies):
        acc = Accumulator(2, plan.n_slates, plan.seats, plan.ncand, plan.slate_of)
        acc.add(np.stack([first[:, s], second[:, s]], axis=1))
        summary = summary_rows(acc, SimpleNamespace(scenario=pair))
        half = len(summary) // 2
        for e, a in zip(summary[:half], summary[half:], strict=True):
            se = a["difference_std_error"]
            shift = a["difference_from_first"]
            z = shift / se if se > 0 else (0.0 if shift == 0 else math.copysign(math.inf, shift))
            values = (
                strategy.name,
                e["measure"],
                e["slate"],
                e["candidate"],
                e["seats"],
                e["estimate"],
                a["estimate"],
                shift,
                se,
                z,
            )
            rows.append(dict(zip(CHECK_COLUMNS, values, strict=True)))
    rows.sort(key=lambda r: -abs(r["z"]))
    return differ, rows


def render_check(check: SamplingCheck, title: str, top: int = 10) -> str:
    """The check for the terminal: speeds, how often the elected differ, the largest shifts."""
    k = check.voters_per_ballot
    big = check.largest_shift()
    base_z = max(abs(r["z"]) for r in check.baseline_rows)
    out = [
        f"{title}: a 1-in-{k} sample against the exact electorate, {check.simulations:,} "
        f"paired simulations (same drawn parameters), seed {check.seed}",
        f"Speed: exact {check.exact_per_s:,.0f} simulations/s, sampled "
        f"{check.sampled_per_s:,.0f}/s ({check.sampled_per_s / check.exact_per_s:.1f}x)",
        f"The elected candidates differ in {check.differ_share:.1%} of paired simulations; "
        f"two exact electorates drawn from the same parameters differ in "
        f"{check.baseline_differ_share:.1%}",
        f"Largest shift: {_label(big)}: {big['exact']:.4f} -> {big['sampled']:.4f} "
        f"({big['shift']:+.4f} ± {big['shift_std_error']:.4f})",
        "",
        "Measures that moved most (shift = sampled - exact; ± paired standard error; |z| above "
        f"about 3 is more than chance; two exact electorates reach |z| {base_z:.1f}):",
    ]
    labels = [_label(r) for r in check.rows[:top]]
    w = max(len(x) for x in labels) + 2
    out.append("".ljust(w) + "   exact  sampled              shift      z")
    for r, label in zip(check.rows[:top], labels, strict=True):
        out.append(
            f"{label.ljust(w)}{r['exact']:8.4f} {r['sampled']:8.4f}  "
            f"{r['shift']:+.4f} ± {r['shift_std_error']:.4f}  {r['z']:+5.1f}"
        )
    return "\n".join(out)


def _label(r: dict) -> str:
    what = r["candidate"] or r["slate"]
    if r["seats"] is not None:
        what += f", k = {r['seats']}"
    return f"{r['strategy']}: {r['measure']} {what}"
