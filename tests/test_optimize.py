"""``simcore optimize``: the search space, the selection procedure, and the whole job checked
against an exhaustive enumeration of every strategy run with ``simcore run``."""

from __future__ import annotations

import itertools
import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario
from simcore.jobs import optimize as opt
from simcore.jobs import strategy_eval
from simcore.jobs.optimize_run import OptimizeOptions, run_optimize
from simcore.jobs.strategy_space import StrategySpace

HERE = Path(__file__).parent
SMALL = HERE / "scenarios" / "optimize_small.toml"
ROOT = HERE.parent
HILL = ["Alice Hill", "Ben Hill", "Cara Hill"]
REGIONS = ["East", "West", "North"]


# -- the space ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size, regions, k, fixed",
    [
        (3, 3, 3, ()),
        (3, 3, 1, ()),
        (3, 3, 2, ()),
        (4, 2, 2, ((0, 0),)),
        (4, 3, 2, ((1, 3),)),
        (6, 6, 1, ()),  # (the NEC slate, one national order: 720 of 720^6 assignments)
    ],
)
def test_space_counts_what_it_enumerates(size, regions, k, fixed):
    space = StrategySpace(tuple(range(size)), regions, k, fixed)
    recs = list(space.enumerate())
    assert len(recs) == len(set(recs)) == space.count()
    assert all(space.valid(r) for r in recs)


def test_space_size_of_the_nec_slate():
    # six candidates in six areas: 720^6 recommendations (the "about 10^17")
    assert StrategySpace(tuple(range(6)), 6, 6).count() == 720**6
    assert StrategySpace(tuple(range(6)), 6, 1).count() == 720


@pytest.mark.parametrize("k, fixed", [(3, ()), (1, ()), (2, ((2, 0),))])
def test_neighbours_are_valid_distinct_and_connect_the_space(k, fixed):
    space = StrategySpace((0, 1, 2), 3, k, fixed)
    rng = np.random.default_rng(1)
    start = space.random(rng)
    assert space.valid(start)
    seen, frontier = {start}, [start]
    while frontier:
        rec = frontier.pop()
        nbrs = space.neighbours(rec)
        assert len(nbrs) == len(set(nbrs)) and rec not in nbrs
        assert all(space.valid(n) for n in nbrs)
        for n in nbrs:
            if n not in seen:
                seen.add(n)
                frontier.append(n)
    assert len(seen) == space.count()  # every recommendation is reachable by moves


# -- KN selection against a truth known in advance ------------------------------------------------


class FakeEvaluator:
    """Scores with known means: integer draws of mean ``mu[s]`` per simulation (common random
    numbers: one draw per simulation shared by all strategies, plus independent noise)."""

    def __init__(self, mu, seed):
        self.mu = np.asarray(mu)
        self.counted = 0
        self.seed = seed

    def scores(self, strategies, key, first, n):
        idx = [int(s[0]) for s in strategies]
        rng = np.random.default_rng([self.seed, first])
        common = rng.integers(0, 3, size=(n, 1))
        noise = rng.binomial(1, 0.5, size=(n, len(self.mu)))
        # mean of common + noise + 100 * mu, in hundredths: integer scores
        out = 100 * (common + noise) + np.round(100 * self.mu)[None, :].astype(np.int64)
        self.counted += n * len(idx)
        return out[:, idx]


def test_kn_selects_the_best_with_the_promised_probability():
    # the best is exactly delta better than the rest (the hardest case KN guarantees)
    delta = 0.2  # (scores are in hundredths: the zone is 100 * delta)
    mu = [0.0, 0.0, 0.2, 0.0, 0.0]
    wrong = 0
    runs = 200
    for rep in range(runs):
        ev = FakeEvaluator(mu, rep)
        finalists = [opt.Entry((), np.array([i]), "search") for i in range(len(mu))]
        best, survivors, _ = opt._select(ev, finalists, None, 100 * delta, 10**9)
        assert survivors == 1
        wrong += best is not finalists[2]
    assert wrong / runs <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / runs)


