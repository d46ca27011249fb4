"""``--set KEY=VALUE``: overriding scenario keys without editing the file."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.errors import InputError
from simcore.inputs.scenario_file import ScenarioError, parse_scenario, read_scenario
from simcore.inputs.scenario_overrides import parse_key, parse_set, parse_value
from simcore.jobs.run import scenario_hash
from simcore.model.scenario import Dist

ROOT = Path(__file__).resolve().parent.parent
QUICK = str(ROOT / "scenarios" / "quickstart.toml")
QUICK_TEXT = Path(QUICK).read_text()


def _cli(args: list) -> tuple[int, str, list[str]]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr.strip().splitlines()


def _hill(sc):
    return next(s for s in sc.slates if s.id == "hill")


# -- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.7", 0.7),
        ("3", 3),
        ("true", True),
        ('"ers97"', "ers97"),
        ("meek", "meek"),  # not TOML: a bare string
        (" droop exact ", "droop exact"),
        ("{ mean = 0.7, sd = 0.05 }", {"mean": 0.7, "sd": 0.05}),
        ("[1, 2]", [1, 2]),
        ("", ""),
    ],
)
def test_values_are_toml_else_bare_strings(text, value):
    assert parse_value(text) == value
    assert type(parse_value(text)) is type(value)


@pytest.mark.parametrize(
    "key, path",
    [
        ("simulation.sims", ("simulation", "sims")),
        ("regions[2].electorate", ("regions", 2, "electorate")),
        ('strategies."one order".hill', ("strategies", "one order", "hill")),
        ("slates.gv.supporters.follow.mean", ("slates", "gv", "supporters", "follow", "mean")),
        ("slates.gv.orderings.national[0]", ("slates", "gv", "orderings", "national", 0)),
    ],
)
def test_key_paths_parse_as_error_messages_render_them(key, path):
    assert parse_key(key, "--set x") == path


def test_the_value_may_hold_equals_signs():
    ov = parse_set('title="a = b"')
    assert ov.path == ("title",) and ov.value == "a = b"


# -- applying ----------------------------------------------------------------------------------


def test_nested_indexed_and_typed_overrides():
    sc = parse_scenario(
        QUICK_TEXT,
        "quick.toml",
        [
            "slates.hill.supporters.follow.mean=0.6",
            "regions[1].electorate=5000",
            "candidates[0].strength=2.5",
            "election.rule=meek",
            "simulation.sims=77",
            "slates.river.supporters.follow={ low = 0.5, high = 0.9 }",
            'strategies."split by region".hill.East=ben_first',
        ],
    )
    assert _hill(sc).supporters.follow == Dist("beta", mean=0.6, sd=0.05)
    assert sc.regions[1].electorate == 5000 and sc.regions[0].electorate == 6000
    assert sc.candidates[0].strength == 2.5
    assert sc.rule == "meek" and sc.sims == 77
    river = next(s for s in sc.slates if s.id == "river")
    assert river.supporters.follow == Dist("uniform", low=0.5, high=0.9)
    split = next(s for s in sc.strategies if s.name == "split by region")
    assert split.orderings["hill"] == {"East": "ben_first", "West": "ben_first"}
    assert len(sc.overrides) == 7 and sc.overrides[0] == "slates.hill.supporters.follow.mean=0.6"


def test_a_key_the_file_leaves_out_is_created_with_its_tables():
    base = parse_scenario(QUICK_TEXT, "q.toml")
    sc = parse_scenario(QUICK_TEXT, "q.toml", ["slates.hill.supporters.regional_sd=0.02"])
    assert _hill(base).supporters.regional_sd == 0
    assert _hill(sc).supporters.regional_sd == 0.02
    # no [simulation] table and no election.options: both are made
    minimal = "\n".join(
        line
        for line in QUICK_TEXT.splitlines()
        if not line.startswith(("sims", "seed", "[simulation]"))
    )
    sc = parse_scenario(
        minimal,
        "q.toml",
        ["simulation.sims=12", "election.rule=wigm", "election.options.decimals=2"],
    )
    assert sc.sims == 12 and sc.seed is None and sc.options["decimals"] == 2
    # a new strategy, by a key below it
    sc = parse_scenario(QUICK_TEXT, "q.toml", ["strategies.ben.hill=ben_first"])
    assert [s.name for s in sc.strategies][-1] == "ben"


def test_later_overrides_win():
    sc = parse_scenario(QUICK_TEXT, "q.toml", ["simulation.sims=5", "simulation.sims=6"])
    assert sc.sims == 6


def _error(sets, text=QUICK_TEXT) -> InputError:
    with pytest.raises(InputError) as info:
        parse_scenario(text, "q.toml", sets)
    return info.value


@pytest.mark.parametrize(
    "given, expected",
    [
        ("simulation.sims", "expected KEY=VALUE"),
        ("a..b=1", "not a key path"),
        ('"open=1', "not a key path"),
        ("simulation.simz=3", "simulation: unknown key 'simz'; did you mean 'sims'?"),
        ("bogus=3", "the scenario: unknown key 'bogus'"),
        ("regions[7].electorate=5", "index [7] is out of range: the file has 2 item(s)"),
        ("regions.electorate=5", "regions is an array: give an index, e.g. regions[0]"),
        ("election[0]=5", "election is not an array"),
        ("candidates[0].strength.x=1", "candidates[0].strength is a single value"),
        ("slates.hil.supporters.share=0.3", "slates has no 'hil'"),
        ("slates.river.supporters.follow.mean=0.5", "is a number (0.9) in the file, not a table"),
        ("slates.hill.supporters.follow.median=0.5", "unknown key 'median'"),
    ],
)
def test_bad_paths_are_one_line_naming_the_set(given, expected):
    err = _error([given])
    assert expected in str(err), str(err)
    assert str(err).startswith(f"q.toml: --set {given}: ")
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("slates.hill.supporters.follow.mean=1.5", "must be greater than 0 and less than 1"),
        ("simulation.sims=0", "must be at least 1"),
        ("simulation.sims=many", "must be a whole number, got a string ('many')"),
        ("election.rule=bogus", "unknown rule 'bogus'"),
        ("election.seats=100", "seats must not exceed the number of candidates"),
        ('strategies."one order".hill=nope', "has no ordering 'nope'"),
        ("slates.hill.supporters.follow.mean=0.999", "follow.sd: sd 0.05 is too large"),
    ],
)
def test_an_override_is_checked_like_the_file_and_named(given, expected):
    err = _error([given])
    assert isinstance(err, ScenarioError) and len(err.errors) == 1
    assert str(err).startswith(f"q.toml: --set {given}: "), str(err)
    assert expected in str(err)


def test_problems_of_the_file_itself_keep_their_line():
    text = QUICK_TEXT.replace("seats = 3 ", "seats = 0 ")
    err = _error(["simulation.sims=0"], text)
    lines = [str(e) for e in err.errors]
    assert any(s.startswith("q.toml:15: election.seats:") for s in lines), lines
    assert any(s.startswith("q.toml: --set simulation.sims=0:") for s in lines), lines


def test_an_override_may_fix_the_file():
    text = QUICK_TEXT.replace("seats = 3 ", "seats = 0 ")
    with pytest.raises(ScenarioError):
        parse_scenario(text, "q.toml")
    assert parse_scenario(text, "q.toml", ["election.seats=3"]).seats == 3


def test_the_hash_changes_with_overrides():
    plain = read_scenario(QUICK)
    one = read_scenario(QUICK, ["simulation.sims=5"])
    other = read_scenario(QUICK, ["simulation.sims=6"])
    assert len({scenario_hash(plain), scenario_hash(one), scenario_hash(other)}) == 3
    assert scenario_hash(plain) == scenario_hash(read_scenario(QUICK))


# -- the command line -------------------------------------------------------------------------


def test_validate_and_run_name_the_set_in_one_line(tmp_path):
    for command in (["validate"], ["run", "--sims", 5, "-q", "--out", tmp_path / "o"]):
        code, _, err = _cli([*command, QUICK, "--set", "slates.hill.supporters.follow.mean=1.5"])
        assert code == 2 and len(err) == 1, err
        assert err[0].startswith(
            f"simcore: error: {QUICK}: --set slates.hill.supporters.follow.mean=1.5: must be"
        )
    assert not (tmp_path / "o").exists()
    code, out, _ = _cli(["validate", QUICK, "--set", "election.rule=meek"])
    assert code == 0 and "rule meek" in out and "--set election.rule=meek" in out


def test_run_with_set_equals_editing_the_file(tmp_path):
    edited = tmp_path / "quickstart.toml"
    edited.write_text(
        QUICK_TEXT.replace("share = 0.35 ", "share = 0.12 ").replace(
            'rule = "scottish"', 'rule = "meek"'
        )
    )
    common = ["--sims", 40, "--seed", 5, "-t", 1, "-q"]
    sets = ["--set", "slates.hill.supporters.share=0.12", "--set", "election.rule=meek"]
    code, _, err = _cli(["run", QUICK, *sets, *common, "--out", tmp_path / "set"])
    assert code == 0, err
    code, _, err = _cli(["run", edited, *common, "--out", tmp_path / "edit"])
    assert code == 0, err
    code, _, err = _cli(["run", QUICK, *common, "--out", tmp_path / "plain"])
    assert code == 0, err
    summary = {k: (tmp_path / k / "summary.csv").read_text() for k in ("set", "edit", "plain")}
    assert summary["set"] == summary["edit"] != summary["plain"]

    meta = json.loads((tmp_path / "set" / "run.json").read_text())
    assert meta["overrides"] == ["slates.hill.supporters.share=0.12", "election.rule=meek"]
    assert json.loads((tmp_path / "plain" / "run.json").read_text())["overrides"] == []
    for name in ("summary.parquet", "simulations.parquet"):
        stored = pq.read_schema(tmp_path / "set" / name).metadata[b"simcore"]
        assert json.loads(stored)["overrides"] == meta["overrides"]
