"""Outcome statistics accumulated chunk by chunk, in exact integers.

For every measure (a slate's seats; whether it wins exactly / at least k seats; whether a
candidate is elected; a college candidate's weight won) and every strategy the accumulator keeps
integer sums of the values, their squares, and the paired differences from the first strategy
(and their squares).  Sums of integers do not depend on the order chunks arrive in, so summaries
are identical for any chunking or number of threads, and memory stays flat however many
simulations run.

The sums are exact for any int64 values: the running totals are Python integers (unbounded),
and a chunk is summed in int64 only when it provably cannot overflow (``n * max|v|**2 < 2**63``,
true of counts and indicators); otherwise each value is split into 21-bit limbs whose products
and sums fit int64 (:func:`exact_sums`).  A population-weighted college's squared weights (about
10**17 each) therefore never wrap around.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


LIMB = 21  # bits per limb: a limb product is below 2**42, a sum of 2**21 of them below 2**63
LIMB_ROWS = 1 << 20  # rows summed at once on the limb path
INT64_LIMIT = 1 << 63


def _int_array(x: np.ndarray) -> np.ndarray:
    """An int64 array as Python integers (an object array), so that later sums are unbounded."""
    out = np.empty(x.shape, object)
    out[...] = x.tolist() if x.ndim else int(x)
    return out


def exact_sums(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sum, sum of squares) over axis 0 of int64 values ``v`` with ``|v| < 2**63``, exactly,
    as object arrays of Python integers."""
    n = v.shape[0]
    if n == 0:
        z = np.zeros(v.shape[1:], np.int64)
        return _int_array(z), _int_array(z)
    big = max(int(v.max()), -int(v.min()))
    if n * big * big < INT64_LIMIT:  # counts and indicators: plain int64 cannot overflow
        return _int_array(v.sum(axis=0)), _int_array((v * v).sum(axis=0))
    if big >= INT64_LIMIT:  # (only -2**63 itself, which no measure produces)
        raise OverflowError("a measure's value does not fit int64")
    total = _int_array(np.zeros(v.shape[1:], np.int64))
    total_sq = total.copy()
    mask = (1 << LIMB) - 1
    for a in range(0, n, LIMB_ROWS):
        part = v[a : a + LIMB_ROWS]
        # sum: v = hi * 2**32 + lo, hi in [-2**31, 2**31), lo in [0, 2**32)
        hi, lo = part >> 32, part & 0xFFFFFFFF
        total += _int_array(hi.sum(axis=0)) * (1 << 32) + _int_array(lo.sum(axis=0))
        # square: |v| = l2 * 2**42 + l1 * 2**21 + l0, each limb below 2**21
        m = np.abs(part)
        limbs = [(m >> (LIMB * k)) & mask for k in range(3)]
        for i in range(3):
            for j in range(i, 3):
                s = _int_array((limbs[i] * limbs[j]).sum(axis=0))
                total_sq += s * ((1 if i == j else 2) << (LIMB * (i + j)))
    return total, total_sq


@dataclass
class Measure:
    """One family of per-simulation integer values, shaped (strategies, items); the sums are
    object arrays of Python integers."""

    sum: np.ndarray
    sum_sq: np.ndarray
    diff_sum: np.ndarray
    diff_sq: np.ndarray

    @classmethod
    def zeros(cls, strategies: int, items: int) -> Measure:
        z = lambda: _int_array(np.zeros((strategies, items), np.int64))  # noqa: E731
        return cls(z(), z(), z(), z())

    def add(self, values: np.ndarray) -> None:
        """Add (n, strategies, items) integer values, each in [0, 2**63) (counts, indicators,
        weights: so that the paired differences fit int64 too)."""
        v = values.astype(np.int64)
        if v.size and int(v.min()) < 0:
            raise OverflowError("measures are non-negative")
        d = v - v[:, :1, :]
        s, sq = exact_sums(v)
        self.sum += s
        self.sum_sq += sq
        s, sq = exact_sums(d)
        self.diff_sum += s
        self.diff_sq += sq


