"""Lazy ballot trees for committee elections (STV, IRV, block): the same model as eager
generation, any expansion order the same electorate, every rule counting them as their ballots."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import simcore
from simcore.kernels.rng import stream_key
from simcore.sim.plan import compile_plan
from simcore.sim.runner import run_chunk
from tests.lazy_helpers import lazy_forest, region_ballots
from tests.sim_helpers import run_chunk_arrays, small_scenario
from tests.stat_helpers import ALPHA, chi_square_pvalue
from tests.test_generation import model_probs


def lazy_ballots(plan, seed, sim, strategy=0, reverse=False):
    cand, end, weight, stop, lz, roots, _ = lazy_forest(plan, seed, sim, strategy, reverse)
    assert len(roots) == 1 and roots[0] == 0
    return region_ballots(cand, end, weight, stop, lz, 0)


def lazy_scenario(**kw):
    return dataclasses.replace(small_scenario(**kw), generator="lazy")


def test_lazy_trees_are_the_default():
    assert compile_plan(small_scenario()).lazy
    assert compile_plan(lazy_scenario()).lazy
    assert not compile_plan(dataclasses.replace(small_scenario(), generator="eager")).lazy
    assert not compile_plan(dataclasses.replace(lazy_scenario(), voters_per_ballot=2)).lazy


@pytest.mark.parametrize("strategy,order", [(0, (0, 1, 2)), (1, (2, 0, 1))])
def test_lazy_ballots_follow_the_model(strategy, order):
    """Chi-square of the lazily generated (then fully expanded) ballots against the model's
    probabilities, the same test the eager generator passes (tests/test_generation.py)."""
    sc = lazy_scenario()
    plan = compile_plan(sc)
    counts: dict[tuple[int, ...], int] = {}
    for sim in range(300):
        for ballot, n in lazy_ballots(plan, 123, sim, strategy).items():
            counts[ballot] = counts.get(ballot, 0) + n
    probs = model_probs(sc, order)
    assert set(counts) <= set(probs), set(counts) - set(probs)
    keys = sorted(probs)
    observed = [counts.get(k, 0) for k in keys]
    assert chi_square_pvalue(observed, [probs[k] for k in keys]) > ALPHA


def test_any_expansion_order_gives_the_same_electorate():
    plan = compile_plan(lazy_scenario(electorate=3000))
    for sim in range(5):
        assert lazy_ballots(plan, 8, sim) == lazy_ballots(plan, 8, sim, reverse=True)


@pytest.mark.parametrize(
    "rule,seats", [("scottish", 2), ("meek", 2), ("ers97", 2), ("irv", 1), ("block", 2)]
)
def test_every_rule_counts_a_lazy_tree_as_its_ballots(rule, seats):
    """The engine counts each lazy tree (expanding it as the count goes) exactly as a file of
    the ballots the fully expanded tree stands for; small starting arrays make trees grow."""
    sc = dataclasses.replace(lazy_scenario(electorate=3000, seats=seats), rule=rule)
    plan = compile_plan(sc)
    assert plan.lazy
    elected, _, _ = run_chunk_arrays(plan, 77, 0, 12)
    checked = 0
    for sim in range(12):
        for s in range(plan.n_strategies):
            ballots = lazy_ballots(plan, 77, sim, s)
            prof = simcore.Profile.from_rankings(
                list(ballots), list(ballots.values()), candidates=list("ABCD")
            )
            res = simcore.count(prof, rule, seats=seats, seed=0)
            if any(st.tie == "lot" for st in res.stages):
                continue  # (the engine's lot is the run's, not seed 0's)
            got = [c for c in elected[sim, s] if c >= 0]
            assert [prof.candidates.index(n) for n in res.elected] == got, (rule, sim, s)
            checked += 1
    assert checked >= 12


def test_lazy_and_eager_agree_in_distribution():
    """Another electorate per seed, the same model: P(elected) of each candidate and the mean
    number elected from the slate agree within Monte Carlo error over 4,000 simulations."""
    sc = small_scenario(electorate=600, seats=2)
    key = stream_key(5)
    n = 4000
    results = {}
    for gen in ("lazy", "eager"):
        plan = compile_plan(dataclasses.replace(sc, generator=gen))
        results[gen] = run_chunk(plan, key, 0, n).elected[:, :, :2]
    for s in range(2):
        for c in range(4):
            p = [float((results[g][:, s, :] == c).any(axis=1).mean()) for g in results]
            pooled = (p[0] + p[1]) / 2
            se = np.sqrt(max(pooled * (1 - pooled), 1e-12) * 2 / n)
            assert abs(p[0] - p[1]) < 4.5 * se + 1e-9, (s, c, p)
    # and they are different samples (the lazy stream is a new one)
    assert (results["lazy"] != results["eager"]).any()


def test_small_arrays_give_the_same_results():
    """A lazy tree that runs out of room mid-count is regenerated larger: same results."""
    plan = compile_plan(lazy_scenario(electorate=3000))
    small = run_chunk(plan, stream_key(3), 0, 10, capacity=4)
    big = run_chunk(plan, stream_key(3), 0, 10, capacity=1 << 18)
    assert small.nodes.max() > 4 * 4  # (the arrays grew twice or more)
    assert (small.elected == big.elected).all() and (small.nodes == big.nodes).all()


def test_generator_key_is_checked():
    from click.testing import CliRunner

    from simcore.cli.main import cli

    def run(path, value):
        args = ["run", path, "--sims", "2", "--no-report", "--quiet"]
        return CliRunner().invoke(cli, [*args, "--set", f"simulation.generator={value}"])

    bad = run("scenarios/quickstart.toml", "fast")
    assert bad.exit_code != 0 and 'must be "lazy" or "eager"' in bad.output
    college = run("scenarios/labour-leadership-2010.toml", "eager")
    assert college.exit_code != 0 and "a college is always generated lazily" in college.output
    assert len(college.output.strip().splitlines()) == 1
