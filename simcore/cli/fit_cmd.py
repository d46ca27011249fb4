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
@click.option("--title", help="With BALLOTS: the scenario's title (default: from the files).")
@click.option(
    "--rule",
    default="scottish",
    show_default=True,
    help="With BALLOTS: the counting rule to write (assumed).",
)
@click.option(
    "--into",
    type=click.Path(),
    help="The scenario to fit (to BALLOTS, or to --first-prefs and/or --stages): --out is a "
    "copy of it, its comments kept, with the fitted values replaced.",
)
# -- first-preference totals (simcore.jobs.fit_totals) --
@click.option(
    "--first-prefs",
    type=click.Path(),
    help="CSV of first-preference totals (candidate or slate, optional region, "
    "first_preferences): fit --into's bloc shares and strengths to them.",
)
@click.option(
    "--strategy",
    help="With --first-prefs: the strategy whose orders voters follow (default: first).",
)
# -- fitting to a stage table (fit_stages) --------------------------------------------------------
@click.option(
    "--stages",
    type=click.Path(),
    help="A published stage table (CSV: stage, candidate, votes): fit --into's transfer "
    "parameters to it by simulated method of moments.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    help="With --stages: a parameter to fit (SLATE.stop_after_slate, SLATE.follow, "
    "SLATE.next.OTHER); repeat. Default: every slate's stop_after_slate and next.",
)
@click.option(
    "--sims",
    "-n",
    type=click.IntRange(min=2),
    default=200,
    show_default=True,
    help="With --stages: simulations per evaluation.",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=1, show_default=True, help="With --stages."
)
@click.option(
    "--max-evals",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="With --stages: the most evaluations of the objective.",
)
def fit(
    ballots,
    out,
    force,
    title,
    rule,
    into,
    first_prefs,
    strategy,
    stages,
    params,
    sims,
    seed,
    max_evals,
):
    """Fit a scenario to BALLOTS: scot-elex CSV files whose candidates carry party labels, each
    file a region of one election.

    Parties become slates; fitted: bloc shares by region, each slate's modal order, follow rate,
    Mallows share and phi, stop-after-slate rate and continuation lengths, slate affinities,
    non-aligned ballot lengths, and Plackett-Luce strengths, each with a comment naming its
    source (see docs/calibration.md).

    With --into SCENARIO, the fitted values replace SCENARIO's own in a copy of it (its
    orderings, strategies, regions and comments kept).

    Or fit an existing scenario (--into) to aggregate data, its other parameters and comments
    kept: to first-preference totals (--first-prefs: its bloc shares and strengths are solved
    so that its expected first preferences match them, nearest to the file's values), to a
    published stage table (--stages: its transfer parameters, by simulated method of moments),
    or to both (first preferences first, then the stage table from the result).
    """
    from pathlib import Path

    from simcore.errors import InputError

    aggregate = [o for o, v in (("--first-prefs", first_prefs), ("--stages", stages)) if v]
    if ballots and aggregate:
        raise InputError(
            f"give ballot files or {' and '.join(aggregate)} --into SCENARIO, not both"
        )
    if into is not None and title is not None:
        raise InputError("--title makes a new scenario; with --into the scenario's is kept")
    if aggregate and into is None:
        raise InputError(
            f"{aggregate[0]} needs --into SCENARIO: the scenario to fit (they go together)"
        )
    if not ballots and not aggregate:
        raise InputError(
            "nothing to fit: give BALLOTS files, or --first-prefs and/or --stages with --into"
        )
    if params and not stages:
        raise InputError("--param goes with --stages")
    if strategy is not None and not first_prefs:
        raise InputError("--strategy goes with --first-prefs")
    target = Path(out)
    if target.exists() and not force:
        raise InputError("already exists (use --force to replace it)", path=out)
    if aggregate:
        _fit_aggregates(into, target, first_prefs, strategy, stages, params, sims, seed, max_evals)
        return
    from simcore.jobs.fit_ballots import fit_profiles, read_labelled
    from simcore.jobs.fit_write import scenario_document

    profiles = read_labelled(list(ballots))
    names = [p.title or Path(p.source).stem for p in profiles]
    if len(set(names)) < len(names):
        names = [Path(p.source).stem for p in profiles]
    if len(set(names)) < len(names):
        raise InputError("two ballot files have the same name: regions need distinct names")
    sc = None
    if into is not None:  # (read first: a bad scenario is found before the fit)
        from simcore.inputs.scenario_file import read_scenario

        sc = read_scenario(into)
    result = fit_profiles(profiles, names)
    import tomlkit

    ballots_read = sum(n for _, n in result.regions)
    if sc is not None:
        from simcore.jobs.fit_into import ballots_into_document

        doc = ballots_into_document(Path(into).read_text(encoding="utf-8"), sc, result)
        _write_atomically(target, tomlkit.dumps(doc))
        click.echo(
            f"{out}: {into} with its strengths, {len(result.slates)} slates' supporters and "
            f"non-aligned lengths fitted from {ballots_read:,} ballots (its orderings, "
            "strategies and regions kept)"
        )
        return
    seats = profiles[0].seats or 1
    doc = scenario_document(result, title or f"Fitted to {names[0]}", seats, rule)
    _write_atomically(target, tomlkit.dumps(doc))
    click.echo(
        f"{out}: {len(result.candidates)} candidates, {len(result.slates)} slates, "
        f"{len(result.regions)} regions fitted from {ballots_read:,} ballots"
    )


def _fit_aggregates(into, target, first_prefs, strategy, stages, params, sims, seed, max_evals):
    """``simcore fit --into``: first-preference totals, then a stage table, fitted into the
    scenario ``into``; every input is read before any fitting, and ``target`` is written (and
    the fits reported) only once every fit has succeeded."""
    from pathlib import Path

    from simcore.inputs.scenario_file import parse_scenario, read_scenario
    from simcore.jobs import fit_stages as fs
    from simcore.jobs.check_fit import read_observed

    sc = read_scenario(into)
    text = Path(into).read_text(encoding="utf-8")
    observed = read_observed(first_prefs, sc) if first_prefs else None
    if stages:  # (the fit of first preferences keeps the candidates and slates)
        table = fs.read_stage_table(stages, sc.candidate_names)
        chosen = fs.parse_params(sc, tuple(params))
    report = []
    if first_prefs:
        text = _fit_totals(first_prefs, observed, sc, text, target, strategy, report)
        sc = parse_scenario(text, into)
    if stages:
        text = _fit_stages(stages, table, chosen, sc, text, target, sims, seed, max_evals, report)
    _write_atomically(target, text)
    for line in report:
        click.echo(line)


# -- first-preference totals (simcore.jobs.fit_totals) --


def _fit_totals(first_prefs, observed, sc, text, target, strategy, report) -> str:
    """The scenario ``text`` (of ``sc``) with bloc shares and strengths fitted to the totals
    ``observed`` read from ``first_prefs`` (:mod:`simcore.jobs.fit_totals`); its summary line
    appended to ``report``."""
    from pathlib import Path

    import tomlkit

    from simcore.jobs.fit_totals import fit_first_prefs
    from simcore.jobs.fit_write import totals_document

    result = fit_first_prefs(sc, observed, strategy=strategy, path=first_prefs)
    source = f"fitted (simcore fit --first-prefs {Path(first_prefs).name})"
    if result.rows[0][0].kind == "candidate":
        source = f"{source[:-1]}, strategy {result.strategy})"
    doc = totals_document(text, sc, result, source)
    worst = max(abs(o.share - f) for o, f in result.rows)
    report.append(
        f"{target}: bloc shares{' by region' if result.by_region else ''} and strengths fitted to "
        f"{len(result.rows)} first-preference totals (strategy {result.strategy!r}); expected "
        f"shares within {100 * worst:.3f} points of them"
    )
    return tomlkit.dumps(doc)


# -- fitting to a stage table (simcore.jobs.fit_stages) --


def _fit_stages(stages, observed, chosen, sc, text, target, sims, seed, max_evals, report) -> str:
    """The scenario ``text`` (of ``sc``) with the transfer parameters ``chosen`` fitted to the
    stage table ``observed`` read from ``stages`` (:mod:`simcore.jobs.fit_stages`); its summary
    lines appended to ``report``."""
    import time

    import tomlkit

    from simcore.jobs import fit_stages as fs

    began = time.perf_counter()
    result = fs.fit_stage_table(sc, observed, chosen, sims=sims, seed=seed, max_evals=max_evals)
    doc = tomlkit.parse(text)
    fs.update_document(doc, result, stages)
    for p, a, b, sens in zip(
        result.params, result.start, result.values, result.sensitivity, strict=True
    ):
        report.append(f"{p.name}: {a:.4g} -> {b:.4g}  (objective +{sens:.0%} at 0.25 off)")
    report.append(
        f"{target}: objective {result.objective_start:.3g} -> {result.objective:.3g} "
        f"(rms share difference {result.rms_start:.2%} -> {result.rms:.2%}), "
        f"{result.evaluations} evaluations of {sims} simulations, "
        f"{time.perf_counter() - began:.1f}s"
    )
    return tomlkit.dumps(doc)


def _write_atomically(target, text: str) -> None:
    """Write ``text`` to ``target`` through a partial file, only if it still
    reads as a valid scenario (a fit never leaves a file simcore cannot run)."""
    from simcore.errors import InputError
    from simcore.inputs.scenario_file import read_scenario

    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        read_scenario(tmp)  # (still a valid scenario)
        tmp.replace(target)
    except OSError as exc:
        raise InputError(f"cannot write the scenario: {exc.strerror}", path=target) from None
    finally:
        tmp.unlink(missing_ok=True)
