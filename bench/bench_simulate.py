"""Simulation benchmarks: the NEC-scale scenario end to end, and its cost split."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import votekit_runner
from bench.common import benchmark

SCENARIO = Path(__file__).parent / "scenarios" / "nec-bench.toml"


def _run_process(sims: int, threads: int, out: Path, scenario: Path = SCENARIO) -> dict:
    """``simcore run`` in a fresh process; its own timings and its peak memory."""
    cmd = [
        sys.executable,
        "-m",
        "simcore.cli.main",
        "run",
        str(scenario),
        "--sims",
        str(sims),
        "--threads",
        str(threads),
        "--out",
        str(out),
        "--quiet",
        "--seed",
        "1",
    ]
    log = out.with_suffix(".stderr")
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"simcore run failed: {log.read_text()}")
    meta = json.loads((out / "run.json").read_text())
    return {
        "sims_per_s": meta["timings"]["simulations_per_s"],
        "simulate_s": meta["timings"]["simulate_s"],
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


@benchmark(
    "simulate-nec",
    "NEC-scale scenario (42 candidates, ~130,000 voters, 9 seats, "
    "6 regions, 3 slates, 2 strategies, Scottish rule) end to end",
)
def simulate_nec(quick: bool) -> dict:
    from simcore.inputs.scenario_file import read_scenario
    from simcore.sim.plan import compile_plan
    from simcore.sim.rng import stream_key
    from simcore.sim.runner import capacity_for, run_chunk

    sims = 40 if quick else 2000
    out: dict = {"scenario": SCENARIO.name, "simulations": sims}
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 2):
            r = _run_process(sims, threads, Path(tmp) / f"t{threads}")
            out[f"threads_{threads}_sims_per_s"] = r["sims_per_s"]
            out[f"threads_{threads}_peak_rss_mib"] = r["peak_rss_mib"]
    # where the time goes, on one thread: generation alone vs generation + counting
    plan = compile_plan(read_scenario(SCENARIO))
    key = stream_key(1)
    n = 10 if quick else 200
    cap = capacity_for(int(run_chunk(plan, key, 0, 2).nodes.max()))
    t = time.perf_counter()
    gen = run_chunk(plan, key, 0, n, count=False, capacity=cap)
    gen_s = (time.perf_counter() - t) / n
    t = time.perf_counter()
    run_chunk(plan, key, 0, n, count=True, capacity=cap)
    total_s = (time.perf_counter() - t) / n
    out["generate_ms_per_sim"] = round(gen_s * 1e3, 3)
    out["count_ms_per_sim"] = round((total_s - gen_s) * 1e3, 3)
    out["count_ms_per_strategy"] = round((total_s - gen_s) * 1e3 / plan.n_strategies, 3)
    out["ballot_tree_nodes"] = int(gen.nodes.mean())
    per_sim_1 = 1.0 / out["threads_1_sims_per_s"]
    ref = votekit_runner.run("pipeline", 130_000, 9, 1 if quick else 3, timeout=3600)
    if "total_s" in ref:
        out["votekit_version"] = ref["votekit"]
        out["votekit_generate_s"] = round(ref["generate_s"], 3)
        out["votekit_count_s"] = round(ref["count_s"], 3)
        out["votekit_s_per_sim"] = round(ref["total_s"], 3)
        out["speedup_vs_votekit_one_thread"] = round(ref["total_s"] / per_sim_1, 1)
    else:
        out["votekit"] = ref
    return out
