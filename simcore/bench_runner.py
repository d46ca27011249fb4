"""Finding and running the benchmarks in the ``bench/`` folder of simcore's own checkout.

Only the checkout that holds this package is used (``bench/`` beside ``simcore/``): never the
current folder, nor a ``bench`` package found elsewhere on ``sys.path``.  So running
``simcore bench`` in a folder that has a ``bench/`` of its own imports none of its code."""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path

import click

from simcore.errors import InputError

CHECKOUT = Path(__file__).resolve().parent.parent  # the folder that holds simcore/


def _bench_folder(root: Path = CHECKOUT) -> Path:
    folder = root / "bench"
    if not (folder / "__init__.py").is_file() or not (folder / "common.py").is_file():
        raise InputError(
            f"no benchmarks beside this simcore ({folder} is missing): 'simcore bench' runs from "
            "a source checkout installed with 'pip install -e .', not from an installed package"
        )
    return folder


def _import_bench_package(folder: Path):
    """The package ``bench`` loaded from ``folder`` (and only from there)."""
    loaded = sys.modules.get("bench")
    if loaded is not None:
        where = getattr(loaded, "__file__", None)
        if where is None or Path(where).resolve().parent != folder:
            raise InputError(
                f"another module named 'bench' is already imported ({where}); "
                f"run 'simcore bench' in a fresh process to use {folder}"
            )
        return loaded
    spec = importlib.util.spec_from_file_location(
        "bench", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        del sys.modules["bench"]
        raise
    return package


def load_registry():
    folder = _bench_folder()
    _import_bench_package(folder)  # bench.X now resolves inside folder, whatever sys.path holds
    common = importlib.import_module("bench.common")
    for f in sorted(folder.glob("bench_*.py")):
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
