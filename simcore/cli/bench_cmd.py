"""``simcore bench``: run the benchmarks in ``bench/``."""

from __future__ import annotations

import click


@click.command()
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for CI).")
@click.option("--quick", is_flag=True, help="A short smoke run (few repeats).")
def bench(names, as_json, quick):
    """Run benchmarks NAMES (default: all) and report medians and ratios."""
    from simcore.bench_runner import run_benchmarks

    run_benchmarks(names, as_json=as_json, quick=quick)