class Accumulator:
    def __init__(
        self, n_strategies: int, n_slates: int, seats: int, ncand: int, slate_of: np.ndarray
    ) -> None:
        self.n = 0
        self.seats = seats
        self.n_groups = n_slates + 1  # the slates, then candidates on no slate
        self.slate_of = np.where(slate_of < 0, n_slates, slate_of)
        self.seat_counts = Measure.zeros(n_strategies, self.n_groups)
        self.exactly = Measure.zeros(n_strategies, self.n_groups * (seats + 1))
        self.at_least = Measure.zeros(n_strategies, self.n_groups * (seats + 1))
        self.elected = Measure.zeros(n_strategies, ncand)

    def seats_by_group(self, elected: np.ndarray) -> np.ndarray:
        """(n, strategies, groups) seats won, from (n, strategies, seats) elected indices."""
        valid = elected >= 0
        group = np.where(valid, self.slate_of[np.maximum(elected, 0)], self.n_groups)
        out = np.zeros(elected.shape[:2] + (self.n_groups + 1,), np.int64)
        n, s, _ = elected.shape
        idx = (np.arange(n)[:, None, None], np.arange(s)[None, :, None], group)
        np.add.at(out, idx, 1)
        return out[:, :, : self.n_groups]

    def add(self, elected: np.ndarray) -> np.ndarray:
        """Add a chunk's elected candidates; returns its seats by group (for the row output)."""
        n, s, _ = elected.shape
        seats = self.seats_by_group(elected)
        ks = np.arange(self.seats + 1)
        self.seat_counts.add(seats)
        self.exactly.add((seats[..., None] == ks).reshape(n, s, -1))
        self.at_least.add((seats[..., None] >= ks).reshape(n, s, -1))
        ind = np.zeros((n, s, len(self.slate_of) + 1), np.int64)
        np.put_along_axis(
            ind, np.where(elected >= 0, elected, len(self.slate_of)).astype(np.int64), 1, axis=2
        )
        self.elected.add(ind[:, :, :-1])
        self.n += n
        return seats


def mean_row(total: int, total_sq: int, n: int, proportion: bool) -> tuple[float, ...]:
    """(estimate, standard error, 95% low, 95% high); Wilson interval for proportions."""
    if n == 0:
        return (math.nan,) * 4
    m = total / n
    if proportion:
        se = math.sqrt(max(m * (1 - m), 0.0) / n)
        z2 = Z95 * Z95
        centre = (m + z2 / (2 * n)) / (1 + z2 / n)
        half = Z95 * math.sqrt(m * (1 - m) / n + z2 / (4 * n * n)) / (1 + z2 / n)
        low, high = centre - half, centre + half
        return m, se, (0.0 if low < 1e-12 else low), (1.0 if high > 1 - 1e-12 else high)
    se = math.sqrt(_variance(total, total_sq, n) / n)
    return m, se, m - Z95 * se, m + Z95 * se


def _variance(total: int, total_sq: int, n: int) -> float:
    """The sample variance from exact integer sums, itself computed exactly and rounded once
    (no cancellation however large the values: ``(n * sum_sq - sum**2) / (n * (n - 1))``)."""
    if n < 2:
        return 0.0
    return (n * int(total_sq) - int(total) ** 2) / (n * (n - 1))


def diff_row(total: int, total_sq: int, n: int) -> tuple[float, ...]:
    """Paired difference: (mean, standard error, 95% low, 95% high), normal approximation."""
    if n == 0:
        return (math.nan,) * 4
    m = total / n
    se = math.sqrt(_variance(total, total_sq, n) / n)
    return m, se, m - Z95 * se, m + Z95 * se


class CollegeAccumulator:
    """Outcome statistics of a college: winners, rounds and decisive sections (weighted
    sections) or weight won and no-majority results (block units)."""

    def __init__(self, n_strategies: int, ncand: int, n_regions: int, block: bool) -> None:
        self.n = 0
        self.block = block
        self.ncand = ncand
        self.winner = Measure.zeros(n_strategies, ncand + 1)  # last column: no majority
        self.rounds = Measure.zeros(n_strategies, 1)
        self.decisive = Measure.zeros(n_strategies, n_regions)
        self.weight_won = Measure.zeros(n_strategies, ncand)

    def add(self, elected: np.ndarray, extra: np.ndarray) -> None:
        n, s, _ = elected.shape
        win = elected[:, :, 0].astype(np.int64)
        ind = np.zeros((n, s, self.ncand + 1), np.int64)
        np.put_along_axis(ind, np.where(win >= 0, win, self.ncand)[..., None], 1, axis=2)
        self.winner.add(ind)
        if self.block:
            self.weight_won.add(extra[:, :, : self.ncand])
        else:
            self.rounds.add(extra[:, :, :1])
            dec = np.zeros((n, s, self.decisive.sum.shape[1] + 1), np.int64)
            d = extra[:, :, 1]
            np.put_along_axis(dec, np.where(d >= 0, d, dec.shape[2] - 1)[..., None], 1, axis=2)
            self.decisive.add(dec[:, :, :-1])
        self.n += n


