"""The report of `simcore sweep` and `simcore optimize` folders (built by default, or by
`simcore report DIR`): the page's sections, the charts, and the workbook's sheets read back
with openpyxl (headers and row counts against the folder's own files)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from simcore.cli.main import cli
from simcore.results.optimize_outputs import FINAL_COLUMNS
from simcore.results.sweep_outputs import CROSSING_COLUMNS
from tests.report_helpers import ROOT, optimize_folder, quickstart_sweep, sweep_folder

KEY = "candidates[0].strength"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return sweep_folder(tmp_path_factory.mktemp("kinds") / "sweep")


@pytest.fixture(scope="module")
def opt(tmp_path_factory):
    return optimize_folder(tmp_path_factory.mktemp("kinds") / "opt")


def _csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _sheet(path, name):
    ws = load_workbook(path)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _text(html: str) -> str:
    return re.sub(r"<svg.*?</svg>", "", html, flags=re.S)


def test_sweep_writes_its_report_and_scenario_copy(sweep):
    for name in ("report.html", "summary.xlsx", "scenario.toml", "plots/sweep_seats.png"):
        assert (sweep / name).is_file(), name
    for name in ("plots/sweep_seats.svg", "plots/sweep_elected.svg", "plots/sweep_elected.png"):
        assert (sweep / name).is_file(), name
    assert not list(sweep.glob(".simcore-*"))
    copy = (sweep / "scenario.toml").read_bytes()
    assert copy == (ROOT / "tests/scenarios/optimize_small.toml").read_bytes()


def test_sweep_page_shows_varied_key_crossings_and_parameters(sweep):
    crossings = _csv(sweep / "crossings.csv")
    assert len(crossings) >= 2  # (the fixture is chosen to cross)
    html = (sweep / "report.html").read_text()
    text = _text(html)
    for words in (
        "What was varied",
        KEY,
        "0.3, 1, 3",
        "strategies.cfirst.hill=cba",  # the --set overrides shown
        "Where the better strategy changes",
        "Average seats as the varied parameter changes",
        "The candidates whose chances move most",
        "Average seats at each point",
        "Strategy cfirst",  # the parameters are read with the overrides applied
        "every scenario parameter",
        "Run details",
    ):
        assert words in text, words
    assert html.count("<svg") == 2
    rows = re.findall(r"<td><strong>C(\d+)</strong></td><td>(.*?)</td>", text)
    assert [int(n) for n, _ in rows] == list(range(1, len(crossings) + 1))
    first = crossings[0]
    assert f"on {first['measure']}" in rows[0][1]
    assert f"{float(first['crossing']):.4g}" in rows[0][1]
    seats = (sweep / "plots/sweep_seats.svg").read_text()
    assert "C1" in seats and "stroke-dasharray" in seats  # crossings marked on the chart


def test_sweep_workbook(sweep):
    assert load_workbook(sweep / "summary.xlsx").sheetnames == [
        "Sweep",
        "Crossings",
        "Parameters",
        "Run",
    ]
    header, body = _sheet(sweep / "summary.xlsx", "Sweep")
    assert header[:4] == ["point", KEY, "strategy", "measure"]
    assert "difference_ci_high" in header and "slate_id" in header
    long = _csv(sweep / "sweep.csv")
    assert len(body) == len(long)
    est = header.index("estimate")
    # (sweep.csv holds 6 significant digits; the workbook the full value)
    assert [r[est] for r in body] == [pytest.approx(float(r["estimate"]), rel=1e-5) for r in long]
    header, body = _sheet(sweep / "summary.xlsx", "Crossings")
    assert header == list(CROSSING_COLUMNS)
    assert [r[7] for r in body] == [
        pytest.approx(float(c["crossing"])) for c in _csv(sweep / "crossings.csv")
    ]
    _, run = _sheet(sweep / "summary.xlsx", "Run")
    assert [f"varied: {KEY}", "0.3, 1, 3"] in [list(r) for r in run]


def test_sweep_without_crossings_says_so(tmp_path):
    folder = quickstart_sweep(tmp_path / "qs")
    assert _csv(folder / "crossings.csv") == []
    text = _text((folder / "report.html").read_text())
    assert "No crossings" in text and "slates.hill.supporters.share" in text
    header, body = _sheet(folder / "summary.xlsx", "Crossings")
    assert header == list(CROSSING_COLUMNS) and body[0][0].startswith("(no crossings")


def test_optimize_writes_its_report(opt):
    for name in ("report.html", "summary.xlsx", "scenario.toml", "plots/optimize_final.svg"):
        assert (opt / name).is_file(), name
    assert (opt / "plots/optimize_search.png").is_file()
    assert not list(opt.glob(".simcore-*"))


def test_optimize_page(opt):
    meta = json.loads((opt / "run.json").read_text())
    html = (opt / "report.html").read_text()
    text = _text(html)
    for words in (
        "The recommended orders",
        "What the numbers mean",
        "fresh simulated elections",
        "Final comparison on fresh simulations",
        "How the search went",
        "every scenario parameter",
        "Run details",
        '"national" (in the file)',
    ):
        assert words in text, words
    assert html.count("<svg") == 2
    best = meta["result"]["best"]
    for region, order in best["orderings"].items():
        assert f"<td><strong>{region}</strong></td><td><strong>{' &gt; '.join(order)}" in text
    assert f"seats = {best['estimate']:.4f}" in text
    final = _csv(opt / "final.csv")
    assert text.count("(in the file)</strong></td>") == sum(
        r["origin"] == "scenario" for r in final
    )


def test_optimize_workbook(opt):
    import pyarrow.parquet as pq

    book = opt / "summary.xlsx"
    names = ["Final", "Search top 50", "Orders", "Parameters", "Run"]
    assert load_workbook(book).sheetnames == names
    header, body = _sheet(book, "Final")
    final = _csv(opt / "final.csv")
    assert header == list(FINAL_COLUMNS) and len(body) == len(final)
    assert [r[1] for r in body] == [r["strategy"] for r in final]
    header, body = _sheet(book, "Search top 50")
    search = pq.read_table(opt / "search.parquet").to_pylist()
    assert header[:3] == ["training rank", "strategy", "origin"]
    assert "order [East]" in header and "train_estimate" in header
    assert len(body) == min(50, sum(1 for r in search if r["train_simulations"]))
    est = [r[header.index("train_estimate")] for r in body]
    assert est == sorted(est, reverse=True)
    assert est[0] == max(r["train_estimate"] for r in search if r["train_simulations"])
    header, body = _sheet(book, "Orders")
    meta = json.loads((opt / "run.json").read_text())
    best = meta["result"]["best"]["orderings"]
    assert header == ["region", "recommended order", "national (in the file)"]
    assert {r[0]: r[1] for r in body} == {g: " > ".join(o) for g, o in best.items()}
    _, run = _sheet(book, "Run")
    assert ["objective", "seats"] in [list(r) for r in run]


def test_no_report_then_simcore_report(tmp_path):
    folder = optimize_folder(tmp_path / "o", "--no-report")
    assert not (folder / "report.html").exists() and (folder / "scenario.toml").is_file()
    result = CliRunner().invoke(cli, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").is_file() and (folder / "summary.xlsx").is_file()


@pytest.mark.parametrize("command", ["sweep", "optimize"])
def test_missing_report_extra_is_a_note(tmp_path, monkeypatch, command):
    import simcore.results.report as report

    monkeypatch.setattr(report, "missing_modules", lambda: ["matplotlib"])
    scenario = str(ROOT / "tests/scenarios/optimize_small.toml")
    out = str(tmp_path / command)
    args = {
        "sweep": ["sweep", scenario, "--vary", "candidates[0].strength=1,2", "-n", "30"],
        "optimize": ["optimize", scenario, "--slate", "hill", "--budget", "40000"],
    }[command]
    result = CliRunner().invoke(cli, [*args, "--out", out, "-q"])
    assert result.exit_code == 0, result.output
    assert [x for x in result.output.splitlines() if x] == [
        "simcore: note: no report.html or summary.xlsx: they need matplotlib "
        "(pip install 'simcore[report]', then 'simcore report FOLDER')"
    ]
    assert (tmp_path / command / "run.json").is_file()
    assert not (tmp_path / command / "report.html").exists()
