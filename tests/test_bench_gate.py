"""The benchmark gate (docs/benchmarks.md): comparing gate figures with a baseline, its verdicts
and exit statuses, and that a deliberate slowdown of the measured work makes it fail."""

from __future__ import annotations

import copy
import inspect
import json

import pytest
from click.testing import CliRunner

from simcore import bench_runner as br
from simcore.cli.main import cli
from simcore.errors import InputError

MACHINE = {"cpu": "CPU A", "cores": 2, "python": "3.11.2", "numpy": "2.0", "numba": "0.60.0"}


def _doc(gates: dict, machine=MACHINE, quick=True) -> dict:
    return {
        "machine": dict(machine),
        "quick": quick,
        "benchmarks": {name: {"gate": dict(g), "wall_s": 1.0} for name, g in gates.items()},
    }


BASE = _doc(
    {"count-nec20": {"scottish_count": 0.2, "meek_count": 2.0}, "college-2010": {"sim": 0.04}}
)


def _scaled(doc: dict, name: str, fig: str, factor: float) -> dict:
    out = copy.deepcopy(doc)
    out["benchmarks"][name]["gate"][fig] *= factor
    return out


def _verdicts(c: br.Comparison) -> dict:
    return {(r.benchmark, r.figure): r.verdict for r in c.rows}


def test_unchanged_passes():
    c = br.compare(BASE, copy.deepcopy(BASE), 1.5)
    assert set(_verdicts(c).values()) == {"ok"} and len(c.rows) == 3
    assert not c.failed and c.notes == []
    assert br.verdict_line(c, "b.json") == "bench gate passed: 3 figures within 1.5x of b.json"


@pytest.mark.parametrize(
    "factor, threshold, verdict",
    [(1.4, 1.5, "ok"), (1.6, 1.5, "SLOWER"), (1.4, 1.3, "SLOWER"), (0.6, 1.5, "faster")],
)
def test_verdicts_at_thresholds(factor, threshold, verdict):
    c = br.compare(BASE, _scaled(BASE, "count-nec20", "meek_count", factor), threshold)
    v = _verdicts(c)
    assert v.pop(("count-nec20", "meek_count")) == verdict
    assert set(v.values()) == {"ok"}
    assert bool(c.failed) == (verdict == "SLOWER")
    row = next(r for r in c.rows if r.figure == "meek_count")
    assert row.ratio == pytest.approx(factor)


def test_failure_line_names_benchmark_and_ratio():
    c = br.compare(BASE, _scaled(BASE, "count-nec20", "scottish_count", 2.0), 1.5)
    line = br.verdict_line(c, "bench/baseline.json")
    assert "\n" not in line
    assert line == (
        "bench gate FAILED against bench/baseline.json (threshold 1.5x): "
        "count-nec20 scottish_count 2.00x slower"
    )
    table = br.comparison_table(c).splitlines()
    assert table[0].split() == ["benchmark", "figure", "baseline", "now", "ratio", "verdict"]
    assert any(
        line.split() == ["count-nec20", "scottish_count", "0.2", "0.4", "2", "SLOWER"]
        for line in table
    )


def test_new_and_missing_figures():
    now = copy.deepcopy(BASE)
    now["benchmarks"]["count-nec20"]["gate"]["ers97_count"] = 0.3  # new figure
    now["benchmarks"]["optimize-x"] = {"gate": {"step": 1.0}}  # new benchmark
    del now["benchmarks"]["college-2010"]  # a whole benchmark gone
    c = br.compare(BASE, now, 1.5)
    v = _verdicts(c)
    assert v[("count-nec20", "ers97_count")] == "new"
    assert v[("optimize-x", "step")] == "new"
    assert v[("college-2010", "sim")] == "missing"
    assert [(r.benchmark, r.figure) for r in c.failed] == [("college-2010", "sim")]
    assert "college-2010 sim missing" in br.verdict_line(c, "b")
    # a run of chosen benchmarks only is not missing the others
    c = br.compare(BASE, now, 1.5, only={"count-nec20", "optimize-x"})
    assert not c.failed and ("college-2010", "sim") not in _verdicts(c)
    # a figure gone from a benchmark that ran is missing, whatever was chosen
    gone = copy.deepcopy(BASE)
    del gone["benchmarks"]["count-nec20"]["gate"]["meek_count"]
    c = br.compare(BASE, gone, 1.5, only={"count-nec20"})
    assert _verdicts(c)[("count-nec20", "meek_count")] == "missing" and c.failed


def test_other_machine_still_compares_and_says_so():
    other = dict(MACHINE, cpu="CPU B", numba="0.61.0")
    now = _doc({n: f["gate"] for n, f in BASE["benchmarks"].items()}, machine=other, quick=False)
    c = br.compare(BASE, _scaled(now, "college-2010", "sim", 3.0), 1.5)
    assert _verdicts(c)[("college-2010", "sim")] == "SLOWER"
    text = " ".join(c.notes)
    assert "different machine" in text and "CPU A -> CPU B" in text and "0.60.0 -> 0.61.0" in text
    assert "--quick" in text


