"""``run_optimize``: check the options against the scenario, search, and write the outputs."""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simcore.errors import InputError
from simcore.jobs.optimize import (
    Z95,
    Entry,
    Outcome,
    Settings,
    minimum_budget,
    optimize,
)
from simcore.jobs.run import scenario_hash, versions
from simcore.jobs.strategy_eval import Evaluator, parse_objective
from simcore.jobs.strategy_space import StrategySpace, describe
from simcore.model.scenario import Scenario
from simcore.results.folder_extras import copy_scenario, write_report_if_possible
from simcore.results.optimize_outputs import (
    OptimizeFolder,
    check_scenario_text,
    scenario_with_strategy,
    strategy_toml,
    write_final,
    write_search,
    write_text,
)
from simcore.results.run_folder import RunFolder
from simcore.sim.electorate_lazy import generator_version
from simcore.sim.plan import compile_plan
from simcore.sim.runner import default_threads

DEFAULT_BUDGET = 400_000
DEFAULT_PRECISION = 0.02


@dataclass
class OptimizeOptions:
    slate: str
    objective: str = "seats"
    same_order_everywhere: bool = False
    max_orders: int | None = None
    fix: Sequence[str] = ()
    budget: int | None = None
    precision: float | None = None
    train_sims: int | None = None
    search: str = "auto"
    finalists: int = 10
    base: str | None = None
    seed: int | None = None
    threads: int | None = None
    dask: str | None = None  # run the chunks on this Dask cluster (see simcore.sim.dask_runner)


@dataclass
class OptimizeResult:
    outcome: Outcome
    summary: dict  # the --json shape
    metadata: dict
    toml: str
    out: Path | None
    naming: tuple = ()  # (new orderings, strategy mapping, strategy name)


def build_space(sc: Scenario, plan, opts: OptimizeOptions) -> tuple[int, StrategySpace]:
    """The slate's index and the space of its recommendations, or one line on what is wrong."""
    if sc.college is not None:
        raise InputError(
            "simcore optimize: a college scenario has no recommended orderings to optimise "
            "(its sections and units are counted as wholes)",
            path=sc.source,
        )
    ids = [s.id for s in sc.slates]
    if opts.slate not in ids:
        known = ", ".join(ids) or "none"
        raise InputError(f"--slate {opts.slate!r}: no such slate (slates: {known})", path=sc.source)
    k = ids.index(opts.slate)
    slate = sc.slates[k]
    members = tuple(sc.candidate_names.index(n) for n in next(iter(slate.orderings.values())))
    if len(members) < 2:
        raise InputError(
            f"--slate {opts.slate!r}: its orderings rank one candidate, so there is no order "
            "to choose",
            path=sc.source,
        )
    if not sc.regions:
        raise InputError("the scenario has no regions to recommend orders in", path=sc.source)
    sup = slate.supporters
    if (
        max([sup.share, *sup.region_shares.values()]) <= 0
        and sup.swing_sd == 0
        and sup.regional_sd == 0
    ):
        raise InputError(
            f"--slate {opts.slate!r}: the slate has no supporters in any region (share 0), so "
            "its recommended order changes nothing",
            path=sc.source,
        )
    n_regions = len(sc.regions)
    if opts.same_order_everywhere and opts.max_orders not in (None, 1):
        raise InputError("--same-order-everywhere and --max-orders K > 1 contradict each other")
    if opts.max_orders is not None and opts.max_orders < 1:
        raise InputError(f"--max-orders {opts.max_orders}: expected at least 1")
    max_orders = 1 if opts.same_order_everywhere else (opts.max_orders or n_regions)
    fixed = _fixes(opts.fix, sc, members)
    return k, StrategySpace(members, n_regions, min(max_orders, n_regions), fixed)