def test_kn_stops_on_exact_ties_and_on_the_budget():
    ev = FakeEvaluator([0.0, 0.0], 3)
    twins = [opt.Entry((), np.array([0]), "search"), opt.Entry((), np.array([0]), "b")]
    best, survivors, n = opt._select(ev, twins, None, 0.5, 10**9)
    assert survivors == 2 and best is twins[0] and n < 1000
    ev = FakeEvaluator([0.0, 0.001, 0.0], 4)
    three = [opt.Entry((), np.array([i]), "search") for i in range(3)]
    _, survivors, n = opt._select(ev, three, None, 0.001, 3 * 200)
    assert survivors >= 2 and ev.counted <= 3 * 200 + 3 * opt.KN_FIRST_STAGE


# -- the whole job against an enumeration ---------------------------------------------------------


@pytest.fixture(scope="module")
def enumeration(tmp_path_factory):
    """Every one of the 216 recommendations, as strategies of one scenario run by `simcore
    run` on 2,000 simulations: per-simulation Hilltop seats, (sims, strategies)."""
    folder = tmp_path_factory.mktemp("enum")
    perms = list(itertools.permutations(HILL))
    text = SMALL.read_text()
    head = text[: text.index("[strategies.national]")]
    head = head.replace(
        'abc = ["Alice Hill", "Ben Hill", "Cara Hill"]\n',
        "".join(f"o{i} = {json.dumps(list(p))}\n" for i, p in enumerate(perms)),
    )
    names = []
    blocks = []
    for combo in itertools.product(range(6), repeat=3):
        name = "s" + "".join(map(str, combo))
        names.append((name, tuple(perms[c] for c in combo)))
        mapping = ", ".join(f'{r} = "o{c}"' for r, c in zip(REGIONS, combo, strict=True))
        blocks.append(f"[strategies.{name}]\nhill = {{ {mapping} }}\n")
    path = folder / "all.toml"
    path.write_text(head + "\n".join(blocks))
    out = folder / "out"
    args = ["run", str(path), "--sims", "2000", "--seed", "99", "--out", str(out), "-q"]
    args.append("--no-report")  # (a report of 216 strategies is no use to anyone)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    table = pq.read_table(out / "simulations.parquet", columns=["strategy", "seats_hill"])
    strategy = np.array(table["strategy"].to_pylist())
    seats = np.array(table["seats_hill"].to_pylist(), np.int64)
    values = np.stack([seats[strategy == n] for n, _ in names], axis=1)
    return [rec for _, rec in names], values


def _truth(enumeration, orderings):
    recs, values = enumeration
    rec = tuple(tuple(orderings[r]) for r in REGIONS)
    return values[:, recs.index(rec)], values


@pytest.mark.parametrize("search", ["local", "exhaustive"])
def test_pick_is_the_best_or_within_two_paired_standard_errors(enumeration, search, tmp_path):
    sc = read_scenario(SMALL)
    # (the precision asked is below two of the enumeration's paired standard errors, 0.007)
    opts = OptimizeOptions(
        slate="hill", budget=300_000, precision=0.005, seed=11, search=search, threads=2
    )
    result = run_optimize(sc, opts, out=tmp_path / "o")
    picked, values = _truth(enumeration, result.summary["best"]["orderings"])
    means = values.mean(axis=0)
    best = values[:, int(np.argmax(means))]
    diff = picked - best
    se = diff.std(ddof=1) / math.sqrt(diff.size)
    assert diff.mean() >= -2 * se - 1e-12, (diff.mean(), se)
    # and far above a typical strategy: the search did something
    assert picked.mean() > np.median(means) + 0.02
    # the reported estimate (fresh simulations) is unbiased: it agrees with the enumeration's
    est, est_se = result.summary["best"]["estimate"], result.summary["best"]["std_error"]
    truth_se = picked.std(ddof=1) / math.sqrt(picked.size)
    assert abs(est - picked.mean()) <= 3 * math.hypot(est_se, truth_se)
    assert result.outcome.method == search


def test_reported_estimates_are_unbiased_where_the_search_ones_are_not(enumeration):
    """Over several seeds, the final estimate of the pick has no winner's curse: its mean error
    against the truth is within Monte Carlo error, while the search's own (training) estimate
    of the pick is too high on average."""
    sc = read_scenario(SMALL)
    final_err, train_err, ses = [], [], []
    for seed in range(6):
        opts = OptimizeOptions(slate="hill", budget=40_000, seed=seed, train_sims=50, threads=2)
        result = run_optimize(sc, opts)
        picked, _ = _truth(enumeration, result.summary["best"]["orderings"])
        final_err.append(result.summary["best"]["estimate"] - picked.mean())
        ses.append(result.summary["best"]["std_error"])
        train_err.append(result.outcome.best.train.mean - picked.mean())
    bound = 3 * math.sqrt(sum(s * s for s in ses)) / len(ses) + 0.005
    assert abs(np.mean(final_err)) <= bound, (final_err, bound)
    assert np.mean(train_err) > np.mean(final_err)


