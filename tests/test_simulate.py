"""The simulation engine end to end: reproducibility, common random numbers, outputs, CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario
from simcore.jobs.run import run_scenario
from simcore.sim.plan import compile_plan
from simcore.sim.runner import simulate
from tests.sim_helpers import small_scenario

QUICK = "scenarios/quickstart.toml"


def collect(plan, sims, seed, **kw):
    chunks = list(simulate(plan, sims, seed, **kw))
    assert [c.first for c in chunks] == sorted(c.first for c in chunks)
    return (np.concatenate([c.elected for c in chunks]), np.concatenate([c.stats for c in chunks]))


def test_identical_for_any_threads_and_chunking():
    plan = compile_plan(small_scenario(electorate=2000))
    base = collect(plan, 60, 42, threads=1, chunk_size=60)
    for threads, chunk in [(2, 1), (2, 7), (1, 13), (2, 64)]:
        other = collect(plan, 60, 42, threads=threads, chunk_size=chunk)
        assert np.array_equal(base[0], other[0]) and np.array_equal(base[1], other[1])
    different = collect(plan, 60, 43, threads=1, chunk_size=60)
    assert not np.array_equal(base[1], different[1])


def test_starting_tree_capacity_changes_nothing():
    # a simulation that outgrows its arrays is repeated with larger ones; chunks start with room
    # for the largest tree seen so far
    from simcore.kernels.rng import stream_key
    from simcore.sim.runner import run_chunk

    for sc, start in (
        (small_scenario(electorate=20000), 16),  # (lazy trees, the default)
        (dataclasses.replace(small_scenario(electorate=20000), generator="eager"), 64),
        (read_scenario("scenarios/labour-leadership-2010.toml"), 64),
    ):
        plan = compile_plan(sc)
        small = run_chunk(plan, stream_key(9), 3, 6, capacity=start)
        large = run_chunk(plan, stream_key(9), 3, 6, capacity=1 << 18)
        assert small.nodes.max() > start
        for a, b in zip(
            (small.elected, small.stats, small.nodes, small.extra),
            (large.elected, large.stats, large.nodes, large.extra),
            strict=True,
        ):
            assert np.array_equal(a, b)


def test_outputs_identical_for_threads_and_chunks(tmp_path):
    sc = read_scenario(QUICK)
    a = run_scenario(sc, sims=300, seed=5, out=tmp_path / "a", threads=1, chunk_size=300)
    b = run_scenario(sc, sims=300, seed=5, out=tmp_path / "b", threads=2, chunk_size=11)
    assert a.rows == b.rows
    ta = pq.read_table(tmp_path / "a" / "simulations.parquet")
    tb = pq.read_table(tmp_path / "b" / "simulations.parquet")
    assert ta.equals(tb)


def test_a_strategy_compared_with_itself_differs_by_exactly_zero():
    sc = small_scenario(
        strategies=(("one", "abc"), ("same", "abc"), ("other", "cab")), electorate=3000
    )
    plan = compile_plan(sc)
    elected, _ = collect(plan, 80, 1)
    assert np.array_equal(elected[:, 0], elected[:, 1])
    summary = run_scenario(sc, sims=80, seed=1)
    same = [r for r in summary.rows if r["strategy"] == "same"]
    assert same and all(
        r["difference_from_first"] == 0 and r["difference_std_error"] == 0 for r in same
    )


def test_summary_figures_agree_with_simulation_rows(tmp_path):
    sc = read_scenario(QUICK)
    res = run_scenario(sc, sims=400, seed=3, out=tmp_path / "r")
    rows = pq.read_table(tmp_path / "r" / "simulations.parquet").to_pylist()
    assert len(rows) == 400 * len(sc.strategies)
    for strat in sc.strategies:
        mine = [r for r in rows if r["strategy"] == strat.name]
        mean = np.mean([r["seats_hill"] for r in mine])
        row = next(
            r
            for r in res.rows
            if r["strategy"] == strat.name
            and r["measure"] == "mean seats"
            and r["slate"] == "Hilltop"
        )
        assert row["estimate"] == pytest.approx(mean)
        p = np.mean(["Ben Hill" in r["elected"] for r in mine])  # (a list of names)
        row = next(
            r
            for r in res.rows
            if r["strategy"] == strat.name
            and r["measure"] == "P(elected)"
            and r["candidate"] == "Ben Hill"
        )
        assert row["estimate"] == pytest.approx(p)
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
    meta = json.loads((tmp_path / "r" / "run.json").read_text())
    assert meta["seed"] == 3 and meta["simulations"] == 400 and len(meta["scenario_sha256"]) == 64
    schema_meta = pq.read_schema(tmp_path / "r" / "summary.parquet").metadata
    assert json.loads(schema_meta[b"simcore"])["seed"] == 3


def test_refuses_to_overwrite_without_force(tmp_path):
    sc = read_scenario(QUICK)
    run_scenario(sc, sims=20, seed=1, out=tmp_path / "r")
    with pytest.raises(Exception, match="already holds results"):
        run_scenario(sc, sims=20, seed=1, out=tmp_path / "r")
    run_scenario(sc, sims=30, seed=1, out=tmp_path / "r", force=True)
    assert json.loads((tmp_path / "r" / "run.json").read_text())["simulations"] == 30


def test_an_interrupted_run_leaves_no_complete_looking_files(tmp_path):
    sc = read_scenario(QUICK)

    def boom(done, total):
        if done >= 64:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scenario(
            sc, sims=500, seed=1, out=tmp_path / "r", chunk_size=32, threads=1, progress=boom
        )
    assert list((tmp_path / "r").iterdir()) == []


def test_cli_run_validate_and_schema(tmp_path):
    runner = CliRunner()
    res = runner.invoke(
        cli, ["run", QUICK, "--sims", "50", "--seed", "2", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    assert "Mean seats" in res.output and "P(elected)" in res.output
    assert (tmp_path / "o" / "summary.csv").read_text().startswith("strategy,measure,slate")
    res = runner.invoke(cli, ["run", QUICK, "--sims", "50", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "already holds results" in res.output
    res = runner.invoke(cli, ["validate", QUICK])
    assert res.exit_code == 0 and "ok" in res.output
    schema = json.loads(runner.invoke(cli, ["validate", "--schema"]).output)
    assert "$schema" in schema
    broken = "tests/scenarios/broken/unknown_top_level_key.toml"
    res = runner.invoke(cli, ["run", broken, "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and not (tmp_path / "x").exists()
    assert res.output.startswith(f"simcore: error: {broken}:") and "did you mean" in res.output


# -- stopping at a precision ----------------------------------------------------------------------


def test_precision_stops_at_the_first_checkpoint_that_meets_it(tmp_path):
    from simcore.jobs.run import widest_half_width

    sc = small_scenario(electorate=20, share=0.3)  # (few voters: outcomes far from certain)
    runs = [
        run_scenario(
            sc,
            sims=3000,
            seed=4,
            out=tmp_path / f"r{i}",
            threads=threads,
            chunk_size=chunk,
            precision=0.04,
            check_every=100,
        )
        for i, (threads, chunk) in enumerate([(1, 3000), (2, 7), (2, 64), (1, 150)])
    ]
    n = runs[0].metadata["simulations"]
    assert 100 < n < 3000 and n % 100 == 0
    meta = runs[0].metadata
    assert meta["precision_met"] is True and meta["max_simulations"] == 3000
    assert meta["precision_reached"] <= 0.04
    first = pq.read_table(tmp_path / "r0" / "simulations.parquet")
    assert first.num_rows == n * len(sc.strategies)
    assert first["simulation"].to_numpy().max() == n - 1
    for i, run in enumerate(runs[1:], start=1):
        assert run.metadata["simulations"] == n and run.rows == runs[0].rows
        assert pq.read_table(tmp_path / f"r{i}" / "simulations.parquet").equals(first)
    # exactly a plain run of n simulations, and the checkpoint before did not meet it
    plain = run_scenario(sc, sims=n, seed=4)
    assert plain.rows == runs[0].rows and widest_half_width(plain.rows) <= 0.04
    assert widest_half_width(run_scenario(sc, sims=n - 100, seed=4).rows) > 0.04


def test_precision_not_met_runs_every_simulation():
    sc = small_scenario(electorate=20, share=0.3)
    run = run_scenario(sc, sims=250, seed=4, precision=0.001, check_every=100)
    meta = run.metadata
    assert meta["simulations"] == 250 and meta["precision_met"] is False
    assert meta["precision_reached"] > 0.001
    assert run.rows == run_scenario(sc, sims=250, seed=4).rows


def test_precision_for_a_college_given_in_the_scenario():
    from dataclasses import replace

    sc = replace(read_scenario("scenarios/labour-leadership-2010.toml"), precision=0.03)
    run = run_scenario(sc, sims=20000, seed=2, check_every=250)
    n = run.metadata["simulations"]
    assert run.metadata["precision_met"] is True and n < 20000 and n % 250 == 0
    assert run.rows == run_scenario(replace(sc, precision=None), sims=n, seed=2).rows


def test_widest_half_width_reads_probabilities_and_their_differences():
    from simcore.jobs.run import widest_half_width

    def row(measure, low, high, dlow, dhigh):
        return {
            "measure": measure,
            "ci_low": low,
            "ci_high": high,
            "difference_ci_low": dlow,
            "difference_ci_high": dhigh,
        }

    rows = [row("mean seats", 0.0, 9.0, -5.0, 5.0), row("P(elected)", 0.4, 0.5, -0.01, 0.01)]
    assert widest_half_width(rows) == pytest.approx(0.05)
    rows.append(row("P(seats = k)", 0.1, 0.12, -0.2, 0.2))
    assert widest_half_width(rows) == pytest.approx(0.2)


def test_cli_run_with_precision(tmp_path):
    runner = CliRunner()
    out = tmp_path / "o"
    args = ["run", QUICK, "--sims", "5000", "--seed", "3", "--precision", "0.05", "--out", str(out)]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    meta = json.loads((out / "run.json").read_text())
    assert meta["precision_met"] is True and meta["simulations"] == 1000
    assert "Precision +/- 0.05 met after 1,000 of at most 5,000 simulations" in res.output
    res = runner.invoke(cli, ["run", QUICK, "--precision", "0", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--precision" in res.output and not (tmp_path / "x").exists()
