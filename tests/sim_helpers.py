"""Helpers for simulation tests: small scenarios and reading a generated ballot tree."""

from __future__ import annotations

import numpy as np

from simcore.kernels.rng import stream_key
from simcore.model.scenario import (
    Candidate,
    Dist,
    Length,
    NonAligned,
    Region,
    Scenario,
    Slate,
    Strategy,
    Supporters,
)
from simcore.sim import chunk
from simcore.sim.bundles import count_spec_of, model_of, new_outputs
from simcore.sim.electorate import generate_electorate, new_gen_work
from simcore.sim.forest import OK, new_forest, relabel
from simcore.sim.params import new_drawn


def small_scenario(
    *,
    follow=0.6,
    mallows_share=0.5,
    phi=0.5,
    stop_after=0.4,
    share=0.5,
    turnout=0.5,
    electorate=400,
    strategies=None,
    na_length=(0.3, 0.3, 0.4),
    cont_length=(0.6, 0.4),
    seats=2,
    rule="scottish",
) -> Scenario:
    """4 candidates: slate S = (A, B, C) with two orderings, and an independent D."""
    cands = (
        Candidate("A", "s", 2.0),
        Candidate("B", "s", 1.0),
        Candidate("C", "s", 0.5),
        Candidate("D", None, 1.5),
    )
    sup = Supporters(
        share=share,
        follow=Dist.fixed(follow),
        mallows_share=mallows_share,
        phi=Dist.fixed(phi),
        stop_after_slate=Dist.fixed(stop_after),
        continue_length=Length(tuple(cont_length)),
    )
    slate = Slate("s", "Slate", {"abc": ("A", "B", "C"), "cab": ("C", "A", "B")}, sup)
    regions = (Region("R", electorate, Dist.fixed(turnout)),)
    if strategies is None:
        strategies = (("abc", "abc"), ("cab", "cab"))
    strats = tuple(Strategy(name, "", {"s": {"R": order}}) for name, order in strategies)
    return Scenario(
        "small",
        seats,
        rule,
        {},
        (),
        cands,
        (slate,),
        regions,
        strats,
        NonAligned(length=Length(tuple(na_length))),
        sims=10,
        seed=1,
    )


def forest(plan, seed: int, sim: int, strategy: int = 0, cap: int = 1 << 20):
    """Generate simulation ``sim`` and return ``(labels, end, weight, stop)`` (``cap``: room for
    that many nodes)."""
    nc = plan.ncand
    trees = new_forest(cap, cap)
    work = new_gen_work(
        nc, plan.slate_members.shape[1], 4096, new_drawn(nc, plan.n_regions, plan.n_slates)
    )
    stats = np.zeros(plan.n_stats)
    lot = np.empty(nc, np.int64)
    roots = np.zeros(plan.n_regions, np.int64)
    status, m, n_rel = generate_electorate(
        stream_key(seed), sim, model_of(plan), trees, work, stats, lot, False, roots
    )
    assert status == OK
    labels = np.empty(m, np.int16)
    relabel(trees.cand[:m], trees.rel, n_rel, plan.orderings, strategy, labels)
    return labels, trees.end[:m].copy(), trees.weight[:m].copy(), trees.stop[:m].copy()


def ballots_of(labels, end, weight, stop) -> dict[tuple[int, ...], int]:
    """The ballots a tree stands for, with their numbers of voters."""
    out: dict[tuple[int, ...], int] = {}
    path: list[tuple[int, int]] = []  # (node, end)
    for y in range(1, len(labels)):
        while path and y >= path[-1][1]:
            path.pop()
        path.append((y, int(end[y])))
        if stop[y]:
            key = tuple(int(labels[n]) for n, _ in path)
            out[key] = out.get(key, 0) + int(stop[y])
    return out


def run_chunk_arrays(plan, seed, first, n):
    """The chunk kernel called directly (small starting capacity, so trees grow)."""
    out = new_outputs(plan, n)
    chunk.run_chunk(
        stream_key(seed),
        first,
        n,
        True,
        model_of(plan),
        count_spec_of(plan),
        plan.orderings,
        64,
        out,
    )
    return out.elected, out.stats, out.nodes
