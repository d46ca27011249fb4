"""The ballot profile: distinct ballots with integer weights.

A profile is what every counting rule reads.  Ballots are stored once per distinct ranking as a
padded matrix of 0-based candidate indices (``BALLOT_DTYPE``, padding ``NO_CANDIDATE``) with an
integer weight (how many voters cast it).  Building a profile from many identical ballots groups
them, so a 100,000-voter election with 35,000 distinct rankings is 35,000 rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simcore.errors import InputError, shown
from simcore.model.names import collapse, name_problem

BALLOT_DTYPE = np.int16
WEIGHT_DTYPE = np.int64
NO_CANDIDATE = -1
MAX_CANDIDATES = int(np.iinfo(BALLOT_DTYPE).max)  # 32,767: the width of BALLOT_DTYPE


@dataclass(frozen=True, eq=False)
class Profile:
    """Distinct ballots and their weights, with the election's metadata.

    Attributes:
        ballots: ``(n, max_rank)`` matrix of candidate indices, each row a ranking from most to
            least preferred, padded with ``NO_CANDIDATE``.  Rows are distinct.
        weights: ``(n,)`` positive integer weights (number of voters casting each row).
        candidates: candidate names, index ``i`` being candidate ``i``.
        seats: number of seats if the source states it, else ``None``.
        title: the election's title.
        withdrawn: indices of withdrawn candidates (skipped on every ballot when counting).
        equal_after: ``(n, max_rank)`` booleans, ``True`` where a position is ranked equal to the
            one before it; ``None`` when every ballot is a strict ranking.
        attributes: per-candidate labels (e.g. ``{"party": (...)}``), one value per candidate.
        source: the file the profile was read from, if any.
        empty_ballots: number of ballots that ranked nobody (not valid votes; not in ``ballots``).
    """

    ballots: np.ndarray
    weights: np.ndarray
    candidates: tuple[str, ...]
    seats: int | None = None
    title: str = ""
    withdrawn: frozenset[int] = frozenset()
    equal_after: np.ndarray | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str | None = None
    empty_ballots: int = 0

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_rankings(
        cls,
        rankings: Iterable[Sequence[int]],
        weights: Iterable[int] | None = None,
        *,
        candidates: Sequence[str],
        equal_after: Iterable[Sequence[bool]] | None = None,
        **meta,
    ) -> Profile:
        """Build a profile from rankings (0-based candidate indices), grouping identical ones.

        ``weights`` defaults to one voter per ranking.  ``equal_after`` marks, per ranking, the
        positions ranked equal to the previous position (used by formats with equal rankings).
        """
        rankings = [tuple(int(c) for c in r) for r in rankings]
        if weights is None:
            weights = [1] * len(rankings)
        weights = [int(w) for w in weights]
        if len(weights) != len(rankings):
            raise ValueError("rankings and weights differ in length")
        ties = None if equal_after is None else [tuple(bool(t) for t in e) for e in equal_after]
        width = max((len(r) for r in rankings), default=0)
        mat = np.full((len(rankings), max(width, 1)), NO_CANDIDATE, dtype=np.int64)
        for i, r in enumerate(rankings):
            mat[i, : len(r)] = r
        tie_mat = None
        if ties is not None and any(any(t) for t in ties):
            tie_mat = np.zeros(mat.shape, dtype=bool)
            for i, t in enumerate(ties):
                tie_mat[i, : len(t)] = t
        return cls.from_arrays(
            mat,
            np.asarray(weights, dtype=np.int64),
            candidates=candidates,
            equal_after=tie_mat,
            **meta,
        )

    @classmethod
    def from_arrays(
        cls,
        ballots: np.ndarray,
        weights: np.ndarray,
        *,
        candidates: Sequence[str],
        equal_after: np.ndarray | None = None,
        group: bool = True,
        **meta,
    ) -> Profile:
        """Build a profile from a padded ranking matrix and weights, validating and grouping.

        Rows that rank nobody are dropped and counted in ``empty_ballots``.
        """
        candidates = _clean_names(candidates, meta.get("source"))
        ncand = len(candidates)
        if ncand > MAX_CANDIDATES:
            raise InputError(f"{ncand} candidates; at most {MAX_CANDIDATES} are supported")
        ballots = np.asarray(ballots)
        weights = _int64_weights(weights, meta.get("source"))
        if ballots.ndim != 2 or weights.shape != (ballots.shape[0],):
            raise ValueError("ballots must be (n, max_rank) and weights (n,)")
        if ballots.size and (ballots.max(initial=NO_CANDIDATE) >= ncand):
            raise InputError(f"ballot ranks candidate {int(ballots.max()) + 1} of {ncand}")
        if (weights <= 0).any():
            raise InputError("ballot weights must be positive")
        ballots = ballots.astype(BALLOT_DTYPE, copy=False)
        if equal_after is not None:
            equal_after = np.asarray(equal_after, dtype=bool)
            if not equal_after.any():
                equal_after = None
        empty = ballots[:, 0] == NO_CANDIDATE if ballots.shape[1] else np.ones(len(ballots), bool)
        n_empty = int(weights[empty].sum())
        if n_empty:
            keep = ~empty
            ballots, weights = ballots[keep], weights[keep]
            if equal_after is not None:
                equal_after = equal_after[keep]
        if group and len(ballots):
            ballots, weights, equal_after = _group(ballots, weights, equal_after)
        width = _used_width(ballots)
        ballots = np.ascontiguousarray(ballots[:, :width])
        if equal_after is not None:
            equal_after = np.ascontiguousarray(equal_after[:, :width])
        meta["empty_ballots"] = meta.get("empty_ballots", 0) + n_empty
        return cls(
            ballots=ballots,
            weights=np.ascontiguousarray(weights),
            candidates=tuple(candidates),
            equal_after=equal_after,
            **meta,
        )

    # -- views --------------------------------------------------------------------------------
    @property
    def n_candidates(self) -> int:
        return len(self.candidates)

    @property
    def n_ballots(self) -> int:
        """Number of voters with at least one preference (sum of weights)."""
        return int(self.weights.sum())

    @property
    def n_distinct(self) -> int:
        return int(self.ballots.shape[0])

    @property
    def has_equal_rankings(self) -> bool:
        return self.equal_after is not None

    @cached_property
    def trie(self) -> tuple[np.ndarray, ...]:
        """The ballots as a prefix tree, a ``Trie(cand, end, weight, stop, lz)`` (see
        :mod:`simcore.kernels.trie`), built once per profile and reused by every count."""
        from simcore.kernels.lazy_tree import eager
        from simcore.kernels.trie import Trie, build_trie, is_sorted

        ballots, weights = self.ballots, self.weights
        if not is_sorted(ballots):
            order = np.lexsort(ballots.T[::-1])
            ballots, weights = ballots[order], weights[order]
        cand, end, weight, stop = build_trie(ballots, weights, self.n_candidates)
        # narrow types where the values allow: less memory traffic in every transfer
        if weight[0] < 2**31:
            weight, stop = weight.astype(np.int32), stop.astype(np.int32)
        return Trie(cand.astype(np.int16), end, weight, stop, eager(self.n_candidates))

    def withdrawn_mask(self) -> np.ndarray:
        mask = np.zeros(self.n_candidates, dtype=np.bool_)
        for c in self.withdrawn:
            mask[c] = True
        return mask

    def candidate_index(self, name: str) -> int:
        try:
            return self.candidates.index(name)
        except ValueError:
            raise InputError(f"no candidate named {shown(name)}") from None

    def rankings(self) -> list[tuple[tuple[int, ...], int]]:
        """Each distinct ballot as ``(ranking, weight)`` (slow; for tests and small profiles)."""
        out = []
        for row, w in zip(self.ballots, self.weights, strict=True):
            out.append((tuple(int(c) for c in row if c != NO_CANDIDATE), int(w)))
        return out


def _int64_weights(weights, source: str | None) -> np.ndarray:
    """Weights as int64, refusing any weight, or a total, beyond int64 (merging identical
    ballots and every count add weights up in int64)."""
    limit = 2**63 - 1
    try:
        out = np.asarray(weights, dtype=np.int64)
    except OverflowError:
        raise InputError(f"a ballot weight is beyond 2^63 - 1 = {limit}", path=source) from None
    if len(out) and int(out.max()) > limit // len(out) and sum(int(x) for x in out) > limit:
        raise InputError(f"ballot weights add up to more than 2^63 - 1 = {limit}", path=source)
    return out


def _clean_names(names: Sequence[str], source: str | None) -> tuple[str, ...]:
    """Names with runs of whitespace collapsed; empty or repeated names, and names with control
    characters (see :mod:`simcore.model.names`), are an error."""
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(map(str, names), start=1):
        n = collapse(raw)
        if not n:
            raise InputError(f"candidate {i} has no name", path=source)
        problem = name_problem(raw, ballot_file=True)
        if problem:
            raise InputError(f"candidate {i}'s name {shown(n)} {problem}", path=source)
        if n in seen:
            raise InputError(f"candidates {seen[n]} and {i} are both named {shown(n)}", path=source)
        seen[n] = i
        out.append(n)
    return tuple(out)


def _used_width(ballots: np.ndarray) -> int:
    if ballots.size == 0:
        return 1
    used = (ballots != NO_CANDIDATE).any(axis=0)
    return max(int(np.flatnonzero(used)[-1]) + 1 if used.any() else 1, 1)


def _group(ballots, weights, equal_after):
    """Merge identical rows (identical rankings and equal-ranking marks), summing weights."""
    key = (
        ballots if equal_after is None else np.hstack([ballots, equal_after.astype(ballots.dtype)])
    )
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    summed = np.zeros(len(uniq), dtype=np.int64)
    np.add.at(summed, inverse.ravel(), weights)
    width = ballots.shape[1]
    new_ballots = uniq[:, :width]
    new_ties = None if equal_after is None else uniq[:, width:].astype(bool)
    return new_ballots, summed, new_ties
