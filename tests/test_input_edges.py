"""Input files at the edges: files that are not regular files or are too large, long lines in
error messages, numbers beyond their machine types, odd names, reserved slate ids and names,
and `simcore validate` listing every problem of a scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from simcore import InputError, read_ballots
from simcore.cli.main import cli
from simcore.errors import SHOWN_CHARS, shown
from simcore.inputs import text as text_module
from simcore.inputs.college_file import read_college
from simcore.inputs.scenario_file import ScenarioError, parse_scenario, read_scenario
from simcore.model.names import is_reserved_slate, label_key
from tests.test_scenario_files import MINIMAL as SCENARIO

HERE = Path(__file__).parent
QUICKSTART = HERE.parent / "scenarios" / "quickstart.toml"
HANG = 60  # seconds: a command that takes this long on a FIFO or /dev/zero is hanging

BLT = '3 1\n4 1 2 0\n3 2 0\n2 3 1 0\n0\n"Ann"\n"Bob"\n"Cy"\n"Test"\n'


def simcore(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real command, in a process of its own, killed (and the test failed) if it hangs."""
    return subprocess.run(
        [sys.executable, "-m", "simcore.cli.main", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG,
    )


def one_line_error(result) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0]
    return lines[0]


# -- files that are not regular files ----------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    for name in ("votes.blt", "scenario.toml"):
        os.mkfifo(tmp_path / name)
    count = one_line_error(simcore("count", "votes.blt", cwd=tmp_path))
    assert count == "simcore: error: votes.blt: is a named pipe (FIFO), expected a regular file"
    validate = one_line_error(simcore("validate", "scenario.toml", cwd=tmp_path))
    assert "scenario.toml: is a named pipe (FIFO)" in validate
    run = one_line_error(simcore("run", "scenario.toml", cwd=tmp_path))
    assert "is a named pipe (FIFO)" in run


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused_without_reading_it(tmp_path):
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    line = one_line_error(simcore("count", "/dev/zero", "--seats", "1", cwd=tmp_path))
    assert line == "simcore: error: /dev/zero: is a device, expected a regular file"
    line = one_line_error(simcore("validate", "zero.toml", cwd=tmp_path))
    assert line == "simcore: error: zero.toml: is a device, expected a regular file"
    with pytest.raises(InputError, match="is a device"):
        read_college(tmp_path / "zero.toml")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_count_dir_skips_entries_that_are_not_regular_files(tmp_path):
    (tmp_path / "good.blt").write_text(BLT, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.blt")
    result = simcore("count", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Ann" in result.stdout and "pipe" not in result.stdout + result.stderr


def test_a_folder_given_as_a_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="is a directory, expected a file"):
        read_scenario(tmp_path)


# -- size limits ------------------------------------------------------------------------------


def test_a_ballot_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "big.blt"
    p.write_text(BLT, encoding="utf-8")
    assert read_ballots(p).n_ballots == 9
    monkeypatch.setattr(text_module, "MAX_BALLOT_FILE_BYTES", len(BLT) - 1)
    with pytest.raises(InputError) as info:
        read_ballots(p)
    assert str(info.value) == (
        f"{p}: file is {len(BLT)} bytes, over the limit of {len(BLT) - 1} bytes for this kind "
        "of file"
    )
    monkeypatch.setattr(text_module, "MAX_BALLOT_FILE_BYTES", len(BLT))
    assert read_ballots(p).n_ballots == 9  # exactly the limit is fine


def test_a_scenario_over_the_limit_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "s.toml"
    p.write_text(SCENARIO, encoding="utf-8")
    assert read_scenario(p).seats == 1
    monkeypatch.setattr(text_module, "MAX_CONFIG_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"over the limit of 100 bytes"):
        read_scenario(p)
    assert text_module.MAX_BALLOT_FILE_BYTES == 2 * 1024**3  # ballot files keep their own limit
    assert text_module.MAX_CONFIG_FILE_BYTES == 100


def test_the_documented_limits():
    monkeypatched = pytest.MonkeyPatch()  # (only to be sure no earlier test leaked a change)
    monkeypatched.undo()
    assert text_module.MAX_BALLOT_FILE_BYTES == 2 * 1024**3
    assert text_module.MAX_CONFIG_FILE_BYTES == 16 * 1024**2
    doc = (HERE.parent / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert "16 MiB" in doc and "2 GiB" in doc


# -- long lines in messages -------------------------------------------------------------------


def test_shown_cuts_long_text():
    assert shown("abc") == "'abc'"
    long = "x" * 5000
    assert shown(long) == f"'{'x' * SHOWN_CHARS}'... (5,000 characters)"


@pytest.mark.parametrize(
    "name, content",
    [
        ("header.blt", "y" * 100_000 + "\n"),
        ("weight.blt", "2 1\n" + "9x" * 50_000 + ' 1 0\n0\n"A"\n"B"\n'),
        ("order.soi", "# NUMBER ALTERNATIVES: 1\n# ALTERNATIVE NAME 1: A\n" + "z" * 100_000),
        ("rows.csv", "2," + "q" * 100_000 + "\n"),
    ],
)
def test_long_offending_lines_are_cut_in_messages(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_ballots(p)
    message = str(info.value)
    assert len(message) < 300, message
    assert "characters)" in message


def test_long_scenario_values_are_cut_in_messages():
    long = "w" * 100_000
    for text in (
        SCENARIO.replace("turnout = 0.5", f'turnout = "{long}"'),
        SCENARIO.replace('orderings.main = ["Ann"]', f'orderings.main = ["{long}"]'),
        SCENARIO.replace("[strategies.only]", f"[strategies.only]\n{long} = 'main'"),
        SCENARIO.replace('name = "Here"', 'name = "Here"\n' + f"{long} = 1"),
    ):
        with pytest.raises(InputError) as info:
            parse_scenario(text, "s.toml")
        assert len(str(info.value)) < 400, str(info.value)[:500]


# -- validate lists every problem -------------------------------------------------------------


def test_validate_lists_every_problem_and_run_the_first(tmp_path):
    broken = SCENARIO.replace("seats = 1", "seats = 0").replace("turnout = 0.5", "turnout = 2")
    broken = broken.replace('name = "Bob"', 'name = "Bob"\nstrength = -1')
    p = tmp_path / "s.toml"
    p.write_text(broken, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(p)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert [line.split(": ")[3] for line in lines] == [
        "election.seats",
        "candidates[1].strength",
        "regions[0].turnout",
    ]
    assert all(line.startswith(f"simcore: error: {p}:") for line in lines)
    result = runner.invoke(cli, ["run", str(p), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"simcore: error: {p}:3: election.seats: must be at least 1, got 0")
    assert line.endswith(f"(and 2 more problem(s): 'simcore validate {p}' lists them)")
    assert not (tmp_path / "out").exists()


def test_validate_stops_listing_after_twenty(tmp_path):
    text = "[election]\nseats = 1\n" + "".join(
        f'[[candidates]]\nname = "C{i}"\nstrength = -1\n' for i in range(30)
    )
    text += '[[regions]]\nname = "R"\nelectorate = 1\nturnout = 1\n[strategies.a]\n'
    p = tmp_path / "many.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_scenario(p)
    assert len(info.value.errors) == 30
    result = CliRunner().invoke(cli, ["validate", str(p)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 21
    assert lines[-1] == f"simcore: error: ... and 10 more problem(s) in {p}"


# -- numbers beyond their types ---------------------------------------------------------------


def test_an_electorate_beyond_int64_is_refused():
    for value in ("1000000000000000000000000000000", str(2**63)):
        with pytest.raises(InputError) as info:
            parse_scenario(SCENARIO.replace("electorate = 100", f"electorate = {value}"), "s")
        assert str(info.value).startswith("s:17: regions[0].electorate: must be at most")
    assert parse_scenario(SCENARIO.replace("electorate = 100", f"electorate = {2**63 - 1}"))


def test_strengths_whose_sum_overflows_are_refused():
    text = SCENARIO.replace('name = "Ann"', 'name = "Ann"\nstrength = 1e308')
    text = text.replace('name = "Bob"', 'name = "Bob"\nstrength = 1e308')
    with pytest.raises(InputError) as info:
        parse_scenario(text, "s")
    assert str(info.value).startswith(
        "s:7: candidates[0].strength: the candidates' strengths add up to inf; they must add "
        "up to at most 1e+300"
    )
    one = SCENARIO.replace('name = "Ann"', 'name = "Ann"\nstrength = 1e300')
    assert parse_scenario(one).candidates[0].strength == 1e300
    noisy = one + "[nonaligned]\nstrength_sd = 1\n"
    with pytest.raises(InputError, match="with nonaligned.strength_sd = 1"):
        parse_scenario(noisy)
    for bad in ("inf", "nan", "1e-320"):
        with pytest.raises(InputError, match=r"candidates\[0\]\.strength"):
            parse_scenario(SCENARIO.replace('name = "Ann"', f'name = "Ann"\nstrength = {bad}'))


def test_spreads_and_lengths_are_bounded():
    text = SCENARIO.replace(
        "supporters.share = 0.5", "supporters.share = 0.5\nsupporters.swing_sd = 1e308"
    )
    with pytest.raises(InputError, match=r"swing_sd: must be between 0 and 1e\+300"):
        parse_scenario(text)
    text = SCENARIO.replace(
        "supporters.share = 0.5", f"supporters.share = 0.5\nsupporters.continue_length = {10**30}"
    )
    with pytest.raises(InputError, match=r"continue_length: must be at most 32,767"):
        parse_scenario(text)


def test_huge_and_deep_toml_is_refused_in_one_line():
    with pytest.raises(InputError, match="a number has more than"):
        parse_scenario("x = " + "9" * 5000)
    with pytest.raises(InputError, match="nested too deeply"):
        parse_scenario("x = " + "[" * 100_000 + "]" * 100_000)


def test_college_weights_fit_64_bits(tmp_path):
    (tmp_path / "a.blt").write_text(BLT, encoding="utf-8")
    for weight, phrase in (
        ('"1e999999999"', "must be a number or fraction"),
        (str(2**63), "numerator and denominator"),
        ('"1/10000000000000000000000"', "numerator and denominator"),
    ):
        p = tmp_path / "c.toml"
        p.write_text(
            f'[[sections]]\nname = "A"\nballots = "a.blt"\nweight = {weight}\n', encoding="utf-8"
        )
        with pytest.raises(InputError, match=phrase):
            read_college(p)
    region = SCENARIO.replace("turnout = 0.5", 'turnout = 0.5\nweight = "1e999999999"')
    with pytest.raises(InputError, match=r"regions\[0\]\.weight: must be a number or a fraction"):
        parse_scenario(region + "[college]\n")


@pytest.mark.parametrize(
    "text, phrase",
    [
        ('2 1\n99999999999999999999 1 0\n0\n"A"\n"B"\n', "ballot weight must be at most"),
        ("99999999999 1\n1 1 0\n0\n", "number of candidates must be at most 32,767"),
        ('2 1\n-99999999999999999999999\n1 1 0\n0\n"A"\n"B"\n', "withdrawn candidate"),
        ("2 1\n" + "1" * 5000 + ' 1 0\n0\n"A"\n"B"\n', "ballot weight must be at most"),
    ],
)
def test_ballot_numbers_beyond_int64_are_refused(tmp_path, text, phrase):
    p = tmp_path / "e.blt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=phrase) as info:
        read_ballots(p)
    assert len(str(info.value)) < 300


def test_preflib_alternative_numbers_are_bounded(tmp_path):
    p = tmp_path / "e.soi"
    p.write_text("# ALTERNATIVE NAME 999999999999: A\n1: 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="alternative number must be at most 32,767"):
        read_ballots(p)


# -- names ------------------------------------------------------------------------------------


def test_reserved_slate_labels():
    for label in ("no_slate", "No Slate", "no-slate", "NO__SLATE", " no slate "):
        assert is_reserved_slate(label), label
    for label in ("no slates", "noslate", "Labour"):
        assert not is_reserved_slate(label), label
    assert label_key("Open_Labour") == label_key("open labour") == label_key("OPEN-LABOUR")


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("[slates.s]", "[slates.no_slate]", "slates.no_slate"),
        ("[slates.s]", '[slates."No Slate"]', 'slates."No Slate"'),
        ("[slates.s]", '[slates.s]\nname = "no  slate"', "slates.s.name"),
        ("[slates.s]", '[slates.s]\nname = "NO_SLATE"', "slates.s.name"),
        ("[slates.s]", '[slates.""]', 'slates.""'),
    ],
)
def test_reserved_slate_ids_and_names_are_refused(old, new, key):
    with pytest.raises(InputError) as info:
        parse_scenario(SCENARIO.replace(old, new), "s")
    assert f": {key}: " in str(info.value), str(info.value)


def test_slate_ids_and_names_must_read_differently():
    two = SCENARIO + '[slates.S]\norderings.main = ["Bob"]\nsupporters.share = 0.1\n'
    with pytest.raises(InputError, match=r"slates\.S: slate id 'S' reads the same as slate 's'"):
        parse_scenario(two)
    named = SCENARIO.replace("[slates.s]", '[slates.s]\nname = "Red"') + (
        '[slates.t]\nname = "red"\norderings.main = ["Bob"]\nsupporters.share = 0.1\n'
    )
    with pytest.raises(InputError, match=r"slates\.t\.name: slate name 'red' reads the same"):
        parse_scenario(named)


@pytest.mark.parametrize("bad", ["Ann\\nSmith", "Ann\\u0007", "Ann\\tSmith", "   "])
def test_scenario_names_with_control_characters_or_empty_are_refused(bad):
    with pytest.raises(InputError, match=r"candidates\[0\]\.name: must not"):
        parse_scenario(
            SCENARIO.replace('name = "Ann"', f'name = "{bad}"').replace(
                'orderings.main = ["Ann"]', 'orderings.main = ["Bob"]'
            )
        )


def test_scenario_names_equal_apart_from_spacing_are_refused():
    text = SCENARIO.replace('name = "Bob"', 'name = "Ann "')
    with pytest.raises(InputError, match=r"used twice \(apart from spacing\)"):
        parse_scenario(text)


def test_names_with_separators_and_quotes_are_kept(tmp_path):
    text = SCENARIO.replace('name = "Bob"', "name = 'Bob \"B\"; Jr, III'")
    assert parse_scenario(text).candidates[1].name == 'Bob "B"; Jr, III'
    p = tmp_path / "e.blt"
    p.write_text('2 1\n1 1 0\n0\n"A; B"\n"C, ""D"""\n"t"\n', encoding="utf-8")
    assert read_ballots(p).candidates == ("A; B", 'C, "D"')


@pytest.mark.parametrize(
    "names, phrase",
    [
        ('"A\x01"\n"B"', "must not contain control characters"),
        ('"A\x1b[31m"\n"B"', "must not contain control characters"),
        ('"A"\n"A"', "are both named 'A'"),
        ('"A"\n"  A "', "are both named 'A'"),
    ],
)
def test_ballot_file_names_are_checked(tmp_path, names, phrase):
    """(C1 controls are allowed in ballot files: real ones hold mis-decoded names; see
    test_real_elections.)"""
    p = tmp_path / "e.blt"
    title = "t" * 300  # (one control character in a short file reads as a binary file)
    p.write_text(f"2 1\n1 1 0\n0\n{names}\n{title}\n", encoding="utf-8")
    with pytest.raises(InputError, match=phrase):
        read_ballots(p)


def test_quickstart_still_validates():
    result = CliRunner().invoke(cli, ["validate", str(QUICKSTART)])
    assert result.exit_code == 0, result.output
