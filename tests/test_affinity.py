"""Slate affinities: ``next = { t = 4.0 }`` multiplies the strengths of slate t's candidates
for a slate's supporters' preferences after the slate (chi-square against the model); without
the table nothing changes."""

from __future__ import annotations

import pytest

from simcore.errors import InputError
from simcore.inputs.scenario_file import ScenarioError, parse_scenario
from simcore.jobs.run import run_scenario
from simcore.sim.plan import compile_plan
from tests.lazy_helpers import lazy_forest, region_ballots
from tests.sim_helpers import ballots_of, forest
from tests.stat_helpers import ALPHA, chi_square_pvalue

TEXT = """
[election]
seats = 2
[[candidates]]
name = "A"
slate = "s"
strength = 2.0
[[candidates]]
name = "B"
slate = "s"
[[candidates]]
name = "C"
slate = "t"
strength = 0.5
[[candidates]]
name = "D"
strength = 1.5
[slates.s]
orderings = {{ ab = ["A", "B"] }}
[slates.s.supporters]
share = 0.6
follow = 0.5
mallows_share = 0.0
stop_after_slate = 0.0
continue_length = 2
{next}
[slates.t]
orderings = {{ c = ["C"] }}
supporters = {{ share = 0.3 }}
[nonaligned]
length = 1
[[regions]]
name = "R"
electorate = 2000
turnout = 0.5
[strategies.one]
s = "ab"
t = "c"
"""


def scenario(next_line="next = { t = 4.0 }", seats=2, generator="lazy"):
    text = TEXT.format(next=next_line).replace("seats = 2", f"seats = {seats}")
    text += f'[simulation]\ngenerator = "{generator}"\n'
    return parse_scenario(text, "affinity.toml")


def ballots(plan, sim):
    if plan.lazy:
        cand, end, weight, stop, lz, _, _ = lazy_forest(plan, 5, sim)
        return region_ballots(cand, end, weight, stop, lz, 0)
    return ballots_of(*forest(plan, 5, sim))


def third_preferences(plan, sims=150):
    """Counts of the third preference (C or D) of the ballots that start with the slate s."""
    counts = {2: 0, 3: 0}
    for sim in range(sims):
        for ballot, n in ballots(plan, sim).items():
            if len(ballot) >= 3 and set(ballot[:2]) == {0, 1}:
                counts[ballot[2]] += n
    return [counts[2], counts[3]]


@pytest.mark.parametrize("generator", ["lazy", "eager"])
@pytest.mark.parametrize("mult", [4.0, 0.25])
def test_continuation_follows_the_affinity(mult, generator):
    plan = compile_plan(scenario(f"next = {{ t = {mult} }}", generator=generator))
    assert plan.lazy == (generator == "lazy")
    observed = third_preferences(plan)
    c = 0.5 * mult
    probs = [c / (c + 1.5), 1.5 / (c + 1.5)]
    assert sum(observed) > 10000
    assert chi_square_pvalue(observed, probs) > ALPHA
    # (the model without affinities is rejected: the test can fail)
    assert chi_square_pvalue(observed, [0.25, 0.75]) < ALPHA


@pytest.mark.parametrize("generator", ["lazy", "eager"])
def test_no_table_or_ones_change_nothing(generator):
    lines = ("", "next = { t = 1.0 }", "next = { t = 4.0 }")
    a, b, c = (run_scenario(scenario(x, 3, generator), sims=30, seed=3, threads=1) for x in lines)
    assert a.rows == b.rows
    # (the test can fail: an affinity changes the ballots, and with them the eager stream)
    none, ones, four = (compile_plan(scenario(x, 3, generator)) for x in lines)
    assert third_preferences(none, 20) == third_preferences(ones, 20)
    assert third_preferences(none, 20) != third_preferences(four, 20)
    if generator == "eager":
        assert a.rows != c.rows


@pytest.mark.parametrize(
    "line,expected",
    [
        ("next = { u = 2.0 }", "slates.s.supporters.next.u: unknown slate 'u'"),
        ("next = { s = 2.0 }", "next lists other slates"),
        ("next = { t = 0 }", "slates.s.supporters.next.t"),
        ("next = { t = -1 }", "slates.s.supporters.next.t"),
    ],
)
def test_bad_affinities(line, expected):
    with pytest.raises(ScenarioError) as exc:
        scenario(line)
    assert expected in str(exc.value)


def test_colleges_refuse_affinities():
    text = TEXT.format(next="next = { t = 2.0 }").replace("seats = 2", "seats = 1")
    text = text.replace("[election]", '[college]\nmethod = "weighted-irv"\n[election]')
    text = text.replace("turnout = 0.5\n", "turnout = 0.5\nweight = 1\n")
    with pytest.raises(InputError, match="affinities"):
        compile_plan(parse_scenario(text, "college.toml"))