def test_same_result_for_any_threads_and_chunking(tmp_path, monkeypatch):
    sc = read_scenario(SMALL)

    def go(threads, name):
        opts = OptimizeOptions(
            slate="hill", budget=30_000, seed=3, search="local", train_sims=40, threads=threads
        )
        result = run_optimize(sc, opts, out=tmp_path / name)
        table = pq.read_table(tmp_path / name / "search.parquet")
        return (
            result.summary,
            table.drop(["selected"]).to_pylist(),
            (tmp_path / name / "final.csv").read_text(),
        )

    a = go(1, "a")
    monkeypatch.setattr(strategy_eval, "SIMS_PER_CALL", 7)
    monkeypatch.setattr(strategy_eval, "BATCH", 5)
    b = go(2, "b")
    assert a == b


# -- the command ----------------------------------------------------------------------------------


def _run(*args):
    return CliRunner().invoke(cli, ["optimize", *map(str, args)])


def test_json_shape_and_files(tmp_path):
    out = tmp_path / "o"
    copy = tmp_path / "with.toml"
    res = _run(
        SMALL,
        "--slate",
        "hill",
        "--budget",
        "40000",
        "--seed",
        "2",
        "--out",
        out,
        "--write",
        copy,
        "--json",
    )
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert list(got) == ["objective", "slate", "best", "candidates_evaluated", "simulations_run"]
    assert list(got["best"]) == ["orderings", "estimate", "std_error", "simulations", "vs"]
    assert got["objective"] == "seats" and got["slate"] == "hill"
    assert list(got["best"]["orderings"]) == REGIONS
    assert all(sorted(o) == HILL for o in got["best"]["orderings"].values())
    assert list(got["best"]["vs"]) == ["national"]
    assert set(got["best"]["vs"]["national"]) == {"difference", "std_error"}
    assert got["candidates_evaluated"] == 216  # (the space fits the budget: exhaustive)
    assert sorted(p.name for p in out.iterdir()) == [
        "final.csv",
        "optimized.toml",
        "plots",  # (the report: tests/test_report_kinds.py)
        "report.html",
        "run.json",
        "scenario.toml",
        "search.parquet",
        "summary.xlsx",
    ]
    meta = json.loads((out / "run.json").read_text())
    assert meta["result"] == got and meta["seed"] == 2
    # the scenario copy runs the optimized strategy, and keeps the file's comments
    text = copy.read_text()
    assert text.startswith("# A small election whose 216")
    sc = read_scenario(copy)
    names = [s.name for s in sc.strategies]
    assert names == ["national", "optimized"]
    hill = sc.slates[0]
    mapped = sc.strategies[1].orderings["hill"]
    assert {r: list(hill.orderings[mapped[r]]) for r in REGIONS} == got["best"]["orderings"]
    # optimized.toml holds the same orderings and strategy, as valid TOML
    snippet = tomllib.loads((out / "optimized.toml").read_text())
    assert "optimized" in snippet["strategies"]
    # search.parquet: every strategy scored, one selected; final.csv: the selected one first
    search = pq.read_table(out / "search.parquet").to_pylist()
    assert len(search) == 216 and sum(r["selected"] for r in search) == 1
    assert all(r["train_simulations"] > 0 for r in search)
    final = (out / "final.csv").read_text().splitlines()
    assert final[0].startswith("rank,strategy,origin,selected,orderings,estimate")
    assert ",True," in final[1] and len(final) >= 3


