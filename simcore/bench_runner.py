"""Finding and running the benchmarks in the ``bench/`` folder of simcore's own checkout.

Only the checkout that holds this package is used (``bench/`` beside ``simcore/``): never the
current folder, nor a ``bench`` package found elsewhere on ``sys.path``.  So running
``simcore bench`` in a folder that has a ``bench/`` of its own imports none of its code."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
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


def run_benchmarks(names, *, as_json: bool, quick: bool, gate_only: bool = False) -> dict:
    """Run benchmarks ``names`` (default: all; with ``gate_only``, all that have gate figures,
    and only their gate figures) and return the report (printed unless ``gate_only``)."""
    common = load_registry()
    registry = common.REGISTRY
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise InputError(f"unknown benchmark {unknown[0]!r}; known: {', '.join(registry)}")
    if gate_only:
        ungated = [n for n in names if registry[n].gate is None]
        if ungated:
            gated = ", ".join(n for n, b in registry.items() if b.gate is not None)
            raise InputError(f"benchmark {ungated[0]!r} has no gate figures; gated: {gated}")
    chosen = list(names) or [n for n, b in registry.items() if b.gate is not None or not gate_only]
    report = {"machine": common.machine(), "quick": quick, "benchmarks": {}}
    hook = os.environ.get("SIMCORE_BENCH_SLOWDOWN")
    if hook:
        report["injected_slowdown"] = hook  # the test hook (bench/calibration.py) was set
    rounds: dict[str, list[dict]] = {n: [] for n in chosen if registry[n].gate is not None}
    for name in chosen:
        b = registry[name]
        if not as_json:
            what = "gate figures (docs/benchmarks.md)" if gate_only else b.title
            click.echo(f"== {name}: {what}", err=True)
        t = time.perf_counter()
        figures = {} if gate_only else b.fn(quick)
        if not as_json and not gate_only:
            for key, value in figures.items():
                click.echo(f"   {key:<34} {_fmt(value)}")
        if name in rounds:
            rounds[name].append(b.gate(quick))
        figures["wall_s"] = round(time.perf_counter() - t, 3)
        report["benchmarks"][name] = figures
    for _ in range(GATE_ROUNDS - 1):  # later rounds, after all the others: see GATE_ROUNDS
        for name, measured in rounds.items():
            t = time.perf_counter()
            measured.append(registry[name].gate(quick))
            report["benchmarks"][name]["wall_s"] += round(time.perf_counter() - t, 3)
    for name, measured in rounds.items():
        report["benchmarks"][name].update(_gate_figures(measured))
        if not as_json and not gate_only:
            click.echo(f"== {name}: gate figures (docs/benchmarks.md)", err=True)
            for key in ("gate", "gate_median_ratio", "gate_pair_spread", "gate_calibration_ms"):
                click.echo(f"   {key:<34} {_fmt(report['benchmarks'][name][key])}")
    if as_json:
        click.echo(json.dumps(report, indent=2))
    elif not gate_only:
        click.echo(machine_line(report["machine"]))
    return report


# Each gate figure is measured this many times, in rounds over all the gated benchmarks (so some
# seconds apart), and the median of the rounds kept: a spell of heavy load on the machine, or an
# unusually fast one, that lasts through one round's timings of a figure rarely lasts through
# two rounds'.
GATE_ROUNDS = 3


def _gate_figures(measured: list[dict]) -> dict:
    """The report's gate entries from the rounds of ``paired_cost`` results of one benchmark."""
    figs = measured[0].keys()
    return {
        "gate": {k: round(statistics.median(m[k]["cost"] for m in measured), 5) for k in figs},
        # for information: the median of the paired ratios and their relative spread
        "gate_median_ratio": {
            k: round(statistics.median(m[k]["median_ratio"] for m in measured), 5) for k in figs
        },
        "gate_pair_spread": {
            k: round(statistics.median(m[k]["pair_spread"] for m in measured), 4) for k in figs
        },
        "gate_calibration_ms": round(
            min(m[k]["calibration_ms"] for m in measured for k in figs), 4
        ),
    }


def machine_line(m: dict) -> str:
    return f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, numba {m['numba']}"


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


# --- the benchmark gate: comparing gate figures with a stored baseline (docs/benchmarks.md) ---

# A gate figure may cost this many times its baseline before the gate fails.  Chosen from the
# run-to-run spread measured on the 2-core development machine under load (docs/benchmarks.md).
DEFAULT_THRESHOLD = 1.5
_MACHINE_KEYS = ("cpu", "cores", "python", "numpy", "numba")
_HARDWARE_KEYS = ("cpu", "cores")
OTHER_HARDWARE = 2.0  # the threshold against a baseline made on another processor


