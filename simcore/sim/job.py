"""``run_scenario``: simulate a scenario, write its outputs, return the summary."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simcore.model.scenario import Scenario
from simcore.results.accumulate import Accumulator, CollegeAccumulator
from simcore.results.sim_outputs import (
    RunFolder,
    SimulationRows,
    college_summary_rows,
    summary_rows,
    write_summary,
)
from simcore.sim.plan import compile_plan
from simcore.sim.rng import stream_key
from simcore.sim.runner import default_threads, run_chunk, simulate


@dataclass
class RunSummary:
    rows: list[dict]
    metadata: dict
    out: Path | None


def scenario_hash(sc: Scenario) -> str:
    if sc.source and Path(sc.source).is_file():
        return hashlib.sha256(Path(sc.source).read_bytes()).hexdigest()
    return hashlib.sha256(repr(sc).encode()).hexdigest()


def versions() -> dict:
    import numba
    import pyarrow

    from simcore import __version__

    return {
        "simcore": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "pyarrow": pyarrow.__version__,
    }


def run_scenario(
    sc: Scenario,
    *,
    sims: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    threads: int | None = None,
    chunk_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunSummary:
    """Simulate ``sc`` ``sims`` times (default: the scenario's) with ``seed`` (default: the
    scenario's, else a fresh one), writing outputs to ``out`` when given.  ``chunk_size``
    (simulations per unit of work; default: about 50 ms of work each) never changes results."""
    from simcore.counting.api import new_seed

    sims = int(sims if sims is not None else sc.sims)
    seed = int(seed if seed is not None else (sc.seed if sc.seed is not None else new_seed()))
    threads = threads or default_threads()
    plan = compile_plan(sc)
    folder = RunFolder(out, force) if out is not None else None
    meta = {
        "scenario": sc.title,
        "scenario_file": sc.source,
        "scenario_sha256": scenario_hash(sc),
        "seed": seed,
        "simulations": sims,
        "threads": threads,
        "rule": sc.rule if sc.college is None else f"college: {sc.college.method}",
        "seats": sc.seats,
        "strategies": [s.name for s in sc.strategies],
        "versions": versions(),
        "command": " ".join(sys.argv),
    }
    rows_out = None
    try:
        t0 = time.perf_counter()
        run_chunk(plan, stream_key(seed), 0, 1)  # compile (or load) the kernels
        compile_s = time.perf_counter() - t0
        if chunk_size is None:
            chunk_size = auto_chunk_size(plan, seed)
        meta["chunk_size"] = chunk_size
        if folder is not None:
            rows_out = SimulationRows(folder.file("simulations.parquet"), plan, meta)
        if plan.is_college:
            acc = CollegeAccumulator(
                plan.n_strategies, plan.ncand, plan.n_regions, sc.college.method == "block"
            )
        else:
            acc = Accumulator(
                plan.n_strategies, plan.n_slates, plan.seats, plan.ncand, plan.slate_of
            )
        t1 = time.perf_counter()
        done = 0
        for chunk in simulate(plan, sims, seed, threads=threads, chunk_size=chunk_size):
            if plan.is_college:
                acc.add(chunk.elected, chunk.extra)
                seats = None
            else:
                seats = acc.add(chunk.elected)
            if rows_out is not None:
                rows_out.write(chunk.first, chunk.elected, seats, chunk.stats, chunk.extra)
            done += chunk.n
            if progress is not None:
                progress(done, sims)
        sim_s = time.perf_counter() - t1
        meta["timings"] = {
            "compile_or_load_s": round(compile_s, 3),
            "simulate_s": round(sim_s, 3),
            "simulations_per_s": round(sims / sim_s, 1) if sim_s > 0 else None,
        }
        rows = college_summary_rows(acc, plan) if plan.is_college else summary_rows(acc, plan)
        if folder is not None:
            rows_out.close(meta["timings"])
            rows_out = None
            write_summary(folder, rows, meta)
            folder.publish()
    except BaseException:
        if rows_out is not None:
            rows_out.writer.close()
        if folder is not None:
            folder.abandon()
        raise
    return RunSummary(rows, meta, folder.path if folder else None)


def auto_chunk_size(plan, seed: int) -> int:
    """Simulations per unit of work: about 50 ms each, so that threads stay busy and the
    per-chunk bookkeeping stays small whether a simulation takes 50 us or 50 ms."""
    t = time.perf_counter()
    run_chunk(plan, stream_key(seed), 0, 4)
    per_sim = max((time.perf_counter() - t) / 4, 1e-6)
    return int(min(max(0.05 / per_sim, 8), 4096))


def summary_json(summary: RunSummary) -> str:
    return json.dumps({"metadata": summary.metadata, "summary": summary.rows}, indent=2)
