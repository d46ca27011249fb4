"""``simcore fit --stages``: transfer parameters fitted to a stage table by simulated method of
moments.  Round trip: a stage table counted by simcore from a scenario with known transfer
parameters, fitted from a scenario with wrong ones, recovers them within stated tolerances."""

from __future__ import annotations

import csv
import tomllib

import numpy as np
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import parse_scenario
from simcore.jobs import fit_stages as fs

# Red (two candidates) wins two seats: Bob's surplus carries red supporters past their slate
# (stop_after_slate, next.blue); Dan (blue, alone) is excluded, so blue's supporters transfer
# past theirs (stop_after_slate).
KNOWN = """
title = "known stages"  # the truth
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
name = "Dan"
slate = "blue"
strength = 0.5
[[candidates]]
name = "Eve"
strength = 3.0
[[candidates]]
name = "Fay"
strength = 2.0
[[candidates]]
name = "Gus"
strength = 1.0
[slates.red]
orderings = { o = ["Ann", "Bob"] }
[slates.red.supporters]
share = 0.5
follow = 0.8
stop_after_slate = 0.3  # a user's comment
continue_length = { probs = [0.5, 0.3, 0.2] }
next = { blue = 3.0 }
[slates.blue]
orderings = { o = ["Dan"] }
[slates.blue.supporters]
share = 0.08
stop_after_slate = { mean = 0.6, sd = 0.01 }
continue_length = { probs = [0.5, 0.3, 0.2] }
next = { red = 0.4 }
[nonaligned]
length = { probs = [0.3, 0.3, 0.2, 0.2] }
[[regions]]
name = "Only"
electorate = 200000
turnout = 1.0
[strategies.s]
red = "o"
"""
WRONG = (
    KNOWN.replace("stop_after_slate = 0.3", "stop_after_slate = 0.6")
    .replace("mean = 0.6, sd = 0.01", "mean = 0.3, sd = 0.01")
    .replace("next = { blue = 3.0 }", "next = { blue = 1.0 }")
)


def write_table(path, rows):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["stage", "candidate", "votes"])
        w.writerows(rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stages")
    known = parse_scenario(KNOWN, "known.toml")
    table = tmp / "stages.csv"
    write_table(table, fs.stage_rows(known, seed=99))  # one count, another seed than the fit's
    into = tmp / "wrong.toml"
    into.write_text(WRONG)
    return tmp, table, into


def test_round_trip_recovers_transfer_parameters(files):
    tmp, table, into = files
    out = tmp / "fitted.toml"
    args = ["fit", "--stages", str(table), "--into", str(into), "-o", str(out), "-n", "100"]
    for p in ("red.stop_after_slate", "blue.stop_after_slate", "red.next.blue"):
        args += ["--param", p]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    doc = tomllib.loads(out.read_text())
    red, blue = doc["slates"]["red"]["supporters"], doc["slates"]["blue"]["supporters"]
    # tolerances: the published table is one count of 200,000 voters; with 100 simulations per
    # evaluation, fits to tables from other seeds fell within these
    assert red["stop_after_slate"] == pytest.approx(0.3, abs=0.04)
    assert blue["stop_after_slate"]["mean"] == pytest.approx(0.6, abs=0.06)
    assert blue["stop_after_slate"]["sd"] == 0.01  # a Beta stays a Beta
    assert red["next"]["blue"] == pytest.approx(3.0, rel=0.3)
    assert blue["next"] == {"red": 0.4}  # not fitted: kept
    text = out.read_text()
    assert text.count("fitted: simulated method of moments to the stage table stages.csv") == 3
    assert 'title = "known stages"  # the truth' in text  # the user's comments survive
    assert "(was: a user's comment)" in text
    assert "objective" in r.output and "red.next.blue: 1 -> " in r.output


def test_objective_is_smallest_near_the_truth(files):
    """The moments identify the parameters: moving each off the truth raises the objective."""
    _, table, _ = files
    known = parse_scenario(KNOWN, "known.toml")
    observed = fs.read_stage_table(table, known.candidate_names)
    observed = observed / observed[0].sum()
    params = fs.parse_params(known, ("red.stop_after_slate", "blue.stop_after_slate"))
    at = {}
    for values in ([0.3, 0.6], [0.45, 0.6], [0.15, 0.6], [0.3, 0.45], [0.3, 0.75]):
        sc = fs.with_values(known, params, values)
        at[tuple(values)] = fs.objective(fs.simulate_stages(sc, 100, 1), observed)[0]
    assert min(at, key=at.get) == (0.3, 0.6)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(1, "Ann", 10), (1, "Zed", 5)], "'Zed' is not a candidate of the scenario"),
        ([(1, "Ann", "ten")], "votes: expected a number >= 0, got 'ten'"),
        ([(2, "Ann", 10)], "stage 1 has no rows"),
        ([(1, "Ann", 10)], "stage 1 does not list 'Bob'"),
        ([(0, "Ann", 10)], "stage: expected a stage number"),
    ],
)
def test_bad_stage_tables_get_one_line(files, rows, message):
    tmp, _, into = files
    bad = tmp / "bad.csv"
    write_table(bad, rows)
    r = CliRunner().invoke(
        cli, ["fit", "--stages", str(bad), "--into", str(into), "-o", str(tmp / "x.toml")]
    )
    assert r.exit_code == 2 and message in r.output and r.output.count("\n") == 1, r.output
    assert not (tmp / "x.toml").exists()


