"""``simcore validate`` and ``simcore run``: scenario files."""

from __future__ import annotations

import json
import shlex

import click

from simcore.cli.options import read_for_run, set_option
from simcore.errors import InputError

SHOWN_PROBLEMS = 20  # the most problems of one scenario file that `validate` lists


@click.command()
@click.argument("file", required=False, type=click.Path())
@click.option("--schema", is_flag=True, help="Print the JSON Schema of scenario files instead.")
@set_option
def validate(file, schema, sets):
    """Check scenario FILE and summarise it (or print the JSON Schema with --schema)."""
    if schema:
        from simcore.inputs.scenario_schema import json_schema

        click.echo(json.dumps(json_schema(), indent=2))
        return
    if not file:
        raise InputError("give a scenario FILE to validate, or --schema")
    from simcore.inputs.scenario_file import ScenarioError, read_scenario
    from simcore.sim.plan import check_limits

    try:
        sc = read_scenario(file, sets)
    except ScenarioError as exc:
        for error in exc.errors[:SHOWN_PROBLEMS]:
            click.echo(f"simcore: error: {error}", err=True)
        if len(exc.errors) > SHOWN_PROBLEMS:
            more = len(exc.errors) - SHOWN_PROBLEMS
            click.echo(f"simcore: error: ... and {more} more problem(s) in {file}", err=True)
        raise click.exceptions.Exit(2) from None
    check_limits(sc)
    electorate = sum(r.electorate for r in sc.regions)
    how = f"rule {sc.rule}" if sc.college is None else f"college ({sc.college.method})"
    click.echo(
        f"{file}: ok: {sc.title!r}: {len(sc.candidates)} candidates, {sc.seats} seats, {how}, "
        f"{len(sc.slates)} slates, {len(sc.regions)} regions "
        f"(electorate {electorate:,}), strategies: {', '.join(s.name for s in sc.strategies)}"
        + (f" (with --set {', --set '.join(sc.overrides)})" if sc.overrides else "")
    )


