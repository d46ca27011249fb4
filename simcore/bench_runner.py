"""Finding and running the benchmarks in the repository's ``bench/`` folder."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

import click

from simcore.errors import InputError


def _bench_root() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (base / "bench" / "common.py").is_file():
            return base
    raise InputError("no bench/ folder found: run 'simcore bench' from a simcore checkout")


def load_registry():
    root = _bench_root()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    common = importlib.import_module("bench.common")
    for f in sorted((root / "bench").glob("bench_*.py")):
        importlib.import_module(f"bench.{f.stem}")
    return common


def run_benchmarks(names, *, as_json: bool, quick: bool) -> dict:
    common = load_registry()
    registry = common.REGISTRY
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise InputError(f"unknown benchmark {unknown[0]!r}; known: {', '.join(registry)}")
    chosen = list(names) or list(registry)
    report = {"machine": common.machine(), "quick": quick, "benchmarks": {}}
    for name in chosen:
        b = registry[name]
        if not as_json:
            click.echo(f"== {name}: {b.title}", err=True)
        t = time.perf_counter()
        figures = b.fn(quick)
        figures["wall_s"] = round(time.perf_counter() - t, 3)
        report["benchmarks"][name] = figures
        if not as_json:
            for key, value in figures.items():
                click.echo(f"   {key:<34} {_fmt(value)}")
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        m = report["machine"]
        click.echo(
            f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, numba {m['numba']}"
        )
    return report


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