def test_bad_options_get_one_line(files):
    tmp, table, into = files
    out = str(tmp / "y.toml")
    r = CliRunner().invoke(cli, ["fit", "--stages", str(table), "-o", out])
    assert r.exit_code == 2 and "--stages needs --into" in r.output
    r = CliRunner().invoke(
        cli, ["fit", "--stages", str(table), "--into", str(into), "-o", out, "--param", "red.x"]
    )
    assert r.exit_code == 2 and "--param 'red.x'" in r.output
    r = CliRunner().invoke(cli, ["fit", "-o", out])
    assert r.exit_code == 2 and "nothing to fit" in r.output


def test_reads_simcore_counts_csv(tmp_path):
    """``simcore count --format csv`` output is a stage table as it is."""
    r = CliRunner().invoke(cli, ["count", "examples/ballots/election.blt", "--format", "csv"])
    assert r.exit_code == 0
    path = tmp_path / "count.csv"
    path.write_text(r.output)
    rows = list(csv.DictReader(r.output.splitlines()))
    names = tuple(dict.fromkeys(row["candidate"] for row in rows))
    table = fs.read_stage_table(path, names)
    assert table.shape == (max(int(x["stage"]) for x in rows), len(names))
    assert np.isclose(table[0].sum(), sum(float(x["votes"]) for x in rows if x["stage"] == "1"))


def test_first_preferences_then_stages_into_one_scenario(files):
    """``--first-prefs`` and ``--stages`` together: bloc shares and strengths fitted to the
    totals, then the transfers to the table from that result, both commented in one file."""
    tmp, table, into = files
    fp = tmp / "fp.csv"
    shares = {"Ann": 0.45, "Bob": 0.1, "Dan": 0.12, "Eve": 0.15, "Fay": 0.12, "Gus": 0.06}
    fp.write_text(
        "candidate,first_preferences\n" + "".join(f"{c},{v}\n" for c, v in shares.items())
    )
    out = tmp / "both.toml"
    args = ["fit", "--first-prefs", str(fp), "--stages", str(table), "--into", str(into)]
    args += ["-o", str(out), "-n", "20", "--max-evals", "8", "--param", "red.stop_after_slate"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "fitted (simcore fit --first-prefs fp.csv" in text
    assert text.count("fitted: simulated method of moments to the stage table stages.csv") == 1
    assert "first-preference totals" in r.output and "objective" in r.output
    from simcore.jobs.check_fit import read_observed
    from simcore.jobs.fit_totals import Model

    def expected(sc):
        base = np.array([[sl.supporters.share for sl in sc.slates]])
        return Model(sc, "s").shares(base, np.array([c.strength for c in sc.candidates]))[0]

    sc = parse_scenario(text, "both.toml")
    want = [o.share for o in read_observed(fp, sc)]  # (in candidate order)
    assert np.allclose(expected(sc), want, atol=5e-4)
    assert not np.allclose(expected(parse_scenario(into.read_text(), "i.toml")), want, atol=0.01)


def test_which_data_sources_combine(files):
    tmp, table, into = files
    out = str(tmp / "z.toml")
    fp = tmp / "fp1.csv"
    fp.write_text("slate,first_preferences\nred,0.6\n")

    def err(*args):
        r = CliRunner().invoke(cli, ["fit", *map(str, args), "-o", out])
        assert r.exit_code == 2 and r.output.count("\n") == 1, r.output
        return r.output

    assert "not both" in err("b.csv", "--stages", table, "--into", into)
    assert "not both" in err("b.csv", "--first-prefs", fp, "--into", into)
    assert "--title makes a new scenario" in err("--stages", table, "--into", into, "--title", "t")
    assert "--first-prefs needs --into" in err("--first-prefs", fp, "--stages", table)
    assert "--param goes with --stages" in err("--first-prefs", fp, "--into", into, "--param", "x")
    assert "--strategy goes with --first-prefs" in err(
        "--stages", table, "--into", into, "--strategy", "s"
    )
    # a bad stage table is found before anything is fitted: one line, no file
    bad = tmp / "bad2.csv"
    write_table(bad, [(1, "Zed", 5)])
    assert "'Zed'" in err("--first-prefs", fp, "--stages", bad, "--into", into)
    assert not (tmp / "z.toml").exists()
