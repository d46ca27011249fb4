"""``voters_per_ballot`` K > 1: electorates generated exactly at the top, sampled below.

The approximation must keep the drawn parameters of the exact run (paired), give trees whose
weights add up, be unbiased (every ballot's expected count is the model's), stay reproducible
for any threads or chunking, and move the outcome distribution little (``check-sampling``)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario
from simcore.jit import kernel
from simcore.jobs.run import run_scenario
from simcore.kernels.rng import seed_stream, stream_key
from simcore.sim.generate import thin
from simcore.sim.plan import compile_plan
from simcore.sim.runner import run_chunk
from tests.sim_helpers import ballots_of, forest, small_scenario
from tests.stat_helpers import ALPHA
from tests.test_generation import model_probs
from tests.test_simulate import collect

QUICK = "scenarios/quickstart.toml"


@kernel
def _thin_many(key, n, k, times, out):
    s = np.empty(4, np.uint64)
    seed_stream(key, 0, s)
    for i in range(times):
        out[i] = thin(s, n, k)


@pytest.mark.parametrize("n,k", [(103, 10), (7, 10), (2000, 10), (55, 5), (1, 3)])
def test_a_sample_is_n_over_k_rounded_without_bias(n, k):
    out = np.empty(20000, np.int64)
    _thin_many(stream_key(3), n, k, len(out), out)
    assert set(np.unique(out)) <= {n // k, n // k + 1}
    p = (n % k) / k
    se = k * np.sqrt(p * (1 - p) / len(out))
    assert abs(out.mean() * k - n) <= 4 * se + 1e-12


def _consistent(end, weight, stop):
    """Every node's weight is the papers stopping there plus its children's weights."""
    for y in range(len(weight)):
        kids, c = 0, y + 1
        while c < end[y]:
            kids += weight[c]
            c = end[c]
        if weight[y] != stop[y] + kids:
            return False
    return True


def test_sampled_trees_add_up_and_keep_the_exact_runs_drawn_figures():
    exact = small_scenario(electorate=20000, turnout=0.5)
    for k in (3, 10):
        plan = compile_plan(replace(exact, voters_per_ballot=k))
        labels, end, weight, stop = forest(plan, 5, 2)
        assert _consistent(end, weight, stop)
        assert sum(ballots_of(labels, end, weight, stop).values()) == weight[0]
        assert abs(weight[0] - forest(compile_plan(exact), 5, 2)[2][0]) < 40 * k
        assert weight.max() > 0 and np.any(weight % k != 0)  # exact at the top
    a = run_chunk(compile_plan(exact), stream_key(8), 0, 12)
    b = run_chunk(compile_plan(replace(exact, voters_per_ballot=10)), stream_key(8), 0, 12)
    assert np.array_equal(a.stats, b.stats)  # turnout, shares, follow rates: paired


@pytest.mark.parametrize("strategy,order", [(0, (0, 1, 2)), (1, (2, 0, 1))])
def test_sampled_ballot_counts_are_unbiased(strategy, order):
    """Over many simulations, each ballot's count in a sampled tree averages the exact model's
    expectation (voters x P(ballot)); each ballot's mean error is tested (Bonferroni)."""
    sc = small_scenario(electorate=400)  # (small groups: rounding down would show)
    sampled, exact = compile_plan(replace(sc, voters_per_ballot=5)), compile_plan(sc)
    probs = model_probs(sc, order)
    keys = sorted(probs)
    sims = 3000
    err = np.zeros((sims, len(keys)))
    for sim in range(sims):
        counts = ballots_of(*forest(sampled, 31, sim, strategy, cap=4096))
        assert set(counts) <= set(probs)
        voters = forest(exact, 31, sim, cap=4096)[2][0]  # the same parameters: the same turnout
        err[sim] = [counts.get(b, 0) - voters * probs[b] for b in keys]
    z = err.mean(axis=0) / (err.std(axis=0, ddof=1) / np.sqrt(sims) + 1e-12)
    assert np.abs(z).max() < stats.norm.isf(ALPHA / (2 * len(keys))), (keys, z)


def test_another_generation_stream_is_another_electorate_from_the_same_parameters():
    plan = compile_plan(small_scenario(electorate=5000))
    a = run_chunk(plan, stream_key(4), 0, 10)
    b = run_chunk(replace(plan, generation_salt=77), stream_key(4), 0, 10)
    assert np.array_equal(a.stats, b.stats)
    trees = [forest(p, 4, 1) for p in (plan, replace(plan, generation_salt=77))]
    assert trees[0][2][0] == trees[1][2][0]  # the same voters
    assert not all(np.array_equal(x, y) for x, y in zip(*trees, strict=True))


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
    from simcore.jobs.sampling_check import CHECK_COLUMNS, check_sampling

    sc = read_scenario(QUICK)
    check = check_sampling(sc, 3, 1500, 11, threads=2)
    exact = run_scenario(sc, sims=1500, seed=11)
    approx = run_scenario(sc, sims=1500, seed=11, voters_per_ballot=3)
    # (the check compares the outcome measures; first-preference shares are left out of it)
    for run in (exact, approx):
        run.rows = [r for r in run.rows if not r["measure"].startswith("first preferences")]
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
    # two exact electorates from the same parameters: the same measures, no real shift
    base = {tuple(r[c] for c in key): r for r in check.baseline_rows}
    assert len(base) == len(check.rows) and all(base[w]["exact"] == ex[w] for w in base)
    assert max(abs(r["z"]) for r in base.values()) < 5 and 0 <= check.baseline_differ_share < 0.05
    tiny = check_sampling(sc, 100, 1500, 11, threads=2)
    assert max(abs(r["z"]) for r in tiny.rows) > 5 and tiny.differ_share > check.differ_share


def test_cli_voters_per_ballot(tmp_path):
    runner = CliRunner()
    out = tmp_path / "o"
    args = ["run", QUICK, "--sims", "40", "--seed", "3", "--voters-per-ballot", "5"]
    res = runner.invoke(cli, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Approximate: voters sampled 1 in 5 below their first drawn preference" in res.output
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
    assert data["voters_per_ballot"] == 3 and data["simulations"] == 200 and data["threads"] >= 1
    assert data["seed"] == read_scenario(QUICK).seed and len(data["measures"]) > 10
    res = runner.invoke(cli, ["check-sampling", "scenarios/labour-leadership-2010.toml"])
    assert res.exit_code == 2 and "does not apply to a college" in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = runner.invoke(cli, ["check-sampling", QUICK, "-k", "1"])
    assert res.exit_code == 2 and "--voters-per-ballot" in res.output
