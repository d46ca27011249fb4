"""Scoring many recommendations of one slate on the same simulated electorates.

Strategies differ only in the slate's recommended orders, so every electorate is generated once
and counted under a whole batch of them (common random numbers: every comparison is a paired
difference).  A simulation's score under a strategy is an integer (seats won, or 0/1 for an
event), so sums are exact and results do not depend on threads or on how work is split.

Streams: the search, the selection and the final estimate each draw simulations from a stream
of their own (:func:`phase_key`), so the final estimate never reuses a simulation that helped
choose the strategy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simcore.errors import InputError
from simcore.jobs.strategy_space import Recommendation
from simcore.sim.plan import Plan
from simcore.sim.runner import capacity_for, run_chunk

PHASES = {"search": 1, "selection": 2, "final": 3}
SIMS_PER_CALL = 16  # simulations per unit of work (never changes a result)
BATCH = 64  # strategies counted together on one electorate


def phase_key(seed: int, phase: str) -> np.ndarray:
    """The 128-bit stream key of a phase: independent of the others and of ``simcore run``'s."""
    return np.random.SeedSequence([int(seed), PHASES[phase]]).generate_state(2, dtype=np.uint64)


@dataclass(frozen=True)
class Objective:
    """What the search maximises, per simulation: ``kind`` is ``seats`` (the slate's seats),
    ``seats>=`` (1 if it wins at least ``k``), ``elected`` (1 if candidate ``candidate`` is
    elected) or ``all-elected`` (1 if every candidate of the slate is elected)."""

    text: str
    kind: str
    k: int = 0
    candidate: int = -1

    @property
    def is_probability(self) -> bool:
        return self.kind != "seats"


def parse_objective(text: str, plan: Plan, slate: int) -> Objective:
    sc = plan.scenario
    where = "--objective"
    t = text.strip()
    members = int((plan.slate_of == slate).sum())
    if t == "seats":
        return Objective(t, "seats")
    if t == "all-elected":
        return Objective(t, "all-elected")
    if t.startswith("seats>="):
        try:
            k = int(t.removeprefix("seats>="))
        except ValueError:
            raise InputError(f"{where} {text!r}: expected seats>=K with K a whole number") from None
        most = min(sc.seats, members)
        if not 1 <= k <= most:
            raise InputError(
                f"{where} {text!r}: K must be between 1 and {most} (the slate has {members} "
                f"candidate(s) for {sc.seats} seat(s))"
            )
        return Objective(t, "seats>=", k=k)
    if t.startswith("elected:"):
        name = t.removeprefix("elected:").strip()
        names = sc.candidate_names
        if name not in names:
            raise InputError(f"{where} {text!r}: no candidate named {name!r} in the scenario")
        return Objective(t, "elected", candidate=names.index(name))
    raise InputError(f"{where} {text!r}: expected seats, seats>=K, elected:NAME or all-elected")


def scores(objective: Objective, elected: np.ndarray, slate_of: np.ndarray, slate: int):
    """(n, S) integer scores from ``elected`` (n, S, seats) candidate indices (-1: none)."""
    valid = elected >= 0
    of = np.where(valid, slate_of[np.where(valid, elected, 0)], -2)
    if objective.kind == "elected":
        return (elected == objective.candidate).any(axis=2).astype(np.int64)
    won = (of == slate).sum(axis=2).astype(np.int64)
    if objective.kind == "seats":
        return won
    if objective.kind == "seats>=":
        return (won >= objective.k).astype(np.int64)
    return (won == int((slate_of == slate).sum())).astype(np.int64)


@dataclass
class Evaluator:
    """Counts recommendations of slate ``slate`` (other slates as in strategy ``base``)."""

    plan: Plan
    slate: int
    base: int
    objective: Objective
    threads: int = 1
    counted: int = 0  # strategy-simulations counted so far
    progress: Callable[[int], None] | None = None

    largest: int = 0  # the largest ballot tree seen (sizes the next calls' arrays)
    backend: object | None = None  # a DaskBackend: the chunks run on its cluster

    def strategy(self, rec: Recommendation) -> np.ndarray:
        """The full orderings (slates, regions, slots) of the base strategy with the slate's
        orders replaced by ``rec``."""
        out = self.plan.orderings[self.base].copy()
        for r, order in enumerate(rec):
            out[self.slate, r, : len(order)] = order
        return out

    def recommendation(self, strategy: int) -> Recommendation:
        """The slate's orders in the scenario's strategy number ``strategy``."""
        m = int(self.plan.slate_size[self.slate])
        orders = self.plan.orderings[strategy, self.slate, :, :m]
        return tuple(tuple(int(c) for c in row) for row in orders)

    def scores(self, strategies: Sequence[np.ndarray], key, first: int, n: int) -> np.ndarray:
        """(n, len(strategies)) scores of simulations ``first .. first + n - 1`` of ``key``'s
        stream under each strategy (full orderings arrays, see :meth:`strategy`)."""
        out = np.zeros((n, len(strategies)), np.int64)
        jobs = []
        for a in range(0, len(strategies), BATCH):
            batch = np.stack(strategies[a : a + BATCH])
            part = dataclasses.replace(self.plan, orderings=batch)
            for f in range(first, first + n, SIMS_PER_CALL):
                jobs.append((part, a, f, min(SIMS_PER_CALL, first + n - f)))

        def one(job):
            part, a, f, m = job
            chunk = run_chunk(part, key, f, m, capacity=capacity_for(self.largest))
            self.largest = max(self.largest, int(chunk.nodes.max(initial=0)))
            return a, f, scores(self.objective, chunk.elected, self.plan.slate_of, self.slate)

        def take(result):
            a, f, sc = result
            out[f - first : f - first + sc.shape[0], a : a + sc.shape[1]] = sc
            self.counted += sc.size
            if self.progress is not None:
                self.progress(sc.size)

        if self.backend is not None:
            cap = capacity_for(self.largest)
            remote = ((part, key, f, m, cap) for part, a, f, m in jobs)
            for (_part, a, f, _m), chunk in zip(jobs, self.backend.map_chunks(remote), strict=True):
                self.largest = max(self.largest, int(chunk.nodes.max(initial=0)))
                sc = scores(self.objective, chunk.elected, self.plan.slate_of, self.slate)
                take((a, f, sc))
        elif self.threads <= 1 or len(jobs) == 1:
            for job in jobs:
                take(one(job))
        else:
            with ThreadPoolExecutor(max_workers=self.threads) as pool:
                for result in pool.map(one, jobs):
                    take(result)
        return out
