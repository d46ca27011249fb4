"""``simcore count``: count one ballot file, several, or a whole directory."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from simcore.errors import InputError


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for p in pairs:
        key, eq, value = p.partition("=")
        if not eq or not key.strip():
            raise InputError(f"--option {p!r} must look like KEY=VALUE, e.g. quota=hare")
        out[key.strip()] = value.strip()
    return out


def expand_paths(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; directories expanded to the ballot files inside them (sorted)."""
    from simcore.inputs.ballots import BALLOT_EXTENSIONS

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in BALLOT_EXTENSIONS
            )
            if not found:
                raise InputError("directory holds no ballot files (.blt, .csv, .soi, .toi)", path=p)
            out.extend(found)
        else:
            out.append(p)
    return out


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "--rule",
    "-r",
    default="scottish",
    show_default=True,
    help="Counting rule (see 'simcore rules').",
)
@click.option("--seats", "-s", type=int, help="Seats to fill (default: as the file says).")
@click.option("--seed", type=int, help="Seed for ties decided by lot (default: fresh, reported).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--option",
    "-o",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A rule option, e.g. -o quota=hare (repeatable; see 'simcore rules').",
)
@click.option(
    "--minimum",
    "minimums",
    multiple=True,
    metavar="ATTR=VALUE:K",
    help="Group minimum (STV rules, block, fptp), e.g. --minimum gender=woman:5 (repeatable).",
)
@click.option(
    "--candidates",
    "candidates_file",
    type=click.Path(),
    help="CSV of candidate attributes: a 'name' column and one column per attribute.",
)
@click.option("--withdraw", multiple=True, metavar="NAME", help="Treat NAME as withdrawn.")
@click.option(
    "--input-format",
    type=click.Choice(["blt", "csv", "preflib"]),
    help="Ballot file format (default: from the extension or the content).",
)
def count(
    files, rule, seats, seed, fmt, options, minimums, candidates_file, withdraw, input_format
):
    """Count ballot FILES (BLT, scot-elex CSV, PrefLib .soi/.toi) or directories of them, or
    an electoral college FILE (.toml naming each section's ballot file and weight).

    Prints the stage table and the elected candidates (for a college: the round table by
    section).  With several files and --format json, prints one JSON object per line, each with
    its "file".
    """
    from simcore.counting.api import count as count_profile
    from simcore.inputs.ballots import read_ballots
    from simcore.inputs.candidates import read_candidate_attributes
    from simcore.inputs.college_file import is_college_file
    from simcore.model.rules import get_rule, parse_options
    from simcore.results import stage_table

    opts = _parse_options(options)
    paths = expand_paths(files)
    if len(paths) == 1 and is_college_file(paths[0]):
        _count_college(paths[0], seed, fmt)
        return
    parse_options(get_rule(rule), opts)  # bad rule or option: fail before reading any file
    many = len(paths) > 1
    failures = 0
    if fmt == "csv":
        click.echo(stage_table.csv_header(), nl=False)
    for k, path in enumerate(paths):
        try:
            profile = read_ballots(path, input_format)
            attributes = (
                read_candidate_attributes(candidates_file, profile.candidates)
                if candidates_file
                else None
            )
            result = count_profile(
                profile,
                rule,
                seats=seats,
                seed=seed,
                minimum=minimums or None,
                attributes=attributes,
                withdraw=withdraw,
                **opts,
            )
        except InputError as exc:
            if "no candidate attribute" in exc.message and not candidates_file:
                exc = InputError(
                    f"{exc.message}; give candidate attributes with --candidates FILE",
                    path=exc.path,
                    line=exc.line,
                    key=exc.key,
                )
            if not many:
                raise exc from None
            failures += 1
            click.echo(f"simcore: error: {exc}", err=True)
            continue
        if fmt == "json":
            click.echo(stage_table.to_json(result, indent=None if many else 2))
        elif fmt == "csv":
            click.echo(stage_table.to_csv_rows(result), nl=False)
        else:
            if k:
                click.echo()
            click.echo(stage_table.to_table(result))
    if failures:
        click.echo(f"simcore: {failures} of {len(paths)} files could not be counted", err=True)
        sys.exit(2)


def _count_college(path, seed, fmt):
    from simcore.counting.college_api import count_college
    from simcore.inputs.college_file import read_college
    from simcore.results import college_table

    res = count_college(read_college(path), seed=seed)
    if fmt == "json":
        click.echo(college_table.to_json(res))
    elif fmt == "csv":
        click.echo(college_table.to_csv(res), nl=False)
    else:
        click.echo(college_table.to_table(res))
