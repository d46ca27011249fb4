"""``simcore fit --first-prefs``: bloc shares and strengths fitted to first-preference totals.

The expected first preferences are computed from the model (simcore.jobs.fit_totals); the
checks: simcore's own simulation of a fitted scenario reproduces the targets within Monte Carlo
error, parameters are recovered where the totals identify them, a scenario that already matches
is left as it is, and bad input gets one line."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario
from simcore.jobs.check_fit import check_fit, read_observed
from simcore.jobs.fit_totals import Model, fit_first_prefs, mallows_top

# two regions whose orders differ, Mallows and Plackett-Luce supporters, affinities, swings,
# strength noise and an independent: every term of the expected first preferences
SCENARIO = """
title = "totals"
# a comment that must survive the fit
[election]
seats = 2
[simulation]
sims = 10
seed = 3
[[candidates]]
name = "Ann"
slate = "red"
strength = 2.0   # the user's note
[[candidates]]
name = "Bob"
slate = "red"
strength = 1.0
[[candidates]]
name = "Cy"
slate = "red"
strength = 0.7
[[candidates]]
name = "Dan"
slate = "blue"
strength = 1.5
[[candidates]]
name = "Eve"
strength = 1.0
[[candidates]]
name = "Fay"
strength = 0.4
[slates.red]
orderings = { abc = ["Ann", "Bob", "Cy"], cab = ["Cy", "Ann", "Bob"] }
[slates.red.supporters]
share = 0.35     # red's guess
swing_sd = 0.02
regional_sd = 0.01
follow = { mean = 0.6, sd = 0.1 }
mallows_share = 0.5
phi = { low = 0.2, high = 0.8 }
stop_after_slate = 0.4
next = { blue = 2.0 }
[slates.blue]
orderings = { d = ["Dan"] }
[slates.blue.supporters]
share = 0.2
swing_sd = 0.02
[nonaligned]
length = { mean = 3 }
strength_sd = 0.2
[[regions]]
name = "North"
electorate = 30000
turnout = 1.0
[[regions]]
name = "South"
electorate = 20000
turnout = 1.0
[strategies.split]
red = { North = "abc", South = "cab" }
blue = "d"
[strategies.same]
red = "abc"
blue = "d"
"""


def scenario(tmp_path, text=SCENARIO):
    p = tmp_path / "s.toml"
    p.write_text(text)
    return p


def csv(tmp_path, text, name="fp.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def fit(*args):
    return CliRunner().invoke(cli, ["fit", *map(str, args)])


def known_totals(tmp_path):
    """A CSV of each candidate's expected share by region under known parameters (the
    file's other parameters); returns it with the known base shares and strengths."""
    truth = read_scenario(scenario(tmp_path))
    base = np.array([[0.32, 0.18], [0.25, 0.22]])
    strength = np.array([2.5, 0.8, 1.1, 1.2, 1.0, 0.6])
    by_region = Model(truth, "split").shares(base, strength)
    names = truth.candidate_names
    fp = csv(
        tmp_path,
        "candidate,region,first_preferences\n"
        + "".join(
            f"{names[c]},{reg.name},{by_region[r, c]:.12f}\n"
            for r, reg in enumerate(truth.regions)
            for c in range(len(names))
        ),
    )
    return fp, base, strength


def test_mallows_top_is_the_repeated_insertion_models():
    # brute force over the insertion choices of 3 items at phi = 0.5
    phi, k = 0.5, 3
    p = np.zeros(k)
    for j1 in range(2):
        for j2 in range(3):
            w = phi ** (1 - j1) / (1 + phi) * phi ** (2 - j2) / (1 + phi + phi**2)
            seq = [0]
            seq.insert(j1, 1)
            seq.insert(j2, 2)
            p[seq[0]] += w
    from simcore.model.scenario import Dist

    assert np.allclose(mallows_top(k, Dist.fixed(phi)), p)
    assert np.allclose(mallows_top(k, Dist.fixed(0.0)), [1, 0, 0])


def test_the_fitted_scenario_reproduces_the_targets_in_simulation(tmp_path):
    """Candidate totals by region: simcore's own simulation of the fitted file matches them
    within Monte Carlo error (the strong check of the expected-share formula)."""
    fp, _, _ = known_totals(tmp_path)
    out = tmp_path / "fitted.toml"
    r = fit("--first-prefs", fp, "--into", scenario(tmp_path), "--out", out, "--strategy", "split")
    assert r.exit_code == 0, r.output
    sc = read_scenario(out)
    sims = 400
    check = check_fit(sc, fp, sims=sims, seed=11, strategy="split", threads=1)
    for row in check.rows:
        se = row.sd / math.sqrt(sims)
        assert abs(row.observed - row.mean) < 4 * se + 1e-3, (row, se)
    # and the unfitted file is far off (the test can fail)
    before = check_fit(read_scenario(tmp_path / "s.toml"), fp, sims=50, seed=11, threads=1)
    assert max(abs(x.observed - x.mean) for x in before.rows) > 0.02


def test_parameters_are_recovered_where_the_totals_identify_them(tmp_path):
    """Candidate totals in regions whose orders differ determine each region's bloc shares and
    the strengths (up to scale): fitted from a file that starts elsewhere, they come back."""
    fp, base, strength = known_totals(tmp_path)
    truth = read_scenario(tmp_path / "s.toml")
    obs = read_observed(fp, truth)
    got = fit_first_prefs(truth, obs, strategy="split")
    assert got.by_region
    assert np.allclose(got.base, base, atol=1e-5)
    assert np.allclose(got.strength / got.strength[4], strength / strength[4], rtol=1e-4)


