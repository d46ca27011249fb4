"""``simcore count`` and ``simcore rules`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from simcore.cli.main import cli

SMALL = "3 2\n12 1 0\n88 1 3 2 0\n14 2 3 0\n8 3 0\n0\nAlvin\nBecca\nCarrie\nWard\n"


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


@pytest.fixture
def small(tmp_path):
    p = tmp_path / "small.blt"
    p.write_text(SMALL)
    return p


def test_table(small):
    res = run("count", small, "--seed", 1)
    assert res.exit_code == 0, res.output
    assert "Stage" in res.output and "Alvin" in res.output
    assert "Elected in order: Alvin (stage 1)" in res.output


def test_json_shape(small):
    res = run("count", small, "--format", "json", "--seed", 5)
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert {"rule", "seats", "quota", "elected", "stages", "file", "seed"} <= set(d)
    assert d["rule"] == "scottish" and d["seats"] == 2 and d["seed"] == 5
    assert d["quota"] == "41.00000"  # floor(122 / 3) + 1
    st = d["stages"][0]
    assert {"stage", "action", "candidate", "votes", "states", "non_transferable"} <= set(st)
    assert st["votes"]["Alvin"] == "100.00000"
    assert set(st["states"].values()) <= {"continuing", "elected", "excluded"}
    assert d["elected"][0] == "Alvin"


def test_csv_is_tidy(small):
    res = run("count", small, "--format", "csv", "--rule", "irv")
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("file,stage,action,subject,candidate,votes,state")
    assert len(lines) > 3


def test_several_files_and_a_directory_as_json_lines(tmp_path):
    for k in range(3):
        (tmp_path / f"e{k}.blt").write_text(SMALL)
    res = run("count", tmp_path, "--format", "json", "--seed", 1)
    assert res.exit_code == 0, res.output
    objs = [json.loads(line) for line in res.output.strip().splitlines()]
    assert [o["file"].rsplit("/", 1)[-1] for o in objs] == ["e0.blt", "e1.blt", "e2.blt"]


def test_rule_options_and_bad_options(small):
    assert run("count", small, "-r", "wigm", "-o", "quota=hare", "-o", "decimals=2").exit_code == 0
    res = run("count", small, "-r", "wigm", "-o", "quota=imperiali")
    assert res.exit_code == 2 and "must be one of" in res.output
    res = run("count", small, "-r", "scottish", "-o", "decimals=2")
    assert res.exit_code == 2 and "has no option 'decimals'" in res.output
    res = run("count", small, "-r", "nonsense")
    assert res.exit_code == 2 and "unknown rule" in res.output


def test_minimum_with_candidate_attributes(tmp_path, small):
    attrs = tmp_path / "cands.csv"
    attrs.write_text("name,gender\nAlvin,m\nBecca,f\nCarrie,m\n")
    res = run("count", small, "--candidates", attrs, "--minimum", "gender=f:1", "--format", "json")
    assert res.exit_code == 0, res.output
    assert "Becca" in json.loads(res.output)["elected"]
    res = run("count", small, "--candidates", attrs, "--minimum", "gender=x:1")
    assert res.exit_code == 2 and "no candidate has gender=x" in res.output


def test_rules_lists_every_rule():
    res = run("rules")
    assert res.exit_code == 0
    for name in ("scottish", "meek", "ers97", "wigm", "irv", "block", "fptp"):
        assert f"{name}" in res.output
    assert json.loads(run("rules", "--json").output)[0]["name"] == "scottish"


@pytest.mark.parametrize(
    "content,expected",
    [
        ("3 1\n4 1 2 0\n", "truncated"),
        ("3 1\n0 1 0\n0\nA\nB\nC\nT\n", "must be positive"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(tmp_path, content, expected):
    p = tmp_path / "bad.blt"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "simcore.cli.main", "count", str(p)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"simcore: error: {p}") and expected in lines[0]
    assert "Traceback" not in proc.stderr


def test_directory_with_one_bad_file_counts_the_rest(tmp_path):
    (tmp_path / "a.blt").write_text(SMALL)
    (tmp_path / "b.blt").write_text("3 1\n4 1 2 0\n")
    res = CliRunner().invoke(cli, ["count", str(tmp_path), "--format", "json"])
    assert res.exit_code == 2
    assert res.stdout.count('"file"') == 1
    assert "b.blt" in res.stderr and "1 of 2 files could not be counted" in res.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["run", "scenarios/quickstart.toml", "--sims", "0"],
        ["run", "scenarios/quickstart.toml", "--precision", "0.9"],
        ["run"],
        ["nosuch"],
        ["--bogus"],
        ["count", "--format", "x", "e.blt"],
    ],
)
def test_command_line_mistakes_are_one_line(args):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    assert lines[0].startswith("simcore: error: ") and lines[0].endswith(" --help')")