def test_another_processor_widens_the_threshold_to_2x():
    other = dict(MACHINE, cpu="CPU B")
    now = _doc({n: f["gate"] for n, f in BASE["benchmarks"].items()}, machine=other, quick=False)
    c = br.compare(BASE, _scaled(now, "college-2010", "sim", 1.8), 1.5)
    assert _verdicts(c)[("college-2010", "sim")] == "ok" and c.threshold == 2.0
    assert "threshold widened to 2x" in " ".join(c.notes)
    c = br.compare(BASE, _scaled(now, "college-2010", "sim", 2.2), 1.5)
    assert _verdicts(c)[("college-2010", "sim")] == "SLOWER"
    same = dict(MACHINE, numba="0.61.0")  # (other software only: the measured threshold holds)
    now = _doc({n: f["gate"] for n, f in BASE["benchmarks"].items()}, machine=same, quick=False)
    c = br.compare(BASE, _scaled(now, "college-2010", "sim", 1.8), 1.5)
    assert _verdicts(c)[("college-2010", "sim")] == "SLOWER" and c.threshold == 1.5


def test_threshold_must_exceed_one():
    with pytest.raises(InputError, match="--threshold"):
        br.compare(BASE, BASE, 1.0)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such baseline file"),
        ('{"benchmarks": {\n  "a": }', ":2: not JSON"),
        ("[1, 2]", "'benchmarks' object"),
        ('{"benchmarks": {"a": {"wall_s": 1}}}', "no gate figures"),
        ('{"benchmarks": {"a": {"gate": {"x": "fast"}}}}', "benchmarks.a.gate: expected"),
        ('{"benchmarks": {"a": {"gate": {"x": 0}}}}', "positive numbers"),
    ],
)
def test_bad_baseline_files(tmp_path, content, message):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message.replace(".", r"\.")):
        br.load_baseline(path)


def _runner() -> CliRunner:
    # (Click before 8.2 mixes stderr into the output unless told not to)
    if "mix_stderr" in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


@pytest.mark.parametrize(
    "content, args, message",
    [
        (None, [], "baseline.json: no such baseline file"),
        ("{not json", [], "baseline.json:1: not JSON"),
        (json.dumps(BASE), ["--threshold", "0.9"], "--threshold: expected a number above 1"),
    ],
)
def test_cli_refuses_in_one_line(tmp_path, content, args, message):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    res = _runner().invoke(cli, ["bench", "--quick", "--compare", str(path), *args])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and message in res.stderr, res.stderr
    assert res.stderr.startswith("simcore: error: ")
    assert res.stdout == ""  # refused before measuring anything


def test_cli_refuses_an_ungated_benchmark(tmp_path):
    res = _runner().invoke(cli, ["bench", "startup", "--save-baseline", str(tmp_path / "b.json")])
    assert res.exit_code == 2
    assert "benchmark 'startup' has no gate figures; gated: " in res.stderr
    assert not (tmp_path / "b.json").exists()


def test_slowdown_hook_parsing(monkeypatch):
    from bench.calibration import slowdown

    monkeypatch.delenv("SIMCORE_BENCH_SLOWDOWN", raising=False)
    assert slowdown("count-nec20") == 1.0
    monkeypatch.setenv("SIMCORE_BENCH_SLOWDOWN", "2")
    assert slowdown("count-nec20") == 2.0
    monkeypatch.setenv("SIMCORE_BENCH_SLOWDOWN", "college-2010:3, count-nec20:1.5")
    assert slowdown("count-nec20") == 1.5 and slowdown("college-2010") == 3.0
    assert slowdown("simulate-nec") == 1.0


def test_gate_fails_on_an_injected_slowdown(tmp_path, monkeypatch):
    """A baseline made here, then: an unchanged run passes; the same run with its measured work
    made twice as slow (the calibration untouched) fails, naming the benchmark and the ratio."""
    monkeypatch.delenv("SIMCORE_BENCH_SLOWDOWN", raising=False)
    # (the gate's own 3 rounds: with one, a round run while the calibration loop was slowed
    # made a baseline half the usual figure, and the unchanged run "failed" at 1.89x)
    base = tmp_path / "baseline.json"
    args = ["bench", "corpus", "--quick"]
    made = _runner().invoke(cli, [*args, "--save-baseline", str(base)])
    assert made.exit_code == 0, made.output
    saved = json.loads(base.read_text())
    assert set(saved["benchmarks"]) == {"corpus"}  # the gate figures only
    assert set(saved["benchmarks"]["corpus"]["gate"]) == {"scottish_count", "ers97_count"}
    assert saved["machine"]["cores"] >= 1 and saved["machine"]["numba"]

    same = _runner().invoke(cli, [*args, "--compare", str(base)])
    assert same.exit_code == 0, (same.stdout, same.stderr)
    assert "bench gate passed: 2 figures within 1.5x" in same.stdout
    assert "SLOWER" not in same.stdout

    monkeypatch.setenv("SIMCORE_BENCH_SLOWDOWN", "corpus:2")
    slow = _runner().invoke(cli, [*args, "--compare", str(base)])
    assert slow.exit_code == 1, (slow.stdout, slow.stderr)
    line = slow.stderr.strip().splitlines()[-1]
    assert line.startswith("simcore: bench gate FAILED against ")
    for fig in ("scottish_count", "ers97_count"):
        ratio = float(line.split(f"corpus {fig} ")[1].split("x")[0])
        assert 1.6 < ratio < 2.6, line
    assert slow.stdout.count("SLOWER") == 2

    # and a slowed run is never saved as a baseline
    monkeypatch.setenv("SIMCORE_BENCH_SLOWDOWN", "corpus:2")
    refused = _runner().invoke(cli, [*args, "--save-baseline", str(base)])
    assert refused.exit_code == 2 and "refusing to save a slowed baseline" in refused.stderr
    assert json.loads(base.read_text()) == saved
