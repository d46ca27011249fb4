"""summary.xlsx, read back with openpyxl: the sheets, their figures (equal to the summary's) and
their formatting."""

from __future__ import annotations

import openpyxl
import pyarrow.parquet as pq
import pytest

from tests.report_helpers import run_quickstart


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return run_quickstart(tmp_path_factory.mktemp("workbook") / "qs")


def close(x):  # (a workbook keeps 15-16 significant digits)
    return pytest.approx(x, rel=1e-13, abs=1e-15)


def _rows(ws):
    values = list(ws.iter_rows(values_only=True))
    return values[0], [dict(zip(values[0], r, strict=True)) for r in values[1:]]


def test_sheets_and_figures(folder):
    wb = openpyxl.load_workbook(folder / "summary.xlsx")
    assert wb.sheetnames == [
        "Seats",
        "Candidates",
        "Differences",
        "Predictive",
        "Parameters",
        "Run",
    ]
    summary = pq.read_table(folder / "summary.parquet").to_pylist()
    est = {
        (r["strategy"], r["measure"], r["slate"], r["candidate"], r["seats"]): r for r in summary
    }

    header, seats = _rows(wb["Seats"])
    assert len(seats) == 2 * 3  # strategies x (two slates and "no slate")
    for r in seats:
        s, g = r["strategy"], r["slate"]
        assert r["mean seats"] == close(est[(s, "mean seats", g, "-", None)]["estimate"])
        assert r["P(= 2)"] == close(est[(s, "P(seats = k)", g, "-", 2)]["estimate"])
        assert r["P(>= 1)"] == close(est[(s, "P(seats >= k)", g, "-", 1)]["estimate"])
    assert {(r["slate_id"], r["slate"]) for r in seats} >= {("hill", "Hilltop")}

    header, cands = _rows(wb["Candidates"])
    assert len(cands) == 8
    assert "P(elected) one order" in header and "P(elected) split by region" in header
    for r in cands:
        for s in ("one order", "split by region"):
            want = est[(s, "P(elected)", r["slate"], r["candidate"], None)]["estimate"]
            assert r[f"P(elected) {s}"] == close(want)
    best = [max(r["P(elected) one order"], r["P(elected) split by region"]) for r in cands]
    assert best == sorted(best, reverse=True)

    _, diffs = _rows(wb["Differences"])
    assert diffs and all(r["compared with"] == "one order" for r in diffs)
    _, params = _rows(wb["Parameters"])
    assert ("Candidates", "Alice Hill") in {(p["group"], p["parameter"]) for p in params}
    _, run = _rows(wb["Run"])
    items = {r["item"]: r["value"] for r in run}
    assert items["seed"] == 3 and items["simulations"] == 300
    assert items["strategy: split by region"] == "Ben first in the West"


def test_formatting(folder):
    wb = openpyxl.load_workbook(folder / "summary.xlsx")
    for ws in wb.worksheets:
        assert ws.freeze_panes == "B2", ws.title
        assert ws["A1"].font.bold
    seats = wb["Seats"]
    header = [c.value for c in seats[1]]
    assert seats.cell(2, header.index("P(= 1)") + 1).number_format == "0.0%"
    assert wb["Candidates"]["D2"].number_format == "0.0%"
    assert 8 <= wb["Candidates"].column_dimensions["A"].width <= 60
