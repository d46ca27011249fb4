"""``simcore report DIR``: (re)build a results folder's report from its files."""

from __future__ import annotations

import click

from simcore.errors import InputError


def report_note() -> str | None:
    """One line saying how to get the report when its libraries are missing (else None)."""
    from simcore.results.report import INSTALL_HINT, missing_modules

    missing = missing_modules()
    if not missing:
        return None
    return (
        f"simcore: note: no report.html or summary.xlsx: they need {', '.join(missing)} "
        f"({INSTALL_HINT}, then 'simcore report FOLDER')"
    )


@click.command()
@click.argument("folder", type=click.Path())
def report(folder):
    """Build FOLDER/report.html, FOLDER/summary.xlsx and FOLDER/plots/ from the results in
    FOLDER (a folder written by 'simcore run', 'sweep' or 'optimize'): charts, tables,
    every scenario parameter and the run's details, readable without simcore."""
    from simcore.results.report import write_report

    note = report_note()
    if note:
        raise InputError(note.removeprefix("simcore: note: "))
    for path in write_report(folder):
        click.echo(f"wrote {path}")
