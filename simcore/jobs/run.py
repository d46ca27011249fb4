"""``run_scenario``: simulate a scenario, write its outputs, return the summary."""

from __future__ import annotations

import hashlib
import json
import math
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simcore.kernels.rng import stream_key
from simcore.model.scenario import Scenario
from simcore.results.accumulate import Accumulator, CollegeAccumulator
from simcore.results.first_pref_outputs import first_preference_accumulator, first_preference_rows
from simcore.results.folder_extras import write_extras
from simcore.results.run_folder import RunFolder
from simcore.results.sim_outputs import (
    SUMMARY_COLUMNS,
    SimulationRows,
    college_summary_rows,
    summary_rows,
    write_summary,
)
from simcore.sim.first_prefs import by_strategy
from simcore.sim.plan import compile_plan
from simcore.sim.runner import ChunkResult, default_threads, run_chunk, simulate

CHECK_EVERY = 1000  # simulations between checks of a run's precision


@dataclass
class RunSummary:
    rows: list[dict]
    metadata: dict
    out: Path | None


def scenario_hash(sc: Scenario) -> str:
    """SHA-256 of the scenario file's bytes, followed by its ``--set`` overrides if any."""
    if sc.source and Path(sc.source).is_file():
        h = hashlib.sha256(Path(sc.source).read_bytes())
        for text in sc.overrides:
            h.update(b"\0--set " + text.encode())
        return h.hexdigest()
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
    precision: float | None = None,
    check_every: int = CHECK_EVERY,
    voters_per_ballot: int | None = None,
    report: bool = False,
) -> RunSummary:
    """Simulate ``sc`` ``sims`` times (default: the scenario's) with ``seed`` (default: the
    scenario's, else a fresh one), writing outputs to ``out`` when given.  ``chunk_size``
    (simulations per unit of work; default: about 50 ms of work each) never changes results.

    With ``precision`` (default: the scenario's), ``sims`` is the most to run: the run stops at
    the first multiple of ``check_every`` simulations (in simulation order, so the stopping
    point does not depend on threads or chunking) where :func:`widest_half_width` of the
    summary is at most ``precision``.

    ``voters_per_ballot`` (default: the scenario's) K > 1 samples the electorate below each
    group's first drawn preference, 1 in K, each ballot counted K times (an approximation; see
    docs/scenarios.md and :mod:`simcore.jobs.sampling_check`).

    With ``report`` (and the report extra installed: see
    :func:`simcore.results.report.missing_modules`), ``out`` also gets ``report.html``,
    ``summary.xlsx`` and ``plots/``."""
    from simcore.counting.api import new_seed

    sims = int(sims if sims is not None else sc.sims)
    precision = precision if precision is not None else sc.precision
    seed = int(seed if seed is not None else (sc.seed if sc.seed is not None else new_seed()))
    threads = threads or default_threads()
    if voters_per_ballot is not None and voters_per_ballot != sc.voters_per_ballot:
        sc = sc.sampled(voters_per_ballot)
    plan = compile_plan(sc)
    meta = {
        "scenario": sc.title,
        "scenario_file": sc.source,
        "scenario_sha256": scenario_hash(sc),
        "overrides": list(sc.overrides),
        "seed": seed,
        "simulations": sims,
        "threads": threads,
        "voters_per_ballot": sc.voters_per_ballot,
        **(
            {"precision": precision, "max_simulations": sims, "check_every": check_every}
            if precision is not None
            else {}
        ),
        "rule": sc.rule if sc.college is None else f"college: {sc.college.method}",
        "seats": sc.seats,
        "strategies": [s.name for s in sc.strategies],
        "strategy_descriptions": {s.name: s.description for s in sc.strategies},
        "slates": {s.id: s.name for s in sc.slates},
        "versions": versions(),
        "command": " ".join(sys.argv),
    }
    rows_out = None
    folder = RunFolder(out, force) if out is not None else None  # (cleans up after itself)
    try:
        t0 = time.perf_counter()
        run_chunk(plan, stream_key(seed), 0, 1)  # compile (or load) the kernels
        compile_s = time.perf_counter() - t0
        if chunk_size is None:
            chunk_size = auto_chunk_size(plan, seed, sims, threads)
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
        summarise = college_summary_rows if plan.is_college else summary_rows
        first_prefs = first_preference_accumulator(plan)
        t1 = time.perf_counter()
        done = 0
        reached = False
        chunks = simulate(plan, sims, seed, threads=threads, chunk_size=chunk_size)
        try:
            for whole in chunks:
                # (cut at the checkpoints, so that a stop lands on the same simulation however
                # the work was chunked)
                for chunk in _cut(whole, check_every if precision is not None else 0):
                    if plan.is_college:
                        acc.add(chunk.elected, chunk.extra)
                        seats = None
                    else:
                        seats = acc.add(chunk.elected)
                    votes = by_strategy(chunk.first_prefs, chunk.first_slot, plan.orderings)
                    first_prefs.add(votes)
                    if rows_out is not None:
                        rows_out.write(
                            chunk.first, chunk.elected, seats, chunk.stats, chunk.extra, votes
                        )
                    done += chunk.n
                    if progress is not None:
                        progress(done, sims)
                    if precision is not None and (done % check_every == 0 or done == sims):
                        widest = widest_half_width(summarise(acc, plan))
                        meta["precision_reached"] = round(widest, 6)
                        reached = widest <= precision
                        if reached:
                            break
                if reached:
                    break
        finally:
            chunks.close()  # (finishes the work already handed to threads)
        if reached and progress is not None:
            progress(done, done)
        sim_s = time.perf_counter() - t1
        meta["simulations"] = done
        if precision is not None:
            meta["precision_met"] = reached
        meta["timings"] = {
            "compile_or_load_s": round(compile_s, 3),
            "simulate_s": round(sim_s, 3),
            "simulations_per_s": round(done / sim_s, 1) if sim_s > 0 else None,
        }
        rows = summarise(acc, plan) + first_preference_rows(first_prefs, plan, SUMMARY_COLUMNS)
        if folder is not None:
            # (the schema's metadata was written before the run: what it came to goes here)
            outcome = ("simulations", "precision_met", "precision_reached")
            rows_out.close({**meta["timings"], **{k: meta[k] for k in outcome if k in meta}})
            rows_out = None
            write_summary(folder, rows, meta)
            write_extras(folder.stage, sc.source, rows, meta)
            if report:
                from simcore.results.report import missing_modules, write_report

                if not missing_modules():
                    write_report(folder.stage)
            folder.publish()
    except BaseException:  # an error, Ctrl-C or SIGTERM: no partial results are left behind
        if rows_out is not None:
            rows_out.discard()
        if folder is not None:
            folder.abandon()
        raise
    return RunSummary(rows, meta, folder.path if folder else None)


