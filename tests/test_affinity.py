"""Slate affinities: ``next = { t = 4.0 }`` multiplies the strengths of slate t's candidates
for a slate's supporters' preferences after the slate (chi-square against the model); without
the table nothing changes."""

from __future__ import annotations

import pytest

from simcore.errors import InputError
from simcore.inputs.scenario_file import ScenarioError, parse_scenario
from simcore.jobs.run import run_scenario
from simcore.sim.plan import compile_plan
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


def scenario(next_line="next = { t = 4.0 }"):
    return parse_scenario(TEXT.format(next=next_line), "affinity.toml")


def third_preferences(plan, sims=150):
    """Counts of the third preference (C or D) of the ballots that start with the slate s."""
    counts = {2: 0, 3: 0}
    for sim in range(sims):
        for ballot, n in ballots_of(*forest(plan, 5, sim)).items():
            if len(ballot) >= 3 and set(ballot[:2]) == {0, 1}:
                counts[ballot[2]] += n
    return [counts[2], counts[3]]


@pytest.mark.parametrize("mult", [4.0, 0.25])
def test_continuation_follows_the_affinity(mult):
    plan = compile_plan(scenario(f"next = {{ t = {mult} }}"))
    observed = third_preferences(plan)
    c = 0.5 * mult
    probs = [c / (c + 1.5), 1.5 / (c + 1.5)]
    assert sum(observed) > 10000
    assert chi_square_pvalue(observed, probs) > ALPHA
    # (the model without affinities is rejected: the test can fail)
    assert chi_square_pvalue(observed, [0.25, 0.75]) < ALPHA


def test_no_table_or_ones_change_nothing():
    a = run_scenario(scenario(""), sims=30, seed=3, threads=1)
    b = run_scenario(scenario("next = { t = 1.0 }"), sims=30, seed=3, threads=1)
    c = run_scenario(scenario("next = { t = 4.0 }"), sims=30, seed=3, threads=1)
    assert a.rows == b.rows
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
