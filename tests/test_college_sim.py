"""College scenarios: validation, reproducibility, common random numbers, outputs."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pyarrow.parquet as pq
import pytest

import simcore
from simcore.counting.college_api import count_college
from simcore.errors import InputError
from simcore.inputs.scenario_file import parse_scenario, read_scenario
from simcore.jobs.run import run_scenario
from simcore.model.college import College, Section
from simcore.model.scenario import CollegeSpec
from simcore.sim.plan import compile_plan
from simcore.sim.runner import simulate
from tests.lazy_helpers import lazy_forest, region_ballots

LEADERSHIP = "scenarios/labour-leadership-2010.toml"
BLOCK = "scenarios/block-college.toml"

SMALL = """
[election]
seats = 1
[college]
method = "{method}"
[[candidates]]
name = "A"
strength = 2.0
[[candidates]]
name = "B"
[[candidates]]
name = "C"
[slates.a]
orderings = {{ x = ["A", "B"], y = ["B", "A"] }}
supporters = {{ share = 0.4, follow = 0.7, stop_after_slate = 0.5 }}
[[regions]]
name = "S1"
electorate = 300
turnout = 0.5
weight = {w1}
[[regions]]
name = "S2"
electorate = 2000
turnout = 0.4
weight = {w2}
[strategies.first]
a = "x"
[strategies.same]
a = "x"
[strategies.other]
a = "y"
"""


def small(method="weighted-irv", w1='"1/2"', w2='"1/2"'):
    return parse_scenario(SMALL.format(method=method, w1=w1, w2=w2), "small.toml")


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            SMALL.format(method="weighted-irv", w1='"1/2"', w2='"1/2"').replace(
                "seats = 1", "seats = 2"
            ),
            "seats must be 1",
        ),
        (
            SMALL.format(method="weighted-irv", w1='"1/2"', w2='"1/2"').replace(
                'weight = "1/2"\n', "", 1
            ),
            "needs a weight",
        ),
        (SMALL.format(method="block", w1="1.5", w2="2"), "whole number"),
        (SMALL.format(method="plurality", w1="1", w2="2"), "unknown method"),
        (SMALL.format(method="weighted-irv", w1='"a/b"', w2="1"), "fraction"),
        (SMALL.format(method="weighted-irv", w1="0", w2="1"), "positive"),
    ],
)
def test_bad_college_scenarios(text, expected):
    with pytest.raises(InputError) as info:
        parse_scenario(text, "college.toml")
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_region_weight_needs_a_college():
    text = SMALL.format(method="weighted-irv", w1="1", w2="1").replace(
        '[college]\nmethod = "weighted-irv"\n', ""
    )
    with pytest.raises(InputError, match="only used in college scenarios"):
        parse_scenario(text, "x.toml")


@pytest.mark.parametrize("method", ["weighted-irv", "block"])
def test_college_runs_are_reproducible_and_paired(method, tmp_path):
    sc = small(method, *(('"1/2"', '"1/2"') if method == "weighted-irv" else ("3", "5")))
    a = run_scenario(sc, sims=200, seed=9, out=tmp_path / "a", threads=1, chunk_size=200)
    b = run_scenario(sc, sims=200, seed=9, out=tmp_path / "b", threads=2, chunk_size=7)
    assert a.rows == b.rows
    assert pq.read_table(tmp_path / "a" / "simulations.parquet").equals(
        pq.read_table(tmp_path / "b" / "simulations.parquet")
    )
    same = [r for r in a.rows if r["strategy"] == "same"]
    assert same and all(r["difference_from_first"] == 0 for r in same)
    measures = {r["measure"] for r in a.rows}
    assert "P(win)" in measures
    assert ("P(no majority)" in measures) == (method == "block")
    assert ("P(decisive section)" in measures) == (method == "weighted-irv")


def test_example_college_scenarios_run(tmp_path):
    for path in (LEADERSHIP, BLOCK):
        sc = read_scenario(path)
        res = run_scenario(sc, sims=100, seed=1, out=tmp_path / path.split("/")[-1])
        wins = [r for r in res.rows if r["measure"] == "P(win)"]
        assert (
            sum(r["estimate"] for r in wins if r["strategy"] == wins[0]["strategy"]) <= 1.0 + 1e-9
        )
        cols = pq.read_schema(tmp_path / path.split("/")[-1] / "simulations.parquet").names
        assert "winner" in cols


def test_lazy_trees_expand_the_same_whatever_the_order():
    plan = compile_plan(small())
    for sim in range(5):
        a = lazy_forest(plan, 3, sim)
        b = lazy_forest(plan, 3, sim, reverse=True)
        for r in range(len(a[5])):
            assert region_ballots(*a[:5], a[5][r]) == region_ballots(*b[:5], b[5][r])


def test_engine_counts_lazy_trees_like_their_ballots():
    sc = small()
    plan = compile_plan(sc)
    chunks = list(simulate(plan, 15, 4, threads=1))
    winners = np.concatenate([c.elected for c in chunks])[:, :, 0]
    for sim in range(15):
        for s in range(plan.n_strategies):
            cand, end, weight, stop, lz, roots, _ = lazy_forest(plan, 4, sim, s)
            sections = []
            for r, region in enumerate(sc.regions):
                b = region_ballots(cand, end, weight, stop, lz, roots[r])
                prof = simcore.Profile.from_rankings(
                    list(b), list(b.values()), candidates=list("ABC")
                )
                sections.append(Section(region.name, region.weight, prof))
            res = count_college(College("t", "weighted-irv", tuple(sections), ("A", "B", "C")), 0)
            if not any(r.tie == "lot" for r in res.rounds):
                assert "ABC".index(res.winner) == winners[sim, s]


def test_lazy_ballots_follow_the_model():
    """A one-section college's lazily generated ballots against the exact voter model."""
    from tests.sim_helpers import small_scenario
    from tests.stat_helpers import ALPHA, chi_square_pvalue
    from tests.test_generation import model_probs

    base = small_scenario()
    region = dataclasses.replace(base.regions[0], weight=Fraction(1))
    sc = dataclasses.replace(base, seats=1, regions=(region,), college=CollegeSpec())
    plan = compile_plan(sc)
    counts: dict[tuple[int, ...], int] = {}
    for sim in range(300):
        cand, end, weight, stop, lz, roots, _ = lazy_forest(plan, 11, sim)
        for ballot, n in region_ballots(cand, end, weight, stop, lz, roots[0]).items():
            counts[ballot] = counts.get(ballot, 0) + n
    probs = model_probs(base, (0, 1, 2))
    keys = sorted(probs)
    assert set(counts) <= set(probs)
    assert chi_square_pvalue([counts.get(k, 0) for k in keys], [probs[k] for k in keys]) > ALPHA