PPB = 10**9  # first-preference shares are summed as integer parts per billion


class FirstPreferenceAccumulator:
    """First-preference shares per strategy, in exact integer sums of parts per billion: each
    candidate's and each group's (the slates, then candidates on no slate) share of the first
    preferences nationally, then (with more than one region) in each region.  Items, in order:
    candidates, groups, then per region its candidates and its groups."""

    def __init__(self, n_strategies: int, n_slates: int, ncand: int, n_regions: int, slate_of):
        self.n = 0
        self.ncand = ncand
        self.n_regions = n_regions
        self.n_groups = n_slates + 1
        group = np.where(np.asarray(slate_of) < 0, n_slates, slate_of)
        self.onehot = np.zeros((ncand, self.n_groups), np.int64)
        self.onehot[np.arange(ncand), group] = 1
        per = ncand + self.n_groups
        self.shares = Measure.zeros(n_strategies, per * (1 + (n_regions if n_regions > 1 else 0)))

    def item(self, region: int, index: int) -> int:
        """Column of candidate ``index`` (or group ``index - ncand``) in region ``region``
        (-1: national)."""
        return (region + 1) * (self.ncand + self.n_groups) + index

    def add(self, votes: np.ndarray) -> None:
        """Add a chunk's first preferences: (n, strategies, regions, ncand) voters."""
        parts = [_ppb(votes.sum(axis=2), self.onehot)]
        if self.n_regions > 1:
            n, s = votes.shape[:2]
            parts.append(_ppb(votes, self.onehot).reshape(n, s, -1))
        self.shares.add(np.concatenate(parts, axis=-1))
        self.n += votes.shape[0]


def _ppb(votes: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Candidates' then groups' shares of ``votes`` (..., ncand), in parts per billion."""
    both = np.concatenate([votes, votes @ onehot], axis=-1)
    total = votes.sum(axis=-1, keepdims=True)
    share = both / np.where(total > 0, total, 1)
    return np.rint(share * PPB).astype(np.int64)


def predictive_row(total: int, total_sq: int, n: int, scale: int) -> tuple[float, ...]:
    """The spread of a share across simulations: (mean, sd, mean - 1.96 sd, mean + 1.96 sd),
    the interval clipped to [0, 1], from exact sums of the share times ``scale``."""
    if n == 0:
        return (math.nan,) * 4
    m = total / n / scale
    sd = math.sqrt(max(_variance(total, total_sq, n), 0.0)) / scale
    return m, sd, max(m - Z95 * sd, 0.0), min(m + Z95 * sd, 1.0)


def accumulator_state(acc: Accumulator | CollegeAccumulator) -> dict:
    """The accumulator's exact state as plain Python integers (JSON writes them exactly, however
    large): the number of simulations and every measure's four sums."""
    measures = {
        name: [m.sum.tolist(), m.sum_sq.tolist(), m.diff_sum.tolist(), m.diff_sq.tolist()]
        for name, m in vars(acc).items()
        if isinstance(m, Measure)
    }
    return {"n": int(acc.n), "measures": measures}


def load_accumulator_state(acc: Accumulator | CollegeAccumulator, state: dict) -> None:
    """Restore :func:`accumulator_state`'s ``state`` into a fresh accumulator of the same
    shape; a state of another shape (another scenario) raises ``ValueError``."""
    mine = {name: m for name, m in vars(acc).items() if isinstance(m, Measure)}
    if set(mine) != set(state["measures"]):
        raise ValueError("the saved state is of another kind of accumulator")
    for name, m in mine.items():
        arrays = []
        for current, saved in zip(
            (m.sum, m.sum_sq, m.diff_sum, m.diff_sq), state["measures"][name], strict=True
        ):
            out = np.empty(current.shape, object)
            values = np.array(saved, dtype=object)
            if values.shape != current.shape:
                raise ValueError(f"the saved {name} has shape {values.shape}, not {current.shape}")
            out[...] = values
            if not all(type(v) is int for v in out.flat):
                raise ValueError(f"the saved {name} holds values that are not integers")
            arrays.append(out)
        m.sum, m.sum_sq, m.diff_sum, m.diff_sq = arrays
    acc.n = int(state["n"])