def widest_half_width(rows: list[dict]) -> float:
    """Half the width of the widest 95% interval among the summary's probabilities (the
    measures named ``P(...)``) and their paired differences from the first strategy: the
    precision a run has reached."""
    widest = 0.0
    for r in rows:
        if not r["measure"].startswith("P("):
            continue
        widest = max(widest, (r["ci_high"] - r["ci_low"]) / 2)
        diff = (r["difference_ci_high"] - r["difference_ci_low"]) / 2
        if not math.isnan(diff):
            widest = max(widest, diff)
    return widest


def _cut(chunk, every: int):
    """``chunk`` in pieces that end at the multiples of ``every`` (0: whole)."""
    if every <= 0:
        yield chunk
        return
    a = 0
    while a < chunk.n:
        b = min(chunk.n, (chunk.first + a) // every * every + every - chunk.first)
        yield ChunkResult(
            chunk.first + a,
            chunk.elected[a:b],
            chunk.stats[a:b],
            chunk.nodes[a:b],
            chunk.extra[a:b],
            chunk.first_prefs[a:b],
            chunk.first_slot[a:b],
        )
        a = b


def auto_chunk_size(plan, seed: int, sims: int, threads: int) -> int:
    """Simulations per unit of work: about 50 ms each, so that the per-chunk bookkeeping stays
    small whether a simulation takes 50 us or 50 ms, but at least four chunks per thread, so
    that a short run keeps every thread busy (chunking never changes a result)."""
    t = time.perf_counter()
    run_chunk(plan, stream_key(seed), 0, 4)
    per_sim = max((time.perf_counter() - t) / 4, 1e-6)
    share = -(-sims // (4 * max(threads, 1)))
    return int(max(min(0.05 / per_sim, 4096, share), 8))


def summary_json(summary: RunSummary) -> str:
    return json.dumps({"metadata": summary.metadata, "summary": summary.rows}, indent=2)
