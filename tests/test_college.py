"""Electoral colleges (docs/rules.md, "Electoral colleges"): kernel against the reference,
counts worked by hand, Labour's 2007 deputy leadership college reconstructed from its published
round table, and bad college files.

The reference (``tests/reference/college.py``) recounts every round from the ballots with exact
fractions; hypothesis draws small colleges that make the awkward cases common: ties (small
counts, equal weights, sections with one ballot), truncated ballots, sections that run out of
ballots, withdrawn candidates, and for block units every unit rule and allocation.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcore import Profile
from simcore.cli.main import cli
from simcore.counting.api import lot_priorities
from simcore.counting.college_api import count_college
from simcore.errors import InputError, RuleError
from simcore.inputs.college_file import read_college
from simcore.model.college import College, Section
from simcore.model.rules import college_limit_problem
from tests.reference import college as ref

DATA = Path(__file__).parent / "data"
NAMES = ("Ann", "Bob", "Cat", "Dan", "Eve", "Fay")

# -- building colleges from plain data ---------------------------------------------------------


@dataclass
class Plain:
    """A college as plain data: ``sections`` is a list of ``(name, weight, rankings)`` with
    ``rankings`` a list of ``(ranking, count)`` (0-based candidate indices)."""

    method: str
    candidates: tuple[str, ...]
    sections: list[tuple[str, Fraction, list[tuple[tuple[int, ...], int]]]]
    withdrawn: frozenset[int] = frozenset()
    unit_rule: str = "plurality"
    allocation: str = "winner-take-all"

    def college(self) -> College:
        sections = tuple(
            Section(
                name,
                Fraction(weight),
                Profile.from_rankings(
                    [r for r, _ in rankings],
                    [n for _, n in rankings],
                    candidates=self.candidates,
                    withdrawn=self.withdrawn,
                ),
            )
            for name, weight, rankings in self.sections
        )
        return College(
            "test", self.method, sections, self.candidates, self.unit_rule, self.allocation
        )

    def plain_sections(self):
        return [(Fraction(w), rankings) for _, w, rankings in self.sections]


def weighted(sections, candidates=NAMES[:3], withdrawn=()) -> Plain:
    return Plain("weighted-irv", tuple(candidates), sections, frozenset(withdrawn))


def pct(x: Fraction) -> Fraction:
    return x * 100


# -- kernel against reference ------------------------------------------------------------------


def beyond_limit(plain: Plain) -> bool:
    """Whether docs/rules.md (Limits) has the college refused: too large to count exactly."""
    den = math.lcm(*(Fraction(w).denominator for _, w, _ in plain.sections))
    weights = [int(Fraction(w) * den) for _, w, _ in plain.sections]
    sizes = [sum(n for _, n in ballots) for _, _, ballots in plain.sections]
    return college_limit_problem(plain.method, weights, sizes) is not None


def check_weighted_irv(plain: Plain, seed: int, ties: str = "backward"):
    names = plain.candidates
    if beyond_limit(plain):  # refused, with one line, rather than counted inexactly
        with pytest.raises(RuleError, match="counts exactly"):
            count_college(plain.college(), seed, ties=ties)
        return None, None
    res = count_college(plain.college(), seed, ties=ties)
    lot = [int(p) for p in lot_priorities(seed, len(names))]
    want = ref.weighted_irv(plain.plain_sections(), len(names), plain.withdrawn, lot, ties)
    secs = [name for name, _, _ in plain.sections]

    def name(c):
        return None if c is None else names[c]

    assert res.method == "weighted-irv" and res.seed == seed
    assert len(res.rounds) == len(want.rounds), (res.rounds, want.rounds)
    for got, exp in zip(res.rounds, want.rounds, strict=True):
        at = f"round {exp.number}"
        assert got.number == exp.number
        assert got.votes == {
            s: {names[c]: v for c, v in exp.votes[k].items()} for k, s in enumerate(secs)
        }, at
        assert got.active == dict(zip(secs, exp.active, strict=True)), at
        assert got.shares == {
            s: {names[c]: v for c, v in exp.shares[k].items()} for k, s in enumerate(secs)
        }, at
        assert got.totals == {names[c]: v for c, v in exp.totals.items()}, at
        assert got.excluded == name(exp.excluded), at
        assert got.tie == exp.tie, at
    assert res.winner == name(want.winner)
    if want.runner_up is not None:  # else docs/rules.md leaves it open
        assert res.runner_up == name(want.runner_up)
    if want.decisive_section is not None:
        assert res.decisive_section == secs[want.decisive_section]
    return res, want


def check_block(plain: Plain, seed: int, ties: str = "backward"):
    names = plain.candidates
    res = count_college(plain.college(), seed, ties=ties)
    lot = [int(p) for p in lot_priorities(seed, len(names))]
    want = ref.block(
        plain.plain_sections(),
        len(names),
        plain.withdrawn,
        lot,
        plain.unit_rule,
        plain.allocation,
        ties,
    )
    secs = [name for name, _, _ in plain.sections]
    assert res.method == "block"
    assert res.unit_winners == {
        s: (names[w] if w is not None else None)
        for s, w in zip(secs, want.unit_winners, strict=True)
    }
    assert res.weight_won == {names[c]: w for c, w in want.weight_won.items()}
    assert res.total_weight == want.total_weight
    assert res.winner == (names[want.winner] if want.winner is not None else None)
    return res, want


# -- hypothesis strategies ---------------------------------------------------------------------


@st.composite
def rankings(draw, ncand: int, kind: str):
    """A section's ballots: ``kind`` "random" (any lengths), "short" (one or two preferences)
    or "single" (every ballot names one candidate only: the section runs out of ballots as soon
    as that candidate is excluded)."""
    if kind == "single":
        return [((draw(st.integers(0, ncand - 1)),), draw(st.integers(1, 4)))]
    out = []
    for _ in range(draw(st.integers(1, 6))):
        perm = draw(st.permutations(range(ncand)))
        top = ncand if kind == "random" else min(2, ncand)
        out.append((tuple(perm[: draw(st.integers(1, top))]), draw(st.integers(1, 3))))
    return out


@st.composite
def ladder(draw, ncand: int):
    """Ballots (5 or more candidates) whose count reaches a tie that backward and forward
    tie-breaking settle differently, as in test_by_hand_backward_and_forward_ties_differ.

    Roles P, Q, C, D, E (random candidates; any others get no first preference and go first):
    P a, Q b = a + d1, C c, D g2 + ex2, E g1 + ex1 first preferences, with g1 = d1 + g2.
    E goes first (E>P x g1 to P, E x ex1 exhausted), then D (D>Q x g2 to Q, D>E x ex2
    exhausted): P and Q tie at a + g1, P having been behind Q in E's round and ahead in D's.
    The other preferences after the first are random.
    """
    p, q, c, d, e = draw(st.permutations(range(ncand)))[:5]
    d1, g2, ex1, m = (draw(st.integers(lo, hi)) for lo, hi in ((1, 2), (1, 2), (0, 1), (0, 2)))
    g1 = d1 + g2
    ex2 = d1 + ex1 + 1 + draw(st.integers(0, min(1, m + d1 - 1)))  # D > E, D < Q
    a = g1 + ex1 + 1 + m  # E < P
    b = a + d1
    cc = draw(st.integers(a + g1 + 1, 2 * (a + g1)))  # above the tie, never a majority before

    def then(*head):
        rest = [x for x in draw(st.permutations(range(ncand))) if x not in head]
        return head + tuple(rest[: draw(st.integers(0, len(rest)))])

    out = [(then(p), a), (then(q), b), (then(c), cc), (then(e, p), g1), (then(d, q), g2)]
    out.append(((d, e), ex2))  # E is out when D goes: exhausted
    if ex1:
        out.append(((e,), ex1))
    return out


WEIGHTS = st.fractions(min_value=Fraction(1, 12), max_value=3, max_denominator=12)


@st.composite
def weighted_colleges(draw):
    if draw(st.integers(0, 3)) == 0:  # every section holds the same ladder (times 1-3)
        ncand = draw(st.integers(5, 6))
        ballots = draw(ladder(ncand))
        sections = []
        for k in range(draw(st.integers(2, 4))):
            times = draw(st.integers(1, 3))
            sections.append((f"s{k}", draw(WEIGHTS), [(r, n * times) for r, n in ballots]))
        return Plain("weighted-irv", NAMES[:ncand], sections)
    ncand = draw(st.integers(2, 6))
    nsec = draw(st.integers(2, 4))
    same_weight = draw(st.booleans())  # equal weights make equal totals (ties) common
    w0 = draw(WEIGHTS)
    sections = []
    for k in range(nsec):
        kind = draw(st.sampled_from(["random", "random", "short", "single"]))
        w = w0 if same_weight else draw(WEIGHTS)
        sections.append((f"s{k}", w, draw(rankings(ncand, kind))))
    withdrawn = frozenset()
    if draw(st.integers(0, 4)) == 0:
        withdrawn = draw(st.sets(st.integers(0, ncand - 1), min_size=1, max_size=ncand - 1))
    # Multiplying a section's counts leaves its shares (and so every tie) as they were but
    # makes the arithmetic large: up to 4 sections of ~1.8 x 10^6 ballots, the common
    # denominator (their product) up to ~2^83.  (docs/rules.md, Limits: a college where the
    # product of the sections' sizes is beyond 2^64 is refused with a RuleError, which
    # check_weighted_irv expects of those.)
    times = [draw(st.sampled_from([1, 1, 1, 2, 99_991, 100_003])) for _ in sections]
    sections = [
        (name, w, [(r, n * k) for r, n in ballots])
        for (name, w, ballots), k in zip(sections, times, strict=True)
    ]
    return Plain("weighted-irv", NAMES[:ncand], sections, withdrawn)


@st.composite
def block_colleges(draw):
    ncand = draw(st.integers(2, 6))
    nunits = draw(st.integers(1, 5))
    withdrawn = frozenset()
    if draw(st.integers(0, 4)) == 0:
        withdrawn = draw(st.sets(st.integers(0, ncand - 1), min_size=1, max_size=ncand - 1))
    standing = [c for c in range(ncand) if c not in withdrawn]
    units = []
    for k in range(nunits):
        kind = draw(st.sampled_from(["random", "random", "short", "single", "ladder"]))
        if kind == "ladder" and ncand >= 5:
            ballots = draw(ladder(ncand))
        else:
            ballots = draw(rankings(ncand, "random" if kind == "ladder" else kind))
        if not any(c in standing for r, _ in ballots for c in r):
            # docs/rules.md does not say who wins a unit without a valid ballot: avoid them
            ballots.append(((draw(st.sampled_from(standing)),), 1))
        units.append((f"u{k}", draw(st.integers(1, 12)), ballots))
    return Plain(
        "block",
        NAMES[:ncand],
        units,
        withdrawn,
        draw(st.sampled_from(["plurality", "irv"])),
        draw(st.sampled_from(["winner-take-all", "proportional"])),
    )


SEEDS = st.integers(0, 2**32 - 1)
TIES = st.sampled_from(["backward", "backward", "forward"])


def props(n: int):
    return settings(
        max_examples=n,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


@props(400)
@given(weighted_colleges(), SEEDS, TIES)
def test_weighted_irv_matches_reference(plain, seed, ties):
    check_weighted_irv(plain, seed, ties)


@props(400)
@given(block_colleges(), SEEDS, TIES)
def test_block_matches_reference(plain, seed, ties):
    check_block(plain, seed, ties)


@props(200)
@given(weighted_colleges(), SEEDS)
def test_weighted_irv_invariants(plain, seed):
    # properties that follow from docs/rules.md directly, independent of the reference
    if beyond_limit(plain):
        return  # (refused: test_weighted_irv_matches_reference checks that)
    res = count_college(plain.college(), seed)
    weights = {name: Fraction(w) for name, w, _ in plain.sections}
    for r in res.rounds:
        for s, shares in r.shares.items():
            # a section's shares sum to its weight, or to nothing once its ballots are exhausted
            assert sum(shares.values()) == (weights[s] if r.active[s] else 0)
            assert r.active[s] == sum(r.votes[s].values())
        if r.number > 1:  # ballots only leave the count: non-exhausted ballots never increase
            prev = res.rounds[r.number - 2]
            assert all(r.active[s] <= prev.active[s] for s in r.active)
            assert set(r.totals) == set(prev.totals) - {prev.excluded}
        assert (r.excluded is None) == (r is res.rounds[-1])
    last = res.rounds[-1]
    assert res.winner is not None
    assert len(last.totals) == 1 or 2 * last.totals[res.winner] > sum(last.totals.values())


# -- hand-worked examples ----------------------------------------------------------------------

F = Fraction


def test_by_hand_exhausted_ballots_leave_the_section():
    # Three sections of 1/3 each; candidates Ann, Bob, Cat (A, B, C below).
    #   MPs:        A>B x3, B x2, C x1
    #   members:    A x1, B>A x2, C>B x3
    #   affiliates: C>A x2, B x1, A x2
    # Round 1 (common denominator 90):
    #   MPs        A 3/6 x 1/3 = 15/90   B 2/6 x 1/3 = 10/90   C 1/6 x 1/3 =  5/90
    #   members    A 1/6 x 1/3 =  5/90   B 2/6 x 1/3 = 10/90   C 3/6 x 1/3 = 15/90
    #   affiliates A 2/5 x 1/3 = 12/90   B 1/5 x 1/3 =  6/90   C 2/5 x 1/3 = 12/90
    #   totals     A 32/90, B 26/90, C 32/90 of 90/90: no majority; B (lowest) is excluded.
    # Round 2: B's papers: MPs' "B" x2 and affiliates' "B" x1 are exhausted, members' B>A x2
    # go to A.  MPs now have 4 non-exhausted ballots, affiliates 4:
    #   MPs        A 3/4 x 1/3 = 1/4     C 1/4 x 1/3 = 1/12
    #   members    A 3/6 x 1/3 = 1/6     C 3/6 x 1/3 = 1/6
    #   affiliates A 2/4 x 1/3 = 1/6     C 2/4 x 1/3 = 1/6
    #   totals     A 7/12, C 5/12: A has more than half of 12/12 and wins.
    # The winner's lead over Cat comes entirely from the MPs: decisive section "MPs".
    plain = weighted(
        [
            ("MPs", F(1, 3), [((0, 1), 3), ((1,), 2), ((2,), 1)]),
            ("members", F(1, 3), [((0,), 1), ((1, 0), 2), ((2, 1), 3)]),
            ("affiliates", F(1, 3), [((2, 0), 2), ((1,), 1), ((0,), 2)]),
        ]
    )
    res, _ = check_weighted_irv(plain, seed=7)
    r1, r2 = res.rounds
    assert r1.totals == {"Ann": F(32, 90), "Bob": F(26, 90), "Cat": F(32, 90)}
    assert r1.shares["affiliates"] == {"Ann": F(12, 90), "Bob": F(6, 90), "Cat": F(12, 90)}
    assert r1.excluded == "Bob" and r1.tie is None
    assert r2.active == {"MPs": 4, "members": 6, "affiliates": 4}
    assert r2.votes["members"] == {"Ann": 3, "Cat": 3}
    assert r2.shares["MPs"] == {"Ann": F(1, 4), "Cat": F(1, 12)}
    assert r2.totals == {"Ann": F(7, 12), "Cat": F(5, 12)}
    assert (res.winner, res.runner_up, res.decisive_section) == ("Ann", "Cat", "MPs")
    # the published form: weighted percentage points, each section's column sums to 33.33...
    d = res.to_dict()
    assert d["rounds"][1]["totals"] == {"Ann": "58.333333", "Cat": "41.666667"}
    assert d["rounds"][0]["sections"]["MPs"]["shares"]["Cat"] == "5.555556"
    assert d["rounds"][1]["sections"]["MPs"]["non_exhausted"] == 4


def test_by_hand_a_section_with_every_ballot_exhausted_contributes_nothing():
    #   X (1/2): C x3              Y (1/2): A x3, B x2  (every ballot names one candidate)
    # Round 1: C 1/2, A 3/5 x 1/2 = 3/10, B 2/5 x 1/2 = 1/5; C has exactly half: no majority.
    #   B is excluded; B's two ballots are exhausted.
    # Round 2: Y has 3 ballots left, all A: A 1/2, C 1/2.  Tied; the most recent earlier round
    #   (round 1) has A 3/10 < C 1/2, so A is excluded ("earlier rounds").
    # Round 3: Y has no ballots left and contributes nothing: C 1/2 of a sum of 1/2 wins.
    plain = weighted(
        [("X", F(1, 2), [((2,), 3)]), ("Y", F(1, 2), [((0,), 3), ((1,), 2)])],
    )
    for seed in range(3):  # no lot is drawn: the same for every seed
        res, _ = check_weighted_irv(plain, seed)
        assert [r.excluded for r in res.rounds] == ["Bob", "Ann", None]
        assert [r.tie for r in res.rounds] == [None, "earlier rounds", None]
        assert res.rounds[1].totals == {"Ann": F(1, 2), "Cat": F(1, 2)}
        r3 = res.rounds[2]
        assert r3.active == {"X": 3, "Y": 0}
        assert r3.votes["Y"] == {"Cat": 0} and r3.shares["Y"] == {"Cat": 0}
        assert r3.totals == {"Cat": F(1, 2)}
        assert res.winner == "Cat"


def test_by_hand_lot():
    # X (1/2): A x1; Y (1/2): B x1.  Round 1: A 1/2, B 1/2, no earlier round: lot.  The lower
    # priority is excluded; that section then has no ballots and the other candidate wins.
    plain = weighted(
        [("X", F(1, 2), [((0,), 1)]), ("Y", F(1, 2), [((1,), 1)])], candidates=NAMES[:2]
    )
    winners = set()
    for seed in range(8):
        lot = lot_priorities(seed, 2)
        res, _ = check_weighted_irv(plain, seed)
        assert res.rounds[0].tie == "lot"
        assert res.rounds[0].excluded == NAMES[int(lot.argmin())]
        assert res.winner == NAMES[int(lot.argmax())]
        winners.add(res.winner)
    assert winners == {"Ann", "Bob"}  # both outcomes occur among these seeds


def test_by_hand_backward_and_forward_ties_differ():
    # Candidates A-E; sections X (1/3) and Y (2/3) hold the same ballots, so every total is
    # votes / non-exhausted ballots:
    #   A>B x4, B x5, C x11, D>B x1, D x2, E>A>B x2                     (25 ballots)
    # Round 1: A 4, B 5, C 11, D 3, E 2 -> E excluded; E>A>B goes to A.
    # Round 2: A 6, B 5, C 11, D 3      -> D excluded; D>B to B, D x2 exhausted.
    # Round 3: A 6, B 6, C 11 of 23     -> C 11 is not more than half; A and B tie at 6/23.
    #   backward: round 2 has B 5 < A 6, so B is excluded; B's papers are all exhausted.
    #     Round 4: A 6, C 11 of 17: Cat wins.
    #   forward: round 1 has A 4 < B 5, so A is excluded; A>B x4 and E>A>B x2 go to B.
    #     Round 4: B 12, C 11 of 23: Bob wins.
    ballots = [((0, 1), 4), ((1,), 5), ((2,), 11), ((3, 1), 1), ((3,), 2), ((4, 0, 1), 2)]
    plain = weighted([("X", F(1, 3), ballots), ("Y", F(2, 3), ballots)], candidates=NAMES[:5])
    back, _ = check_weighted_irv(plain, 1, "backward")
    assert [r.excluded for r in back.rounds] == ["Eve", "Dan", "Bob", None]
    assert back.rounds[2].tie == "earlier rounds"
    assert back.rounds[2].totals == {"Ann": F(6, 23), "Bob": F(6, 23), "Cat": F(11, 23)}
    assert back.rounds[3].totals == {"Ann": F(6, 17), "Cat": F(11, 17)}
    assert back.winner == "Cat"
    fwd, _ = check_weighted_irv(plain, 1, "forward")
    assert [r.excluded for r in fwd.rounds] == ["Eve", "Dan", "Ann", None]
    assert fwd.rounds[3].totals == {"Bob": F(12, 23), "Cat": F(11, 23)}
    assert fwd.winner == "Bob"


def test_by_hand_withdrawn_candidate_is_skipped_and_not_shown():
    # Bob withdrawn.  X (1): B>A x2, C x1 -> A 2/3, C 1/3 (Bob's ballots count for Ann).
    # Y (2): B x1, C x1 -> Bob's ballot has no one else: only 1 non-exhausted ballot, C 2.
    # Totals: A 2/3, C 7/3 of 3: Cat wins in round 1.
    plain = weighted(
        [("X", F(1), [((1, 0), 2), ((2,), 1)]), ("Y", F(2), [((1,), 1), ((2,), 1)])],
        withdrawn={1},
    )
    res, _ = check_weighted_irv(plain, 3)
    (r1,) = res.rounds
    assert r1.votes == {"X": {"Ann": 2, "Cat": 1}, "Y": {"Ann": 0, "Cat": 1}}
    assert r1.active == {"X": 3, "Y": 1}
    assert r1.totals == {"Ann": F(2, 3), "Cat": F(7, 3)}
    assert res.winner == "Cat"


# Block units, by hand.  Unit U1 (weight 5): A x4, B x3, C>B x2; unit U2 (weight 3): A x2, C x1.
#   plurality: U1 A (4 of 9), U2 A.           IRV: U1 round 1 A 4, B 3, C 2 (no one over 4.5),
#   C excluded, round 2 A 4, B 5: B.  U2: A 2 of 3 wins round 1 (final votes A 2, C 1).
#   winner-take-all, plurality: A 8 of 8: Ann wins.
#   winner-take-all, IRV: B 5, A 3: Bob has more than half of 8 and wins.
#   proportional, IRV (final-round votes): U1 5 x (4, 5)/9 = 2.22, 2.78 -> A 2, B 2, remainders
#     2/9 and 7/9: the last unit to B -> A 2, B 3.  U2 3 x (2, 1)/3 = A 2, C 1 exactly.
#     A 4, B 3, C 1: 4 is not more than half of 8: no majority.
#   proportional, plurality: U1 5 x (4, 3, 2)/9 = 2.22, 1.67, 1.11 -> A 2, B 1, C 1, remainders
#     2/9, 6/9, 1/9: the last unit to B -> A 2, B 2, C 1.  U2 as above.  A 4, B 2, C 2: none.
BLOCK_UNITS = [
    ("U1", 5, [((0,), 4), ((1,), 3), ((2, 1), 2)]),
    ("U2", 3, [((0,), 2), ((2,), 1)]),
]


@pytest.mark.parametrize(
    "unit_rule, allocation, winners, won, winner",
    [
        ("plurality", "winner-take-all", ("Ann", "Ann"), (8, 0, 0), "Ann"),
        ("irv", "winner-take-all", ("Bob", "Ann"), (3, 5, 0), "Bob"),
        ("irv", "proportional", ("Bob", "Ann"), (4, 3, 1), None),
        ("plurality", "proportional", ("Ann", "Ann"), (4, 2, 2), None),
    ],
)
def test_by_hand_block_units(unit_rule, allocation, winners, won, winner):
    plain = Plain("block", NAMES[:3], BLOCK_UNITS, frozenset(), unit_rule, allocation)
    res, _ = check_block(plain, seed=11)
    assert res.unit_winners == dict(zip(("U1", "U2"), winners, strict=True))
    assert res.weight_won == dict(zip(NAMES[:3], won, strict=True))
    assert res.total_weight == 8
    assert res.winner == winner
    assert res.to_dict()["majority"] is (winner is not None)


def test_by_hand_hamilton_leftover_units():
    # One unit of weight 5: C x4, A x2, B x1 (7 ballots).  Quotients 20/7, 10/7, 5/7 = 2.86,
    # 1.43, 0.71: C 2, A 1, B 0 with 2 units left; remainders C 6/7, B 5/7, A 3/7: C and B
    # get one each -> C 3, A 1, B 1.  Cat has 3 of 5: a majority.
    plain = Plain(
        "block",
        NAMES[:3],
        [("U", 5, [((2,), 4), ((0,), 2), ((1,), 1)])],
        frozenset(),
        "plurality",
        "proportional",
    )
    res, _ = check_block(plain, seed=0)
    assert res.weight_won == {"Ann": 1, "Bob": 1, "Cat": 3}
    assert res.winner == "Cat"


@pytest.mark.parametrize(
    "allocation, ties, won, winner",
    [
        ("winner-take-all", "backward", {"Cat": 3}, "Cat"),
        ("winner-take-all", "forward", {"Bob": 3}, "Bob"),
        ("proportional", "backward", {"Ann": 1, "Cat": 2}, "Cat"),
        ("proportional", "forward", {"Bob": 2, "Cat": 1}, "Bob"),
    ],
)
def test_by_hand_irv_unit_ties(allocation, ties, won, winner):
    # One IRV unit of weight 3 holding the ballots of test_by_hand_backward_and_forward_ties_differ:
    # backward, B is excluded in round 3 and the final round is A 6, C 11 (of 17); forward, A is
    # excluded and the final round is B 12, C 11 (of 23).
    # Proportional, backward: 3 x (6, 11)/17 = 1.06, 1.94 -> A 1, C 1, the unit left to C
    # (remainder 16/17 > 1/17).  Forward: 3 x (12, 11)/23 = 1.57, 1.43 -> B 1, C 1, the unit
    # left to B (13/23 > 10/23).
    ballots = [((0, 1), 4), ((1,), 5), ((2,), 11), ((3, 1), 1), ((3,), 2), ((4, 0, 1), 2)]
    plain = Plain("block", NAMES[:5], [("U", 3, ballots)], frozenset(), "irv", allocation)
    res, _ = check_block(plain, 5, ties)
    assert res.unit_winners == {"U": winner}
    assert {c: w for c, w in res.weight_won.items() if w} == won
    assert res.winner == winner


def test_by_hand_block_lot():
    # Unit of weight 2 with A x1, B x1: plurality tie decided by lot (highest priority wins);
    # proportionally 1 each (no remainder), and then no majority.
    for seed in range(6):
        lot = lot_priorities(seed, 2)
        units = [("U", 2, [((0,), 1), ((1,), 1)])]
        wta = Plain("block", NAMES[:2], units, frozenset(), "plurality", "winner-take-all")
        res, _ = check_block(wta, seed)
        assert res.winner == res.unit_winners["U"] == NAMES[int(lot.argmax())]
        prop = Plain("block", NAMES[:2], units, frozenset(), "plurality", "proportional")
        res, _ = check_block(prop, seed)
        assert res.weight_won == {"Ann": 1, "Bob": 1} and res.winner is None


# -- known discrepancies (/work/notes/college_discrepancies.md) -------------------------------


def test_huge_sections_are_counted_exactly_or_refused():
    # s0 (weight 8): Ann x 2^61; s1 (weight 8): Bob x 1.  Round 1: Ann 8, Bob 8 of 16: no
    # majority, a tie decided by lot; the other wins round 2.  docs/rules.md: comparisons are
    # exact; a college too large for them must be refused (RuleError), not miscounted.
    plain = weighted([("s0", F(8), [((0,), 2**61)]), ("s1", F(8), [((1,), 1)])], NAMES[:2])
    try:
        check_weighted_irv(plain, 0)
    except RuleError:
        pass


def test_huge_units_are_split_exactly_or_refused():
    # one unit of weight 538: Ann 2^60, Bob 2^60 - 1, Cat 2 ballots.  Quotients 268.99..,
    # 268.99.., 0.00..: Ann 268, Bob 268, the 2 units left to them -> Ann 269, Bob 269.
    units = [("U", 538, [((0,), 2**60), ((1,), 2**60 - 1), ((2,), 2)])]
    plain = Plain("block", NAMES[:3], units, frozenset(), "plurality", "proportional")
    try:
        check_block(plain, 0)
    except RuleError:
        pass


@pytest.mark.parametrize("method, weight", [("weighted-irv", '"1/2"'), ("block", "1")])
def test_equal_rankings_are_refused(tmp_path, method, weight):
    # docs/rules.md, "Ballots": equal rankings are refused by every rule except block and fptp
    # (and there only where the equal group does not straddle the last counted mark; a
    # plurality or IRV unit counts one mark).  "1=2 3": A and B ranked equal first.
    (tmp_path / "eq.blt").write_text('3 1\n2 1=2 3 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"t"\n')
    (tmp_path / "abc.blt").write_text(BLT_ABC)
    table = "units" if method == "block" else "sections"
    path = tmp_path / "college.toml"
    path.write_text(
        f'method = "{method}"\n'
        + section("a", "eq.blt", weight, table)
        + section("b", "abc.blt", weight, table)
    )
    with pytest.raises(InputError):
        count_college(read_college(path), 0)


def test_unknown_ties_option_is_refused():
    plain = weighted([("X", F(1, 2), [((0,), 1)]), ("Y", F(1, 2), [((1,), 1)])], NAMES[:2])
    with pytest.raises((InputError, ValueError)):
        count_college(plain.college(), 0, ties="backwards")


# -- Labour's 2007 deputy leadership college, reconstructed ------------------------------------

PUBLISHED_2007 = DATA / "deputy_leadership_2007.csv"
FIXTURE_2007 = DATA / "college" / "deputy_2007" / "deputy_2007.toml"
SECTIONS_2007 = ("affiliates", "members", "mps_meps")
# Different sizes, so the count must weight sections by their weights, not their sizes.  About
# 10^6 each: one ballot moves a section's figure by about 3 x 10^-5 points, far below rounding.
VOTERS_2007 = {"affiliates": 1_200_000, "members": 1_000_000, "mps_meps": 800_000}
# The published figures are rounded to 0.01 point, so a true figure lies within 0.005 of the
# published one: each section's figure must come within 0.005 (+ 1e-9 for float noise).  A
# published total is the rounded true total, but it is also what we compare a sum of three
# section figures against, and the published totals differ from the sums of the published
# section figures by up to 0.01 (e.g. round 4, Cruddas: 13.61 + 8.81 + 7.65 = 30.07, total
# 30.06): totals must come within 0.015.
SECTION_TOLERANCE = Fraction(5, 1000) + Fraction(1, 10**9)
TOTAL_TOLERANCE = Fraction(15, 1000)
# how far the reconstruction may move a section's figure from the published one (in points)
TARGET_SLACK = 0.0045


@dataclass(frozen=True)
class Published:
    candidates: tuple[str, ...]  # as the first round lists them
    # rounds[r][candidate] = {"affiliates": ..., "members": ..., "mps_meps": ..., "total": ...}
    rounds: tuple[dict[str, dict[str, Fraction]], ...]
    excluded: tuple[str, ...]  # excluded after rounds 1..4
    winner: str


@cache
def read_published() -> Published:
    rounds: dict[int, dict[str, dict[str, Fraction]]] = {}
    excluded, winner, order = [], None, []
    with open(PUBLISHED_2007, newline="") as f:
        for row in csv.DictReader(f):
            r, c = int(row["round"]), row["candidate"]
            rounds.setdefault(r, {})[c] = {k: Fraction(row[k]) for k in (*SECTIONS_2007, "total")}
            if c not in order:
                order.append(c)
            if row["outcome"] == "excluded":
                excluded.append(c)
            elif row["outcome"] == "elected":
                winner = c
    return Published(
        tuple(order), tuple(rounds[r] for r in sorted(rounds)), tuple(excluded), winner
    )


def section_targets(figures: dict[str, dict[str, Fraction]]) -> dict[str, dict[str, Fraction]]:
    """Each section's figure per candidate for one round, moved from the published figure by at
    most TARGET_SLACK so that each section's column sums to exactly 100/3 (the published ones
    sum to 33.32-33.34) and the totals come as close as possible to the published totals.

    A small linear programme: shifts x[s][c] in [-slack, slack], sum over c of x[s][c] fixed by
    the section's rounding deficit, minimising the largest |sum over s (figure + x) - total|.
    Returns each section's candidates' fractions of its non-exhausted ballots.
    """
    from scipy.optimize import linprog

    cands = list(figures)
    ns, nc = len(SECTIONS_2007), len(cands)
    nx = ns * nc  # variables: x[s][c] at s * nc + c, then z

    def col(s, c):
        return s * nc + c

    a_eq, b_eq = [], []
    for s, sec in enumerate(SECTIONS_2007):
        row = [0.0] * (nx + 1)
        for c in range(nc):
            row[col(s, c)] = 1.0
        a_eq.append(row)
        b_eq.append(float(Fraction(100, 3) - sum(figures[n][sec] for n in cands)))
    a_ub, b_ub = [], []
    for c, n in enumerate(cands):
        gap = float(figures[n]["total"] - sum(figures[n][sec] for sec in SECTIONS_2007))
        for sign in (1.0, -1.0):  # sign * (sum_s x[s][c] - gap) <= z
            row = [0.0] * (nx + 1)
            for s in range(ns):
                row[col(s, c)] = sign
            row[nx] = -1.0
            a_ub.append(row)
            b_ub.append(sign * gap)
    cost = [0.0] * nx + [1.0]
    bounds = [(-TARGET_SLACK, TARGET_SLACK)] * nx + [(0, None)]
    lp = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert lp.status == 0, lp.message
    out = {}
    for s, sec in enumerate(SECTIONS_2007):
        fig = {
            n: figures[n][sec] + Fraction(round(lp.x[col(s, c)] * 10**8), 10**8)
            for c, n in enumerate(cands)
        }
        whole = sum(fig.values())
        out[sec] = {n: fig[n] / whole for n in cands}
    return out


def apportion(fractions: dict[str, Fraction], total: int) -> dict[str, int]:
    """``total`` ballots split in proportion to ``fractions`` (largest remainders)."""
    votes = {n: math.floor(f * total) for n, f in fractions.items()}
    left = total - sum(votes.values())
    by_rem = sorted(fractions, key=lambda n: -(fractions[n] * total - votes[n]))
    for n in by_rem[:left]:
        votes[n] += 1
    return votes


def split_papers(groups, destinations):
    """Cut ``groups`` (``(ranking, count)`` papers, in order) into ``(ranking, dest, count)``
    portions filling each ``(dest, count)`` destination in turn."""
    groups = [list(g) for g in groups if g[1]]
    out, i = [], 0
    for dest, need in destinations:
        while need:
            take = min(need, groups[i][1])
            out.append((groups[i][0], dest, take))
            need -= take
            groups[i][1] -= take
            if groups[i][1] == 0:
                i += 1
    assert i == len(groups), "destinations must take every paper"
    return out


@dataclass
class SectionBallots:
    rankings: list[tuple[tuple[int, ...], int]]  # (ranking by candidate index, count)
    votes: list[dict[str, int]]  # per round: the votes the count must find
    active: list[int]  # per round: non-exhausted ballots


def reconstruct_section(shares, excluded, voters, names) -> SectionBallots:
    """Ballots for one section reproducing ``shares[r][candidate]`` (fractions of the section's
    non-exhausted ballots in round r).

    Round 1 splits ``voters`` first preferences by the shares.  For each later round, the table
    fixes the shares but not how many of the excluded candidate's papers were exhausted: any
    number of non-exhausted ballots between ``low`` (the fewest that keep every continuing
    candidate's count from decreasing: max over c of previous votes / new share) and the
    previous round's (nothing exhausted) reproduces it.  We exhaust a tenth of that slack (the
    table does not say how many were exhausted), so the count must divide by the non-exhausted
    ballots (dividing by all of them would be off by up to 1.3 points).  The excluded
    candidate's papers are then
    cut into portions, each extended with its next preference (or left to be exhausted).  Where
    a candidate excluded earlier is not on a paper yet, half of a portion also names that
    candidate just before its next preference (or just after, for exhausted papers): the count
    must skip candidates already excluded.
    """
    index = {n: i for i, n in enumerate(names)}
    votes = [apportion(shares[0], voters)]
    active = [voters]
    held = {n: [((index[n],), v)] for n, v in votes[0].items()}
    exhausted: list[tuple[tuple[int, ...], int]] = []
    gone: list[int] = []
    for r in range(1, len(shares)):
        prev, x, f = votes[-1], excluded[r - 1], shares[r]
        low = math.ceil(max(Fraction(prev[n]) / f[n] for n in f))
        assert low <= active[-1], f"round {r + 1}: a share fell, which no transfer can do"
        now = active[-1] - (active[-1] - low) // 10
        v = apportion(f, now)
        gains = {n: v[n] - prev[n] for n in f}
        assert min(gains.values()) >= 0
        lost = active[-1] - now
        assert sum(gains.values()) + lost == prev[x]
        portions = split_papers(
            held.pop(x), [*((n, g) for n, g in gains.items() if g), (None, lost)]
        )
        for ranking, dest, count in portions:
            y = next((y for y in gone if y not in ranking), None)
            ext = () if dest is None else (index[dest],)
            pieces = [(ranking + ext, count)]
            if y is not None and count >= 2:
                with_y = ranking + (y,) + ext if dest is not None else ranking + (y,)
                pieces = [(ranking + ext, count - count // 2), (with_y, count // 2)]
            (exhausted if dest is None else held[dest]).extend(pieces)
        gone.append(index[x])
        votes.append(v)
        active.append(now)
    merged: dict[tuple[int, ...], int] = {}
    for ranking, count in [*exhausted, *(g for gs in held.values() for g in gs)]:
        merged[ranking] = merged.get(ranking, 0) + count
    return SectionBallots(sorted(merged.items()), votes, active)


@cache
def reconstruct_2007() -> dict[str, SectionBallots]:
    pub = read_published()
    targets = [section_targets(figures) for figures in pub.rounds]
    return {
        sec: reconstruct_section(
            [t[sec] for t in targets], pub.excluded, VOTERS_2007[sec], pub.candidates
        )
        for sec in SECTIONS_2007
    }


def college_2007() -> College:
    names = read_published().candidates
    return College(
        "Labour deputy leadership 2007 (reconstructed)",
        "weighted-irv",
        tuple(
            Section(
                sec,
                Fraction(1, 3),
                Profile.from_rankings(
                    [r for r, _ in b.rankings], [n for _, n in b.rankings], candidates=names
                ),
            )
            for sec, b in reconstruct_2007().items()
        ),
        names,
    )


def write_college_2007(directory: Path) -> Path:
    """The reconstruction as one BLT file per section and a college TOML; returns the TOML."""
    directory.mkdir(parents=True, exist_ok=True)
    names = read_published().candidates
    toml = [
        "# Labour's 2007 deputy leadership electoral college, reconstructed from the published",
        "# round table (tests/data/deputy_leadership_2007.csv) by tests/test_college.py.",
        "# Not the real ballots: every published section figure comes out within 0.005 (each",
        "# total within 0.015).",
        'title = "Labour deputy leadership 2007 (reconstructed)"',
        'method = "weighted-irv"',
    ]
    for sec, b in reconstruct_2007().items():
        lines = [f"{len(names)} 1"]
        lines += [f"{n} " + " ".join(str(c + 1) for c in r) + " 0" for r, n in b.rankings]
        lines += ["0", *(f'"{n}"' for n in names), f'"Labour deputy leadership 2007: {sec}"']
        (directory / f"{sec}.blt").write_text("\n".join(lines) + "\n")
        toml += ["", "[[sections]]", f'name = "{sec}"', f'ballots = "{sec}.blt"', 'weight = "1/3"']
    path = directory / "deputy_2007.toml"
    path.write_text("\n".join(toml) + "\n")
    return path


def assert_matches_2007(rounds):
    """``rounds``: per round, ``(excluded, totals, shares)`` with figures in points."""
    pub = read_published()
    assert len(rounds) == len(pub.rounds)
    for r, ((excluded, totals, shares), figures) in enumerate(
        zip(rounds, pub.rounds, strict=True), start=1
    ):
        assert set(totals) == set(figures), r
        for n, fig in figures.items():
            assert abs(totals[n] - fig["total"]) <= TOTAL_TOLERANCE, (r, n, totals[n])
            for sec in SECTIONS_2007:
                got = shares[sec][n]
                assert abs(got - fig[sec]) <= SECTION_TOLERANCE, (r, sec, n, float(got))
        assert excluded == (pub.excluded[r - 1] if r <= len(pub.excluded) else None), r


def test_2007_published_table_is_consistent():
    pub = read_published()
    assert pub.excluded == ("Hazel Blears", "Peter Hain", "Hilary Benn", "Jon Cruddas")
    assert pub.winner == "Harriet Harman" and len(pub.rounds) == 5
    for figures in pub.rounds:
        for sec in SECTIONS_2007:  # rounded: each column is 33.33 give or take 0.01
            assert abs(sum(f[sec] for f in figures.values()) - Fraction(100, 3)) < Fraction(2, 100)


def test_2007_reconstruction_reproduces_every_published_figure():
    res = count_college(college_2007(), seed=2007)
    assert_matches_2007(
        [
            (
                r.excluded,
                {n: pct(t) for n, t in r.totals.items()},
                {s: {n: pct(x) for n, x in sh.items()} for s, sh in r.shares.items()},
            )
            for r in res.rounds
        ]
    )
    # the count finds exactly the ballots the reconstruction put in each round
    for sec, b in reconstruct_2007().items():
        assert [r.votes[sec] for r in res.rounds] == b.votes
        assert [r.active[sec] for r in res.rounds] == b.active
        assert b.active[-1] < b.active[0]  # some ballots were exhausted in every section
    assert all(r.tie is None for r in res.rounds)
    assert res.winner == "Harriet Harman" and res.runner_up == "Alan Johnson"
    # round 5 margins of Harman over Johnson: affiliates -0.97, members +4.33, MPs -2.49
    assert res.decisive_section == "members"


def test_2007_college_file_and_cli(tmp_path):
    # the committed fixture (tests/data/college/deputy_2007/) and a freshly written copy
    for toml in (FIXTURE_2007, write_college_2007(tmp_path / "deputy_2007")):
        college = read_college(toml)
        assert [s.name for s in college.sections] == list(SECTIONS_2007)
        assert all(s.weight == Fraction(1, 3) for s in college.sections)
        out = CliRunner().invoke(cli, ["count", str(toml), "--format", "json", "--seed", "1"])
        assert out.exit_code == 0, out.output
        d = json.loads(out.output)
        assert d["method"] == "weighted-irv" and d["winner"] == "Harriet Harman"
        assert d["runner_up"] == "Alan Johnson" and d["decisive_section"] == "members"
        assert_matches_2007(
            [
                (
                    r["excluded"],
                    {n: Fraction(t) for n, t in r["totals"].items()},
                    {
                        s: {n: Fraction(x) for n, x in v["shares"].items()}
                        for s, v in r["sections"].items()
                    },
                )
                for r in d["rounds"]
            ]
        )
        table = CliRunner().invoke(cli, ["count", str(toml), "--seed", "1"])
        assert table.exit_code == 0, table.output
        assert "winner: Harriet Harman" in table.output
        assert "Excluded: Hazel Blears" in table.output
        rows = CliRunner().invoke(cli, ["count", str(toml), "--format", "csv"])
        assert rows.exit_code == 0, rows.output
        lines = rows.output.strip().splitlines()
        assert lines[0].split(",")[:4] == ["file", "round", "section", "candidate"]
        assert len(lines) == 1 + 3 * (6 + 5 + 4 + 3 + 2)  # a row per round, section, candidate


# -- bad college files -------------------------------------------------------------------------

BLT_ABC = '3 1\n2 1 2 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"t"\n'
BLT_ABD = '3 1\n2 1 2 0\n1 3 0\n0\n"A"\n"B"\n"D"\n"t"\n'


def college_file(tmp_path, body: str) -> Path:
    (tmp_path / "abc.blt").write_text(BLT_ABC)
    (tmp_path / "abd.blt").write_text(BLT_ABD)
    path = tmp_path / "college.toml"
    path.write_text(body)
    return path


def section(name="s", ballots="abc.blt", weight='"1/2"', table="sections", extra=""):
    return f'\n[[{table}]]\nname = "{name}"\nballots = "{ballots}"\nweight = {weight}\n{extra}'


def expect_error(path: Path, *fragments: str) -> str:
    with pytest.raises(InputError) as exc:
        read_college(path)
    msg = str(exc.value)
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg, msg
    out = CliRunner().invoke(cli, ["count", str(path)])
    assert out.exit_code == 2, out.output
    assert f"simcore: error: {msg}" in out.output
    return msg


GOOD = section("a") + section("b")


@pytest.mark.parametrize(
    "body, key, message",
    [
        ('titel = "x"\n' + GOOD, ": titel:", "unknown key; did you mean 'title'?"),
        ('method = "weighted-irv"\nsectons = []\n' + GOOD, "sectons", "did you mean 'sections'"),
        (section("a", extra='wieght = "1"\n'), "sections[0].wieght", "did you mean 'weight'"),
        (section("a") + section("b", ballots="abd.blt"), "sections[1].ballots", "different"),
        (section("a", weight='"0"') + section("b"), "sections[0].weight", "must be positive"),
        (section("a", weight="0") + section("b"), "sections[0].weight", "must be positive"),
        (section("a") + section("b", weight='"-1/3"'), "sections[1].weight", "must be positive"),
        (section("a", weight="-0.5"), "sections[0].weight", "must be positive"),
        (section("a", weight='"one third"'), "sections[0].weight", "number or fraction"),
        (section("a", weight='"1/0"'), "sections[0].weight", "number or fraction"),
        (section("a", weight='"1//3"'), "sections[0].weight", "number or fraction"),
        (section("a", weight="true"), "sections[0].weight", "number or fraction"),
        (
            'method = "block"\n' + section("u", weight='"3/2"', table="units"),
            "units[0].weight",
            "whole number",
        ),
        (
            'method = "block"\n'
            + section("u", weight="3", table="units")
            + section("v", weight="2.5", table="units"),
            "units[1].weight",
            "whole number",
        ),
        ('method = "blok"\n' + GOOD, "method", "must be one of"),
        (section("a").replace('weight = "1/2"\n', ""), "sections[0].weight", "missing"),
    ],
)
def test_bad_college_file(tmp_path, body, key, message):
    path = college_file(tmp_path, body)
    msg = expect_error(path, str(path), key, message)
    assert msg.startswith(f"{path}: ")


def test_missing_ballots_file(tmp_path):
    # the college file and key, and what is wrong with the ballot file
    path = college_file(tmp_path, section("a") + section("b", ballots="nope.blt"))
    msg = expect_error(path, "sections[1].ballots", str(tmp_path / "nope.blt"), "no such file")
    assert msg.startswith(f"{path}: sections[1].ballots: ")


def test_good_college_files(tmp_path):
    # the same files, well formed: counted, exit 0 (weights: fraction, decimal, whole number)
    path = college_file(tmp_path, GOOD.replace('"1/2"', "0.5", 1))
    college = read_college(path)
    assert [s.weight for s in college.sections] == [F(1, 2), F(1, 2)]
    out = CliRunner().invoke(cli, ["count", str(path), "--format", "json", "--seed", "0"])
    assert out.exit_code == 0, out.output
    # each section: A x2 (as "A B"), C x1 -> A 2/3 of each section: A wins round 1
    assert json.loads(out.output)["winner"] == "A"
    path = college_file(
        tmp_path,
        'method = "block"\nunit_rule = "irv"\nallocation = "proportional"\n'
        + section("u", weight="3", table="units")
        + section("v", weight='"2"', table="units"),
    )
    out = CliRunner().invoke(cli, ["count", str(path), "--format", "json", "--seed", "0"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    # each unit: A 2 of 3 ballots wins round 1.  Weight 3 splits exactly (A 2, C 1); weight 2:
    # quotients 4/3, 2/3 -> A 1, C 0, the unit left to C (remainder 2/3 > 1/3) -> A 1, C 1.
    # A 3 of 5: a majority.
    assert d["unit_winners"] == {"u": "A", "v": "A"}
    assert d["total_weight"] == 5 and d["majority"] is True
    assert d["weight_won"] == {"A": 3, "B": 0, "C": 2} and d["winner"] == "A"
