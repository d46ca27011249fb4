"""Fit scenarios/labour-leadership-2010.toml to the published 2010 results.

    .venv/bin/python -m bench.fit_leadership_2010            # the fit, its residuals
    .venv/bin/python -m bench.fit_leadership_2010 --check 2000   # ... and simcore's own run

Data: ``bench/data/labour_leadership_2010.csv``, the published figures in weighted points (each
section is worth 33.333), every row citing its source: round 1 by section (to 3 decimals),
rounds 2-4 of the whole college, and the final round by section (whole percents for MPs and
members, one decimal for affiliates).

Model (what the scenario says; docs/scenarios.md "The voter model"): in each section every
voter supports one candidate's camp (the camps' shares are the published round-1 shares, so
round 1 is reproduced by construction), ranks that candidate first, then stops with probability
``stop`` (the same for every camp; assumed, see below) or ranks all four others by
Plackett-Luce over the candidates' strengths.  Colleges refuse slate affinities, so every
camp's transfers follow the same strengths.

Because every ballot that goes on ranks all the others, Plackett-Luce gives a closed form: a
ballot whose first preference has been excluded counts, in a round with continuing set C, for
continuing c with probability s_c / sum_{d in C} s_d (the first of C in a Plackett-Luce order),
whichever candidates were excluded before.  So the expected tallies of every round in every
section follow exactly from the shares, ``stop`` and the strengths, and the counting order
(Abbott, then Burnham, then Balls excluded, as in 2010) is the published one.

Fitted: the strengths of Ed Miliband, Ed Balls, Andy Burnham and Diane Abbott relative to David
Miliband's (1), by least squares (scipy's ``least_squares`` on the log strengths) on the
published figures of rounds 2, 3 and 4 in points: the college totals and the final round by
section, every figure with weight 1.  The exhaustion rate ``stop`` is not identified (shares are
re-normalised over the non-exhausted ballots each round) and is assumed.

``--check N`` then runs simcore itself on the scenario file (N simulations) and prints its
simulated round-1 and final shares against the published ones.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "labour_leadership_2010.csv"
SCENARIO = ROOT / "scenarios" / "labour-leadership-2010.toml"
CANDIDATES = ("David Miliband", "Ed Miliband", "Ed Balls", "Andy Burnham", "Diane Abbott")
SECTIONS = ("MPs and MEPs", "Members", "Affiliates")
EXCLUDED = ("Diane Abbott", "Andy Burnham", "Ed Balls")  # in the published order
STOP = 0.1  # assumed: the share of each camp ranking only its candidate (not published)


def published(path: Path = DATA) -> dict[tuple[int, str, str], float]:
    """(round, section ("" for the college), candidate) -> weighted points."""
    with open(path, newline="", encoding="utf-8") as f:
        return {
            (int(r["round"]), r["section"], r["candidate"]): float(r["points"])
            for r in csv.DictReader(f)
        }


def camp_shares(data) -> np.ndarray:
    """(sections, candidates) round-1 shares, each section's scaled to sum to exactly 1 (the
    published points sum to 33.332-33.334) and rounded down to 5 decimals."""
    out = np.zeros((len(SECTIONS), len(CANDIDATES)))
    for s, sec in enumerate(SECTIONS):
        pts = np.array([data[(1, sec, c)] for c in CANDIDATES])
        out[s] = np.floor(pts / pts.sum() * 1e5) / 1e5
    return out


def expected_rounds(shares: np.ndarray, strength: np.ndarray, stop: float) -> list[np.ndarray]:
    """Per round (1 .. 4), the (sections, candidates) expected shares of each section's
    non-exhausted ballots under the model, with the published exclusions."""
    out = []
    cont = np.ones(len(CANDIDATES), bool)
    for r in range(len(EXCLUDED) + 1):
        tally = np.where(cont, shares, 0.0)
        gone = shares[:, ~cont].sum(axis=1) * (1 - stop)  # ballots of excluded candidates
        w = np.where(cont, strength, 0.0)
        tally = tally + gone[:, None] * w / w.sum()
        out.append(tally / tally.sum(axis=1, keepdims=True))
        if r < len(EXCLUDED):
            cont[CANDIDATES.index(EXCLUDED[r])] = False
    return out


def residuals(log_s: np.ndarray, shares, data, stop: float = STOP) -> np.ndarray:
    strength = np.concatenate([[1.0], np.exp(log_s)])
    rounds = expected_rounds(shares, strength, stop)
    res = []
    for (r, sec, cand), pts in sorted(data.items()):
        if r == 1:
            continue
        c = CANDIDATES.index(cand)
        if sec:
            sim = 100 / 3 * rounds[r - 1][SECTIONS.index(sec), c]
        else:
            sim = 100 / 3 * rounds[r - 1][:, c].sum()
        res.append(sim - pts)
    return np.array(res)


def fit(data=None, stop: float = STOP) -> dict:
    """The fitted strengths (David Miliband 1) and the fit's residuals in points."""
    from scipy.optimize import least_squares

    data = published() if data is None else data
    shares = camp_shares(data)
    sol = least_squares(residuals, np.zeros(len(CANDIDATES) - 1), args=(shares, data, stop))
    strength = np.concatenate([[1.0], np.exp(sol.x)])
    rounds = expected_rounds(shares, strength, stop)
    return {
        "shares": shares,
        "strength": dict(zip(CANDIDATES, strength, strict=True)),
        "rounds": rounds,
        "rms": math.sqrt(float(np.mean(sol.fun**2))),
        "residuals": sol.fun,
    }


