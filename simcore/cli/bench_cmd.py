"""``simcore bench``: run the benchmarks in ``bench/``, or compare their gate figures with a
stored baseline (docs/benchmarks.md)."""

from __future__ import annotations

import click

from simcore.bench_runner import DEFAULT_THRESHOLD


@click.command()
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (for CI).")
@click.option("--quick", is_flag=True, help="A short smoke run (few repeats).")
@click.option(
    "--compare",
    "baseline",
    metavar="FILE",
    help="Measure only the gate figures and compare them with FILE (a --json or --save-baseline "
    "output); exit status 1 if one costs more than --threshold times its baseline.",
)
@click.option(
    "--save-baseline",
    "save_to",
    metavar="FILE",
    help="Measure only the gate figures and write them to FILE as a new baseline.",
)
@click.option(
    "--threshold",
    type=float,
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="With --compare: the ratio (now over baseline) above which a figure fails.",
)
def bench(names, as_json, quick, baseline, save_to, threshold):
    """Run benchmarks NAMES (default: all) and report medians and ratios."""
    from simcore import bench_runner as br

    gate_only = baseline is not None or save_to is not None
    if save_to is not None:
        br.check_can_save()  # refuse before running
    old = br.load_baseline(baseline) if baseline is not None else None  # refuse before running
    if old is not None and not threshold > 1:
        br.compare(old, old, threshold)  # raises the one-line error
    report = br.run_benchmarks(names, as_json=as_json, quick=quick, gate_only=gate_only)
    if save_to is not None:
        br.save_baseline(report, save_to)
        click.echo(f"saved the gate figures to {save_to}", err=True)
    if old is None:
        return
    result = br.compare(old, report, threshold, only=set(names) or None)
    out = click.echo if not as_json else (lambda s: click.echo(s, err=True))
    out(br.comparison_table(result))
    out(br.machine_line(report["machine"]))
    line = br.verdict_line(result, baseline)
    if result.failed:
        click.echo(f"simcore: {line}", err=True)
        raise click.exceptions.Exit(1)
    out(line)
