"""College scenarios: validation, reproducibility, common random numbers, outputs."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

import simcore
from simcore.counting.college_api import count_college
from simcore.errors import InputError
from simcore.inputs.scenario_file import parse_scenario, read_scenario
from simcore.model.college import College, Section
from simcore.sim.job import run_scenario
from simcore.sim.plan import compile_plan
from simcore.sim.runner import simulate
from tests.sim_helpers import ballots_of

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


def test_sections_are_generated_and_counted_separately():
    """The engine counts each section's own tree: the same result as counting the sections'
    ballots with the college counter."""
    sc = small()
    plan = compile_plan(sc)
    chunks = list(simulate(plan, 12, 4, threads=1))
    winners = np.concatenate([c.elected for c in chunks])[:, :, 0]
    for sim in range(12):
        labels, end, weight, stop = forest_per_region(plan, 4, sim)
        sections = []
        for s, (lab, e, w, st) in enumerate(zip(labels, end, weight, stop, strict=True)):
            ballots = ballots_of(lab, e, w, st)
            prof = simcore.Profile.from_rankings(
                list(ballots), list(ballots.values()), candidates=list("ABC")
            )
            sections.append(Section(f"S{s + 1}", sc.regions[s].weight, prof))
        res = count_college(College("t", "weighted-irv", tuple(sections), ("A", "B", "C")), 0)
        if not any(r.tie == "lot" for r in res.rounds):
            assert "ABC".index(res.winner) == winners[sim, 0]


def forest_per_region(plan, seed, sim):
    """Each region's tree of a college simulation (strategy 0)."""
    from simcore.sim import engine
    from simcore.sim.forest import relabel
    from simcore.sim.rng import stream_key

    cap = 1 << 16
    cand, end = np.empty(cap, np.int16), np.empty(cap, np.int32)
    weight, stop = np.empty(cap, np.int64), np.empty(cap, np.int64)
    rel = np.empty((cap, 4), np.int32)
    nc = plan.ncand
    roots = np.zeros(len(plan.electorate), np.int64)
    status, m, n_rel = engine.simulate(
        stream_key(seed),
        sim,
        plan.strength,
        plan.strength_sd,
        plan.electorate,
        plan.turnout,
        plan.base_share,
        plan.swing_sd,
        plan.regional_sd,
        plan.follow,
        plan.mallows_share,
        plan.phi,
        plan.stop_after,
        plan.continue_len,
        plan.nonaligned_len,
        plan.slate_members,
        plan.slate_size,
        plan.off_slate,
        plan.off_size,
        cand,
        end,
        weight,
        stop,
        rel,
        np.empty((64, plan.slate_members.shape[1]), np.int64),
        np.empty(64, np.int64),
        *[np.empty(nc * (nc + 2) + 8, np.int64) for _ in range(3)],
        *[np.empty(nc + 2, np.int64) for _ in range(2)],
        np.zeros(2 * nc + 8, np.int64),
        np.zeros(plan.n_stats),
        np.empty(nc, np.int64),
        True,
        roots,
    )
    assert status == engine.OK
    labels = np.empty(m, np.int16)
    relabel(cand[:m], rel, n_rel, plan.orderings, 0, labels)
    out = [], [], [], []
    bounds = list(roots) + [m]
    for r in range(len(roots)):
        a, b = bounds[r], bounds[r + 1]
        out[0].append(labels[a:b].copy())
        out[1].append(end[a:b] - a)
        out[2].append(weight[a:b].copy())
        out[3].append(stop[a:b].copy())
    return out


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