def _report(result: dict, data) -> None:
    print("Round-1 camp shares (sourced; each section scaled to sum to 1):")
    for s, sec in enumerate(SECTIONS):
        cells = ", ".join(
            f"{c} {x:.5f}" for c, x in zip(CANDIDATES, result["shares"][s], strict=True)
        )
        print(f"  {sec}: {cells}")
    print(f"Fitted strengths (stop = {STOP}, assumed):")
    for c, x in result["strength"].items():
        print(f"  {c}: {x:.3f}")
    print("Expected against published (points):")
    for (r, sec, cand), pts in sorted(data.items()):
        if r == 1:
            continue
        c = CANDIDATES.index(cand)
        rd = result["rounds"][r - 1]
        sim = 100 / 3 * (rd[SECTIONS.index(sec), c] if sec else rd[:, c].sum())
        print(f"  round {r} {sec or 'college':13s} {cand:15s} {sim:6.2f}  published {pts:6.2f}")
    print(f"RMS residual: {result['rms']:.2f} points")


def check(sims: int) -> None:
    """simcore's own run of the scenario file against the published figures."""
    from simcore.inputs.scenario_file import read_scenario
    from simcore.jobs.run import run_scenario

    data = published()
    sc = read_scenario(str(SCENARIO))
    res = run_scenario(sc, sims=sims, seed=sc.seed, out=None)
    rows = {
        (r["measure"], r["candidate"], r["section"]): r
        for r in res.rows
        if r["strategy"] == "as_run"
    }
    print(f"simcore run, {sims} simulations (mean; 95% predictive interval):")
    for cand in CANDIDATES:
        for sec in SECTIONS:
            r = rows[("first preferences (predictive)", cand, sec)]
            pub = data[(1, sec, cand)] * 3
            print(
                f"  round 1 {sec:13s} {cand:15s} {100 * r['estimate']:5.1f} "
                f"({100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f})  published {pub:5.1f}"
            )
    for cand in ("David Miliband", "Ed Miliband"):
        for sec in (*SECTIONS, ""):
            r = rows[("final round (predictive)", cand, sec)]
            pub = data[(4, sec, cand)] * (3 if sec else 1)
            print(
                f"  final   {sec or 'college':13s} {cand:15s} {100 * r['estimate']:5.1f} "
                f"({100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f})  published {pub:5.1f}"
            )
    win = rows[("P(win)", "Ed Miliband", "")]
    print(f"  P(Ed Miliband wins) = {win['estimate']:.3f} +/- {win['std_error']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", type=int, default=0, help="then run simcore N simulations")
    args = ap.parse_args()
    data = published()
    _report(fit(data), data)
    if args.check:
        check(args.check)


if __name__ == "__main__":
    main()