@click.command()
@click.argument("file", type=click.Path())
@click.option("--sims", "-n", type=click.IntRange(min=1), help="Simulations (default: the file's).")
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: the file's, else fresh).")
@click.option("--out", "-o", type=click.Path(), help="Output folder (default: results/<name>).")
@click.option("--force", is_flag=True, help="Overwrite the results in an existing folder.")
@click.option("--threads", "-t", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    help="Simulations per unit of work (default: about 50 ms of work; never changes results).",
)
@click.option(
    "--precision",
    type=click.FloatRange(0, 0.5, min_open=True),
    help="Stop once every probability (and paired difference) has a 95% interval within "
    "+/- this, checked every 1,000 simulations; --sims is then the most to run.",
)
@click.option(
    "--voters-per-ballot",
    type=click.IntRange(min=1),
    help="Approximate: below each group's first drawn preference, generate a 1-in-K sample of "
    "the voters, each ballot counted K times (several times faster at NEC scale; default: the "
    "file's, else 1 = exact; see 'simcore check-sampling').",
)
@set_option
@click.option(
    "--resume",
    is_flag=True,
    help="Continue the interrupted run in --out from its checkpoint (refused if the scenario, "
    "seed or options changed; starts afresh when there is none).",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Run the chunks on the Dask cluster at ADDRESS, or on a local cluster of N worker "
    "processes with local[:N] (default 2); needs simcore[dask]. Never changes results.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary table.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--report/--no-report",
    default=True,
    show_default=True,
    help="Also write report.html, summary.xlsx and plots/ (needs simcore's report extra).",
)
def run(
    file,
    sims,
    seed,
    out,
    force,
    threads,
    chunk_size,
    precision,
    voters_per_ballot,
    resume,
    dask,
    sets,
    quiet,
    as_json,
    report,
):
    """Simulate scenario FILE and write its outcome distributions.

    Writes OUT/simulations.parquet (a row per simulation and strategy), OUT/summary.parquet and
    OUT/summary.csv (per strategy: P(slate wins k seats), mean seats, P(candidate elected), with
    Monte Carlo errors and paired differences from the first strategy) and OUT/run.json, a
    copy of the scenario, summary_wide.csv, a README.txt key and (unless --no-report) the report:
    report.html, summary.xlsx and plots/.
    """
    from pathlib import Path

    from simcore.cli.progress import Progress, compile_note
    from simcore.cli.report_cmd import report_note
    from simcore.jobs.run import run_scenario, summary_json
    from simcore.results.first_pref_outputs import render_first_preferences
    from simcore.results.sim_table import render_summary

    sc = read_for_run(file, sets)
    out = out or str(Path("results") / Path(file).stem)
    if not quiet and not as_json:
        compile_note()
    try:
        summary = run_scenario(
            sc,
            sims=sims,
            seed=seed,
            out=out,
            force=force,
            threads=threads,
            chunk_size=chunk_size,
            progress=Progress(not quiet and not as_json),
            precision=precision,
            voters_per_ballot=voters_per_ballot,
            resume=resume,
            dask=dask,
            report=report,
        )
    except BaseException as exc:
        kept = getattr(exc, "kept", None)
        if kept is not None:  # (the CLI's edge prints it after its own message)
            again = ["simcore", "run", file, "--out", out, "--seed", str(kept["seed"])]
            for flag, value in (
                ("--sims", sims),
                ("--precision", precision),
                ("--voters-per-ballot", voters_per_ballot),
                ("--threads", threads),
                ("--chunk-size", chunk_size),
                ("--dask", dask),
            ):
                again += [flag, str(value)] if value is not None else []
            for text in sets:
                again += ["--set", text]
            again += ["--force"] if force else []
            again += [] if report else ["--no-report"]
            again += ["--resume"] + (["-q"] if quiet else []) + (["--json"] if as_json else [])
            exc.hint = (
                f"{kept['done']:,} of {kept['sims']:,} simulations kept; continue with: "
                + shlex.join(again)
            )
        raise
    note = report_note() if report else None
    if note:
        click.echo(note, err=True)
    if as_json:
        click.echo(summary_json(summary))
    elif not quiet:
        click.echo(render_summary(summary.rows, summary.metadata))
        click.echo(render_first_preferences(summary.rows))
        click.echo(f"Results in {summary.out}/")


@click.command("check-sampling")
@click.argument("file", type=click.Path())
@click.option(
    "--voters-per-ballot",
    "-k",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="The sample to check: 1 in K voters.",
)
@click.option(
    "--sims",
    "-n",
    type=click.IntRange(min=2),
    default=2000,
    show_default=True,
    help="Paired simulations (each run three ways).",
)
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: the file's, else 1).")
@click.option("--threads", "-t", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Measures to list."
)
@click.option("--json", "as_json", is_flag=True, help="Print every measure as JSON.")
@set_option
def check_sampling(file, voters_per_ballot, sims, seed, threads, top, as_json, sets):
    """How much --voters-per-ballot K moves scenario FILE's results.

    Simulates FILE exactly, exactly again with another electorate from the same parameters, and
    with a 1-in-K sample, all on one seed (every run draws the same parameters in each
    simulation). Reports both speeds, how often the elected candidates differ from the exact
    run's (and between the two exact runs, for scale), and the measures that moved most, each
    with its paired standard error.
    """
    from simcore.cli.progress import Progress, compile_note, end_line
    from simcore.jobs.sampling_check import check_sampling as run_check
    from simcore.jobs.sampling_check import render_check

    sc = read_for_run(file, sets)
    seed = seed if seed is not None else (sc.seed if sc.seed is not None else 1)
    if not as_json:
        compile_note()
    progress = Progress(not as_json, "simulations (exact, exact again, sampled)")
    check = run_check(sc, voters_per_ballot, sims, seed, threads=threads, progress=progress)
    end_line()
    if as_json:
        click.echo(json.dumps(check.as_dict(), indent=2))
    else:
        click.echo(render_check(check, sc.title, top))