def load_baseline(path: str | Path) -> dict:
    """A baseline file (``simcore bench --json`` or ``--save-baseline`` output), checked."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise InputError("no such baseline file", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the baseline: {exc}", path=path) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON ({exc.msg})", path=path, line=exc.lineno) from None
    benches = doc.get("benchmarks") if isinstance(doc, dict) else None
    if not isinstance(benches, dict):
        raise InputError(
            "expected a 'simcore bench --json' document with a 'benchmarks' object", path=path
        )
    found = 0
    for name, figures in benches.items():
        gate = figures.get("gate") if isinstance(figures, dict) else None
        if gate is None:
            continue
        if not isinstance(gate, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in gate.values()
        ):
            raise InputError(
                "expected an object of positive numbers", path=path, key=f"benchmarks.{name}.gate"
            )
        found += len(gate)
    if not found:
        raise InputError("no gate figures in it (make one with --save-baseline)", path=path)
    return doc


@dataclass
class Row:
    benchmark: str
    figure: str
    baseline: float | None
    now: float | None
    verdict: str  # ok, faster, SLOWER, new, missing

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.now is None:
            return None
        return self.now / self.baseline

    @property
    def fails(self) -> bool:
        return self.verdict in ("SLOWER", "missing")


@dataclass
class Comparison:
    rows: list[Row]
    notes: list[str]
    threshold: float

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.fails]


def _gates(doc: dict) -> dict[str, dict[str, float]]:
    return {
        name: figures["gate"]
        for name, figures in doc.get("benchmarks", {}).items()
        if isinstance(figures, dict) and isinstance(figures.get("gate"), dict)
    }


def compare(baseline: dict, now: dict, threshold: float, only=None) -> Comparison:
    """Each gate figure of ``now`` against ``baseline``: ``SLOWER`` (a failure) when it costs
    more than ``threshold`` times its baseline, ``faster`` when less than 1/threshold times,
    else ``ok``; ``new`` for a figure the baseline lacks; ``missing`` (a failure: the gate
    lost a check) for a baseline figure that ``now`` lacks, among the benchmarks in ``only``
    (default: all of the baseline's)."""
    if not threshold > 1:
        raise InputError(f"--threshold: expected a number above 1, got {threshold}")
    old, new = _gates(baseline), _gates(now)
    ma, mb = baseline.get("machine", {}), now.get("machine", {})
    notes = []
    if any(ma.get(k) != mb.get(k) for k in _HARDWARE_KEYS) and threshold < OTHER_HARDWARE:
        # the spread behind the threshold was measured on the baseline's hardware; a ratio to a
        # calibration loop can move on another processor without any change in the code
        threshold = OTHER_HARDWARE
        notes.append(
            f"another processor than the baseline's: threshold widened to {OTHER_HARDWARE:g}x "
            "(make a baseline on this machine for the tighter one)"
        )
    rows = []
    for name in sorted(set(old) | set(new)):
        if name not in new and only is not None and name not in only:
            continue
        a, b = old.get(name, {}), new.get(name, {})
        for fig in sorted(set(a) | set(b)):
            if fig not in a:
                rows.append(Row(name, fig, None, b[fig], "new"))
            elif fig not in b:
                rows.append(Row(name, fig, a[fig], None, "missing"))
            else:
                ratio = b[fig] / a[fig]
                verdict = "SLOWER" if ratio > threshold else "ok"
                verdict = "faster" if ratio < 1 / threshold else verdict
                rows.append(Row(name, fig, a[fig], b[fig], verdict))
    differ = [f"{k} {ma.get(k)} -> {mb.get(k)}" for k in _MACHINE_KEYS if ma.get(k) != mb.get(k)]
    if differ:
        notes.append(
            "the baseline was made on a different machine or software ("
            + "; ".join(differ)
            + "): the normalised figures are compared all the same"
        )
    if bool(baseline.get("quick")) != bool(now.get("quick")):
        notes.append("the baseline and this run differ in --quick (fewer repeats, same figures)")
    if baseline.get("injected_slowdown"):
        notes.append("the baseline was made with SIMCORE_BENCH_SLOWDOWN set")
    if any(r.verdict == "faster" for r in rows):
        notes.append("some figures are much faster than the baseline: consider updating it")
    return Comparison(rows, notes, threshold)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4g}"


def comparison_table(c: Comparison) -> str:
    head = ("benchmark", "figure", "baseline", "now", "ratio", "verdict")
    body = [
        (r.benchmark, r.figure, _num(r.baseline), _num(r.now), _num(r.ratio), r.verdict)
        for r in c.rows
    ]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *body]
    ]
    return "\n".join(lines + [f"note: {n}" for n in c.notes])


def verdict_line(c: Comparison, source: str) -> str:
    """One line: what failed, by how much, or that everything is within the threshold."""
    bad = c.failed
    if not bad:
        return f"bench gate passed: {len(c.rows)} figures within {c.threshold:g}x of {source}"
    what = ", ".join(
        f"{r.benchmark} {r.figure} {r.ratio:.2f}x slower"
        if r.verdict == "SLOWER"
        else f"{r.benchmark} {r.figure} missing"
        for r in bad
    )
    return f"bench gate FAILED against {source} (threshold {c.threshold:g}x): {what}"


def check_can_save() -> None:
    if os.environ.get("SIMCORE_BENCH_SLOWDOWN"):
        raise InputError("SIMCORE_BENCH_SLOWDOWN is set: refusing to save a slowed baseline")


def save_baseline(report: dict, path: str | Path) -> None:
    """Write ``report`` as a baseline file, whole or not at all."""
    check_can_save()
    if report.get("injected_slowdown"):
        raise InputError("the report was measured with SIMCORE_BENCH_SLOWDOWN set")
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the baseline: {exc.strerror or exc}", path=path) from None
