"""A weighted college's final-round (and weighted round-1) shares per simulation: checked
against an exact recount of the same simulated ballots, for any threads or chunking."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyarrow.parquet as pq
import pytest

import simcore
from simcore.counting.college_api import count_college
from simcore.inputs.scenario_file import parse_scenario
from simcore.jobs.run import run_scenario
from simcore.model.college import College, Section
from simcore.results.first_pref_outputs import render_first_preferences
from simcore.sim.plan import compile_plan
from tests.lazy_helpers import lazy_forest, region_ballots
from tests.test_college_sim import SMALL

SIMS = 40


def _small(w1='"1/3"', w2='"2/3"'):
    return parse_scenario(SMALL.format(method="weighted-irv", w1=w1, w2=w2), "small.toml")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("final")
    sc = _small()
    a = run_scenario(sc, sims=SIMS, seed=5, out=tmp / "a", threads=1, chunk_size=SIMS)
    b = run_scenario(sc, sims=SIMS, seed=5, out=tmp / "b", threads=2, chunk_size=3)
    return sc, a, b, tmp


def test_final_shares_match_an_exact_recount(runs):
    sc, a, _, tmp = runs
    plan = compile_plan(sc)
    table = pq.read_table(tmp / "a" / "simulations.parquet").to_pylist()
    names = list(sc.candidate_names)
    checked = 0
    for row in table:
        sim, s = row["simulation"], [st.name for st in sc.strategies].index(row["strategy"])
        cand, end, weight, stop, lz, roots, _ = lazy_forest(plan, 5, sim, s)
        sections = []
        for r, region in enumerate(sc.regions):
            b = region_ballots(cand, end, weight, stop, lz, roots[r])
            prof = simcore.Profile.from_rankings(list(b), list(b.values()), candidates=names)
            sections.append(Section(region.name, region.weight, prof))
        res = count_college(College("t", "weighted-irv", tuple(sections), tuple(names)), 0)
        if any(r.tie == "lot" for r in res.rounds):
            continue  # (the recount's lot is not the simulation's)
        last, first = res.rounds[-1], res.rounds[0]
        total_w = sum(region.weight for region in sc.regions if last.active[region.name] > 0)
        for name in names:
            for region in sc.regions:
                active = last.active[region.name]
                want = Fraction(last.votes[region.name].get(name, 0), active) if active else 0
                assert row[f"final_{name}@{region.name}"] == pytest.approx(float(want), abs=1e-12)
            overall = sum(last.shares[reg].get(name, 0) for reg in last.shares) / total_w
            assert row[f"final_{name}"] == pytest.approx(float(overall), abs=1e-12)
            r1 = sum(first.shares[reg].get(name, 0) for reg in first.shares) / sum(
                region.weight for region in sc.regions if first.active[region.name] > 0
            )
            assert row[f"r1_{name}"] == pytest.approx(float(r1), abs=1e-12)
        assert row["winner"] == res.winner
        assert row["final_winner"] == pytest.approx(float(last.totals[res.winner] / total_w))
        assert row["final_winner"] > 0.5 or len([n for n in names if row[f"final_{n}"]]) > 2
        checked += 1
    assert checked > SIMS  # (most rows: ties by lot are rare)


def test_final_shares_do_not_depend_on_threads_or_chunks(runs):
    _, a, b, tmp = runs
    assert a.rows == b.rows
    ta = pq.read_table(tmp / "a" / "simulations.parquet")
    assert ta.equals(pq.read_table(tmp / "b" / "simulations.parquet"))
    assert "final_winner" in ta.column_names and "final_A@S2" in ta.column_names


def test_final_rows_summarise_the_columns(runs):
    sc, a, _, tmp = runs
    cols = pq.read_table(tmp / "a" / "simulations.parquet").to_pandas()
    for strategy in ("first", "other"):
        mine = cols[cols["strategy"] == strategy]
        rows = {
            (r["measure"], r["candidate"], r["section"]): r
            for r in a.rows
            if r["strategy"] == strategy
        }
        for name, col in (("A", "final_A@S1"), ("B", "final_B"), ("", "final_winner")):
            measure = "winner's final share" if not name else "final round"
            section = "S1" if "@" in col else ""
            est = rows[(measure, name, section)]
            pred = rows[(measure + " (predictive)", name, section)]
            x = mine[col].to_numpy()
            assert est["estimate"] == pytest.approx(x.mean(), abs=2e-9)
            assert est["std_error"] == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)), rel=1e-5)
            assert pred["std_error"] == pytest.approx(x.std(ddof=1), rel=1e-5)
            assert pred["ci_high"] == pytest.approx(min(x.mean() + 1.96 * x.std(ddof=1), 1), 1e-4)
        r1 = rows[("round 1 (weighted)", "A", "")]
        assert r1["estimate"] == pytest.approx(mine["r1_A"].mean(), abs=2e-9)


def test_terminal_table_shows_final_shares_by_section(runs):
    _, a, _, _ = runs
    text = render_first_preferences(a.rows)
    assert "Shares by section, first" in text and "Shares by section, other" in text
    assert "S1" in text and "S2" in text and "College" in text
    assert "final" in text and "round 1" in text
    assert "Winner's final share of the college:" in text


def test_no_final_outputs_for_block_colleges_and_committees(tmp_path):
    sc = parse_scenario(SMALL.format(method="block", w1="3", w2="5"), "b.toml")
    res = run_scenario(sc, sims=20, seed=1, out=tmp_path / "b")
    assert not any(r["measure"].startswith(("final", "winner's")) for r in res.rows)
    names = pq.read_schema(tmp_path / "b" / "simulations.parquet").names
    assert not any(n.startswith(("final_", "r1_")) for n in names)
