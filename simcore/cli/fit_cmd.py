"""``simcore check-fit``: compare a scenario's simulated first preferences with observed ones."""

from __future__ import annotations

import json

import click


@click.command("check-fit")
@click.argument("file", type=click.Path())
@click.option(
    "--observed",
    required=True,
    type=click.Path(),
    help="CSV: candidate or slate, optional region, first_preferences (votes or shares).",
)
@click.option(
    "--sims", "-n", type=click.IntRange(min=2), default=500, show_default=True, help="Simulations."
)
@click.option("--seed", type=click.IntRange(min=0), help="Seed (default: the file's, else 1).")
@click.option(
    "--strategy", help="The strategy whose first preferences to compare (default: first)."
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, min_open=True),
    default=3.0,
    show_default=True,
    help="|z| above this is off.",
)
@click.option("--threads", "-t", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def check_fit(file, observed, sims, seed, strategy, threshold, threads, as_json):
    """How far scenario FILE's simulated first preferences are from --observed ones.

    For each row of the CSV: the observed share, the simulated mean and sd (the spread of the
    share across simulations), the z-score, then a verdict line naming the worst row.
    """
    from simcore.cli.scenario_cmds import _read_for_run
    from simcore.jobs.check_fit import check_fit as run_check
    from simcore.jobs.check_fit import render_check

    sc = _read_for_run(file)
    seed = seed if seed is not None else (sc.seed if sc.seed is not None else 1)
    check = run_check(
        sc, observed, sims=sims, seed=seed, strategy=strategy, threads=threads, threshold=threshold
    )
    if as_json:
        click.echo(json.dumps(check.as_dict(), indent=2))
    else:
        click.echo(render_check(check, sc.title))
