"""Block vote and first past the post with group minimums (docs/rules.md, "Group minimums with
block and fptp"): hand-worked counts checked against the kernel and the reference, impossible
minimums, the JSON / table / CSV output of replacement stages, and ``simcore run``."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore import Profile, count
from simcore.cli.main import cli
from simcore.counting.api import lot_priorities
from simcore.errors import InputError, RuleError
from simcore.results.stage_table import to_csv_rows, to_table
from tests.reference import block
from tests.reference.common import Refused
from tests.reference.harness import Case, compare

# The 2014-style NEC count: 6 seats, at least 3 women.  Each member marks up to six names.
NEC_NAMES = ["M1", "M2", "M3", "M4", "M5", "W1", "W2", "W3", "M6"]
NEC_GENDER = ["man"] * 5 + ["woman"] * 3 + ["man"]
NEC_BALLOTS = [
    ((0, 1, 2, 3, 4, 5), 10),
    ((0, 1, 2, 3, 4, 6), 9),
    ((5, 6, 7, 0, 1, 2), 3),
    ((7, 8), 2),
]
# votes: M1-M3 22, M4 19, M5 19, W1 13, W2 12, W3 5, M6 2: the top six are five men and W1


def profile(names, ballots):
    return Profile.from_rankings([r for r, _ in ballots], [w for _, w in ballots], candidates=names)


def agree(rule, names, ballots, seats, attributes, minimum, groups, seed=1, options=None):
    """Count with the kernel (returned) and check that it agrees with the reference on every
    stage (the harness names candidates A, B, C, ...)."""
    options = dict(options or {})
    case = Case(rule=rule, ncand=len(names), seats=seats, rankings=ballots, seed=seed)

    def kernel(cands):
        return count(
            profile(cands, ballots),
            rule,
            seats=seats,
            seed=seed,
            minimum=minimum,
            attributes=attributes,
            **options,
        )

    lot = [int(x) for x in lot_priorities(seed, len(names))]
    ref_options = {**options, "votes": 1} if rule == "fptp" else options
    ref = block.count(ballots, len(names), seats, set(), lot, ref_options, groups)
    compare(case, result=kernel(case.names), ref=ref)
    return kernel(names)


def test_nec_2014_style_two_lowest_men_give_way():
    groups = ([0 if g == "woman" else -1 for g in NEC_GENDER], [3])
    r = agree("block", NEC_NAMES, NEC_BALLOTS, 6, {"gender": NEC_GENDER}, "gender=woman:3", groups)
    st = r.stages
    assert len(st) == 3
    assert set(st[0].elected) == {"M1", "M2", "M3", "M4", "M5", "W1"}
    # M4 and M5 tie on 19: lot (seed 1) places M4 above M5, so M5 gives way first
    assert (st[1].action, st[1].candidates, st[1].removed) == ("replacement", ("W2",), ("M5",))
    assert (st[2].action, st[2].candidates, st[2].removed) == ("replacement", ("W3",), ("M4",))
    assert st[1].tie == "lot" and st[2].tie is None
    assert st[2].states["M4"] == st[2].states["M5"] == "excluded"
    assert set(r.elected) == {"M1", "M2", "M3", "W1", "W2", "W3"}
    assert r.elected[-2:] == ("W2", "W3")  # in order of election


def test_no_replacement_needed_is_the_plain_count():
    gender = ["woman", "man", "woman", "man"]
    ballots = [((0, 1), 5), ((2, 3), 4), ((0, 3), 2)]  # A 7, D 6, B 5, C 4: A is a woman
    groups = ([0, -1, 0, -1], [1])
    with_min = agree(
        "block", list("ABCD"), ballots, 2, {"gender": gender}, "gender=woman:1", groups
    )
    plain = count(profile(list("ABCD"), ballots), "block", seats=2, seed=1)
    assert len(with_min.stages) == 1 and with_min.elected == plain.elected
    assert with_min.stages[0].states == plain.stages[0].states


def test_fptp_minimum_replaces_the_lowest_winner():
    # SNTV for 3 seats: A 9, B 8, C 7, D 4 (woman), E 3 (woman); at least one woman: C gives
    # way to D.
    ballots = [((0,), 9), ((1,), 8), ((2,), 7), ((3, 0), 4), ((4,), 3)]
    gender = ["m", "m", "m", "w", "w"]
    groups = ([-1, -1, -1, 0, 0], [1])
    r = agree("fptp", list("ABCDE"), ballots, 3, {"gender": gender}, "gender=w:1", groups)
    assert r.elected == ("A", "B", "D") and r.stages[1].removed == ("C",)


def test_several_groups_in_the_order_given():
    # 4 seats; women (W1, W2) at least 2, youth (Y1, Y2: men) at least 1.
    # Votes: Y1 10, M1 9, M2 8, Y2 7, W1 6, W2 5.  Stage 1: Y1, M1, M2, Y2.  Women are short:
    # the lowest-placed who can give way is Y2 (youth keep Y1, their minimum).  Then youth have
    # exactly their minimum, so Y1 is protected and M2 (8) gives way to W2, not Y1.
    names = ["Y1", "M1", "M2", "Y2", "W1", "W2"]
    ballots = [((k,), w) for k, w in enumerate([10, 9, 8, 7, 6, 5])]
    attrs = {"gender": ["m", "m", "m", "m", "w", "w"], "age": ["y", "a", "a", "y", "a", "a"]}
    groups = ([1, -1, -1, 1, 0, 0], [2, 1])
    r = agree(
        "block", names, ballots, 4, attrs, ["gender=w:2", "age=y:1"], groups, options={"votes": 1}
    )
    assert [(s.candidates, s.removed) for s in r.stages[1:]] == [
        (("W1",), ("Y2",)),
        (("W2",), ("M2",)),
    ]
    assert r.elected == ("Y1", "M1", "W1", "W2")


def test_two_short_groups_each_get_their_members():
    # 4 seats; women at least 2 (W1, W2), youth at least 1 (Y1).  Votes: M1 10, M2 9, M3 8,
    # W1 7, Y1 6, W2 5.  Women first (the order given): M3 gives way to W2; then youth: women
    # now have exactly 2, so M2 gives way to Y1.
    names = ["M1", "M2", "M3", "W1", "Y1", "W2"]
    ballots = [((k,), w) for k, w in enumerate([10, 9, 8, 7, 6, 5])]
    attrs = {"gender": ["m", "m", "m", "w", "m", "w"], "age": ["a", "a", "a", "a", "y", "a"]}
    groups = ([-1, -1, -1, 0, 1, 0], [2, 1])
    r = agree(
        "block", names, ballots, 4, attrs, ["gender=w:2", "age=y:1"], groups, options={"votes": 1}
    )
    assert [(s.candidates, s.removed) for s in r.stages[1:]] == [
        (("W2",), ("M3",)),
        (("Y1",), ("M2",)),
    ]


WOMEN = [0 if g == "woman" else -1 for g in NEC_GENDER]
WOMEN_AND_MEN = [0 if g == "woman" else 1 for g in NEC_GENDER]


@pytest.mark.parametrize(
    ("minimum", "withdraw", "groups", "message"),
    [
        (["gender=woman:4"], (), (WOMEN, [4]), "only 3 such candidates are standing"),
        (["gender=woman:3"], ("W3",), (WOMEN, [3]), "only 2 such candidates are standing"),
        (
            ["gender=woman:3", "gender=man:4"],
            (),
            (WOMEN_AND_MEN, [3, 4]),
            "minimums need 7 seats but only 6 are filled",
        ),
    ],
)
def test_impossible_minimum_is_refused(minimum, withdraw, groups, message):
    with pytest.raises(InputError, match=message):
        count(
            profile(NEC_NAMES, NEC_BALLOTS),
            "block",
            seats=6,
            minimum=minimum,
            attributes={"gender": NEC_GENDER},
            withdraw=withdraw,
        )
    # the reference refuses them too (docs/rules.md: an error before counting starts)
    withdrawn = {NEC_NAMES.index(n) for n in withdraw}
    with pytest.raises(Refused):
        block.count(NEC_BALLOTS, len(NEC_NAMES), 6, withdrawn, list(range(9)), {}, groups)


def test_cli_refuses_an_impossible_minimum_in_one_line(tmp_path):
    blt, cands = nec_files(tmp_path)
    args = ["count", str(blt), "-r", "block", "--candidates", str(cands)]
    res = CliRunner().invoke(cli, [*args, "--minimum", "gender=woman:4"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.output.startswith("simcore: error:") and res.output.count("\n") == 1
    assert "only 3 such candidates are standing" in res.output


def test_irv_still_refuses_minimums():
    with pytest.raises(RuleError, match="does not take group minimums"):
        count(profile(list("AB"), [((0,), 1)]), "irv", minimum="g=x:1", attributes={"g": "xy"})


# -- the command line ---------------------------------------------------------------------------


def nec_files(tmp_path):
    blt = tmp_path / "nec.blt"
    lines = [f"{len(NEC_NAMES)} 6"]
    lines += [f"{w} {' '.join(str(c + 1) for c in r)} 0" for r, w in NEC_BALLOTS]
    lines += ["0"] + [f'"{n}"' for n in NEC_NAMES] + ['"NEC 2014-style"']
    blt.write_text("\n".join(lines) + "\n")
    cands = tmp_path / "cands.csv"
    rows = [f"{n},{g}\n" for n, g in zip(NEC_NAMES, NEC_GENDER, strict=True)]
    cands.write_text("name,gender\n" + "".join(rows))
    return blt, cands


def test_cli_json_shows_each_replacement(tmp_path):
    blt, cands = nec_files(tmp_path)
    args = ["count", str(blt), "--rule", "block", "--candidates", str(cands)]
    args += ["--minimum", "gender=woman:3", "--format", "json", "--seed", "1"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["options"]["minimum"] == ["gender=woman:3"]
    assert [s["action"] for s in d["stages"]] == ["first preferences", "replacement", "replacement"]
    two, three = d["stages"][1:]
    assert (two["candidate"], two["removed"], two["elected"]) == ("W2", ["M5"], ["W2"])
    assert (three["candidate"], three["removed"], three["elected"]) == ("W3", ["M4"], ["W3"])
    assert three["states"]["M4"] == "excluded" and three["states"]["W3"] == "elected"
    assert "removed" not in d["stages"][0]
    assert sorted(d["elected"]) == ["M1", "M2", "M3", "W1", "W2", "W3"]
    # the stage table and the CSV name both sides of each replacement
    args[-3] = "table"
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0 and "W2 for M5" in res.output and "replace" in res.output
    args[-3] = "csv"
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0 and ",3,replacement,W3 for M4,M4,19,excluded," in res.output


def test_table_and_csv_from_the_api():
    r = count(
        profile(NEC_NAMES, NEC_BALLOTS),
        "block",
        seats=6,
        seed=1,
        minimum="gender=woman:3",
        attributes={"gender": NEC_GENDER},
    )
    assert "W3 for M4" in to_table(r) and "W3 for M4" in to_csv_rows(r)


SCENARIO = """
title = "Block vote with a women's minimum"

