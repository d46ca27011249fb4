"""``simcore check-fit``: observed first preferences against a scenario's simulated ones."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario
from simcore.jobs.check_fit import check_fit, read_observed

QS = "scenarios/quickstart.toml"


def invoke(*args):
    return CliRunner().invoke(cli, ["check-fit", *args])


def write(tmp_path, text, name="obs.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def simulated_means(tmp_path):
    """The quickstart's simulated national slate shares (one strategy), from check-fit itself."""
    obs = write(tmp_path, "slate,first_preferences\nhill,0.5\nriver,0.35\nno slate,0.15\n")
    check = check_fit(read_scenario(QS), obs, sims=200, seed=2, threads=1)
    return {r.name: (r.mean, r.sd) for r in check.rows}


def test_a_scenario_that_fits_and_one_that_is_off(tmp_path):
    means = simulated_means(tmp_path)
    hill, river, none = (means[k][0] for k in ("Hilltop", "Riverside", "no slate"))
    sd = means["Hilltop"][1]
    assert 0.005 < sd < 0.1
    good = write(tmp_path, f"slate,first_preferences\nhill,{hill}\nriver,{river}\n", "good.csv")
    r = invoke(QS, "--observed", good, "--sims", "200", "--seed", "2", "-t", "1")
    assert r.exit_code == 0, r.output
    assert "fits: all 2 |z| <= 3" in r.output
    # Hilltop observed 5 sd lower: flagged, named, with its z
    low = hill - 5 * sd
    bad = write(
        tmp_path, f"slate,first_preferences\nhill,{low}\nriver,{river}\nno slate,{none}\n", "b.csv"
    )
    r = invoke(QS, "--observed", bad, "--sims", "200", "--seed", "2", "-t", "1")
    assert r.exit_code == 0, r.output
    verdict = r.output.strip().splitlines()[-1]
    assert verdict.startswith("off: 1 of 3 |z| > 3; Hilltop simulated")
    assert "(z = -5.0)" in verdict


def test_votes_become_shares_of_the_total(tmp_path):
    sc = read_scenario(QS)
    obs = write(tmp_path, "slate,first_preferences\nhill,500\nriver,300\nno slate,200\n")
    shares = {o.name: o.share for o in read_observed(obs, sc)}
    assert shares == {"Hilltop": 0.5, "Riverside": 0.3, "no slate": 0.2}
    obs = write(tmp_path, "candidate,region,first_preferences\nAlice Hill,West,40%\n")
    (o,) = read_observed(obs, sc)
    assert (o.name, o.region, o.share) == ("Alice Hill", "West", 0.4)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("slate,votes\nhill,3\n", ":1: header: expected columns 'candidate' or 'slate'"),
        ("candidate,first_preferences\nNobody,3\n", ":2: candidate: 'Nobody' is not a candidate"),
        ("slate,first_preferences\nhills,0.3\n", ":2: slate: 'hills' is not a slate"),
        (
            "slate,region,first_preferences\nhill,Nowhere,0.3\n",
            ":2: region: 'Nowhere' is not a region",
        ),
        ("slate,first_preferences\nhill,lots\n", ":2: first_preferences: expected a number"),
        ("slate,first_preferences\nhill,-1\n", ":2: first_preferences: expected a non-negative"),
        ("slate,first_preferences\nhill,500\nriver,300\n", "every slate must be listed"),
        ("slate,first_preferences\nhill,0.3\nhill,0.2\n", ":3: slate: 'Hilltop' is listed twice"),
        ("slate,first_preferences\n", "no rows of first preferences"),
    ],
)
def test_bad_observed_files_get_one_line(tmp_path, text, expected):
    obs = write(tmp_path, text)
    r = invoke(QS, "--observed", obs, "--sims", "10")
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simcore: error: "), r.output
    assert expected in lines[0], lines[0]


def test_unknown_strategy(tmp_path):
    obs = write(tmp_path, "slate,first_preferences\nhill,0.5\n")
    r = invoke(QS, "--observed", obs, "--sims", "10", "--strategy", "nope")
    assert r.exit_code == 2 and "--strategy: 'nope' is not a strategy" in r.output
