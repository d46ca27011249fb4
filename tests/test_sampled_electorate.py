"""``voters_per_ballot`` K > 1: each bloc is represented by a 1-in-K sample, ballots weigh K.

The approximation must keep the drawn parameters of the exact run (paired), be unbiased,
weigh every ballot K, stay reproducible for any threads or chunking, and move the outcome
distribution only by about the extra sampling noise it adds."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario
from simcore.sim import engine
from simcore.sim.job import run_scenario
from simcore.sim.plan import compile_plan
from simcore.sim.rng import stream_key
from simcore.sim.runner import run_chunk
from tests.sim_helpers import ballots_of, forest, small_scenario
from tests.test_simulate import collect

QUICK = "scenarios/quickstart.toml"


def test_a_bloc_sample_is_n_over_k_rounded_without_bias():
    k = 10
    blocs = np.array([[103, 7, 0], [1, 2000, 55]], np.int64)
    key = stream_key(3)
    draws = []
    for sim in range(4000):
        voters = np.full(2, -1, np.int64)
        total, out = engine.sample_blocs(key, sim, k, blocs, voters)
        extra = out - blocs // k
        assert np.all((extra == 0) | (extra == 1))  # n // k, or one more
        assert np.array_equal(voters, out.sum(axis=1)) and total == out.sum()
        draws.append(out)
    draws = np.array(draws)
    mean = draws.mean(axis=0) * k
    p = (blocs % k) / k
    se = k * np.sqrt(p * (1 - p) / len(draws)) + 1e-12  # (0 where k divides n: exact)
    assert np.all(np.abs(mean - blocs) <= 4 * se), (mean, blocs)
    # a stream of its own: the same simulation gives the same sample
    again = engine.sample_blocs(key, 17, k, blocs, np.zeros(2, np.int64))[1]
    assert np.array_equal(again, draws[17])


def test_every_sampled_ballot_weighs_k_and_the_drawn_figures_are_the_exact_runs():
    exact = small_scenario(electorate=20000, turnout=0.5)
    for k in (3, 10):
        plan = compile_plan(replace(exact, voters_per_ballot=k))
        labels, end, weight, stop = forest(plan, 5, 2)
        assert np.all(weight % k == 0) and np.all(stop % k == 0)
        ballots = ballots_of(labels, end, weight, stop)
        assert sum(ballots.values()) == weight[0]
        # about a k-th of the exact electorate's voters (10,000), in 3 blocs
        assert abs(weight[0] - 10000) < 400 + 3 * k
    a = run_chunk(compile_plan(exact), stream_key(8), 0, 12)
    b = run_chunk(compile_plan(replace(exact, voters_per_ballot=10)), stream_key(8), 0, 12)
    assert np.array_equal(a.stats, b.stats)  # turnout, shares, follow rates: paired


def test_sampled_runs_are_identical_for_any_threads_and_chunking():
    plan = compile_plan(replace(small_scenario(electorate=5000), voters_per_ballot=7))
    base = collect(plan, 60, 42, threads=1, chunk_size=60)
    for threads, chunk in [(2, 1), (2, 7), (1, 13)]:
        other = collect(plan, 60, 42, threads=threads, chunk_size=chunk)
        assert np.array_equal(base[0], other[0]) and np.array_equal(base[1], other[1])
    exact = collect(compile_plan(small_scenario(electorate=5000)), 60, 42, threads=1)
    assert np.array_equal(base[1], exact[1])  # the drawn figures are the exact run's


def test_sampling_moves_outcome_probabilities_only_within_their_errors():
    """Quickstart (3,000 voters) at 1 in 3: every P(...) of the summary agrees with the exact
    run's within a few paired standard errors (the two runs share their drawn parameters)."""
    sc = read_scenario(QUICK)
    n = 1500
    exact = run_scenario(sc, sims=n, seed=11)
    approx = run_scenario(sc, sims=n, seed=11, voters_per_ballot=3)
    assert approx.metadata["voters_per_ballot"] == 3 and exact.metadata["voters_per_ballot"] == 1
    key = ("strategy", "measure", "slate", "candidate", "seats")
    ex = {tuple(r.get(c) for c in key): r for r in exact.rows}
    moved = []
    for r in approx.rows:
        e = ex[tuple(r.get(c) for c in key)]
        if not r["measure"].startswith("P("):
            continue
        diff = r["estimate"] - e["estimate"]
        # (independent errors: an upper bound on the paired one)
        se = float(np.hypot(r["std_error"], e["std_error"]))
        moved.append(abs(diff))
        assert abs(diff) <= 4 * se + 1e-9, (r, e)
    assert max(moved) > 0  # it is a different electorate


def test_cli_voters_per_ballot(tmp_path):
    runner = CliRunner()
    out = tmp_path / "o"
    args = ["run", QUICK, "--sims", "40", "--seed", "3", "--voters-per-ballot", "5"]
    res = runner.invoke(cli, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Approximate: each simulated electorate is a 1-in-5 sample" in res.output
    assert json.loads((out / "run.json").read_text())["voters_per_ballot"] == 5
    res = runner.invoke(
        cli, ["run", "scenarios/labour-leadership-2010.toml", "--voters-per-ballot", "5"]
    )
    assert res.exit_code == 2 and len(res.output.strip().splitlines()) == 1
    assert "does not apply to a college" in res.output
    res = runner.invoke(cli, [*args[:-1], "0", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--voters-per-ballot" in res.output


@pytest.mark.parametrize("k", [1, 4])
def test_the_scenario_key_is_used_and_the_flag_overrides_it(k):
    sc = replace(read_scenario(QUICK), voters_per_ballot=4)
    run = run_scenario(sc, sims=20, seed=1, voters_per_ballot=None if k == 4 else k)
    assert run.metadata["voters_per_ballot"] == k
    assert run.rows == run_scenario(replace(sc, voters_per_ballot=k), sims=20, seed=1).rows