[election]
seats = 2
rule = "RULE"
MINIMUM

[simulation]
sims = 40
seed = 1

[[candidates]]
name = "Adam"
slate = "red"
strength = 3.0
attributes = { gender = "man" }

[[candidates]]
name = "Bill"
slate = "red"
strength = 3.0
attributes = { gender = "man" }

[[candidates]]
name = "Cleo"
strength = 0.3
attributes = { gender = "woman" }

[[candidates]]
name = "Dina"
strength = 0.2
attributes = { gender = "woman" }

[slates.red.orderings]
main = ["Adam", "Bill"]

[slates.red.supporters]
share = 0.4

[nonaligned]
length = { mean = 2 }

[[regions]]
name = "All"
electorate = 1000
turnout = 0.3

[strategies.main]
red = "main"
"""


def women_elected(tmp_path, rule, minimum):
    path = tmp_path / f"{rule}-{bool(minimum)}.toml"
    text = SCENARIO.replace("RULE", rule)
    path.write_text(text.replace("MINIMUM", 'minimum = ["gender=woman:1"]' if minimum else ""))
    out = tmp_path / f"out-{rule}-{bool(minimum)}"
    res = CliRunner().invoke(cli, ["run", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = pq.read_table(out / "simulations.parquet").to_pylist()
    assert len(rows) == 40
    counts = []
    for row in rows:
        names = row["elected"]
        names = names if isinstance(names, list) else names.split("; ")
        assert len(names) == 2
        counts.append(sum(n in ("Cleo", "Dina") for n in names))
    return counts


@pytest.mark.parametrize("rule", ["block", "fptp"])
def test_simcore_run_with_block_and_a_minimum(tmp_path, rule):
    # two popular men and two little-known women for 2 seats: without the minimum the men win
    # every simulation; with it, exactly one woman is elected in every simulation
    assert set(women_elected(tmp_path, rule, minimum=False)) == {0}
    assert set(women_elected(tmp_path, rule, minimum=True)) == {1}


def test_validate_refuses_an_impossible_minimum_for_block(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        SCENARIO.replace("RULE", "block").replace("MINIMUM", 'minimum = ["gender=woman:3"]')
    )
    res = CliRunner().invoke(cli, ["validate", str(path)])
    assert res.exit_code == 2 and res.output.count("\n") == 1, res.output
    assert "election.minimum" in res.output and "only 2 such candidates" in res.output