def test_a_scenario_that_already_matches_is_left_as_it_is(tmp_path):
    sc = read_scenario(scenario(tmp_path))
    model = Model(sc, "same")
    base = np.array([[0.35, 0.2], [0.35, 0.2]])
    strength = np.array([c.strength for c in sc.candidates])
    nat = model.national(model.shares(base, strength))
    red = nat[:3].sum()
    fp = csv(
        tmp_path,
        f"slate,first_preferences\nred,{red:.12f}\nblue,{nat[3]:.12f}\n"
        f"no slate,{1 - red - nat[3]:.12f}\n",
    )
    got = fit_first_prefs(sc, read_observed(fp, sc), strategy="same")
    assert np.allclose(got.base, base, atol=1e-7) and np.allclose(got.strength, strength)


def test_slate_totals_written_into_a_copy_with_comments(tmp_path):
    fp = csv(tmp_path, "slate,first_preferences\nred,40%\nblue,25%\nno slate,35%\n")
    out = tmp_path / "fitted.toml"
    r = fit("--first-prefs", fp, "--into", scenario(tmp_path), "--out", out)
    assert r.exit_code == 0, r.output
    assert "within 0.000 points" in r.output
    text = out.read_text()
    assert "# a comment that must survive the fit" in text
    assert "was 2.0 (the user's note)" in text and "was 0.35 (red's guess)" in text
    assert text.count("fitted (simcore fit --first-prefs fp.csv)") == 8  # 6 strengths, 2 shares
    sc, before = read_scenario(out), read_scenario(tmp_path / "s.toml")
    got = Model(sc, "split").national(
        Model(sc, "split").shares(
            np.array([[s.supporters.share for s in sc.slates]] * 2),
            np.array([c.strength for c in sc.candidates]),
        )
    )
    assert got[:3].sum() == pytest.approx(0.40, abs=1e-4)
    assert got[3] == pytest.approx(0.25, abs=1e-4)
    # the other parameters are the file's; strengths keep their ratios within each group
    assert sc.slates[0].supporters.follow == before.slates[0].supporters.follow
    s = [c.strength for c in sc.candidates]
    assert s[0] / s[1] == pytest.approx(2.0, rel=1e-5) and s[4] / s[5] == pytest.approx(2.5, 1e-5)
    # refusing to overwrite, then --force
    assert fit("--first-prefs", fp, "--into", tmp_path / "s.toml", "--out", out).exit_code == 2


BAD = [
    ("candidate,first_preferences\nZed,0.2\n", "'Zed' is not a candidate of the scenario"),
    ("slate,first_preferences\nred,50%\nblue,30%\nno slate,10%\n", "add up to 90.00%, not 100%"),
    # rows that disagree: Ann's national share cannot be above her share in every region
    (
        "candidate,region,first_preferences\nAnn,,0.5\nAnn,North,0.2\nAnn,South,0.2\n",
        "cannot be matched",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_totals_get_one_line(tmp_path, text, expected):
    r = fit(
        "--first-prefs",
        csv(tmp_path, text),
        "--into",
        scenario(tmp_path),
        "--out",
        tmp_path / "o.toml",
    )
    assert r.exit_code == 2, r.output
    assert expected in r.output and len(r.output.strip().splitlines()) == 1, r.output
    assert not (tmp_path / "o.toml").exists()


def test_a_share_no_voter_can_give(tmp_path):
    text = SCENARIO.replace('name = "Eve"', 'name = "Eve"\nslate = "blue"').replace(
        'name = "Fay"', 'name = "Fay"\nslate = "blue"'
    )
    text = text.replace('d = ["Dan"]', 'd = ["Dan", "Eve", "Fay"]')
    fp = csv(tmp_path, "slate,first_preferences\nred,0.5\nblue,0.4\nno slate,0.1\n")
    r = fit("--first-prefs", fp, "--into", scenario(tmp_path, text), "--out", tmp_path / "o")
    assert r.exit_code == 2, r.output
    assert "no slate has 10.0% but no voter can put it first" in r.output, r.output


def test_what_to_fit_must_be_clear(tmp_path):
    fp = csv(tmp_path, "slate,first_preferences\nred,0.4\n")
    r = fit("--out", tmp_path / "o.toml")
    assert r.exit_code == 2 and "nothing to fit" in r.output
    r = fit("--first-prefs", fp, "--out", tmp_path / "o.toml")
    assert r.exit_code == 2 and "go together" in r.output
    r = fit("b.csv", "--first-prefs", fp, "--into", scenario(tmp_path), "--out", tmp_path / "o")
    assert r.exit_code == 2 and "not both" in r.output
    r = fit(
        "--first-prefs",
        fp,
        "--into",
        scenario(tmp_path),
        "--out",
        tmp_path / "o",
        "--strategy",
        "x",
    )
    assert r.exit_code == 2 and "not a strategy" in r.output


def test_the_nec_example_fits_its_cited_shares():
    sc = read_scenario("scenarios/nec-2020.toml")
    obs = read_observed("scenarios/nec-2020-first-preferences.csv", sc)
    model = Model(sc, sc.strategies[0].name)
    base = np.array(
        [
            [s.supporters.region_shares.get(r.name, s.supporters.share) for s in sc.slates]
            for r in sc.regions
        ]
    )
    nat = model.national(model.shares(base, np.array([c.strength for c in sc.candidates])))
    groups = {s.name: nat[model.slate_of == k].sum() for k, s in enumerate(sc.slates)}
    groups["no slate"] = nat[model.slate_of < 0].sum()
    for o in obs:
        assert abs(groups[o.name] - o.share) < 0.001, (o.name, groups[o.name], o.share)
