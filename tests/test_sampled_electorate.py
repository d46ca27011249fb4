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


def test_a_small_sample_moves_results_little_and_a_tiny_one_visibly():
    """Quickstart (about 3,000 voters): at 1 in 3 every measure stays within 0.02 of the exact
    run's and within 5 paired standard errors; at 1 in 100 (about 30 ballots) the check finds
    the distortion."""
    from simcore.sim.sampling_check import CHECK_COLUMNS, check_sampling

    sc = read_scenario(QUICK)
    check = check_sampling(sc, 3, 1500, 11, threads=2)
    exact = run_scenario(sc, sims=1500, seed=11)
    approx = run_scenario(sc, sims=1500, seed=11, voters_per_ballot=3)
    assert approx.metadata["voters_per_ballot"] == 3 and exact.metadata["voters_per_ballot"] == 1
    key = ("strategy", "measure", "slate", "candidate", "seats")
    ex = {tuple(r[c] for c in key): r["estimate"] for r in exact.rows}
    ap = {tuple(r[c] for c in key): r["estimate"] for r in approx.rows}
    assert len(check.rows) == len(exact.rows) == len(ex)
    for r in check.rows:
        assert tuple(r) == CHECK_COLUMNS
        where = tuple(r[c] for c in key)
        assert (r["exact"], r["sampled"]) == (ex[where], ap[where])
        assert r["shift"] == pytest.approx(r["sampled"] - r["exact"], abs=1e-12)
        assert abs(r["shift"]) <= 0.02 and abs(r["z"]) < 5, r
    assert max(abs(r["shift"]) for r in check.rows) > 0  # it is a different electorate
    assert 0 < check.differ_share < 0.05
    # paired: the shift's error is smaller than two independent runs' would be
    r = max(check.rows, key=lambda r: r["exact"] * (1 - r["exact"]) if "P(" in r["measure"] else 0)
    assert r["shift_std_error"] < np.sqrt(2 * r["exact"] * (1 - r["exact"]) / 1500)
    tiny = check_sampling(sc, 100, 1500, 11, threads=2)
    assert max(abs(r["z"]) for r in tiny.rows) > 5 and tiny.differ_share > check.differ_share


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


def test_cli_check_sampling():
    runner = CliRunner()
    res = runner.invoke(cli, ["check-sampling", QUICK, "-k", "3", "-n", "200", "--top", "4"])
    assert res.exit_code == 0, res.output
    assert "a 1-in-3 sample against the exact electorate, 200 paired simulations" in res.output
    assert "Largest shift:" in res.output and "Measures that moved most" in res.output
    table = res.output.split("Measures that moved most")[1].strip().splitlines()
    assert len(table) == 1 + 1 + 4  # title line, header, 4 measures
    res = runner.invoke(cli, ["check-sampling", QUICK, "-k", "3", "-n", "200", "--json"])
    data = json.loads(res.output)
    assert data["voters_per_ballot"] == 3 and data["simulations"] == 200
    assert data["seed"] == read_scenario(QUICK).seed and len(data["measures"]) > 10
    res = runner.invoke(cli, ["check-sampling", "scenarios/labour-leadership-2010.toml"])
    assert res.exit_code == 2 and "does not apply to a college" in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = runner.invoke(cli, ["check-sampling", QUICK, "-k", "1"])
    assert res.exit_code == 2 and "--voters-per-ballot" in res.output
