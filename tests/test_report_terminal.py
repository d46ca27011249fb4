"""The terminal: count tables fit the terminal's width (stages wrap into blocks), a redirected
long run logs progress lines, and a first run says it is compiling."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import simcore
from simcore.cli import progress as progress_mod
from simcore.results.stage_table import to_table

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "scot-elex" / "blt"


def _tables():
    files = [ROOT / "tests/data/nec20.blt", ROOT / "examples/ballots/election.blt"]
    if SHARED.is_dir():  # the widest real elections: the most candidates and stages
        files += sorted(SHARED.rglob("*.blt"), key=lambda p: -p.stat().st_size)[:3]
    for f in files:
        profile = simcore.read_ballots(f)
        for rule in ("scottish", "ers97"):
            yield f.name, rule, simcore.count(profile, rule=rule, seed=1)


@pytest.mark.parametrize("width", [60, 100, 160])
def test_count_tables_fit_the_width(width):
    for name, rule, result in _tables():
        text = to_table(result, width=width)
        widest = max(len(line) for line in text.splitlines())
        assert widest <= width, (name, rule, widest)
        for st in result.stages:  # every stage still shown, once
            assert text.count(f"{st.number}") >= 1
        if len(result.stages) > 6 and width == 60:
            assert text.count("\nStage ") >= 2  # wrapped into blocks


def test_the_default_width_is_100_off_a_terminal(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = simcore.count(simcore.read_ballots(ROOT / "tests/data/nec20.blt"), rule="ers97")
    assert max(len(x) for x in to_table(result).splitlines()) <= 100


def test_progress_lines_when_stderr_is_not_a_terminal(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(progress_mod.sys, "stderr", err)
    clock = iter([0.0, 100.0, 101.0, 103.0, 106.0, 112.0, 113.0])
    monkeypatch.setattr(progress_mod.time, "perf_counter", lambda: next(clock))
    bar = progress_mod.Progress(True)
    for done in (10, 20, 30, 40, 50, 60):
        bar(done, 60)
    lines = err.getvalue().splitlines()
    assert len(lines) == 3, lines  # at 106 s and 112 s (5 s apart or more), and the end
    assert lines[0].startswith("simcore: 40/60 simulations (67%)")
    assert lines[-1].startswith("simcore: 60/60 simulations (100%)")


def test_a_short_redirected_run_logs_nothing(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(progress_mod.sys, "stderr", err)
    bar = progress_mod.Progress(True)
    bar(5, 10)
    bar(10, 10)
    assert err.getvalue() == ""


def test_first_run_says_it_is_compiling(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(progress_mod.sys, "stderr", err)
    monkeypatch.delenv("SIMCORE_NO_COMPILE_NOTE", raising=False)
    monkeypatch.setattr(progress_mod, "kernels_cached", lambda: False)
    progress_mod.compile_note()
    assert "compiling" in err.getvalue() and "1-3 minutes" in err.getvalue()
    monkeypatch.setattr(progress_mod, "kernels_cached", lambda: True)
    err.truncate(0)
    progress_mod.compile_note()
    assert err.getvalue() == ""


def test_the_cache_check_sees_compiled_kernels(folder_with_a_run):
    assert progress_mod.kernels_cached()  # (a simulation has run in this process)


@pytest.fixture
def folder_with_a_run(tmp_path):
    from tests.report_helpers import run_quickstart

    return run_quickstart(tmp_path / "qs", "--no-report")
