"""The space of one slate's regional recommendations that ``simcore optimize`` searches.

A *plan* of recommendations gives every region an order of the slate's candidates (a
permutation of the candidates its orderings rank).  Constraints: at most ``max_orders``
distinct orders across regions (1: the same order everywhere), and candidates pinned to a
position in every order (``--fix NAME=POSITION``).

Neighbours of a plan (the local search's moves), each kept only if it meets the constraints:

* change one of the plan's distinct orders wherever it is used, by swapping two candidates or
  moving one candidate to another position (insertion);
* the same for one region alone (a new distinct order, if the limit allows);
* give one region another of the plan's distinct orders.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

Order = tuple[int, ...]
Recommendation = tuple[Order, ...]  # one order per region


@dataclass(frozen=True)
class StrategySpace:
    members: tuple[int, ...]  # the slate's candidates (scenario indices), as its orderings rank
    n_regions: int
    max_orders: int  # at most this many distinct orders across regions
    fixed: tuple[tuple[int, int], ...] = ()  # (candidate, 0-based position) pins

    @property
    def size(self) -> int:
        return len(self.members)

    def valid_order(self, order: Order) -> bool:
        return all(order[p] == c for c, p in self.fixed)

    def valid(self, rec: Recommendation) -> bool:
        return (
            len(rec) == self.n_regions
            and len(set(rec)) <= self.max_orders
            and all(self.valid_order(o) for o in rec)
        )

    def count(self) -> int:
        """How many recommendations the space holds (exactly; a Python int)."""
        free = self.size - len(self.fixed)
        orders = _factorial(free)
        total = 0
        # recommendations using exactly j distinct orders: C(orders, j) * surjections(R, j)
        for j in range(1, min(self.max_orders, self.n_regions) + 1):
            total += _comb(orders, j) * _surjections(self.n_regions, j)
        return total

    def enumerate(self) -> Iterator[Recommendation]:
        """Every recommendation (for small spaces: tests and exhaustive search)."""
        orders = [o for o in itertools.permutations(self.members) if self.valid_order(o)]

        def extend(prefix: tuple, used: frozenset) -> Iterator[Recommendation]:
            if len(prefix) == self.n_regions:
                yield prefix
                return
            for o in orders:  # (pruned: never more than max_orders distinct orders)
                more = used if o in used else used | {o}
                if len(more) <= self.max_orders:
                    yield from extend((*prefix, o), more)

        yield from extend((), frozenset())

    def random(self, rng: np.random.Generator) -> Recommendation:
        """A random recommendation: up to ``max_orders`` random orders, assigned to regions at
        random."""
        k = min(self.max_orders, self.n_regions)
        orders = [self._random_order(rng) for _ in range(k)]
        return tuple(orders[int(rng.integers(k))] for _ in range(self.n_regions))

    def _random_order(self, rng: np.random.Generator) -> Order:
        pinned = {p: c for c, p in self.fixed}
        free = [c for c in self.members if c not in pinned.values()]
        free = [free[i] for i in rng.permutation(len(free))]
        it = iter(free)
        return tuple(pinned[p] if p in pinned else next(it) for p in range(self.size))

    def neighbours(self, rec: Recommendation) -> list[Recommendation]:
        """Every valid neighbour of ``rec``, without repeats, in a fixed order."""
        seen: set[Recommendation] = {rec}
        out: list[Recommendation] = []

        def add(candidate: Recommendation) -> None:
            if candidate not in seen and self.valid(candidate):
                seen.add(candidate)
                out.append(candidate)

        distinct = list(dict.fromkeys(rec))
        for order in distinct:
            for new in _order_moves(order):
                add(tuple(new if o == order else o for o in rec))
        for r, order in enumerate(rec):
            for new in _order_moves(order):
                add(rec[:r] + (new,) + rec[r + 1 :])
            for other in distinct:
                if other != order:
                    add(rec[:r] + (other,) + rec[r + 1 :])
        return out


def _order_moves(order: Order) -> Iterator[Order]:
    """Orders one swap or one insertion away from ``order``."""
    n = len(order)
    for i in range(n):
        for j in range(i + 1, n):
            swapped = list(order)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            yield tuple(swapped)
    for i in range(n):
        for j in range(n):
            if abs(i - j) > 1:  # (adjacent insertions are swaps)
                moved = list(order)
                moved.insert(j, moved.pop(i))
                yield tuple(moved)


def _factorial(n: int) -> int:
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out


def _comb(n: int, k: int) -> int:
    if k < 0 or k > n:
        return 0
    out = 1
    for i in range(k):
        out = out * (n - i) // (i + 1)
    return out


def _surjections(n: int, k: int) -> int:
    """Maps of n labelled regions onto exactly k labelled orders."""
    return sum((-1) ** i * _comb(k, i) * (k - i) ** n for i in range(k + 1))


def describe(rec: Recommendation, names: Sequence[str]) -> list[str]:
    """Each region's order as candidate names joined by ' > '."""
    return [" > ".join(names[c] for c in order) for order in rec]
