"""``simcore fit``: a round trip.  Ballots simulated by simcore from a known scenario are written
as scot-elex CSV files (one per region), fitted, and the fitted parameters are compared with the
known ones within stated tolerances."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import parse_scenario, read_scenario
from simcore.kernels.rng import stream_key
from simcore.sim.bundles import model_of
from simcore.sim.electorate import generate_electorate, new_gen_work
from simcore.sim.forest import OK, new_forest, relabel
from simcore.sim.params import new_drawn
from simcore.sim.plan import compile_plan
from tests.sim_helpers import ballots_of

KNOWN = """
title = "known"
[election]
seats = 2
[[candidates]]
name = "Ann"
slate = "red"
strength = 2.0
[[candidates]]
name = "Bob"
slate = "red"
strength = 1.0
[[candidates]]
name = "Cat"
slate = "blue"
strength = 1.5
[[candidates]]
name = "Dan"
slate = "blue"
strength = 0.5
[[candidates]]
name = "Eve"
strength = 1.0
[slates.red]
orderings = { o = ["Ann", "Bob"] }
[slates.red.supporters]
share = 0.35
region_shares = { South = 0.25 }
follow = 0.6
mallows_share = 0.0
stop_after_slate = 0.4
continue_length = { probs = [0.5, 0.3, 0.2] }
[slates.blue]
orderings = { o = ["Dan", "Cat"] }
[slates.blue.supporters]
share = 0.25
follow = 0.8
mallows_share = 0.0
stop_after_slate = 0.6
continue_length = { probs = [0.6, 0.4] }
[nonaligned]
length = { probs = [0.2, 0.3, 0.2, 0.2, 0.1] }
[[regions]]
name = "North"
electorate = 60000
turnout = 1.0
[[regions]]
name = "South"
electorate = 60000
turnout = 1.0
[strategies.s]
red = "o"
blue = "o"
"""
PARTIES = {"red": "Red Party (Red)", "blue": "Blue Party (Blue)", None: "Independent (Ind)"}


def region_ballots(plan, seed=3):
    """One simulated electorate, one tree per region: {region: {ballot: voters}}."""
    nc, cap = plan.ncand, 1 << 21
    trees = new_forest(cap, cap)
    work = new_gen_work(
        nc, plan.slate_members.shape[1], 4096, new_drawn(nc, plan.n_regions, plan.n_slates)
    )
    roots = np.zeros(plan.n_regions, np.int64)
    status, m, n_rel = generate_electorate(
        stream_key(seed),
        0,
        model_of(plan),
        trees,
        work,
        np.zeros(plan.n_stats),
        np.empty(nc, np.int64),
        True,
        roots,
    )
    assert status == OK
    labels = np.empty(m, np.int16)
    relabel(trees.cand[:m], trees.rel, n_rel, plan.orderings, 0, labels)
    out = {}
    for r, region in enumerate(plan.scenario.regions):
        a, b = roots[r], trees.end[roots[r]]
        out[region.name] = ballots_of(
            labels[a:b], trees.end[a:b] - a, trees.weight[a:b], trees.stop[a:b]
        )
    return out


def write_scot(path, sc, ballots, ward):
    lines = [f"{len(sc.candidates)},{sc.seats},"]
    for ballot, n in sorted(ballots.items()):
        lines.append(",".join([str(n), *(str(c + 1) for c in ballot)]) + ",")
    for i, c in enumerate(sc.candidates):
        lines.append(f'"Candidate {i + 1}","{c.name}","{PARTIES[c.slate]}",')
    lines.append(f'"{ward}",')
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fit")
    sc = parse_scenario(KNOWN, "known.toml")
    files = []
    for name, ballots in region_ballots(compile_plan(sc)).items():
        files.append(tmp / f"{name}.csv")
        write_scot(files[-1], sc, ballots, name)
    out = tmp / "fitted.toml"
    result = CliRunner().invoke(cli, ["fit", *map(str, files), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return sc, out


def test_round_trip_recovers_the_parameters(fitted):
    known, out = fitted
    fit = read_scenario(out)  # a valid scenario
    doc = tomllib.loads(out.read_text())
    red, blue = doc["slates"]["red"], doc["slates"]["blue"]
    # tolerances: sampling error (120,000 voters) plus the documented approximations
    assert red["supporters"]["share"] == pytest.approx(0.30, abs=0.01)  # mean of 0.35, 0.25
    assert red["supporters"]["region_shares"]["South"] == pytest.approx(0.25, abs=0.012)
    assert red["supporters"]["region_shares"]["North"] == pytest.approx(0.35, abs=0.012)
    assert blue["supporters"]["share"] == pytest.approx(0.25, abs=0.01)
    assert red["orderings"]["modal"] == ["Ann", "Bob"]
    assert blue["orderings"]["modal"] == ["Dan", "Cat"]
    assert red["supporters"]["follow"]["mean"] == pytest.approx(0.6, abs=0.03)
    assert blue["supporters"]["follow"]["mean"] == pytest.approx(0.8, abs=0.03)
    assert red["supporters"]["stop_after_slate"]["mean"] == pytest.approx(0.4, abs=0.03)
    assert blue["supporters"]["stop_after_slate"]["mean"] == pytest.approx(0.6, abs=0.03)
    cont = red["supporters"]["continue_length"]["probs"]
    assert np.allclose(cont, [0.5, 0.3, 0.2], atol=0.04)
    na = doc["nonaligned"]["length"]["probs"]
    assert np.allclose(na, [0.2, 0.3, 0.2, 0.2, 0.1], atol=0.04)
    s = np.array([c.strength for c in fit.candidates])
    truth = np.array([c.strength for c in known.candidates])
    assert np.allclose(s / s.mean(), truth / truth.mean(), rtol=0.06)
    # every fitted value names its source
    text = out.read_text()
    assert text.count("# fitted:") == 20 and "bootstrap sd" in text
    # no affinities in the truth: the fitted ones are 1 within sampling error
    assert red["supporters"]["next"]["blue"] == pytest.approx(1.0, abs=0.08)
    assert blue["supporters"]["next"]["red"] == pytest.approx(1.0, abs=0.08)
    # slates of two: Mallows is not identified, not fitted
    assert red["supporters"]["mallows_share"] == 0.0 and "phi" not in red["supporters"]
    # the bootstrap sd is of sampling size (binomial scale), not zero
    assert 0.001 < red["supporters"]["follow"]["sd"] < 0.02


def test_fit_refuses_bad_files(tmp_path, fitted):
    known, _ = fitted
    a = tmp_path / "a.csv"
    write_scot(a, known, {(0, 1): 5, (2,): 3}, "A")
    # a file with other candidates
    b = tmp_path / "b.csv"
    other = parse_scenario(KNOWN.replace('"Eve"', '"Eva"'), "k.toml")
    write_scot(b, other, {(0,): 2}, "B")
    r = CliRunner().invoke(cli, ["fit", str(a), str(b), "-o", str(tmp_path / "x.toml")])
    assert r.exit_code == 2 and "differ from" in r.output and r.output.count("\n") == 1
    # an unlabelled candidate
    c = tmp_path / "c.csv"
    c.write_text(a.read_text().replace('"Independent (Ind)"', '""'))
    r = CliRunner().invoke(cli, ["fit", str(c), "-o", str(tmp_path / "y.toml")])
    assert r.exit_code == 2 and "has no party label" in r.output, r.output
    # an existing output
    r = CliRunner().invoke(cli, ["fit", str(a), "-o", str(a)])
    assert r.exit_code == 2 and "already exists" in r.output


# -- Mallows and affinities: a slate of three whose non-followers perturb its order, and
# supporters who go on to an allied slate
KNOWN_MALLOWS = """
title = "known mallows"
[election]
seats = 3
[[candidates]]
name = "Ann"
slate = "red"
strength = 2.0
[[candidates]]
name = "Bob"
slate = "red"
strength = 1.0
[[candidates]]
name = "Cal"
slate = "red"
strength = 1.5
[[candidates]]
name = "Dan"
slate = "blue"
strength = 1.5
[[candidates]]
name = "Dee"
slate = "blue"
strength = 0.7
[[candidates]]
name = "Eve"
strength = 1.0
[[candidates]]
name = "Fay"
strength = 0.6
[slates.red]
orderings = { o = ["Bob", "Cal", "Ann"] }
[slates.red.supporters]
share = 0.4
follow = 0.5
mallows_share = 0.7
phi = 0.45
stop_after_slate = 0.3
continue_length = { probs = [0.4, 0.3, 0.3] }
next = { blue = 3.0 }
[slates.blue]
orderings = { o = ["Dan", "Dee"] }
[slates.blue.supporters]
share = 0.3
follow = 0.8
mallows_share = 0.0
stop_after_slate = 0.3
continue_length = { probs = [0.5, 0.3, 0.2] }
next = { red = 0.3 }
[nonaligned]
length = { probs = [0.2, 0.3, 0.3, 0.2] }
[[regions]]
name = "Only"
electorate = 150000
turnout = 1.0
[strategies.s]
red = "o"
blue = "o"
"""


@pytest.fixture(scope="module")
def fitted_mallows(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fitm")
    sc = parse_scenario(KNOWN_MALLOWS, "known.toml")
    ((name, ballots),) = region_ballots(compile_plan(sc), seed=5).items()
    path = tmp / f"{name}.csv"
    write_scot(path, sc, ballots, name)
    out = tmp / "fitted.toml"
    result = CliRunner().invoke(cli, ["fit", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_round_trip_recovers_mallows_and_affinities(fitted_mallows):
    doc = tomllib.loads(fitted_mallows.read_text())
    red, blue = doc["slates"]["red"]["supporters"], doc["slates"]["blue"]["supporters"]
    assert doc["slates"]["red"]["orderings"]["modal"] == ["Bob", "Cal", "Ann"]
    # tolerances: about 4 bootstrap sds (follow 0.007, mallows_share 0.014, phi 0.021 here)
    assert red["follow"]["mean"] == pytest.approx(0.5, abs=0.03)
    assert red["mallows_share"] == pytest.approx(0.7, abs=0.06)
    assert red["phi"]["mean"] == pytest.approx(0.45, abs=0.08)
    assert 0.005 < red["phi"]["sd"] < 0.05
    # affinities: sampling (se of the log about 0.01) plus the non-aligned ballots taken for
    # the slate's, whose choices pull the multipliers towards 1 (about 3% here)
    assert red["next"]["blue"] == pytest.approx(3.0, rel=0.06)
    assert blue["next"]["red"] == pytest.approx(0.3, rel=0.06)
    assert blue["mallows_share"] == 0.0 and "phi" not in blue
