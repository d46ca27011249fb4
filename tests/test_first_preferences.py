"""Simulated first preferences: read off the ballot tree, they equal the first preferences of the
ballots the tree stands for, under every strategy; they do not depend on threads or chunking;
their mean agrees with the voter model's expectation; and they reach every output."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.jobs.run import run_scenario
from simcore.kernels.rng import stream_key
from simcore.model.scenario import Region
from simcore.results.first_pref_outputs import MEASURE, PREDICTIVE
from simcore.sim import chunk
from simcore.sim.bundles import count_spec_of, model_of, new_outputs
from simcore.sim.first_prefs import by_strategy
from simcore.sim.plan import compile_plan
from tests.lazy_helpers import lazy_forest, region_ballots
from tests.sim_helpers import ballots_of, forest, small_scenario
from tests.test_college_sim import small as small_college


def recorded(plan, seed, n):
    """(n, S, R, ncand) first preferences as the chunk kernel records them."""
    out = new_outputs(plan, n)
    chunk.run_chunk(
        stream_key(seed), 0, n, True, model_of(plan), count_spec_of(plan), plan.orderings, 64, out
    )
    return by_strategy(out.first, out.first_slot, plan.orderings)


def firsts(ballots, ncand):
    out = np.zeros(ncand, np.int64)
    for ballot, n in ballots.items():
        out[ballot[0]] += n
    return out


def two_regions():
    sc = small_scenario(share=0.6)
    regions = (Region("R", 300, sc.regions[0].turnout), Region("Q", 500, sc.regions[0].turnout))
    strats = tuple(
        dataclasses.replace(st, orderings={"s": {"R": o["R"], "Q": o["R"]}})
        for st in sc.strategies
        for o in [st.orderings["s"]]
    )
    return dataclasses.replace(sc, regions=regions, strategies=strats)


def tree_ballots(plan, seed, sim, strategy):
    if plan.lazy:
        cand, end, weight, stop, lz, _, _ = lazy_forest(plan, seed, sim, strategy)
        return region_ballots(cand, end, weight, stop, lz, 0)
    return ballots_of(*forest(plan, seed, sim, strategy))


@pytest.mark.parametrize("generator", ["lazy", "eager"])
@pytest.mark.parametrize("make", [small_scenario, two_regions])
def test_tree_first_preferences_are_the_ballots(make, generator):
    plan = compile_plan(dataclasses.replace(make(), generator=generator))
    votes = recorded(plan, 7, 12)
    for sim in range(12):
        for s in range(plan.n_strategies):
            truth = firsts(tree_ballots(plan, 7, sim, s), plan.ncand)
            assert (votes[sim, s].sum(axis=0) == truth).all()
    # regions: the slates' voters region by region, the non-aligned shared out, every one kept
    if plan.n_regions > 1:
        assert (votes[:, :, 1].sum(axis=(1, 2)) > votes[:, :, 0].sum(axis=(1, 2))).all()


def test_college_first_preferences_are_each_sections_ballots():
    sc = small_college()
    plan = compile_plan(sc)
    votes = recorded(plan, 4, 8)
    for sim in range(8):
        for s in range(plan.n_strategies):
            cand, end, weight, stop, lz, roots, _ = lazy_forest(plan, 4, sim, s)
            for r in range(plan.n_regions):
                b = region_ballots(cand, end, weight, stop, lz, roots[r])
                assert (votes[sim, s, r] == firsts(b, plan.ncand)).all()


def _fp_outputs(tmp_path, sc, name, **kw):
    summary = run_scenario(sc, sims=60, seed=9, out=tmp_path / name, **kw)
    rows = [r for r in summary.rows if r["measure"] in (MEASURE, PREDICTIVE)]
    table = pq.read_table(tmp_path / name / "simulations.parquet").to_pydict()
    return rows, {k: v for k, v in table.items() if k.startswith("fp_")}


def test_same_for_any_threads_or_chunking(tmp_path):
    sc = two_regions()
    a = _fp_outputs(tmp_path, sc, "a", threads=1, chunk_size=60)
    b = _fp_outputs(tmp_path, sc, "b", threads=2, chunk_size=7)
    assert a == b
    rows, cols = a
    assert {"fp_candidate_A", "fp_slate_s", "fp_no_slate", "fp_slate_s@Q"} <= set(cols)
    # the shares add up to one, nationally and by region
    total = np.array(cols["fp_slate_s"]) + np.array(cols["fp_no_slate"])
    assert np.allclose(total, 1.0)
    by_cand = sum(np.array(cols[f"fp_candidate_{c}"]) for c in "ABCD")
    assert np.allclose(by_cand, 1.0)
    # the summary's mean is the mean of the column
    row = next(
        r for r in rows if r["measure"] == MEASURE and r["candidate"] == "A" and not r["section"]
    )
    per_strategy = np.array(cols["fp_candidate_A"])[0::2]
    assert row["estimate"] == pytest.approx(per_strategy.mean(), abs=1e-9)
    pred = next(
        r for r in rows if r["measure"] == PREDICTIVE and r["candidate"] == "A" and not r["section"]
    )
    assert pred["std_error"] == pytest.approx(per_strategy.std(ddof=1), rel=1e-6)


def test_mean_agrees_with_the_model(tmp_path):
    """Fixed parameters: the slate's expected first-preference share is its supporters' share
    plus the non-aligned voters' chance of putting one of its candidates first (their strengths'
    share), and candidate C (first on the 'cab' order) gets the followers' first preferences."""
    sc = small_scenario(electorate=20000, share=0.4, follow=0.6, mallows_share=0.0)
    summary = run_scenario(sc, sims=400, seed=3, threads=1)
    est = {
        (r["strategy"], r["slate"], r["candidate"]): r
        for r in summary.rows
        if r["measure"] == MEASURE
    }
    strength = {"A": 2.0, "B": 1.0, "C": 0.5, "D": 1.5}
    total = sum(strength.values())
    slate_truth = 0.4 + 0.6 * 3.5 / total
    r = est[("abc", "Slate", "")]
    assert abs(r["estimate"] - slate_truth) < 4 * r["std_error"] + 1e-4
    # C under 'cab': followers (0.6), Plackett-Luce supporters (0.4 * 0.5 / 3.5), non-aligned
    c_truth = 0.4 * (0.6 + 0.4 * 0.5 / 3.5) + 0.6 * 0.5 / total
    r = est[("cab", "Slate", "C")]
    assert abs(r["estimate"] - c_truth) < 4 * r["std_error"] + 1e-4
    assert r["difference_from_first"] > 0.2  # C gains the followers' first preferences


def test_terminal_table(tmp_path):
    out = tmp_path / "qs"
    args = ["run", "scenarios/quickstart.toml", "--sims", "40", "--seed", "1", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "First preferences by slate" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("Hilltop"))
    mean = float(line.split()[1].rstrip("%"))
    assert 0 < mean < 100 and not math.isnan(mean)
