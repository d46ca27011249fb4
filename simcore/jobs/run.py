"""``run_scenario``: simulate a scenario, write its outputs, return the summary."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simcore.errors import InputError
from simcore.model.scenario import Scenario
from simcore.results.accumulate import (
    Accumulator,
    CollegeAccumulator,
    accumulator_state,
    load_accumulator_state,
)
from simcore.results.checkpoint import (
    PartedRows,
    changed,
    fingerprint,
    read_checkpoint,
    save_checkpoint,
)
from simcore.results.first_pref_outputs import first_preference_accumulator, first_preference_rows
from simcore.results.folder_extras import write_extras
from simcore.results.run_folder import CHECKPOINT_FILE, RunFolder
from simcore.results.sim_outputs import (
    SUMMARY_COLUMNS,
    college_summary_rows,
    summary_rows,
    write_summary,
)
from simcore.sim.electorate_lazy import generator_version
from simcore.sim.first_prefs import by_strategy
from simcore.sim.plan import compile_plan
from simcore.sim.runner import ChunkResult, LocalBackend

CHECK_EVERY = 1000  # simulations between checks of a run's precision
CHECKPOINT_S = 5.0  # seconds between checkpoints of a run writing outputs (SIMCORE_CHECKPOINT_S)


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
    resume: bool = False,
    dask: str | None = None,
    checkpoint_s: float | None = None,
    backend=None,
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

    With ``out``, a checkpoint is saved in the staging folder every ``checkpoint_s`` seconds
    (default: $SIMCORE_CHECKPOINT_S, else :data:`CHECKPOINT_S`; 0: after every chunk; see
    :mod:`simcore.results.checkpoint`).  An interrupted run (Ctrl-C,
    SIGTERM, an error) keeps its last checkpoint and the exception gets an attribute ``kept``
    (``done``, ``sims``, ``seed``, ``stage``); ``resume`` continues it (identical results, or an
    error if anything that decides them changed).  ``dask`` runs the chunks on a Dask cluster
    (an address, or ``local[:N]``; see :mod:`simcore.sim.dask_runner`).

    With ``report`` (and the report extra installed: see
    :func:`simcore.results.report.missing_modules`), ``out`` also gets ``report.html``,
    ``summary.xlsx`` and ``plots/``."""
    from simcore.counting.api import new_seed

    if resume and out is None:
        raise InputError("--resume needs the output folder of the run to continue (--out)")
    checkpoint_s = checkpoint_interval() if checkpoint_s is None else checkpoint_s
    sims = int(sims if sims is not None else sc.sims)
    precision = precision if precision is not None else sc.precision
    if voters_per_ballot is not None and voters_per_ballot != sc.voters_per_ballot:
        sc = sc.sampled(voters_per_ballot)
    plan = compile_plan(sc)
    if dask is not None:
        from simcore.sim.dask_runner import check_address

        check_address(dask)  # (before the output folder is made)
    folder = RunFolder(out, force, resume=resume) if out is not None else None
    saved = read_checkpoint(folder.stage) if folder is not None and folder.resumed_from else None
    if resume and saved is None:
        _note(f"{folder.path}: no checkpoint to resume; starting from the first simulation")
    if seed is None and sc.seed is None and saved is not None:
        seed = saved["fingerprint"]["seed"]  # (a fresh seed drawn by the run we continue)
    seed = int(seed if seed is not None else (sc.seed if sc.seed is not None else new_seed()))
    own = True
    rows_out = None
    try:
        own = backend is None  # (a backend given by the caller stays open for it)
        backend = _backend(dask, threads) if own else backend
        meta = {
            "scenario": sc.title,
            "scenario_file": sc.source,
            "scenario_sha256": scenario_hash(sc),
            "overrides": list(sc.overrides),
            "seed": seed,
            "simulations": sims,
            "threads": backend.threads,
            **backend.describe(),
            "voters_per_ballot": sc.voters_per_ballot,
            "generator": generator_version(plan),
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
        marks = fingerprint(meta, plan)
        if saved is not None:
            what = changed(saved["fingerprint"], marks)
            if what is not None:
                raise InputError(
                    f"cannot resume the run in {folder.resumed_from}: its {what}; give the "
                    "same scenario and options (or run without --resume, with --force, to "
                    "start again)",
                    path=folder.path,
                )
            meta["resumed"] = {"from": folder.resumed_from, "simulations_done": saved["done"]}
        compile_s = backend.time_chunk(plan, seed, 1)  # compile (or load) the kernels
        if chunk_size is None:
            chunk_size = auto_chunk_size(backend, plan, seed, sims)
        meta["chunk_size"] = chunk_size
        if plan.is_college:
            acc = CollegeAccumulator(
                plan.n_strategies, plan.ncand, plan.n_regions, sc.college.method == "block"
            )
        else:
            acc = Accumulator(
                plan.n_strategies, plan.n_slates, plan.seats, plan.ncand, plan.slate_of
            )
        first_prefs = first_preference_accumulator(plan)
        if folder is not None:  # (its schema's metadata: the run's as it is before it starts)
            rows_out = PartedRows(folder.stage, plan, meta, saved["parts"] if saved else [])
        done = 0
        if saved is not None:
            load_accumulator_state(acc, saved["accumulator"])
            load_accumulator_state(first_prefs, saved["first_preferences"])
            done = int(saved["done"])
            if saved.get("precision_reached") is not None:
                meta["precision_reached"] = saved["precision_reached"]
        summarise = college_summary_rows if plan.is_college else summary_rows

        def save() -> None:
            state = {
                "fingerprint": marks,
                "done": done,
                "parts": rows_out.checkpoint(),
                "accumulator": accumulator_state(acc),
                "first_preferences": accumulator_state(first_prefs),
                "precision_reached": meta.get("precision_reached"),
            }
            save_checkpoint(folder.stage, state)

        t1 = time.perf_counter()
        first_done = done
        reached = False
        last_save = t1
        chunks = backend.chunks(plan, sims, seed, chunk_size, start=done)
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
                    first_prefs.add(votes, chunk.final, chunk.elected)
                    if rows_out is not None:
                        rows_out.write(
                            chunk.first,
                            chunk.elected,
                            seats,
                            chunk.stats,
                            chunk.extra,
                            votes,
                            chunk.final,
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
                if rows_out is not None and time.perf_counter() - last_save >= checkpoint_s:
                    save()
                    last_save = time.perf_counter()
        finally:
            chunks.close()  # (finishes or cancels the work already handed out)
        if reached and progress is not None:
            progress(done, done)
        sim_s = time.perf_counter() - t1
        meta["simulations"] = done
        if precision is not None:
            meta["precision_met"] = reached
        meta["timings"] = {
            "compile_or_load_s": round(compile_s, 3),
            "simulate_s": round(sim_s, 3),
            "simulations_per_s": round((done - first_done) / sim_s, 1) if sim_s > 0 else None,
        }
        rows = summarise(acc, plan) + first_preference_rows(first_prefs, plan, SUMMARY_COLUMNS)
        if folder is not None:
            # (the schema's metadata was written before the run: what it came to goes here)
            outcome = ("simulations", "precision_met", "precision_reached")
            rows_out.finish(
                folder.file("simulations.parquet"),
                {**meta["timings"], **{k: meta[k] for k in outcome if k in meta}},
            )
            rows_out = None
            write_summary(folder, rows, meta)
            write_extras(folder.stage, sc.source, rows, meta)
            if report:
                from simcore.results.report import missing_modules, write_report

                if not missing_modules():
                    write_report(folder.stage)
            folder.publish()
    except BaseException as exc:  # an error, Ctrl-C or SIGTERM: nothing that looks complete
        if rows_out is not None:
            rows_out.discard()
        if folder is not None:
            _keep_or_abandon(folder, exc, sims, seed)
        raise
    finally:
        if backend is not None and own:
            backend.close()
    return RunSummary(rows, meta, folder.path if folder else None)


def checkpoint_interval() -> float:
    """Seconds between checkpoints: $SIMCORE_CHECKPOINT_S, else :data:`CHECKPOINT_S`."""
    text = os.environ.get("SIMCORE_CHECKPOINT_S")
    if text is None:
        return CHECKPOINT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise InputError(f"expected seconds (0 or more), not {text!r}", key="SIMCORE_CHECKPOINT_S")
    return value


def _backend(dask: str | None, threads: int | None):
    if dask is None:
        return LocalBackend(threads)
    from simcore.sim.dask_runner import DaskBackend

    return DaskBackend(dask)


def _keep_or_abandon(folder: RunFolder, exc: BaseException, sims: int, seed: int) -> None:
    """Keep the staging folder when it holds a checkpoint (saying so on ``exc.kept``), else
    remove it."""
    try:
        kept = json.loads((folder.stage / CHECKPOINT_FILE).read_text(encoding="utf-8"))["done"]
    except (OSError, ValueError, KeyError, TypeError):
        folder.abandon()
        return
    exc.kept = {"done": int(kept), "sims": sims, "seed": seed, "stage": str(folder.stage)}


def _note(text: str) -> None:
    print(f"simcore: note: {text}", file=sys.stderr)


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
            chunk.final[a:b],
        )
        a = b


def auto_chunk_size(backend, plan, seed: int, sims: int) -> int:
    """Simulations per unit of work: about ``backend.chunk_s`` seconds each (50 ms on threads,
    0.5 s on Dask), so that the per-chunk bookkeeping stays small whether a simulation takes
    50 us or 50 ms, but at least four chunks per thread (or Dask worker thread), so that a short
    run keeps every one busy (chunking never changes a result)."""
    per_sim = max(backend.time_chunk(plan, seed, 4) / 4, 1e-6)
    share = -(-sims // (4 * max(backend.workers, 1)))
    return int(max(min(backend.chunk_s / per_sim, 4096, share), 8))


def summary_json(summary: RunSummary) -> str:
    return json.dumps({"metadata": summary.metadata, "summary": summary.rows}, indent=2)
