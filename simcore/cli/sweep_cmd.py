"""``simcore sweep``: a scenario over a grid of key values, on common random numbers."""

from __future__ import annotations

import click

from simcore.cli.options import set_option


@click.command()
@click.argument("file", type=click.Path())
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="KEY=VALUES",
    help="A key and its values: a list a,b,c (TOML values) or a range START:STOP:COUNT "
    "(both ends included). Several --vary make a grid.",
)
@set_option
@click.option("--sims", "-n", type=click.IntRange(min=1), help="Simulations per point.")
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: the file's, else fresh).")
@click.option(
    "--out", "-o", type=click.Path(), help="Output folder (default: results/<name>-sweep)."
)
@click.option("--force", is_flag=True, help="Overwrite the results in an existing folder.")
@click.option("--threads", "-t", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Run every point's chunks on the Dask cluster at ADDRESS, or on local[:N] worker "
    "processes (default 2; one cluster for the whole sweep); needs simcore[dask]. Never changes "
    "results.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    help="Simulations per unit of work (never changes results).",
)
@click.option(
    "--precision",
    type=click.FloatRange(0, 0.5, min_open=True),
    help="Per point: stop once every probability (and paired difference) has a 95% interval "
    "within +/- this; --sims is then the most to run.",
)
@click.option(
    "--voters-per-ballot",
    type=click.IntRange(min=1),
    help="Approximate: a 1-in-K sample of the voters (see 'simcore run --help').",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
@click.option("--json", "as_json", is_flag=True, help="Print metadata, crossings and rows as JSON.")
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Also write report.html, summary.xlsx and plots/ (needs simcore's report extra).",
)
def sweep(
    file,
    varies,
    sets,
    sims,
    seed,
    out,
    force,
    threads,
    dask,
    chunk_size,
    precision,
    voters_per_ballot,
    quiet,
    as_json,
    report,
):
    """Run scenario FILE at every point of a grid of key values and find crossings.

    Every point runs all the file's strategies on the same seed (common random numbers), so
    differences are paired across strategies and smooth across points. Writes OUT/sweep.parquet
    and OUT/sweep.csv (a row per point, strategy and measure), OUT/sweep_wide.csv (a row per
    point and strategy), OUT/crossings.csv (where a paired difference from the first strategy
    changes sign, with an interval), OUT/run.json, a copy of the scenario and (unless
    --no-report) the report: report.html, summary.xlsx and plots/. See docs/sweep.md.
    """
    from pathlib import Path

    from simcore.cli.progress import Progress, compile_note
    from simcore.cli.report_cmd import report_note
    from simcore.jobs.sweep import run_sweep, sweep_json
    from simcore.results.sweep_table import render_sweep

    if not quiet and not as_json:
        compile_note()
    bar = Progress(not quiet and not as_json)

    def progress(point, points, done, total):
        bar.label = f"point {point + 1}/{points} "
        bar(point * total + done, points * total)

    out = out or str(Path("results") / f"{Path(file).stem}-sweep")
    result = run_sweep(
        file,
        varies,
        sets,
        sims=sims,
        seed=seed,
        out=out,
        force=force,
        threads=threads,
        chunk_size=chunk_size,
        precision=precision,
        voters_per_ballot=voters_per_ballot,
        progress=progress,
        report=report,
        dask=dask,
    )
    note = report_note() if report else None
    if note:
        click.echo(note, err=True)
    if as_json:
        click.echo(sweep_json(result))
    elif not quiet:
        click.echo(render_sweep(result.rows, result.keys, result.crossings, result.metadata))
        click.echo(f"Results in {result.out}/")