def _fixes(items: Sequence[str], sc: Scenario, members: tuple[int, ...]) -> tuple:
    names = sc.candidate_names
    out: dict[int, int] = {}
    taken: dict[int, str] = {}
    for item in items:
        name, sep, pos = item.rpartition("=")
        if not sep or not name.strip():
            raise InputError(f"--fix {item!r}: expected NAME=POSITION, e.g. 'Laura Pidcock=1'")
        name = name.strip()
        if name not in names or names.index(name) not in members:
            raise InputError(f"--fix {item!r}: {name!r} is not a candidate of the slate's orders")
        try:
            p = int(pos)
        except ValueError:
            raise InputError(f"--fix {item!r}: the position must be a whole number") from None
        if not 1 <= p <= len(members):
            raise InputError(f"--fix {item!r}: the position must be between 1 and {len(members)}")
        c = names.index(name)
        if c in out:
            raise InputError(f"--fix {item!r}: {name!r} is already fixed")
        if p in taken:
            raise InputError(f"--fix {item!r}: position {p} is already given to {taken[p]!r}")
        out[c] = p - 1
        taken[p] = name
    return tuple(sorted(out.items()))


def default_train_sims(budget: int, space: StrategySpace, search: str) -> int:
    """Training simulations: all of the search's half of the budget when every strategy can be
    scored (at most 5,000 each), else 50-500 from the budget."""
    size = space.count()
    if search != "local" and size * 50 <= budget // 2:
        return int(min(budget // 2 // size, 5000))
    return int(min(max(budget // 4000, 50), 500))


def run_optimize(
    sc: Scenario,
    opts: OptimizeOptions,
    *,
    out: str | Path | None = None,
    force: bool = False,
    write: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    phase: Callable[[str], None] | None = None,
    report: bool = False,
) -> OptimizeResult:
    from simcore.counting.api import new_seed

    plan = compile_plan(sc)
    k, space = build_space(sc, plan, opts)
    objective = parse_objective(opts.objective, plan, k)
    names = [s.name for s in sc.strategies]
    if opts.base is not None and opts.base not in names:
        raise InputError(f"--base {opts.base!r}: no such strategy (strategies: {', '.join(names)})")
    base = names.index(opts.base) if opts.base is not None else 0
    budget = opts.budget if opts.budget is not None else DEFAULT_BUDGET
    precision = opts.precision if opts.precision is not None else DEFAULT_PRECISION
    train = opts.train_sims or default_train_sims(budget, space, opts.search)
    need = minimum_budget(train, len(names), opts.finalists)
    if budget < need:
        raise InputError(
            f"--budget {budget:,}: too small to say anything with {train} training simulations "
            f"and {len(names)} strategies in the file; give at least {need:,} (one unit = one "
            "electorate counted under one strategy)"
        )
    seed = int(
        opts.seed if opts.seed is not None else (sc.seed if sc.seed is not None else new_seed())
    )
    threads = opts.threads or default_threads()
    if opts.dask is not None:
        from simcore.sim.dask_runner import check_address

        check_address(opts.dask)  # (before the output folder is made)
    folder = OptimizeFolder(out, force) if out is not None else None
    backend = None
    try:
        t0 = time.perf_counter()
        if opts.dask is not None:
            from simcore.sim.dask_runner import DaskBackend

            backend = DaskBackend(opts.dask)
            backend.time_chunk(plan, 0, 1)  # (checks the workers' engine; warms their kernels)
            threads = backend.threads
        ev = Evaluator(plan, k, base, objective, threads=threads, backend=backend)
        if progress is not None:
            done = [0]

            def tick(n: int) -> None:
                done[0] += n
                progress(min(done[0], budget), budget)

            ev.progress = tick
        settings = Settings(budget, precision, train, opts.search, opts.finalists, seed)
        outcome = optimize(space, ev, [(n, i) for i, n in enumerate(names)], settings, phase=phase)
        if progress is not None:
            progress(budget, budget)
        elapsed = time.perf_counter() - t0
        result = _result(sc, plan, k, opts, objective.text, outcome, settings, base, threads)
        result.metadata["timings"] = {
            "optimize_s": round(elapsed, 3),
            "strategy_simulations_per_s": round(outcome.counted / elapsed, 1) if elapsed else None,
        }
        copy = None
        if write is not None:
            copy = _scenario_copy(sc, k, result, base)
            check_scenario_text(copy, str(write))
        if folder is not None:
            _write_outputs(folder, sc, result, outcome)
            copy_scenario(folder.stage, sc.source)
            if report:
                write_report_if_possible(folder.stage)
            folder.publish()
            result.out = folder.path
        if write is not None:
            write_text(Path(write), copy)
    except BaseException:
        if folder is not None:
            folder.abandon()
        raise
    finally:
        if backend is not None:
            backend.close()
    return result


def _result(sc, plan, k, opts, objective, outcome: Outcome, settings, base, threads):
    names = sc.candidate_names
    regions = [r.name for r in sc.regions]
    slate = sc.slates[k]
    best = outcome.best
    cmp = outcome.comparison
    b = cmp.entries.index(best)
    vs = {}
    for name, d in zip(cmp.names, cmp.diff, strict=True):
        if name:
            vs[name] = {"difference": d.mean, "std_error": _num(d.std_error)}
    summary = {
        "objective": objective,
        "slate": slate.id,
        "best": {
            "orderings": {r: [names[c] for c in o] for r, o in zip(regions, best.rec, strict=True)},
            "estimate": cmp.entries[b].final.mean,
            "std_error": _num(cmp.entries[b].final.std_error),
            "simulations": cmp.n,
            "vs": vs,
        },
        "candidates_evaluated": sum(1 for e in outcome.entries if e.train.n),
        "simulations_run": outcome.counted,
    }
    new_orders, mapping, strategy_name = _naming(sc, k, best, base)
    meta = {
        "command": " ".join(sys.argv),
        "scenario": sc.title,
        "scenario_file": sc.source,
        "scenario_sha256": scenario_hash(sc),
        "overrides": [str(o) for o in sc.overrides],
        "seed": settings.seed,
        "threads": threads,
        **({"dask": {"scheduler": opts.dask}} if opts.dask else {}),
        "slate": slate.id,
        "objective": objective,
        "base_strategy": sc.strategies[base].name,
        "space": {
            "candidates": [names[c] for c in plan_members(best)],
            "regions": regions,
            "max_orders": opts_max(opts, len(regions)),
            "fixed": list(opts.fix),
            "size": str(outcome.space_size),
        },
        "settings": {
            "budget": settings.budget,
            "precision": settings.precision,
            "train_simulations": settings.train_sims,
            "search": outcome.method,
            "finalists": settings.finalists,
        },
        "selection": {
            "method": "KN (Kim & Nelson 2001), indifference zone = precision, 95%",
            "simulations": outcome.selection_sims,
            "survivors": outcome.kn_survivors,
        },
        "final": {
            "simulations": cmp.n,
            "widest_half_width": _num(cmp.widest) if math.isfinite(cmp.widest) else None,
            "precision_met": bool(cmp.widest <= settings.precision),
        },
        "result": summary,
        "generator": generator_version(plan),
        "versions": versions(),
    }
    header = [
        f"simcore optimize {Path(sc.source).name if sc.source else ''} --slate {slate.id} "
        f"--objective {objective} (seed {settings.seed})",
        f"{objective} = {summary['best']['estimate']:.4f} +/- "
        f"{Z95 * (summary['best']['std_error'] or 0):.4f} (95%) on {cmp.n:,} fresh simulations",
    ]
    for name, d in vs.items():
        header.append(
            f"vs strategy {name!r}: {d['difference']:+.4f} +/- {Z95 * (d['std_error'] or 0):.4f}"
        )
    text = strategy_toml(
        slate.id, new_orders, strategy_name, _description(objective, slate), mapping, header
    )
    return OptimizeResult(outcome, summary, meta, text, None, (new_orders, mapping, strategy_name))


def plan_members(best: Entry) -> tuple[int, ...]:
    return tuple(sorted(best.rec[0])) if best.rec else ()


def opts_max(opts: OptimizeOptions, n_regions: int) -> int:
    return 1 if opts.same_order_everywhere else min(opts.max_orders or n_regions, n_regions)


def _description(objective: str, slate) -> str:
    return f"found by simcore optimize for {slate.name} ({objective})"


def _naming(sc, k, best: Entry, base):
    """Names for the best recommendation's orders (reusing the slate's own where equal), and
    the strategy mapping (the other slates as in the base strategy)."""
    names = sc.candidate_names
    slate = sc.slates[k]
    known = {tuple(names.index(c) for c in o): n for n, o in slate.orderings.items()}
    distinct = list(dict.fromkeys(best.rec))
    fresh = [o for o in distinct if o not in known]
    new_orders: dict[str, list[str]] = {}
    taken = set(slate.orderings)
    for i, o in enumerate(fresh):
        name = "optimized" if len(fresh) == 1 else f"optimized_{i + 1}"
        while name in taken:
            name += "_"
        taken.add(name)
        known[o] = name
        new_orders[name] = [names[c] for c in o]
    regions = [r.name for r in sc.regions]
    mapping: dict = {}
    for other in sc.slates:
        if other.id == slate.id:
            used = [known[o] for o in best.rec]
            mapping[other.id] = (
                used[0] if len(set(used)) == 1 else dict(zip(regions, used, strict=True))
            )
        else:
            how = sc.strategies[base].orderings.get(other.id)
            if how:
                values = set(how.values())
                mapping[other.id] = next(iter(values)) if len(values) == 1 else dict(how)
    strategy_name = "optimized"
    existing = {s.name for s in sc.strategies}
    while strategy_name in existing:
        strategy_name += "_"
    return new_orders, mapping, strategy_name


def _scenario_copy(sc, k, result, base) -> str:
    if not sc.source or not Path(sc.source).is_file():
        raise InputError("--write needs a scenario read from a file")
    new_orders, mapping, strategy_name = result.naming
    text = Path(sc.source).read_text(encoding="utf-8")
    return scenario_with_strategy(
        text,
        sc.slates[k].id,
        new_orders,
        strategy_name,
        _description(result.summary["objective"], sc.slates[k]),
        mapping,
    )


def _num(x: float) -> float | None:
    return None if x != x else x


def _write_outputs(folder: RunFolder, sc, result: OptimizeResult, outcome: Outcome) -> None:
    names = sc.candidate_names
    regions = [r.name for r in sc.regions]
    label = {}
    n_search = 0
    for e in outcome.entries:
        if e.origin == "search":
            n_search += 1
            label[id(e)] = f"search-{n_search:05d}"
        else:
            label[id(e)] = e.origin
    rows = []
    for e in outcome.entries:
        row = {
            "strategy": label[id(e)],
            "origin": "search" if e.origin == "search" else "scenario",
            "stage": e.stage,
            "selected": e is outcome.best,
            "restart": e.restart if e.restart >= 0 else None,
            "step": e.step if e.step >= 0 else None,
        }
        for r, text in zip(regions, describe(e.rec, names), strict=True):
            row[f"order [{r}]"] = text
        for phase, t in (("train", e.train), ("selection", e.selection), ("final", e.final)):
            row[f"{phase}_estimate"] = t.mean if t.n else None
            row[f"{phase}_std_error"] = _num(t.std_error) if t.n else None
            row[f"{phase}_simulations"] = t.n
        rows.append(row)
    write_search(folder.file("search.parquet"), rows, regions, result.metadata)
    cmp = outcome.comparison
    final_rows = []
    for rank, (e, d) in enumerate(zip(cmp.entries, cmp.diff, strict=True)):
        se = d.std_error
        diff = 0.0 - d.mean  # (this minus the best; 0.0, not -0.0, for the best itself)
        final_rows.append(
            {
                "rank": rank + 1,
                "strategy": label[id(e)],
                "origin": "search" if e.origin == "search" else "scenario",
                "selected": e is outcome.best,
                "orderings": "; ".join(
                    f"{r}: {t}" for r, t in zip(regions, describe(e.rec, names), strict=True)
                ),
                "estimate": e.final.mean,
                "std_error": e.final.std_error,
                "ci_low": e.final.mean - Z95 * e.final.std_error,
                "ci_high": e.final.mean + Z95 * e.final.std_error,
                "difference_from_best": diff,
                "difference_std_error": se,
                "difference_ci_low": diff - Z95 * se,
                "difference_ci_high": diff + Z95 * se,
                "simulations": e.final.n,
            }
        )
    write_final(folder.file("final.csv"), final_rows)
    write_text(folder.file("optimized.toml"), result.toml)
    write_text(folder.file("run.json"), json.dumps(result.metadata, indent=2) + "\n")
