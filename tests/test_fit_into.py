"""``simcore fit BALLOTS... --into SCENARIO``: the ballot fit's keys replace an existing
scenario's (slate ids mapped by their candidates), everything else and every comment kept."""

from __future__ import annotations

import re
import tomllib

import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.inputs.scenario_file import read_scenario

BALLOTS = "scenarios/ballots/aberdeen_2022_ward11.csv"
IDS = {"snp": "s1", "con": "s2", "lab": "s3", "gr": "s4", "ld": "s5"}


def fit(*args):
    return CliRunner().invoke(cli, ["fit", *map(str, args)])


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The plain fit, and a user's scenario of the same ward: other slate ids, region name,
    title, strategy and values, with comments of its own."""
    tmp = tmp_path_factory.mktemp("into")
    plain = tmp / "plain.toml"
    assert fit(BALLOTS, "--out", plain).exit_code == 0
    text = re.sub(r"\b(snp|con|lab|gr|ld)\b", lambda m: IDS[m.group(1)], plain.read_text())
    text = "# My ward (hand-made)\n" + text
    text = re.sub(r'title = ".*"', 'title = "My ward"  # my title', text)
    text = re.sub(r"strength = [0-9.]+ #[^\n]*", "strength = 0.9  # my guess", text, count=1)
    text = text.replace("[slates.s1.supporters]\nshare = 0.275", "[slates.s1.supporters]\n"
                        "swing_sd = 0.02  # my swing\nshare = 0.25")  # fmt: skip
    text = re.sub(r'name = "Airyhall[^"]*"', 'name = "Ward 11"', text)
    text = text.replace("[strategies.fitted]", "[strategies.mine]")
    mine = tmp / "mine.toml"
    mine.write_text(text)
    read_scenario(mine)
    return tmp, tomllib.loads(plain.read_text()), mine


def test_fit_into_replaces_the_fitted_keys_and_keeps_the_rest(files):
    tmp, plain, mine = files
    out = tmp / "out.toml"
    r = fit(BALLOTS, "--into", mine, "--out", out)
    assert r.exit_code == 0, r.output
    got = tomllib.loads(out.read_text())
    before = tomllib.loads(mine.read_text())
    assert [c["strength"] for c in got["candidates"]] == [
        c["strength"] for c in plain["candidates"]
    ]
    for fid, sid in IDS.items():
        new, want = got["slates"][sid]["supporters"], plain["slates"][fid]["supporters"]
        for key in ("share", "follow", "stop_after_slate", "continue_length", "mallows_share"):
            assert new[key] == want[key], (sid, key)
        assert new["next"] == {IDS[j]: v for j, v in want["next"].items()}
    assert got["nonaligned"] == plain["nonaligned"]
    # kept: the title, regions, strategies, orderings, the user's other keys and comments
    for key in ("title", "regions", "strategies", "election"):
        assert got[key] == before[key]
    assert got["slates"]["s1"]["supporters"]["swing_sd"] == 0.02
    assert all(
        got["slates"][s]["orderings"] == before["slates"][s]["orderings"] for s in IDS.values()
    )
    text = out.read_text()
    assert text.startswith("# My ward (hand-made)") and "# my title" in text
    assert "swing_sd = 0.02  # my swing" in text
    assert "[simcore fit aberdeen_2022_ward11.csv]; was 0.9 (my guess)" in text
    assert "; was 0.25" in text  # (the share it replaced)
    assert "se of log: s2 " in text  # (the scenario's ids in the comments too)
    read_scenario(out)


def _broken(tmp, mine, old, new, name):
    path = tmp / name
    path.write_text(mine.read_text().replace(old, new))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"Ian Yuill"', '"Ian Yule"', "'Ian Yuill' not in the scenario"),
        (
            'slate = "s5"',
            'slate = "s1"',
            "party 'Scottish National Party (SNP)' ('Derek Davidson') is no slate",
        ),
    ],
)
def test_a_scenario_of_another_election_gets_one_line(files, old, new, message):
    tmp, _, mine = files
    bad = _broken(tmp, mine, old, new, "bad.toml")
    if new == 'slate = "s1"':  # (s5 has no candidate left: drop it, so the file reads)
        text = bad.read_text()
        text = re.sub(r"\[slates\.s5\].*?(?=\n\[nonaligned\])", "", text, flags=re.S)
        text = re.sub(r", s5 = [0-9.]+", "", text).replace('s5 = "modal"\n', "")
        bad.write_text(text)
        read_scenario(bad)
    out = tmp / "never.toml"
    r = fit(BALLOTS, "--into", bad, "--out", out)
    assert r.exit_code == 2 and message in r.output and r.output.count("\n") == 1, r.output
    assert not out.exists()


def test_title_is_not_for_into(files):
    tmp, _, mine = files
    r = fit(BALLOTS, "--into", mine, "--out", tmp / "t.toml", "--title", "x")
    assert r.exit_code == 2 and "--title makes a new scenario" in r.output
