"""Ballot readers: every real-world variant, grouping, and one-line errors for bad files."""

from __future__ import annotations

import numpy as np
import pytest

from simcore import InputError, Profile, read_ballots


def write(tmp_path, name, text, mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def rankings(profile):
    return sorted(profile.rankings())


# -- BLT ----------------------------------------------------------------------------------------


def test_blt_quoted_names_withdrawn_comments_and_ids(tmp_path):
    p = write(
        tmp_path,
        "e.blt",
        """# a comment
4 2
-2
(1) 3 1 2 3 0
2 4 1 0
# another comment
1 3 0
1 1 2 3 0
0
"Ann ""Nan"" Smith"
"Bob"
"Cy"
"Di"
"Test election"
""",
    )
    prof = read_ballots(p)
    assert prof.candidates == ('Ann "Nan" Smith', "Bob", "Cy", "Di")
    assert prof.seats == 2
    assert prof.withdrawn == frozenset({1})
    assert prof.title == "Test election"
    assert rankings(prof) == [((0, 1, 2), 4), ((2,), 1), ((3, 0), 2)]
    assert prof.n_ballots == 7 and prof.n_distinct == 3


def test_blt_unquoted_names_one_per_line(tmp_path):
    p = write(
        tmp_path,
        "e.blt",
        "3 1\n5 1 2 0\n2 3 0\n0\nYvonne ALLAN (Lab)\nRenée SLATER (Grn)\n"
        "Billy   WATSON (NF)\nTorry Ward\n",
    )
    prof = read_ballots(p)
    assert prof.candidates == ("Yvonne ALLAN (Lab)", "Renée SLATER (Grn)", "Billy WATSON (NF)")
    assert prof.title == "Torry Ward"


def test_blt_alternative_name_comments(tmp_path):
    p = write(
        tmp_path,
        "e.blt",
        "2 1\n3 1 0\n1 2 1 0\n0\n# ALTERNATIVE NAME 1: Gary Barton (Ind)\n"
        "# ALTERNATIVE NAME 2: Ruth Simpson (Lab)\nCalton ward\n",
    )
    prof = read_ballots(p)
    assert prof.candidates == ("Gary Barton (Ind)", "Ruth Simpson (Lab)")
    assert prof.title == "Calton ward"


def test_blt_trailing_commas_and_two_quoted_fields(tmp_path):
    p = write(
        tmp_path,
        "e.blt",
        '2 1,\n3 1 0,\n1 2 0,\n0,\n"A SMITH" "Green Party"\n"""B JONES"" ""Labour"""\n"Ward 9",\n',
    )
    prof = read_ballots(p)
    assert prof.candidates == ("A SMITH Green Party", "B JONES Labour")
    assert prof.title == "Ward 9"


def test_blt_names_all_on_one_line(tmp_path):
    p = write(tmp_path, "e.blt", '3 1\n1 1 0\n0\n"A" "B" "C"\n"T"\n')
    prof = read_ballots(p)
    assert prof.candidates == ("A", "B", "C") and prof.title == "T"


def test_blt_equal_ranks_and_skipped_rank(tmp_path):
    p = write(tmp_path, "e.blt", "4 1\n2 1=2 3 0\n1 4 - 1 0\n0\nA\nB\nC\nD\nT\n")
    prof = read_ballots(p)
    assert prof.has_equal_rankings
    # a skipped rank ends the ballot's valid preferences
    assert ((3,), 1) in prof.rankings()


def test_identical_ballots_are_grouped():
    prof = Profile.from_rankings([[0, 1], [0, 1], [1], [0, 1], [1]], candidates=["a", "b"])
    assert rankings(prof) == [((0, 1), 3), ((1,), 2)]
    assert prof.weights.dtype == np.int64


def test_empty_ballots_are_not_valid_votes(tmp_path):
    p = write(tmp_path, "e.blt", "2 1\n3 0\n2 1 0\n0\nA\nB\nT\n")
    prof = read_ballots(p)
    assert prof.empty_ballots == 3 and prof.n_ballots == 2


# -- scot-elex CSV and PrefLib --------------------------------------------------------------------


def test_scot_csv(tmp_path):
    p = write(
        tmp_path,
        "e.csv",
        "3,2,\n12,1,\n88,1,3,2,\n14,2,3,\n8,3,\n"
        '"Candidate 1","Alvin the First","Party A (A)",\n'
        '"Candidate 2","Becca the Second","Party B (B)",\n'
        '"Candidate 3","Carrie the Third","Party C (C)",\n"Wardy McWard Town",\n',
    )
    prof = read_ballots(p)
    assert prof.candidates == ("Alvin the First", "Becca the Second", "Carrie the Third")
    assert prof.attributes["party"] == ("Party A (A)", "Party B (B)", "Party C (C)")
    assert prof.seats == 2 and prof.title == "Wardy McWard Town"
    assert rankings(prof) == [((0,), 12), ((0, 2, 1), 88), ((1, 2), 14), ((2,), 8)]


def test_preflib_toi_with_ties(tmp_path):
    p = write(
        tmp_path,
        "e.toi",
        "# FILE NAME: e.toi\n# TITLE: Club\n# DATA TYPE: toi\n"
        "# NUMBER ALTERNATIVES: 4\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n"
        "# ALTERNATIVE NAME 3: C\n# ALTERNATIVE NAME 4: D\n5: 1,3,{2,4}\n2: 2\n",
    )
    prof = read_ballots(p)
    assert prof.candidates == ("A", "B", "C", "D") and prof.title == "Club"
    assert prof.seats is None and prof.has_equal_rankings
    assert sorted(prof.rankings()) == [((0, 2, 1, 3), 5), ((1,), 2)]


def test_preflib_soi_old_layout(tmp_path):
    p = write(tmp_path, "e.soi", "3\n1,A\n2,B\n3,C\n7,7,2\n4,1,2\n3,3\n")
    prof = read_ballots(p)
    assert prof.candidates == ("A", "B", "C")
    assert sorted(prof.rankings()) == [((0, 1), 4), ((2,), 3)]


# -- bad files: one line naming the file, the line, and the problem -----------------------------

BAD = {
    "truncated": ("e.blt", "3 1\n4 1 2 0\n2 3 0\n", "truncated"),
    "out_of_range": ("e.blt", "3 1\n4 1 2 0\n2 7 0\n0\nA\nB\nC\nT\n", "out of range 1..3"),
    "zero_weight": ("e.blt", "3 1\n0 1 2 0\n2 3 0\n0\nA\nB\nC\nT\n", "must be positive"),
    "fractional_weight": ("e.blt", "3 1\n1.5 1 2 0\n0\nA\nB\nC\nT\n", "whole number"),
    "missing_names": ("e.blt", "3 1\n4 1 2 0\n0\nA\nB\n", "expected 3 candidate names"),
    "no_terminator": ("e.blt", "3 1\n4 1 2\n0\nA\nB\nC\nT\n", "must end with 0"),
    "ranked_twice": ("e.blt", "3 1\n4 1 2 1 0\n0\nA\nB\nC\nT\n", "ranked twice"),
    "bad_header": ("e.blt", "three 1\n0\n", "whole number"),
    "empty": ("e.blt", "", "empty"),
    "blank_only": ("e.blt", "\n  \n", "empty"),
    "csv_out_of_range": (
        "e.csv",
        '2,1,\n3,1,4,\n"Candidate 1","A","P",\n"Candidate 2","B","P",\n"W",\n',
        "out of range",
    ),
    "csv_truncated": ("e.csv", '2,1,\n3,1,2,\n"Candidate 1","A","P",\n', "truncated"),
    "preflib_bad_count": (
        "e.soi",
        "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\nx: 1,2\n",
        "whole number",
    ),
    "preflib_missing_name": (
        "e.soi",
        "# NUMBER ALTERNATIVES: 2\n# ALTERNATIVE NAME 1: A\n3: 1,2\n",
        "ALTERNATIVE NAME 2",
    ),
    "duplicate_names": ("e.blt", "2 1\n1 1 0\n0\nA\nA\nT\n", "both named"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_raise_one_line_errors(tmp_path, case):
    name, text, expected = BAD[case]
    p = write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        read_ballots(p)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(p))
    assert expected in msg


def test_line_numbers_are_reported(tmp_path):
    p = write(tmp_path, "e.blt", "3 1\n4 1 2 0\n2 9 0\n0\nA\nB\nC\nT\n")
    with pytest.raises(InputError, match=r"e\.blt:3: candidate number 9"):
        read_ballots(p)


def test_binary_junk_directory_and_missing(tmp_path):
    junk = write(tmp_path, "junk.blt", bytes(range(256)) * 40, mode="wb")
    with pytest.raises(InputError, match="binary"):
        read_ballots(junk)
    with pytest.raises(InputError, match="is a directory"):
        read_ballots(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_ballots(tmp_path / "nope.blt")
    latin = write(
        tmp_path, "latin.blt", "1 1\n1 1 0\n0\nRen\xe9e\nT\n".encode("latin-1"), mode="wb"
    )
    with pytest.raises(InputError, match="UTF-8"):
        read_ballots(latin)
