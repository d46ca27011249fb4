"""The results folder explains itself: filled key columns, slate ids and names, the scenario copy,
README.txt, summary_wide.csv, and the report (report.html, plots/) built by `simcore run` and
`simcore report DIR` (sweep and optimisation folders: tests/test_report_kinds.py)."""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from tests.report_helpers import run_quickstart


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return run_quickstart(tmp_path_factory.mktemp("report") / "qs")


def test_run_writes_every_file(folder):
    for name in (
        "report.html",
        "summary.xlsx",
        "summary.csv",
        "summary_wide.csv",
        "scenario.toml",
        "README.txt",
        "plots/seats.png",
        "plots/seats.svg",
        "plots/elected.svg",
        "plots/differences.svg",
    ):
        assert (folder / name).is_file(), name
    assert not list(folder.glob(".simcore-*"))


def test_summary_csv_pivots_with_every_row(folder):
    df = pd.read_csv(folder / "summary.csv")
    keys = ["measure", "slate", "slate_id", "candidate", "section", "seats"]
    assert not df[keys + ["strategy"]].isna().any().any()
    wide = df.pivot_table(index=keys, columns="strategy", values="estimate")
    assert len(wide) * 2 == len(df)  # every row kept, two strategies side by side
    hill = df[(df.measure == "mean seats") & (df.slate_id == "hill")]
    assert set(hill.slate) == {"Hilltop"}
    assert set(df[df.slate == "no slate"].slate_id) == {"no_slate"}


def test_slates_by_id_and_name_in_every_file(folder):
    meta = json.loads(pq.read_schema(folder / "simulations.parquet").metadata[b"simcore"])
    assert meta["slates"] == {"hill": "Hilltop", "river": "Riverside"}
    assert json.loads((folder / "run.json").read_text())["slates"]["river"] == "Riverside"
    summary = pq.read_table(folder / "summary.parquet").to_pylist()
    assert {(r["slate_id"], r["slate"]) for r in summary if r["measure"] == "mean seats"} == {
        ("hill", "Hilltop"),
        ("river", "Riverside"),
        ("no_slate", "no slate"),
    }
    readme = (folder / "README.txt").read_text()
    assert "hill = Hilltop" in readme


def test_readme_txt_describes_every_column(folder):
    readme = (folder / "README.txt").read_text()
    for name in pq.read_schema(folder / "summary.parquet").names:
        assert re.search(rf"\b{re.escape(name)}\b", readme), name
    for name in pq.read_schema(folder / "simulations.parquet").names:
        generic = re.sub(r"_(hill|river)(@|$)", r"_<slate id>\2", name)
        generic = re.sub(r"^fp_candidate_.*$", "fp_candidate_<name>", generic)
        generic = re.sub(r"@.*$", "@<region>", generic)
        assert generic in readme or name in readme, name
    for name in ("report.html", "summary.xlsx", "summary_wide.csv", "scenario.toml"):
        assert name in readme


def test_summary_wide_has_a_row_per_strategy(folder):
    with open(folder / "summary_wide.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["strategy"] for r in rows] == ["one order", "split by region"]
    assert rows[1]["description"] == "Ben first in the West"
    long = pd.read_csv(folder / "summary.csv")
    ben = long[(long.candidate == "Ben Hill") & (long.strategy == "split by region")]
    assert float(rows[1]["P(elected): Ben Hill"]) == pytest.approx(ben.estimate.iloc[0], 1e-5)
    assert "P(seats >= 2): Hilltop" in rows[0]


def test_scenario_copy_is_the_file(folder):
    from tests.report_helpers import ROOT

    assert (folder / "scenario.toml").read_bytes() == (
        ROOT / "scenarios/quickstart.toml"
    ).read_bytes()


def test_report_is_self_contained_and_explains_itself(folder):
    html = (folder / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "<script" not in html and "@import" not in html
    assert not re.search(r"url\((?!#)", html)  # (only references inside the page)
    assert html.count("<svg") == 3
    for text in (
        "The strategies compared",
        "Alice first everywhere",
        "How many seats each slate wins",
        "chance of being elected",
        "What changing strategy changes",
        "every scenario parameter",
        "Run details",
        "scenario SHA-256",
        "@media print",
    ):
        assert text in html, text
    # (a run's page has none of a sweep's or an optimisation's sections)
    for other in ('id="varied"', 'id="crossings"', 'id="recommended"', 'id="optimize_'):
        assert other not in html, other
    assert sorted(p.stem for p in (folder / "plots").glob("*.png")) == [
        "differences",
        "elected",
        "seats",
    ]


def test_rebuilding_gives_identical_files(folder, tmp_path):
    before = {p.name: p.read_bytes() for p in (folder / "plots").glob("*.svg")}
    html = (folder / "report.html").read_bytes()
    result = CliRunner().invoke(cli, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in (folder / "plots").glob("*.svg")} == before
    assert (folder / "report.html").read_bytes() == html


def test_no_report_and_missing_extras(tmp_path, monkeypatch):
    out = run_quickstart(tmp_path / "plain", "--no-report")
    assert not (out / "report.html").exists() and not (out / "plots").exists()
    assert (out / "README.txt").is_file()
    import simcore.results.report as report

    monkeypatch.setattr(report, "missing_modules", lambda: ["matplotlib"])
    args = ["run", "scenarios/quickstart.toml", "-n", "50", "--out", str(tmp_path / "m"), "-q"]
    from tests.report_helpers import ROOT

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if x]
    assert lines == [
        "simcore: note: no report.html or summary.xlsx: they need matplotlib "
        "(pip install 'simcore[report]', then 'simcore report FOLDER')"
    ]
    assert (tmp_path / "m/summary.csv").is_file() and not (tmp_path / "m/report.html").exists()


def test_report_of_a_folder_without_results_is_one_line(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"simcore: error: {tmp_path}: not a results folder: expected the files of 'simcore run' "
        "(summary.parquet, run.json), 'simcore sweep' (sweep.parquet, crossings.csv, run.json) "
        "or 'simcore optimize' (search.parquet, final.csv, run.json)"
    )
