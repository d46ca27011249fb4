"""Electoral colleges: sections (or units) with weights, each with its own ballots."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from simcore.model.profile import Profile

METHODS = ("weighted-irv", "block")
UNIT_RULES = ("plurality", "irv")
ALLOCATIONS = ("winner-take-all", "proportional")


@dataclass(frozen=True)
class Section:
    name: str
    weight: Fraction
    profile: Profile


@dataclass(frozen=True)
class College:
    title: str
    method: str  # "weighted-irv" or "block"
    sections: tuple[Section, ...]
    candidates: tuple[str, ...]
    unit_rule: str = "plurality"
    allocation: str = "winner-take-all"
    source: str | None = None

    def weight_numerators(self) -> tuple[np.ndarray, int]:
        """Integer weights over a common denominator: ``(numerators, denominator)``."""
        den = math.lcm(*(s.weight.denominator for s in self.sections))
        return np.array([int(s.weight * den) for s in self.sections], np.int64), den

    def forest(self) -> tuple[np.ndarray, ...]:
        """All sections' ballot trees in one set of arrays: ``(cand, end, weight, roots)``."""
        cands, ends, weights, roots = [], [], [], []
        offset = 0
        for s in self.sections:
            cand, end, weight, _stop, _start = s.profile.trie
            roots.append(offset)
            cands.append(cand.astype(np.int16))
            ends.append(end.astype(np.int64) + offset)
            weights.append(weight.astype(np.int64))
            offset += len(cand)
        return (
            np.concatenate(cands),
            np.concatenate(ends).astype(np.int32),
            np.concatenate(weights),
            np.array(roots, np.int64),
        )
