"""Verification against real elections: the Scottish council corpus 2007-2017.

Sources: ``expected_winners.json`` (Scottish rules computed by two independent implementations
that reproduce every known official result; Meek by an independent fixed-point implementation),
and the official 2017 City of Edinburgh Council winners.  See ``tests/data/README.md``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import simcore
from bench.datasets import scot_elex

SCOT = scot_elex()
EXPECTED = json.loads((SCOT / "expected_winners.json").read_text())["elections"]
EDINBURGH = json.loads((SCOT / "official_winners_edinburgh_2017.json").read_text())["elections"]


@pytest.fixture(scope="module")
def profiles():
    return {key: simcore.read_ballots(SCOT / "csv" / key) for key in EXPECTED}


def test_corpus_is_complete(profiles):
    assert len(EXPECTED) == 725
    assert len(list((SCOT / "csv").rglob("*.csv"))) == 1070
    for key, prof in profiles.items():
        exp = EXPECTED[key]
        assert (prof.n_candidates, prof.seats, prof.n_ballots) == (
            exp["candidates"],
            exp["seats"],
            exp["ballots"],
        ), key


@pytest.mark.parametrize("rule", ["scottish", "meek"])
def test_winner_sets_match_expected(profiles, rule):
    wrong = {}
    for key, prof in profiles.items():
        got = sorted(simcore.count(prof, rule=rule, seed=0).elected)
        if got != sorted(EXPECTED[key][rule]):
            wrong[key] = (got, EXPECTED[key][rule])
    assert not wrong, f"{len(wrong)} mismatches, e.g. {next(iter(wrong.items()))}"


def test_edinburgh_2017_official_winners():
    assert len(EDINBURGH) == 17
    for key, winners in EDINBURGH.items():
        res = simcore.count(simcore.read_ballots(SCOT / "csv" / key), rule="scottish", seed=0)
        assert sorted(res.elected) == sorted(winners), key


def test_blt_and_csv_copies_agree():
    """Same ballots, and the same winners by candidate number (name spellings differ)."""
    csv_files = sorted((SCOT / "csv").rglob("*.csv"))
    assert len(csv_files) == 1070
    for f in csv_files:
        a = simcore.read_ballots(f)
        b = simcore.read_ballots(SCOT / "blt" / f.parent.name / (f.stem + ".blt"))
        assert a.n_candidates == b.n_candidates and a.seats == b.seats, f
        assert np.array_equal(a.ballots, b.ballots) and np.array_equal(a.weights, b.weights), f
        if f.relative_to(SCOT / "csv").as_posix() in EXPECTED:
            ra = simcore.count(a, seed=0)
            rb = simcore.count(b, seed=0)
            assert [a.candidates.index(n) for n in ra.elected] == [
                b.candidates.index(n) for n in rb.elected
            ], f


def test_every_blt_file_reads_and_counts():
    files = sorted((SCOT / "blt").rglob("*.blt"))
    assert len(files) == 1100  # (plus a README: the "1,101 files" of the data notes)
    for f in files:
        prof = simcore.read_ballots(f)
        res = simcore.count(prof, seed=0)
        assert len(res.elected) == min(prof.seats, prof.n_candidates - len(prof.withdrawn)), f
