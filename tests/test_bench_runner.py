"""``simcore bench`` runs only the benchmarks beside its own sources, never code from the current
folder (a ``bench/`` or ``simcore/`` there is not imported), and refuses clearly without them."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest

from simcore import bench_runner
from simcore.errors import InputError

ROOT = Path(__file__).resolve().parent.parent

_TRAP = (
    "from pathlib import Path\nPath({marker!r}).write_text(__name__)\nraise RuntimeError('trap')\n"
)


def _trap_folder(tmp_path: Path) -> Path:
    """A folder with a bench/ and a simcore/ whose import leaves a marker file and fails."""
    marker = tmp_path / "IMPORTED"
    for package in ("bench", "simcore"):
        (tmp_path / package).mkdir()
        for name in ("__init__.py", "common.py", "bench_evil.py"):
            (tmp_path / package / name).write_text(_TRAP.format(marker=str(marker)))
    return marker


def _simcore(args, cwd: Path) -> subprocess.CompletedProcess:
    # (-P: Python itself does not put the current folder on sys.path; simcore must not either)
    return subprocess.run(
        [sys.executable, "-P", "-m", "simcore.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bench_never_imports_the_current_folder(tmp_path):
    marker = _trap_folder(tmp_path)
    help_run = _simcore(["bench", "--help"], tmp_path)
    assert help_run.returncode == 0, help_run.stderr
    # loads the whole registry, then refuses the unknown name: no benchmark actually runs
    run = _simcore(["bench", "no-such-benchmark"], tmp_path)
    assert not marker.exists(), f"imported {marker.read_text()} from the current folder"
    assert run.returncode != 0
    assert "unknown benchmark 'no-such-benchmark'" in run.stderr
    assert "simulate-nec" in run.stderr  # the real registry was loaded
    assert "Traceback" not in run.stderr


def test_benchmark_processes_do_not_import_the_current_folder(tmp_path, monkeypatch):
    from bench.bench_simulate import _run_process

    work = tmp_path / "cwd"
    work.mkdir()
    marker = _trap_folder(work)
    monkeypatch.chdir(work)
    r = _run_process(20, 1, tmp_path / "out", ROOT / "scenarios" / "quickstart.toml")
    assert not marker.exists()
    assert r["sims_per_s"] > 0
    assert r["cpu_utilisation"] > 0


def test_refuses_without_bench_folder(tmp_path):
    (tmp_path / "simcore").mkdir()
    with pytest.raises(InputError, match="no benchmarks beside this simcore"):
        bench_runner._bench_folder(tmp_path)


def test_refuses_a_foreign_bench_module(monkeypatch, tmp_path):
    foreign = types.ModuleType("bench")
    foreign.__file__ = str(tmp_path / "bench" / "__init__.py")
    monkeypatch.setitem(sys.modules, "bench", foreign)
    with pytest.raises(InputError, match="another module named 'bench'"):
        bench_runner.load_registry()


def test_parallel_efficiency():
    from bench.bench_simulate import parallel_efficiency

    assert parallel_efficiency(100.0, 200.0) == 1.0
    assert parallel_efficiency(100.0, 100.0) == 0.5
    assert parallel_efficiency(100.0, 188.0) == 0.94