def test_a_file_strategy_outside_the_space_is_compared_but_never_chosen(tmp_path):
    # the file's "split" gives each region another order (the best there is, by the
    # enumeration); with --same-order-everywhere the pick must still be one order everywhere
    text = SMALL.read_text().replace(
        'abc = ["Alice Hill", "Ben Hill", "Cara Hill"]\n',
        'abc = ["Alice Hill", "Ben Hill", "Cara Hill"]\n'
        'bac = ["Ben Hill", "Alice Hill", "Cara Hill"]\n'
        'acb = ["Alice Hill", "Cara Hill", "Ben Hill"]\n'
        'cba = ["Cara Hill", "Ben Hill", "Alice Hill"]\n',
    )
    text += '\n[strategies.split]\nhill = { East = "bac", West = "acb", North = "cba" }\n'
    path = tmp_path / "split.toml"
    path.write_text(text)
    res = _run(
        path,
        "--slate",
        "hill",
        "--same-order-everywhere",
        "--budget",
        "30000",
        "--seed",
        "3",
        "--out",
        tmp_path / "o",
        "--no-report",
        "--json",
    )
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    assert len({tuple(o) for o in got["best"]["orderings"].values()}) == 1
    assert set(got["best"]["vs"]) == {"national", "split"}
    assert got["best"]["vs"]["split"]["difference"] < 0  # (split is better, and not allowed)


def test_the_nec_scenario_is_accepted_with_its_options():
    sc = read_scenario(ROOT / "scenarios" / "nec-2020.toml")
    from simcore.jobs.optimize_run import build_space
    from simcore.sim.plan import compile_plan

    plan = compile_plan(sc)
    k, space = build_space(
        sc, plan, OptimizeOptions(slate="gv", max_orders=6, fix=("Laura Pidcock=1",))
    )
    assert sc.slates[k].id == "gv" and space.count() == 120**6
    # the file's regional strategy is a valid start under --max-orders 6
    from simcore.jobs.strategy_eval import Evaluator, parse_objective

    ev = Evaluator(plan, k, 0, parse_objective("seats", plan, k))
    assert space.valid(ev.recommendation(0))
    assert not space.valid(ev.recommendation(1))  # (area2 does not start with Pidcock)


BAD = [
    (["--slate", "nope"], "--slate 'nope': no such slate (slates: hill, river)"),
    (["--slate", "hill", "--fix", "Dev River=1"], "not a candidate of the slate's orders"),
    (["--slate", "hill", "--fix", "Alice Hill=4"], "the position must be between 1 and 3"),
    (["--slate", "hill", "--fix", "Alice Hill"], "expected NAME=POSITION"),
    (["--slate", "hill", "--fix", "Alice Hill=1", "--fix", "Ben Hill=1"], "already given"),
    (["--slate", "hill", "--objective", "elected:Nobody"], "no candidate named 'Nobody'"),
    (["--slate", "hill", "--objective", "seats>=4"], "K must be between 1 and 3"),
    (["--slate", "hill", "--objective", "wins"], "expected seats, seats>=K"),
    (["--slate", "hill", "--max-orders", "0"], "--max-orders 0: expected at least 1"),
    (["--slate", "hill", "--same-order-everywhere", "--max-orders", "2"], "contradict"),
    (["--slate", "hill", "--budget", "100"], "--budget 100: too small to say anything"),
    (["--slate", "hill", "--base", "other"], "--base 'other': no such strategy"),
    (["--slate", "river"], None),  # fine: two candidates, two orders to choose from
]


@pytest.mark.parametrize("args, message", BAD)
def test_bad_input_gets_one_line(args, message, tmp_path):
    if message is None:
        res = _run(SMALL, *args, "--budget", "20000", "--out", tmp_path / "o", "--json")
        assert res.exit_code == 0, res.output
        return
    res = _run(SMALL, *args, "--out", tmp_path / "o")
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simcore: error:"), res.output
    assert message in lines[0], lines[0]


def test_refuses_colleges_and_slates_with_nothing_to_choose(tmp_path):
    res = _run(ROOT / "scenarios" / "labour-leadership-2010.toml", "--slate", "x")
    assert res.exit_code == 2 and "college scenario has no recommended orderings" in res.output
    text = SMALL.read_text().replace('main = ["Dev River", "Ella River"]', 'main = ["Dev River"]')
    one = tmp_path / "one.toml"
    one.write_text(text)
    res = _run(one, "--slate", "river")
    assert res.exit_code == 2 and "rank one candidate" in res.output
    text = SMALL.read_text().replace("share = 0.30\nswing_sd = 0.03", "share = 0.0")
    none = tmp_path / "none.toml"
    none.write_text(text)
    res = _run(none, "--slate", "hill")
    assert res.exit_code == 2 and "no supporters in any region" in res.output
