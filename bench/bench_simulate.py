"""Simulation benchmarks: the NEC-scale scenario end to end, and its cost split."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import votekit_runner
from bench.calibration import GATE_REPEATS, paired_cost
from bench.common import benchmark, gate_figures

SCENARIO = Path(__file__).parent / "scenarios" / "nec-bench.toml"


SAMPLE = 10  # voters per ballot of the sampled runs (the documented approximation)


def _run_process(
    sims: int, threads: int, out: Path, scenario: Path = SCENARIO, extra: tuple = ()
) -> dict:
    """``simcore run`` in a fresh process: its own timings, its peak memory and its CPU
    utilisation (user + system CPU time over the process's wall time, start-up included: about
    1 on one busy core, up to the number of threads when they all run at once)."""
    cmd = [
        sys.executable,
        "-P",  # never import from the current folder
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
        *extra,
    ]
    log = out.with_suffix(".stderr")
    with open(log, "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"simcore run failed: {log.read_text()}")
    meta = json.loads((out / "run.json").read_text())
    return {
        "sims_per_s": meta["timings"]["simulations_per_s"],
        "simulate_s": meta["timings"]["simulate_s"],
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "cpu_utilisation": round((usage.ru_utime + usage.ru_stime) / wall, 2),
    }


def parallel_efficiency(one_thread_per_s: float, two_threads_per_s: float) -> float:
    """Simulations/s on 2 threads over twice those on 1: 1.0 is perfect scaling, 0.5 none."""
    return round(two_threads_per_s / (2 * one_thread_per_s), 3)


@benchmark(
    "simulate-nec",
    "NEC-scale scenario (42 candidates, ~130,000 voters, 9 seats, "
    "6 regions, 3 slates, 2 strategies, Scottish rule) end to end",
)
def simulate_nec(quick: bool) -> dict:
    from simcore.inputs.scenario_file import read_scenario
    from simcore.kernels.rng import stream_key
    from simcore.sim.plan import compile_plan
    from simcore.sim.runner import capacity_for, run_chunk

    sims = 40 if quick else 2000
    out: dict = {"scenario": SCENARIO.name, "simulations": sims}
    sampled = f"sampled_1_in_{SAMPLE}"
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 2):
            r = _run_process(sims, threads, Path(tmp) / f"t{threads}")
            out[f"threads_{threads}_sims_per_s"] = r["sims_per_s"]
            out[f"threads_{threads}_peak_rss_mib"] = r["peak_rss_mib"]
            out[f"threads_{threads}_cpu_utilisation"] = r["cpu_utilisation"]
        out["parallel_efficiency"] = parallel_efficiency(
            out["threads_1_sims_per_s"], out["threads_2_sims_per_s"]
        )
        # exact, with the eager generator (before lazy trees: another stream, the same model)
        for threads in (1, 2):
            r = _run_process(
                sims,
                threads,
                Path(tmp) / f"e{threads}",
                extra=("--set", "simulation.generator=eager"),
            )
            out[f"eager_threads_{threads}_sims_per_s"] = r["sims_per_s"]
            out[f"eager_threads_{threads}_peak_rss_mib"] = r["peak_rss_mib"]
        # the documented approximation (see the sampling-effect benchmark for what it moves)
        for threads in (1, 2):
            r = _run_process(
                sims * 5, threads, Path(tmp) / f"s{threads}", extra=("--voters-per-ballot", "10")
            )
            out[f"{sampled}_threads_{threads}_sims_per_s"] = r["sims_per_s"]
            out[f"{sampled}_threads_{threads}_peak_rss_mib"] = r["peak_rss_mib"]
            out[f"{sampled}_threads_{threads}_cpu_utilisation"] = r["cpu_utilisation"]
        out[f"{sampled}_parallel_efficiency"] = parallel_efficiency(
            out[f"{sampled}_threads_1_sims_per_s"], out[f"{sampled}_threads_2_sims_per_s"]
        )
    # where the time goes, on one thread: generation alone vs generation + counting (lazy trees,
    # the default: their generation goes on in the counts, so "count" includes the expansions);
    # the eager generator for comparison
    sc = read_scenario(SCENARIO)
    variants = ((1, "lazy", ""), (1, "eager", "eager_"), (SAMPLE, "eager", f"{sampled}_"))
    for k, generator, label in variants:
        plan = compile_plan(dataclasses.replace(sc, voters_per_ballot=k, generator=generator))
        key = stream_key(1)
        n = (10 if quick else 200) * k
        cap = capacity_for(int(run_chunk(plan, key, 0, 2).nodes.max()))
        gen_s, total_s = [], []
        for _ in range(1 if quick else 3):  # (medians of 3)
            t = time.perf_counter()
            gen = run_chunk(plan, key, 0, n, count=False, capacity=cap)
            gen_s.append((time.perf_counter() - t) / n)
            t = time.perf_counter()
            counted = run_chunk(plan, key, 0, n, count=True, capacity=cap)
            total_s.append((time.perf_counter() - t) / n)
        g, tot = float(np.median(gen_s)), float(np.median(total_s))
        out[f"{label}generate_ms_per_sim"] = round(g * 1e3, 3)
        out[f"{label}count_ms_per_sim"] = round((tot - g) * 1e3, 3)
        out[f"{label}count_ms_per_strategy"] = round((tot - g) * 1e3 / plan.n_strategies, 3)
        out[f"{label}ballot_tree_nodes"] = int(gen.nodes.mean())
        if plan.lazy:  # nodes generated in all: at generation, then expanded by the counts
            out[f"{label}ballot_tree_nodes_after_counts"] = int(counted.nodes.mean())
    out[f"{sampled}_million_sims_minutes_2_threads"] = round(
        1e6 / out[f"{sampled}_threads_2_sims_per_s"] / 60, 1
    )
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


def chunk_cost(bench: str, scenario: Path, sims: int, **changes) -> dict:
    """One simulation of ``scenario`` on one thread (a chunk of ``sims``, always the same ones),
    in calibration loops: simulations per second, normalised."""
    from simcore.inputs.scenario_file import read_scenario
    from simcore.kernels.rng import stream_key
    from simcore.sim.plan import compile_plan
    from simcore.sim.runner import capacity_for, run_chunk

    sc = read_scenario(scenario)
    plan = compile_plan(dataclasses.replace(sc, **changes) if changes else sc)
    key = stream_key(1)
    cap = capacity_for(int(run_chunk(plan, key, 0, sims).nodes.max()))
    return paired_cost(
        bench, lambda: run_chunk(plan, key, 0, sims, capacity=cap), GATE_REPEATS, sims
    )


@gate_figures("simulate-nec")
def simulate_nec_gate(quick: bool) -> dict:
    return {
        "exact_sim": chunk_cost("simulate-nec", SCENARIO, 2),
        f"sampled_1_in_{SAMPLE}_sim": chunk_cost(
            "simulate-nec", SCENARIO, 8, voters_per_ballot=SAMPLE
        ),
    }


@benchmark(
    "sampling-effect",
    f"What --voters-per-ballot {SAMPLE} moves in the NEC-scale scenario (paired runs: "
    "exact, exact again, sampled)",
)
def sampling_effect(quick: bool) -> dict:
    from simcore.inputs.scenario_file import read_scenario
    from simcore.jobs.sampling_check import check_sampling

    sims = 40 if quick else 2000
    check = check_sampling(read_scenario(SCENARIO), SAMPLE, sims, 1, threads=2)
    big = check.largest_shift()
    return {
        "scenario": SCENARIO.name,
        "simulations": sims,
        "voters_per_ballot": SAMPLE,
        "exact_sims_per_s_2_threads": round(check.exact_per_s, 1),
        "sampled_sims_per_s_2_threads": round(check.sampled_per_s, 1),
        "elected_differ_share": round(check.differ_share, 4),
        "exact_vs_exact_differ_share": round(check.baseline_differ_share, 4),
        "exact_vs_exact_largest_abs_z": round(max(abs(r["z"]) for r in check.baseline_rows), 2),
        "largest_shift": round(big["shift"], 4),
        "largest_shift_std_error": round(big["shift_std_error"], 4),
        "largest_shift_measure": f"{big['strategy']}: {big['measure']} "
        f"{big['candidate'] or big['slate']}"
        + (f" k={big['seats']}" if big["seats"] is not None else ""),
        "largest_abs_z": round(max(abs(r["z"]) for r in check.rows), 2),
        "measures_abs_z_over_3": sum(abs(r["z"]) > 3 for r in check.rows),
        "measures": len(check.rows),
    }
