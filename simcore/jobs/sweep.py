"""``sweep``: run a scenario at every point of a grid of overridden keys, on common random
numbers, and find where strategies cross (docs/sweep.md).

Each point is the scenario file with the ``--set`` overrides and the point's ``--vary`` values
applied (:mod:`simcore.inputs.scenario_overrides`), checked like the file before anything runs.
Every point runs through :func:`simcore.jobs.run.run_scenario` with one seed, so every point and
every strategy sees the same random streams: differences between strategies are paired, and
differences between points come from the varied keys, not from fresh noise.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simcore.errors import InputError
from simcore.inputs.scenario_file import ScenarioError, parse_scenario
from simcore.inputs.scenario_overrides import Vary, parse_sets, parse_vary
from simcore.inputs.text import read_config_text
from simcore.jobs.run import run_scenario, scenario_hash, versions
from simcore.model.scenario import Scenario
from simcore.results.folder_extras import copy_scenario, write_report_if_possible
from simcore.results.sweep_crossings import find_crossings
from simcore.results.sweep_outputs import SweepFolder, write_sweep

MAX_POINTS = 10_000


@dataclass
class Point:
    index: int
    values: dict  # key -> the value as it appears in the outputs
    scenario: Scenario


@dataclass
class SweepResult:
    rows: list[dict]
    keys: list[str]
    points: list[Point]
    crossings: list[dict]
    metadata: dict
    out: Path | None


def sweep_points(
    file: str | Path, varies: Sequence[str], sets: Sequence[str] = ()
) -> tuple[list[Vary], list[Point]]:
    """The varied keys and every point of their grid (the first key varies slowest), each
    point's scenario checked; the first problem of any point is raised, naming its value."""
    text = read_config_text(file)
    base = parse_sets(sets, file)
    if not varies:
        raise InputError("give at least one --vary KEY=VALUES", path=file)
    parsed = [parse_vary(v, file) for v in varies]
    seen: dict[tuple, str] = {ov.path: ov.origin for ov in base}
    for v in parsed:
        if v.path in seen:
            raise InputError(f"{v.key} is also given by {seen[v.path]}", path=file, key=v.origin)
        seen[v.path] = v.origin
    reserved = {"point", "strategy", "measure"}
    for v in parsed:
        if v.key in reserved:
            raise InputError(f"a sweep cannot vary a key named {v.key!r}", path=file, key=v.origin)
    total = 1
    for v in parsed:
        total *= len(v.values)
    if total > MAX_POINTS:
        raise InputError(f"{total:,} points; a sweep runs at most {MAX_POINTS:,}", path=file)
    points = []
    for index, combo in enumerate(itertools.product(*(range(len(v.values)) for v in parsed))):
        overrides = [*base, *(v.override(i) for v, i in zip(parsed, combo, strict=True))]
        try:
            sc = parse_scenario(text, file, overrides)
        except ScenarioError as exc:
            raise InputError(exc.message, path=exc.path, line=exc.line, key=exc.key) from None
        values = {
            v.key: (v.values[i] if v.numeric else v.texts[i])
            for v, i in zip(parsed, combo, strict=True)
        }
        points.append(Point(index, values, sc))
    return parsed, points


def run_sweep(
    file: str | Path,
    varies: Sequence[str],
    sets: Sequence[str] = (),
    *,
    sims: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    force: bool = False,
    threads: int | None = None,
    chunk_size: int | None = None,
    precision: float | None = None,
    voters_per_ballot: int | None = None,
    progress: Callable[[int, int, int, int], None] | None = None,
    report: bool = False,
    dask: str | None = None,
) -> SweepResult:
    """Run every point of the sweep with one seed; write the outputs to ``out`` when given
    (with the scenario copy, and with ``report`` the report when its extra is installed).
    ``progress(point, points, done, sims)`` is called as each point runs."""
    from simcore.counting.api import new_seed

    parsed, points = sweep_points(file, varies, sets)
    keys = [v.key for v in parsed]
    n = len(sets)  # (a point's overrides: the --set ones, then its values)
    if seed is None and all(p.scenario.seed is None for p in points):
        seed = new_seed()  # one fresh seed for every point: common random numbers
    first = points[0].scenario
    meta = {
        "scenario": first.title,
        "scenario_file": str(file),
        "scenario_sha256": scenario_hash(dataclasses.replace(first, overrides=first.overrides[:n])),
        "overrides": list(first.overrides[:n]),
        "varied": [
            {"key": v.key, "values": list(v.values if v.numeric else v.texts)} for v in parsed
        ],
        "points": len(points),
        **({"dask": {"scheduler": dask}} if dask else {}),
        "seed": seed if seed is not None else first.seed,
        "strategies": [s.name for s in first.strategies],
        "versions": versions(),
        "command": " ".join(sys.argv),
    }
    if dask is not None:
        from simcore.sim.dask_runner import DaskBackend, check_address

        check_address(dask)  # (before the output folder is made)
    folder = SweepFolder(out, force) if out is not None else None
    backend = None
    try:
        if dask is not None:
            backend = DaskBackend(dask)  # (one cluster for every point)
        rows, runs = [], []
        t0 = time.perf_counter()
        for p in points:
            call = None
            if progress is not None:

                def call(done, total, i=p.index):
                    progress(i, len(points), done, total)

            summary = run_scenario(
                p.scenario,
                sims=sims,
                seed=seed,
                threads=threads,
                chunk_size=chunk_size,
                progress=call,
                precision=precision,
                voters_per_ballot=voters_per_ballot,
                backend=backend,
            )
            m = summary.metadata
            runs.append(
                {
                    "point": p.index,
                    **p.values,
                    "simulations": m["simulations"],
                    "seed": m["seed"],
                    **{k: m[k] for k in ("precision_met", "precision_reached") if k in m},
                    "simulate_s": m["timings"]["simulate_s"],
                }
            )
            rows += [{"point": p.index, **p.values, **r} for r in summary.rows]
        meta.update(
            {
                "seed": runs[0]["seed"],
                "simulations": sims if sims is not None else first.sims,
                "threads": m["threads"],
                "chunk_size": chunk_size,
                "voters_per_ballot": m["voters_per_ballot"],
                "rule": m["rule"],
                "seats": m["seats"],
                **({"precision": precision} if precision is not None else {}),
                "runs": runs,
                "timings": {"total_s": round(time.perf_counter() - t0, 3)},
            }
        )
        crossings = find_crossings(rows, keys, [v.numeric for v in parsed])
        if folder is not None:
            write_sweep(folder, rows, keys, crossings, meta)
            copy_scenario(folder.stage, str(file))
            if report:
                write_report_if_possible(folder.stage)
            folder.publish()
    except BaseException:  # an error, Ctrl-C or SIGTERM: no partial results are left behind
        if folder is not None:
            folder.abandon()
        raise
    finally:
        if backend is not None:
            backend.close()
    return SweepResult(rows, keys, points, crossings, meta, folder.path if folder else None)


def sweep_json(result: SweepResult) -> str:
    return json.dumps(
        {"metadata": result.metadata, "crossings": result.crossings, "rows": result.rows},
        indent=2,
    )
