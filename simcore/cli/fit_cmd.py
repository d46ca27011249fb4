"""``simcore check-fit``: compare a scenario's simulated first preferences with observed ones."""

from __future__ import annotations

import json

import click

from simcore.cli.options import read_for_run, set_option


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
@set_option
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
def check_fit(file, observed, sims, seed, strategy, threshold, threads, sets, as_json):
    """How far scenario FILE's simulated first preferences are from --observed ones.

    For each row of the CSV: the observed share, the simulated mean and sd (the spread of the
    share across simulations), the z-score, then a verdict line naming the worst row.
    """
    from simcore.jobs.check_fit import check_fit as run_check
    from simcore.jobs.check_fit import render_check

    sc = read_for_run(file, sets)
    seed = seed if seed is not None else (sc.seed if sc.seed is not None else 1)
    check = run_check(
        sc, observed, sims=sims, seed=seed, strategy=strategy, threads=threads, threshold=threshold
    )
    if as_json:
        click.echo(json.dumps(check.as_dict(), indent=2))
    else:
        click.echo(render_check(check, sc.title))


@click.command("fit")
@click.argument("ballots", nargs=-1, type=click.Path())
@click.option("--out", "-o", required=True, type=click.Path(), help="The scenario file to write.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--title", help="The scenario's title (default: from the files).")
@click.option(
    "--rule", default="scottish", show_default=True, help="The counting rule to write (assumed)."
)
# -- first-preference totals (simcore.jobs.fit_totals) --
@click.option(
    "--first-prefs",
    type=click.Path(),
    help="CSV of first-preference totals (candidate or slate, optional region, "
    "first_preferences): fit --into's bloc shares and strengths to them.",
)
@click.option(
    "--into",
    type=click.Path(),
    help="The scenario to fit (with --first-prefs): --out is a copy of it, its comments kept, "
    "with the fitted values replaced.",
)
@click.option(
    "--strategy",
    help="With --first-prefs: the strategy whose orders voters follow (default: first).",
)
def fit(ballots, out, force, title, rule, first_prefs, into, strategy):
    """Fit a scenario to BALLOTS: scot-elex CSV files whose candidates carry party labels, each
    file a region of one election.

    Parties become slates; fitted: bloc shares by region, each slate's modal order, follow rate,
    stop-after-slate rate and continuation lengths, non-aligned ballot lengths, and Plackett-Luce
    strengths, each with a comment naming its source (see docs/calibration.md).

    Or fit an existing scenario (--into) to first-preference totals (--first-prefs): its bloc
    shares and strengths are solved so that its expected first preferences match them, nearest
    to the file's values; its other parameters are kept.
    """
    from simcore.errors import InputError

    if first_prefs is not None or into is not None:
        if ballots:
            raise InputError("give ballot files or --first-prefs CSV --into SCENARIO, not both")
        if first_prefs is None or into is None:
            raise InputError(
                "--first-prefs and --into go together: fit SCENARIO to a CSV of totals"
            )
        _fit_totals(first_prefs, into, out, force, strategy)
        return
    if not ballots:
        raise InputError(
            "nothing to fit: give ballot files (BALLOTS...) or --first-prefs CSV --into SCENARIO"
        )
    from pathlib import Path

    from simcore.errors import InputError
    from simcore.jobs.fit_ballots import fit_profiles, read_labelled
    from simcore.jobs.fit_write import scenario_document

    target = Path(out)
    if target.exists() and not force:
        raise InputError("already exists (use --force to replace it)", path=out)
    profiles = read_labelled(list(ballots))
    names = [p.title or Path(p.source).stem for p in profiles]
    if len(set(names)) < len(names):
        names = [Path(p.source).stem for p in profiles]
    if len(set(names)) < len(names):
        raise InputError("two ballot files have the same name: regions need distinct names")
    result = fit_profiles(profiles, names)
    seats = profiles[0].seats or 1
    doc = scenario_document(result, title or f"Fitted to {names[0]}", seats, rule)
    import tomlkit

    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the scenario: {exc.strerror}", path=out) from None
    click.echo(
        f"{out}: {len(result.candidates)} candidates, {len(result.slates)} slates, "
        f"{len(result.regions)} regions fitted from {sum(n for _, n in result.regions):,} ballots"
    )


# -- first-preference totals (simcore.jobs.fit_totals) --


def _fit_totals(first_prefs, into, out, force, strategy):
    from pathlib import Path

    from simcore.errors import InputError
    from simcore.inputs.scenario_file import read_scenario
    from simcore.jobs.check_fit import read_observed
    from simcore.jobs.fit_totals import fit_first_prefs
    from simcore.jobs.fit_write import totals_document

    target = Path(out)
    if target.exists() and not force:
        raise InputError("already exists (use --force to replace it)", path=out)
    sc = read_scenario(into)
    observed = read_observed(first_prefs, sc)
    result = fit_first_prefs(sc, observed, strategy=strategy, path=first_prefs)
    source = f"fitted (simcore fit --first-prefs {Path(first_prefs).name})"
    if result.rows[0][0].kind == "candidate":
        source = f"{source[:-1]}, strategy {result.strategy})"
    doc = totals_document(Path(into).read_text(encoding="utf-8"), sc, result, source)
    import tomlkit

    _write_atomically(target, tomlkit.dumps(doc), out)
    worst = max(abs(o.share - f) for o, f in result.rows)
    click.echo(
        f"{out}: bloc shares{' by region' if result.by_region else ''} and strengths fitted to "
        f"{len(result.rows)} first-preference totals (strategy {result.strategy!r}); expected "
        f"shares within {100 * worst:.3f} points of them"
    )


def _write_atomically(target, text, out):
    from simcore.errors import InputError

    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the scenario: {exc.strerror}", path=out) from None
