"""Meek in 128 bits (simcore.kernels.meek_wide) against the reference and the 64-bit kernel.

The wide kernel must take the statute's decisions bit for bit: (a) on the reference
agreement's small elections with every weight scaled by 10^6..10^12, so that the total is
beyond what the 64-bit kernel holds (``simcore.count`` then dispatches to the wide kernel), and
(b) on the same elections unscaled, called directly, where it must leave exactly the 64-bit
kernel's log (and high parts of zero).  The 128-bit helpers are checked against Python ints.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcore import Profile
from simcore.counting.api import prepare_count, total_weight
from simcore.kernels import arith, meek, meek_wide
from simcore.kernels.countlog import CountLog
from simcore.model.rules import MEEK_64_BIT_LIMIT, MEEK_WIDE_LIMIT
from tests.reference.common import Refused
from tests.reference.harness import Case, close_worker, compare
from tests.test_reference_agreement import cases, examples

N_SCALED = 150
N_SCALED_MIN = 60
N_DIRECT = 150
N_ARITH = 300

U128 = st.integers(0, 2**128 - 1)
U64 = st.integers(0, 2**64 - 1)


@pytest.fixture(scope="module", autouse=True)
def _kernel_worker():
    yield
    close_worker()


def _split(x):
    return np.uint64(x >> 64), np.uint64(x & (2**64 - 1))


def _join(h, lo):
    return (int(h) << 64) | int(lo)


# -- the 128-bit helpers ----------------------------------------------------------------------


@examples(N_ARITH)
@given(U128, U128, U64)
def test_u128_helpers_agree_with_python_ints(a, b, m):
    a, b = sorted((a // 2, b // 2))  # a <= b, a + b < 2**128
    assert _join(*arith.add_u128(*_split(a), *_split(b))) == a + b
    assert _join(*arith.sub_u128(*_split(b), *_split(a))) == b - a
    assert arith.less_u128(*_split(a), *_split(b)) == (a < b)
    assert not arith.less_u128(*_split(b), *_split(a))
    small = a >> 64  # the product stays below 2**128
    assert _join(*arith.mul_u128_u64(*_split(small), np.uint64(m))) == small * m
    if m > 0:
        qh, ql, r = arith.divmod_u128_u64(*_split(b), np.uint64(m))
        assert (_join(qh, ql), int(r)) == divmod(b, m)
    d = (a >> 1) or 1  # 0 < d < 2**127
    qh, ql, rh, rl = arith.divmod_u128(*_split(b), *_split(d))
    assert (_join(qh, ql), _join(rh, rl)) == divmod(b, d)


# -- (a) large totals: simcore.count (the wide kernel) against the reference ------------------


@st.composite
def scaled(draw, minimum="never"):
    """A reference-agreement case with its weights x 10^k, the total beyond the 64-bit kernel."""
    case = draw(cases("meek", minimum=minimum))
    k = draw(st.integers(6, 12))
    total = sum(w for _, w in case.rankings)
    while total * 10**k <= MEEK_64_BIT_LIMIT:
        k += 1
    return replace(case, rankings=[(r, w * 10**k) for r, w in case.rankings])


@examples(N_SCALED)
@given(scaled())
def test_wide_meek_agrees_with_reference_beyond_64_bits(case):
    compare(case)


@examples(N_SCALED_MIN)
@given(scaled(minimum="always"))
def test_wide_meek_with_group_minimum_agrees_with_reference(case):
    compare(case)


def test_wide_meek_by_hand_at_10_to_15_votes():
    # values far beyond 2**64 units; an exclusion, then iterations, then the last vacancy
    e = 10**13
    rankings = [((0, 1), 41 * e), ((1, 2), 20 * e), ((2, 1), 19 * e), ((3, 0, 2), 17 * e)]
    case = Case(rule="meek", ncand=4, seats=2, rankings=rankings, seed=5)
    assert sum(w for _, w in rankings) == 97 * e
    result = case.kernel()
    assert max(v for st in result.stages for v in st.votes.values()) * 10**9 > 2**64
    assert len(result.stages) > 2
    compare(case, result=result)


def test_wide_meek_at_its_limit():
    n = MEEK_WIDE_LIMIT
    rankings = [((0, 1), n // 3 + 1), ((1, 2), n // 3), ((2, 0), n - 2 * (n // 3) - 1)]
    compare(Case(rule="meek", ncand=3, seats=2, rankings=rankings, seed=2))


# -- (b) small totals: the wide kernel leaves exactly the 64-bit kernel's log -----------------


def _profile(case: Case) -> Profile:
    return Profile.from_rankings(
        [r for r, _ in case.rankings],
        [w for _, w in case.rankings],
        candidates=case.names,
        withdrawn=frozenset(case.withdrawn),
    )


@examples(N_DIRECT)
@given(st.one_of(cases("meek"), cases("meek", minimum="always")))
def test_wide_kernel_leaves_the_64_bit_log(case):
    try:
        case.reference()
    except Refused:
        return  # more seats than standing candidates: refused before any kernel runs
    kw = {}
    if case.minimum is not None:
        kw = {"minimum": f"g=1:{case.minimum}", "attributes": {"g": list(case.attrs)}}
    profile = _profile(case)
    job = prepare_count(profile, "meek", seats=case.seats, seed=case.seed, **kw)
    assert total_weight(profile) <= MEEK_64_BIT_LIMIT
    wmask = np.zeros(profile.n_candidates, np.bool_)
    wmask[list(job.withdrawn)] = True
    ncand = profile.n_candidates
    depth = profile.ballots.shape[1]
    args = (profile.trie, depth, job.seats, wmask, job.lot, job.group, job.group_min)
    narrow = CountLog.allocate(ncand, 3 * ncand + job.seats + 4)
    wide = CountLog.allocate(ncand, 3 * ncand + job.seats + 4)
    high = meek_wide.allocate_high(ncand, 3 * ncand + job.seats + 4)
    meek.count_meek(*args, narrow.arrays())
    meek_wide.count_meek_wide(*args, wide.arrays(), high)
    for name, a in zip(narrow.arrays()._fields, narrow.arrays(), strict=True):
        np.testing.assert_array_equal(getattr(wide, name), a, err_msg=name)
    for part in high:
        assert not part.any()
    compare(case, result=job.result(9, wide, high))


# -- through simcore.count ----------------------------------------------------------------------


def test_count_dispatches_on_the_total():
    for total, wide in ((MEEK_64_BIT_LIMIT, False), (MEEK_64_BIT_LIMIT + 1, True)):
        weights = [total // 2 - 7, total - total // 2 - 3, 10]
        case = Case(
            rule="meek",
            ncand=3,
            seats=1,
            rankings=list(zip([(0, 1), (1, 0), (2,)], weights, strict=True)),
            seed=1,
        )
        _, _, high = prepare_count(_profile(case), "meek", seats=1, seed=1).run()
        assert (high is not None) == wide
        result = case.kernel()
        assert result.valid_votes == total
        compare(case, result=result)
