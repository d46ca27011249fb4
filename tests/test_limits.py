"""Numeric limits: every rule counts exactly up to its stated limit and refuses beyond it.

Each case here printed a wrong result with exit status 0 (or an internal error) before the
limits were checked: see docs/rules.md (Limits) for the derivation of each figure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.model.rules import (
    GENERATOR_LIMIT,
    RULES,
    UNITS_LIMIT,
    get_rule,
    limit_summary,
    max_total_votes,
)
from tests.test_college import Plain, check_block

QUICKSTART = Path(__file__).parent.parent / "scenarios" / "quickstart.toml"
BLOCK_COLLEGE = Path(__file__).parent.parent / "scenarios" / "block-college.toml"


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def blt(tmp_path, lines, ncand=3, seats=1, name="t.blt"):
    names = "".join(f'"{chr(65 + c)}"\n' for c in range(ncand))
    p = tmp_path / name
    p.write_text(f"{ncand} {seats}\n" + "".join(f"{ln}\n" for ln in lines) + f'0\n{names}"t"\n')
    return p


def refused(res, *parts):
    """Exit status 2 and one line naming each of ``parts``."""
    assert res.exit_code == 2, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    for p in parts:
        assert p in lines[0], lines[0]
    return lines[0]


# -- the limits themselves ----------------------------------------------------------------------
def test_limits_per_rule():
    assert max_total_votes("scottish") == 2**62 // 10**5 == 46_116_860_184_273
    assert max_total_votes("ers97") == 2**62 // 100
    assert max_total_votes("meek") == 2**62  # in 128 bits beyond 2**62 // 10**9
    assert max_total_votes("meek", simulated=True) == 2**62 // 10**9  # simulations: 64 bits
    for name in ("irv", "block", "fptp"):
        assert max_total_votes(name) == UNITS_LIMIT
    for d in range(10):
        assert max_total_votes("wigm", {"decimals": d}) == 2**62 // 10**d
    assert max_total_votes("wigm") == max_total_votes("scottish")  # 5 decimals by default


def test_rules_command_prints_every_limit():
    res = run("rules")
    assert res.exit_code == 0
    for r in RULES.values():
        assert f"limit: {limit_summary(r)}" in res.output
    assert "46,116,860,184,273" in res.output


# -- counts of files ----------------------------------------------------------------------------
def test_scottish_beyond_limit_is_refused(tmp_path):
    # was: the 5-vote candidate elected, with negative totals and quota
    p = blt(tmp_path, ["100000000000000 1 2 0", "99999999999999 2 1 0", "5 3 0"])
    refused(run("count", p, "--rule", "scottish"), str(p), "46,116,860,184,273", "scottish")


@pytest.mark.parametrize("rule", ["scottish", "ers97", "meek", "irv"])
def test_exactly_at_the_limit_counts_exactly(tmp_path, rule):
    n = max_total_votes(rule)
    a = n // 2 + 1
    p = blt(tmp_path, [f"{a} 1 2 0", f"{n - a - 5} 2 1 0", "5 3 0"])
    res = run("count", p, "--rule", rule, "--format", "json", "--seed", 1)
    assert res.exit_code == 0, res.output
    import json

    d = json.loads(res.output)
    assert d["elected"] == ["A"]
    first = d["stages"][0]["votes"]
    dec = get_rule(rule).decimals
    scale = 10**dec
    assert int(first["A"].replace(".", "")) == a * scale
    assert int(first["B"].replace(".", "")) == (n - a - 5) * scale
    assert int(first["C"].replace(".", "")) == 5 * scale
    assert int(d["valid_votes"].replace(".", "")) == n * scale
    # one more vote is refused
    p2 = blt(tmp_path, [f"{a + 1} 1 2 0", f"{n - a - 5} 2 1 0", "5 3 0"], name="over.blt")
    refused(run("count", p2, "--rule", rule), f"{n + 1},")


def test_wigm_limit_follows_decimals(tmp_path):
    p = blt(tmp_path, ["3000000000 1 2 0", "2000000000 2 1 0"])
    refused(run("count", p, "-r", "wigm", "-o", "decimals=9"), "4,611,686,018 ")
    res = run("count", p, "-r", "wigm", "-o", "decimals=8", "--seed", 1)
    assert res.exit_code == 0 and "Elected in order: A" in res.output


def test_meek_beyond_64_bits_counts_in_128_bits(tmp_path):
    # was: a negative quota and first-preference totals at about 10^10 votes; then refused
    p = blt(tmp_path, ["10000000000 1 2 0", "9999999999 2 1 0", "5 3 0"])
    res = run("count", p, "--rule", "meek", "--format", "json", "--seed", 1)
    assert res.exit_code == 0, res.output
    import json

    d = json.loads(res.output)
    assert d["elected"] == ["A"]
    assert d["valid_votes"] == "20000000004.000000000"
    assert d["stages"][0]["quota"] == "10000000002.000000001"
    assert d["stages"][0]["votes"] == {
        "A": "10000000000.000000000",
        "B": "9999999999.000000000",
        "C": "5.000000000",
    }
    assert [st["action"] for st in d["stages"]][:2] == ["first preferences", "exclusion"]
    assert d["stages"][1]["non_transferable"] == "5.000000000"


def test_meek_beyond_128_bit_limit_is_refused(tmp_path):
    p = blt(tmp_path, [f"{2**61} 1 2 0", f"{2**61} 2 1 0", "1 3 0"])
    refused(run("count", p, "--rule", "meek"), str(p), "meek", "4,611,686,018,427,387,904 ")


def test_meek_scenario_keeps_the_64_bit_limit(tmp_path):
    text = QUICKSTART.read_text().replace('rule = "scottish"', 'rule = "meek"')
    base = tmp_path / "meek.toml"
    base.write_text(text)
    p = _scenario(tmp_path, 5 * 10**9, base=base)
    refused(run("validate", p), "regions[0].electorate", "4,611,686,018 ", "meek")


def test_weight_beyond_int64_is_one_line_with_its_line(tmp_path):
    # was: "internal error: OverflowError"
    p = blt(tmp_path, ["3 1 0", "99999999999999999999 1 2 0", "5 3 0"])
    line = refused(run("count", p), f"{p}:3:", "at most 9,223,372,036,854,775,807")
    assert "internal error" not in line


def test_weights_adding_up_beyond_int64_are_refused(tmp_path):
    # identical ballots are merged by adding their weights (in int64)
    w = 5 * 10**18
    p = blt(tmp_path, [f"{w} 1 2 0", f"{w} 1 2 0", "5 3 0"], ncand=3)
    refused(run("count", p, "--rule", "irv"), str(p), "add up to more than 2^63 - 1")


def test_more_seats_than_candidates(tmp_path):
    lines = [f"{i + 1} {i % 20 + 1} 0" for i in range(40)]
    p = blt(tmp_path, lines, ncand=20, seats=3)
    refused(run("count", p, "--seats", 30), "30 seats but only 20 candidates stand")
    res = run("count", p, "--seats", 20, "--seed", 1)  # every candidate elected: fine
    assert res.exit_code == 0, res.output
    # withdrawals count: 20 seats of 19 standing
    refused(
        run("count", p, "--seats", 20, "--withdraw", "B"), "20 seats but only 19", "1 withdrawn"
    )


# -- colleges -----------------------------------------------------------------------------------
def _college(tmp_path, weights, method="block", allocation="winner-take-all"):
    units = []
    for i, w in enumerate(weights):
        ballots = blt(tmp_path, [f"3 {i % 2 + 1} 0"], ncand=2, name=f"u{i}.blt")
        units.append(f'[[units]]\nname = "U{i}"\nballots = "{ballots.name}"\nweight = {w}\n')
    p = tmp_path / "c.toml"
    p.write_text(f'method = "{method}"\nallocation = "{allocation}"\n' + "".join(units))
    return p


def test_block_college_weights_beyond_limit_refused(tmp_path):
    # was: B "won" with a negative total weight
    p = _college(tmp_path, [4 * 10**18] * 3)
    refused(run("count", p), str(p), "units", "12000000000000000000", "4,611,686,018,427,387,904")


def test_block_college_at_limit_counts(tmp_path):
    w = 2**62 // 3
    p = _college(tmp_path, [w, w, w])
    res = run("count", p, "--seed", 1)
    assert res.exit_code == 0, res.output
    assert "winner: A" in res.output and f"of {3 * w}" in res.output


@pytest.mark.parametrize("unit_rule", ["plurality", "irv"])
def test_proportional_units_split_in_128_bits(unit_rule):
    # weight x votes far beyond int64 (was refused "beyond 64 bits"); the reference splits
    # with Python integers
    w = 10**18
    plain = Plain(
        "block",
        ("Ann", "Bob", "Cat"),
        [
            ("U1", w, [((0,), 4 * 10**9 + 1), ((1,), 3 * 10**9), ((2, 1), 2 * 10**9 + 7)]),
            ("U2", 3 * w, [((0,), 2), ((2,), 1)]),
        ],
        frozenset(),
        unit_rule,
        "proportional",
    )
    res, want = check_block(plain, seed=3)
    assert res.total_weight == 4 * w
    assert sum(res.weight_won.values()) == 4 * w


def test_us_population_weights_block_college(tmp_path):
    # weights ~ 10^9 per unit, ~10^8 ballots per unit
    plain = Plain(
        "block",
        ("Ann", "Bob"),
        [
            ("U1", 10**9 + 7, [((0,), 6 * 10**7 + 1), ((1,), 4 * 10**7)]),
            ("U2", 3 * 10**9, [((0,), 10**8), ((1,), 10**8 + 3)]),
        ],
        frozenset(),
        "plurality",
        "proportional",
    )
    res, _ = check_block(plain, seed=1)
    assert res.total_weight == 4 * 10**9 + 7


# -- simulations --------------------------------------------------------------------------------
def _scenario(tmp_path, electorate, base=QUICKSTART, name="s.toml"):
    text = re.sub(r"(?m)^electorate = \d+", f"electorate = {electorate}", base.read_text())
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "electorate, key, limit",
    [
        # was: C elected though every ballot is A > B
        (10**15, "regions[0].electorate", "46,116,860,184,273"),
        # was: segmentation fault (now the regions' sum is refused as beyond 64 bits)
        (2**63 - 1, "regions[1].electorate", "9,223,372,036,854,775,807"),
    ],
)
def test_scenario_electorate_beyond_limit(tmp_path, electorate, key, limit):
    p = _scenario(tmp_path, electorate)
    refused(run("validate", p), str(p), key, limit)
    refused(run("run", p, "-n", 10, "-o", tmp_path / "out"), key, limit)
    assert not (tmp_path / "out").exists()


def test_scenario_electorate_within_limit_validates(tmp_path):
    p = _scenario(tmp_path, max_total_votes("scottish") // 2)
    res = run("validate", p)
    assert res.exit_code == 0, res.output


def test_generator_limit_for_integer_rules(tmp_path):
    text = QUICKSTART.read_text().replace('rule = "scottish"', 'rule = "irv"')
    text = text.replace("seats = 3 ", "seats = 1 ")
    base = tmp_path / "irv.toml"
    base.write_text(text)
    p = _scenario(tmp_path, GENERATOR_LIMIT, base=base)
    refused(run("validate", p), "9,007,199,254,740,992 (2^53)")


def test_block_college_scenario_weights_beyond_limit(tmp_path):
    text = re.sub(r"(?m)^weight = \d+", "weight = 1000000000000000000", BLOCK_COLLEGE.read_text())
    p = tmp_path / "c.toml"
    p.write_text(text)
    refused(run("validate", p), "regions", "a block college counts exactly")
