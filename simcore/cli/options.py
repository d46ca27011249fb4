"""Options and helpers shared by the commands that read a scenario (``run``, ``validate``,
``check-sampling``, ``sweep``, ``optimize``)."""

from __future__ import annotations

import click

from simcore.errors import InputError


def set_option(f):
    """``--set KEY=VALUE`` (repeatable, into the parameter ``sets``): override a scenario key."""
    return click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a scenario key, e.g. --set slates.gv.supporters.follow.mean=0.7 "
        "(KEY as in error messages, VALUE as in TOML; repeatable; checked like the file).",
    )(f)


def read_for_run(file, sets=()):
    """The scenario ``file`` with overrides ``sets``; its first problem if it has any, saying
    how many more ``validate`` lists."""
    from simcore.inputs.scenario_file import ScenarioError, read_scenario

    try:
        return read_scenario(file, sets)
    except ScenarioError as exc:
        if len(exc.errors) == 1:
            raise
        more = len(exc.errors) - 1
        again = "".join(f" --set '{s}'" for s in sets)
        raise InputError(
            f"{exc.message} (and {more} more problem(s): 'simcore validate {file}{again}' "
            "lists them)",
            path=exc.path,
            line=exc.line,
            key=exc.key,
        ) from None
