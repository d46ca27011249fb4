"""``simcore optimize``: search for the best regional recommended orders of one slate."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from simcore.cli.options import set_option


@click.command()
@click.argument("file", type=click.Path())
@click.option("--slate", required=True, help="The slate (its id in the scenario) to optimise.")
@click.option(
    "--objective",
    default="seats",
    show_default=True,
    help="seats (mean seats of the slate), seats>=K, elected:NAME or all-elected.",
)
@click.option("--same-order-everywhere", is_flag=True, help="Search one national order only.")
@click.option(
    "--max-orders",
    type=int,
    help="At most K distinct orders across regions (default: one per region allowed).",
)
@click.option(
    "--fix",
    multiple=True,
    metavar="NAME=POSITION",
    help="Pin a candidate to a position (1 = first) in every order; repeatable.",
)
@click.option(
    "--budget",
    type=click.IntRange(min=1),
    help="Strategy-simulations in all (one electorate counted under one strategy; "
    "default 400,000): half for the search, the rest for selection and the final estimate.",
)
@click.option(
    "--precision",
    type=click.FloatRange(0, min_open=True),
    help="Indifference zone of the selection and the 95%% half-width at which the final "
    "comparison stops (default 0.02).",
)
@click.option(
    "--train-sims",
    type=click.IntRange(min=2),
    help="Training simulations every strategy is scored on in the search (default: from the "
    "budget, 50-500).",
)
@click.option(
    "--search",
    type=click.Choice(["auto", "local", "exhaustive"]),
    default="auto",
    show_default=True,
    help="auto: score every strategy when the space fits half the budget, else local search.",
)
@click.option(
    "--finalists",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="The most of the search's best (those its training simulations cannot tell from the "
    "leader) that go on to the selection and final comparison.",
)
@click.option("--base", help="The strategy giving the other slates' orders (default: the first).")
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: the file's, else fresh).")
@click.option("--threads", "-t", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Count on the Dask cluster at ADDRESS, or on local[:N] worker processes (default 2); "
    "needs simcore[dask]. Never changes results.",
)
@click.option(
    "--out", "-o", type=click.Path(), help="Output folder (default: results/<name>-optimize)."
)
@click.option("--force", is_flag=True, help="Overwrite the results in an existing folder.")
@click.option(
    "--write",
    type=click.Path(),
    help="Also write a copy of the scenario with the optimized strategy added to this file.",
)
@set_option
@click.option("--quiet", "-q", is_flag=True, help="No progress or summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Also write report.html, summary.xlsx and plots/ (needs simcore's report extra).",
)
def optimize(
    file,
    slate,
    objective,
    same_order_everywhere,
    max_orders,
    fix,
    budget,
    precision,
    train_sims,
    search,
    finalists,
    base,
    seed,
    threads,
    dask,
    out,
    force,
    write,
    sets,
    quiet,
    as_json,
    report,
):
    """Find the recommended orders (per region) that serve a slate best.

    Scores strategies on shared simulated electorates (common random numbers), searches on
    training simulations, then selects among the best and estimates the winner on fresh
    simulations.  Writes OUT/optimized.toml, OUT/search.parquet, OUT/final.csv, OUT/run.json,
    a copy of the scenario and (unless --no-report) the report: report.html, summary.xlsx and
    plots/; see docs/strategy.md.
    """

    from simcore.cli.options import read_for_run
    from simcore.cli.progress import Progress, compile_note, end_line
    from simcore.cli.report_cmd import report_note
    from simcore.jobs.optimize_run import OptimizeOptions, run_optimize

    sc = read_for_run(file, sets)
    out = out or str(Path("results") / f"{Path(file).stem}-optimize")
    opts = OptimizeOptions(
        slate=slate,
        objective=objective,
        same_order_everywhere=same_order_everywhere,
        max_orders=max_orders,
        fix=fix,
        budget=budget,
        precision=precision,
        train_sims=train_sims,
        search=search,
        finalists=finalists,
        base=base,
        seed=seed,
        threads=threads,
        dask=dask,
    )
    show = not quiet and not as_json
    if show:
        compile_note()
    bar = Progress(show, "strategy-simulations")

    def phase(text: str) -> None:
        if show and bar.enabled:
            end_line()
            click.echo(f"simcore optimize: {text}", err=True)

    result = run_optimize(
        sc, opts, out=out, force=force, write=write, progress=bar, phase=phase, report=report
    )
    note = report_note() if report else None
    if note:
        click.echo(note, err=True)
    if as_json:
        click.echo(json.dumps(result.summary, indent=2))
        return
    if quiet:
        return
    _print(result, out, write, report)


def _print(result, out, write, report=False) -> None:
    s = result.summary
    best = s["best"]
    z = 1.959963984540054
    click.echo(
        f"Best recommendation for slate {s['slate']} ({s['objective']}), "
        f"{s['candidates_evaluated']:,} strategies scored, {s['simulations_run']:,} "
        "strategy-simulations:"
    )
    width = max(len(r) for r in best["orderings"])
    for region, order in best["orderings"].items():
        click.echo(f"  {region:<{width}}  {' > '.join(order)}")
    se = best["std_error"] or 0.0
    click.echo(
        f"{s['objective']} = {best['estimate']:.4f} +/- {z * se:.4f} (95%, "
        f"{best['simulations']:,} fresh simulations)"
    )
    for name, d in best["vs"].items():
        dse = d["std_error"] if d["std_error"] is not None else math.nan
        click.echo(f"  vs {name}: {d['difference']:+.4f} +/- {z * dse:.4f}")
    made = "optimized.toml, search.parquet, final.csv, run.json, scenario.toml"
    if report and (Path(out) / "report.html").is_file():
        made += ", report.html, summary.xlsx, plots/"
    click.echo(f"Wrote {out}/{made}")
    if write:
        click.echo(f"Wrote {write} (the scenario with strategy 'optimized' added)")
