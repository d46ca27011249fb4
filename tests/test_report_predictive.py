"""The report and the workbook show the simulated first preferences (by slate and by candidate)
and a weighted college's round-1 and final-round shares by section, as users see them: the
figures read off report.html and summary.xlsx are checked against the per-simulation columns
of simulations.parquet (the truth computed another way: plain means and sds of the columns)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from simcore.cli.main import cli
from simcore.results.report.folder_data import load_folder
from simcore.results.report.predictive import (
    WORKBOOK_HEADER,
    college_tables,
    first_preference_tables,
    workbook_rows,
)
from tests.report_helpers import run_quickstart
from tests.test_college_sim import SMALL

Z95 = 1.959963984540054


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    return run_quickstart(tmp_path_factory.mktemp("pred") / "qs")


@pytest.fixture(scope="module")
def college(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pred_college")
    scenario = tmp / "college.toml"
    scenario.write_text(SMALL.format(method="weighted-irv", w1='"1/3"', w2='"2/3"'))
    out = tmp / "out"
    args = ["run", str(scenario), "--sims", "80", "--seed", "4", "--out", str(out), "--quiet"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    return out


def _section(folder, name: str) -> str:
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert f'<section id="{name}">' in html, f"no {name} section"
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def _rows(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each table row's first bold cell -> its (value, interval) cells."""
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        name = re.search(r"<td[^>]*><strong>([^<]+)</strong></td>", row)
        cells = re.findall(
            r"<strong>([\d.]+%)</strong><br><span class=\"small\">95%: ([^<]+)</", row
        )
        if name and cells:
            out[name.group(1)] = cells
    return out


def _truth(folder, strategy: str, column: str) -> tuple[str, str]:
    sims = pd.read_parquet(folder / "simulations.parquet")
    x = sims.loc[sims["strategy"] == strategy, column].to_numpy()
    m, sd = x.mean(), x.std(ddof=1)
    low, high = max(m - Z95 * sd, 0.0), min(m + Z95 * sd, 1.0)
    return f"{100 * m:.1f}%", f"{100 * low:.1f}-{100 * high:.1f}%"


def test_report_shows_first_preferences_by_slate_and_candidate(quickstart):
    page = _section(quickstart, "first-preferences")
    by_slate, by_candidate = page.split("<h3>By candidate</h3>")
    slates, candidates = _rows(by_slate), _rows(by_candidate)
    assert set(slates) == {"Hilltop", "Riverside", "no slate"}
    assert len(candidates) == 8
    for s, strategy in enumerate(("one order", "split by region")):
        assert slates["Hilltop"][s] == _truth(quickstart, strategy, "fp_slate_hill")
        assert slates["no slate"][s] == _truth(quickstart, strategy, "fp_no_slate")
        for name in ("Alice Hill", "Ben Hill", "Hugo Free"):
            assert candidates[name][s] == _truth(quickstart, strategy, f"fp_candidate_{name}")
    # the strategy moves Ben Hill's first preferences, not Hilltop's
    assert candidates["Ben Hill"][0] != candidates["Ben Hill"][1]
    assert 'href="#first-preferences"' in (quickstart / "report.html").read_text()


def test_workbook_has_every_predictive_row(quickstart):
    ws = load_workbook(quickstart / "summary.xlsx")["Predictive"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == WORKBOOK_HEADER
    body = [dict(zip(WORKBOOK_HEADER, r, strict=True)) for r in rows[1:]]
    # 2 strategies x (8 candidates + 3 groups) x (national + 2 regions)
    assert len(body) == 2 * 11 * 3
    sims = pd.read_parquet(quickstart / "simulations.parquet")
    for row in body:
        if row["candidate"] or row["section"] not in ("", "West"):
            continue
        stem = "fp_no_slate" if row["slate"] == "no slate" else f"fp_slate_{row['slate_id']}"
        column = stem + (f"@{row['section']}" if row["section"] else "")
        x = sims.loc[sims["strategy"] == row["strategy"], column].to_numpy()
        assert row["measure"] == "first preferences"
        assert row["mean"] == pytest.approx(x.mean(), abs=1e-8)
        assert row["sd across simulations"] == pytest.approx(x.std(ddof=1), abs=1e-8)
        assert row["mean: Monte Carlo se"] == pytest.approx(x.std(ddof=1) / len(x) ** 0.5, 1e-6)
        assert row["95% predictive high"] == pytest.approx(min(x.mean() + Z95 * x.std(ddof=1), 1))
    assert ws["G2"].number_format == "0.0%"


def test_report_shows_a_colleges_shares_by_section(college):
    page = _section(college, "college-shares")
    assert page.count("<h3>Strategy ") == 3
    other = page.split("<h3>Strategy other</h3>")[1]
    head = re.search(r"<tr><th>candidate</th><th>round</th>(.*?)</tr>", other).group(1)
    assert re.findall(r"<th>([^<]+)</th>", head) == ["S1", "S2", "College"]
    rows = re.findall(r"<tr>(.*?)</tr>", other, re.S)
    a = next(i for i, r in enumerate(rows) if "<strong>A</strong>" in r)

    def cells(row):
        return re.findall(
            r"<strong>([\d.]+%)</strong><br><span class=\"small\">95%: ([^<]+)</", row
        )

    round1, final = cells(rows[a]), cells(rows[a + 1])
    assert final[0] == _truth(college, "other", "final_A@S1")
    assert final[2] == _truth(college, "other", "final_A")
    assert round1[2] == _truth(college, "other", "r1_A")
    won = re.search(r"final share of the college: <strong>([\d.]+%)</strong>", other).group(1)
    assert won == _truth(college, "other", "final_winner")[0]
    # the final round is not round 1: under "other" no one has a majority at once
    assert final[2] != round1[2]


def test_college_workbook_rows(college):
    ws = load_workbook(college / "summary.xlsx")["Predictive"]
    body = [dict(zip(WORKBOOK_HEADER, r, strict=True)) for r in ws.iter_rows(2, values_only=True)]
    measures = {r["measure"] for r in body}
    assert measures == {
        "first preferences",
        "round 1 (weighted)",
        "final round",
        "winner's final share",
    }
    sims = pd.read_parquet(college / "simulations.parquet")
    for r in body:
        if r["measure"] == "final round":
            column = f"final_{r['candidate']}" + (f"@{r['section']}" if r["section"] else "")
            x = sims.loc[sims["strategy"] == r["strategy"], column].to_numpy()
            assert r["mean"] == pytest.approx(x.mean(), abs=1e-8)
    assert sum(r["measure"] == "final round" for r in body) == 3 * 3 * 3


def test_folders_without_predictive_rows_leave_them_out(quickstart):
    data = load_folder(quickstart)
    data.rows = [r for r in data.rows if "first preferences" not in r["measure"]]
    assert first_preference_tables(data) is None
    assert college_tables(data) == [] and workbook_rows(data) == []
