"""Minimum-representation constraints given by candidate attributes.

A constraint reads ``ATTRIBUTE=VALUE:K``: at least ``K`` elected candidates whose attribute
``ATTRIBUTE`` equals ``VALUE`` (e.g. ``gender=woman:5``).  Several constraints may be given if
their groups do not overlap.  The STV rules, ``block`` and ``fptp`` take them; how the count
enforces them is described in :mod:`simcore.kernels.constraints`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simcore.errors import InputError

MINIMUM_RULES = "STV rules, block and fptp"


def takes_minimums(rule) -> bool:
    """Whether ``rule`` (a :class:`simcore.model.rules.Rule`) counts with group minimums."""
    return rule.stv or rule.name in ("block", "fptp")


@dataclass(frozen=True)
class Minimum:
    attribute: str
    value: str
    at_least: int

    @classmethod
    def parse(cls, text: str) -> Minimum:
        head, sep, k = str(text).rpartition(":")
        attr, eq, value = head.partition("=")
        if not sep or not eq or not attr.strip() or not value.strip():
            raise InputError(f"minimum {text!r} must look like ATTRIBUTE=VALUE:K, e.g. gender=F:5")
        try:
            n = int(k)
        except ValueError:
            raise InputError(f"minimum {text!r}: K must be a whole number, got {k!r}") from None
        if n < 0:
            raise InputError(f"minimum {text!r}: K must not be negative")
        return cls(attr.strip(), value.strip(), n)

    def __str__(self) -> str:
        return f"{self.attribute}={self.value}:{self.at_least}"


def as_minimums(spec) -> list[Minimum]:
    """Accept ``"gender=F:5"``, a list of such strings or :class:`Minimum`, or a mapping
    ``{"gender=F": 5}``."""
    if spec is None:
        return []
    if isinstance(spec, (str, Minimum)):
        spec = [spec]
    if isinstance(spec, Mapping):
        return [Minimum.parse(f"{k}:{v}") for k, v in spec.items()]
    return [s if isinstance(s, Minimum) else Minimum.parse(s) for s in spec]


def group_arrays(
    minimums: Sequence[Minimum],
    attributes: Mapping[str, Sequence[str]],
    candidates: Sequence[str],
    withdrawn: Iterable[int],
    seats: int,
) -> tuple[np.ndarray, np.ndarray]:
    """``(group, group_min)`` arrays for the kernels, after checking the constraints can hold."""
    ncand = len(candidates)
    group = np.full(ncand, -1, np.int64)
    mins = np.zeros(len(minimums), np.int64)
    out = set(withdrawn)
    for g, m in enumerate(minimums):
        if m.attribute not in attributes:
            known = ", ".join(sorted(attributes)) or "none"
            raise InputError(
                f"minimum {m}: no candidate attribute {m.attribute!r} (known: {known})"
            )
        values = attributes[m.attribute]
        members = [c for c in range(ncand) if str(values[c]) == m.value]
        if not members:
            raise InputError(f"minimum {m}: no candidate has {m.attribute}={m.value}")
        for c in members:
            if group[c] >= 0:
                raise InputError(
                    f"minimum {m}: candidate {candidates[c]!r} is also in group "
                    f"{minimums[group[c]]}; groups must not overlap"
                )
            group[c] = g
        available = sum(1 for c in members if c not in out)
        if available < m.at_least:
            raise InputError(
                f"minimum {m} cannot be met: only {available} such candidates are standing"
            )
        mins[g] = m.at_least
    if mins.sum() > seats:
        raise InputError(f"minimums need {int(mins.sum())} seats but only {seats} are filled")
    return group, mins
