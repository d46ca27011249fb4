"""Optimizer benchmarks: the cost of one strategy counted on an already generated NEC-scale
electorate (the optimizer's unit cost), and the wall time of a whole search to a decision."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bench.common import benchmark

SCENARIO = Path(__file__).parent / "scenarios" / "nec-bench.toml"
STRATEGIES = 64  # strategies counted together on each electorate (the optimizer's batch)


@benchmark(
    "optimize-nec",
    "simcore optimize at NEC scale (nec-bench.toml, slate gv: 6 candidates in 6 regions): "
    "strategies counted per second on shared electorates, and a search to a decision",
)
def optimize_nec(quick: bool) -> dict:
    from simcore.inputs.scenario_file import read_scenario
    from simcore.jobs.optimize_run import OptimizeOptions, build_space, run_optimize
    from simcore.jobs.strategy_eval import Evaluator, parse_objective, phase_key
    from simcore.kernels.rng import stream_key
    from simcore.sim.plan import compile_plan
    from simcore.sim.runner import capacity_for, run_chunk

    sc = read_scenario(SCENARIO)
    plan = compile_plan(sc)
    opts = OptimizeOptions(slate="gv", max_orders=6)
    k, space = build_space(sc, plan, opts)
    rng = np.random.default_rng(1)
    recs = [space.random(rng) for _ in range(STRATEGIES)]
    n = 4 if quick else 32
    out: dict = {"scenario": SCENARIO.name, "strategies_per_electorate": STRATEGIES}
    cap = capacity_for(int(run_chunk(plan, stream_key(1), 0, 2).nodes.max()))
    # generation alone, then generation + counting the batch, on one thread
    t = time.perf_counter()
    run_chunk(plan, phase_key(1, "search"), 0, n, count=False, capacity=cap)
    gen_s = (time.perf_counter() - t) / n
    for threads in (1, 2):
        ev = Evaluator(plan, k, 0, parse_objective("seats", plan, k), threads=threads)
        ev.largest = cap
        strategies = [ev.strategy(r) for r in recs]
        ev.scores(strategies[:2], phase_key(1, "search"), 0, 2)  # (warm)
        t = time.perf_counter()
        ev.scores(strategies, phase_key(1, "search"), 0, n * threads)
        wall = time.perf_counter() - t
        out[f"threads_{threads}_strategy_simulations_per_s"] = round(
            n * threads * STRATEGIES / wall, 1
        )
        out[f"threads_{threads}_electorates_per_s"] = round(n * threads / wall, 2)
        if threads == 1:
            count_s = (wall / n - gen_s) / STRATEGIES
            out["generate_ms_per_electorate"] = round(gen_s * 1e3, 3)
            out["count_ms_per_strategy"] = round(count_s * 1e3, 3)
            out["strategies_counted_per_s_one_thread"] = round(1 / count_s, 1)
    # a whole search to a decision at +/- 0.02 seats, on 2 threads
    budget = 20_000 if quick else 200_000
    t = time.perf_counter()
    result = run_optimize(
        sc,
        OptimizeOptions(slate="gv", max_orders=6, budget=budget, precision=0.02, seed=1, threads=2),
    )
    meta = result.metadata
    out["decision_budget"] = budget
    out["decision_wall_s"] = round(time.perf_counter() - t, 1)
    out["decision_strategies_scored"] = result.summary["candidates_evaluated"]
    out["decision_strategy_simulations"] = result.summary["simulations_run"]
    out["decision_final_simulations"] = meta["final"]["simulations"]
    out["decision_widest_half_width"] = meta["final"]["widest_half_width"]
    out["decision_precision_met"] = meta["final"]["precision_met"]
    out["decision_vs_file"] = {
        name: round(d["difference"], 4) for name, d in result.summary["best"]["vs"].items()
    }
    return out
