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
@click.argument("ballots", nargs=-1, required=False, type=click.Path())
@click.option("--out", "-o", required=True, type=click.Path(), help="The scenario file to write.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--title", help="The scenario's title (default: from the files).")
@click.option(
    "--rule", default="scottish", show_default=True, help="The counting rule to write (assumed)."
)
# -- fitting to a stage table (fit_stages) --------------------------------------------------------
@click.option(
    "--stages",
    type=click.Path(),
    help="A published stage table (CSV: stage, candidate, votes): fit --into's transfer "
    "parameters to it by simulated method of moments.",
)
@click.option(
    "--into",
    type=click.Path(),
    help="The scenario to start from; its other values and comments are kept.",
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
def fit(ballots, out, force, title, rule, stages, into, params, sims, seed, max_evals):
    """Fit a scenario to BALLOTS: scot-elex CSV files whose candidates carry party labels, each
    file a region of one election.

    Parties become slates; fitted: bloc shares by region, each slate's modal order, follow rate,
    stop-after-slate rate and continuation lengths, non-aligned ballot lengths, and Plackett-Luce
    strengths, each with a comment naming its source (see docs/calibration.md).
    """
    from pathlib import Path

    from simcore.errors import InputError
    from simcore.jobs.fit_ballots import fit_profiles, read_labelled
    from simcore.jobs.fit_write import scenario_document

    target = Path(out)
    if target.exists() and not force:
        raise InputError("already exists (use --force to replace it)", path=out)
    if stages is not None:
        if ballots:
            raise InputError("give ballot files or --stages, not both")
        if into is None:
            raise InputError("--stages needs --into SCENARIO: the scenario whose transfers to fit")
        _fit_stages(stages, into, target, params, sims, seed, max_evals)
        return
    if not ballots:
        raise InputError("nothing to fit: give BALLOTS files, or --stages with --into")
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


def _fit_stages(stages, into, target, params, sims, seed, max_evals) -> None:
    """``simcore fit --stages``: the transfer parameters of ``into`` fitted to a stage table
    (:mod:`simcore.jobs.fit_stages`), written to ``target`` with tomlkit."""
    import time
    from pathlib import Path

    import tomlkit

    from simcore.errors import InputError
    from simcore.inputs.scenario_file import read_scenario
    from simcore.jobs import fit_stages as fs

    sc = read_scenario(into)
    observed = fs.read_stage_table(stages, sc.candidate_names)
    chosen = fs.parse_params(sc, tuple(params))
    began = time.perf_counter()
    result = fs.fit_stage_table(sc, observed, chosen, sims=sims, seed=seed, max_evals=max_evals)
    doc = tomlkit.parse(Path(into).read_text(encoding="utf-8"))
    fs.update_document(doc, result, stages)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_text(tomlkit.dumps(doc), encoding="utf-8")
        read_scenario(tmp)  # (still a valid scenario)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the scenario: {exc.strerror}", path=target) from None
    finally:
        tmp.unlink(missing_ok=True)
    for p, a, b, sens in zip(
        result.params, result.start, result.values, result.sensitivity, strict=True
    ):
        click.echo(f"{p.name}: {a:.4g} -> {b:.4g}  (objective +{sens:.0%} at 0.25 off)")
    click.echo(
        f"{target}: objective {result.objective_start:.3g} -> {result.objective:.3g} "
        f"(rms share difference {result.rms_start:.2%} -> {result.rms:.2%}), "
        f"{result.evaluations} evaluations of {sims} simulations, "
        f"{time.perf_counter() - began:.1f}s"
    )
