"""Dask benchmarks: a LocalCluster of 2 worker processes against 2 threads, and the cost of one
task (docs/cluster.md uses these figures for the scaling to expect on more cores)."""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import ROOT, benchmark

SCENARIO = Path(__file__).parent / "scenarios" / "nec-bench.toml"
TRIVIAL = ROOT / "scenarios" / "quickstart.toml"


def _rate(backend, plan, sims: int, chunk: int) -> float:
    """Simulations per second through ``backend`` (kernels already warm), outputs not written."""
    t = time.perf_counter()
    done = sum(c.n for c in backend.chunks(plan, sims, 1, chunk))
    return done / (time.perf_counter() - t)


def _both(fn):
    from simcore.sim.dask_runner import DaskBackend
    from simcore.sim.runner import LocalBackend

    out = {}
    for name, backend in (("threads_2", LocalBackend(2)), ("dask_local_2", DaskBackend("local:2"))):
        try:
            out[name] = fn(backend)
        finally:
            backend.close()
    return out


@benchmark(
    "dask-vs-threads",
    "NEC-scale scenario: simulations/s on a Dask LocalCluster of 2 worker processes "
    "against 2 threads (same chunks, outputs not written)",
)
def dask_vs_threads(quick: bool) -> dict:
    from simcore.inputs.scenario_file import read_scenario
    from simcore.sim.plan import compile_plan

    plan = compile_plan(read_scenario(SCENARIO))
    sims = 24 if quick else 400

    def measure(backend):
        backend.time_chunk(plan, 1, 1)  # compile, load, warm
        per_sim = backend.time_chunk(plan, 1, 4) / 4
        chunk = max(8, min(int(0.5 / per_sim), sims // 8))
        return round(_rate(backend, plan, sims, chunk), 2), chunk, round(per_sim * 1000, 2)

    got = _both(measure)
    return {
        "sims": sims,
        "threads_2_sims_per_s": got["threads_2"][0],
        "dask_local_2_sims_per_s": got["dask_local_2"][0],
        "dask_over_threads": round(got["dask_local_2"][0] / got["threads_2"][0], 3),
        "chunk_size": got["dask_local_2"][1],
        "ms_per_sim_on_a_worker": got["dask_local_2"][2],
    }


@benchmark(
    "dask-task-overhead",
    "the cost of a task: chunks of one simulation of a trivial scenario through a Dask "
    "LocalCluster of 2 workers against 2 threads",
)
def dask_task_overhead(quick: bool) -> dict:
    from simcore.inputs.scenario_file import read_scenario
    from simcore.sim.plan import compile_plan

    plan = compile_plan(read_scenario(TRIVIAL))
    tasks = 100 if quick else 1000

    def measure(backend):
        backend.time_chunk(plan, 1, 1)
        return 1000 / _rate(backend, plan, tasks, 1)  # ms per chunk of one simulation

    got = _both(measure)
    return {
        "tasks": tasks,
        "threads_2_ms_per_chunk": round(got["threads_2"], 3),
        "dask_local_2_ms_per_chunk": round(got["dask_local_2"], 3),
        "dask_overhead_ms_per_task": round(got["dask_local_2"] - got["threads_2"], 3),
    }
