"""The report of a results folder: ``report.html`` (one self-contained page: charts as inline
SVG, no network request, prints well), ``summary.xlsx`` (a formatted workbook) and the charts as
PNG and SVG files in ``plots/``.

They are built from the files of the folder only: a run's ``summary.parquet``, a sweep's
``sweep.parquet`` and ``crossings.csv`` or an optimisation's ``search.parquet`` and
``final.csv`` (:mod:`simcore.results.report.folder_data` tells them apart), with ``run.json``
and the scenario copy ``scenario.toml``; so ``simcore report DIR`` can (re)build them at any
time.  The libraries (matplotlib, jinja2, openpyxl) are simcore's
``report`` extra: :func:`missing_modules` says whether they are installed.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from simcore.results.run_folder import writing

REPORT_MODULES = ("matplotlib", "jinja2", "openpyxl")
REPORT_FILES = ("report.html", "summary.xlsx", "plots")
INSTALL_HINT = "pip install 'simcore[report]'"


def missing_modules() -> list[str]:
    """The report's libraries that are not installed (empty: the report can be built)."""
    return [m for m in REPORT_MODULES if importlib.util.find_spec(m) is None]


def write_report(folder: str | Path) -> list[Path]:
    """Build ``report.html``, ``summary.xlsx`` and ``plots/`` in results ``folder``; each
    replaces any older copy only once it is complete.  Returns the paths written."""
    from simcore.results.report.folder_data import load_folder
    from simcore.results.report.page import render_page
    from simcore.results.report.plots import make_charts
    from simcore.results.report.workbook import write_workbook

    folder = Path(folder)
    data = load_folder(folder)
    tmp = folder / ".simcore-report-tmp"
    with writing(folder):
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
    try:
        with writing(tmp):
            (tmp / "plots").mkdir()
            charts = make_charts(data, tmp / "plots")
            (tmp / "report.html").write_text(render_page(data, charts), encoding="utf-8")
            write_workbook(data, tmp / "summary.xlsx")
        with writing(folder):
            for name in REPORT_FILES:
                old = folder / name
                if old.is_dir():
                    shutil.rmtree(old)
                os.replace(tmp / name, old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / name for name in REPORT_FILES]
