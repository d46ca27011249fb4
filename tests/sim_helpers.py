"""Helpers for simulation tests: small scenarios and reading a generated ballot tree."""

from __future__ import annotations

import numpy as np

from simcore.kernels.ers97 import max_stages
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
from simcore.sim import engine
from simcore.sim.forest import relabel
from simcore.sim.rng import stream_key


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
    cand = np.empty(cap, np.int16)
    end = np.empty(cap, np.int32)
    weight = np.empty(cap, np.int64)
    stop = np.empty(cap, np.int64)
    rel = np.empty((cap, 4), np.int32)
    width = plan.slate_members.shape[1]
    perms = np.empty((4096, width), np.int64)
    counts = np.empty(4096, np.int64)
    nc = plan.ncand
    st = [np.empty(nc * (nc + 2) + 8, np.int64) for _ in range(3)]
    path = [np.empty(nc + 2, np.int64) for _ in range(2)]
    tmp = np.zeros(2 * nc + 8, np.int64)
    stats = np.zeros(plan.n_stats)
    lot = np.empty(nc, np.int64)
    roots = np.zeros(len(plan.electorate), np.int64)
    status, m, n_rel = engine.simulate(
        stream_key(seed),
        sim,
        plan.strength,
        plan.strength_sd,
        plan.electorate,
        plan.turnout,
        plan.base_share,
        plan.swing_sd,
        plan.regional_sd,
        plan.follow,
        plan.mallows_share,
        plan.phi,
        plan.stop_after,
        plan.continue_len,
        plan.nonaligned_len,
        plan.slate_members,
        plan.slate_size,
        plan.off_slate,
        plan.off_size,
        cand,
        end,
        weight,
        stop,
        rel,
        perms,
        counts,
        st[0],
        st[1],
        st[2],
        path[0],
        path[1],
        tmp,
        stats,
        lot,
        False,
        roots,
        plan.voters_per_ballot,
        plan.generation_salt,
    )
    assert status == engine.OK
    labels = np.empty(m, np.int16)
    relabel(cand[:m], rel, n_rel, plan.orderings, strategy, labels)
    return labels, end[:m].copy(), weight[:m].copy(), stop[:m].copy()


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
    elected = np.full((n, plan.n_strategies, plan.seats), -1, np.int16)
    stats = np.zeros((n, plan.n_stats))
    nodes = np.zeros(n, np.int64)
    engine.run_chunk(
        stream_key(seed),
        first,
        n,
        True,
        plan.rule_code,
        plan.seats,
        plan.unit,
        plan.quota_kind,
        plan.direction,
        plan.block_votes,
        plan.group,
        plan.group_min,
        plan.strength,
        plan.strength_sd,
        plan.electorate,
        plan.turnout,
        plan.base_share,
        plan.swing_sd,
        plan.regional_sd,
        plan.follow,
        plan.mallows_share,
        plan.phi,
        plan.stop_after,
        plan.continue_len,
        plan.nonaligned_len,
        plan.slate_members,
        plan.slate_size,
        plan.off_slate,
        plan.off_size,
        plan.orderings,
        max_stages(plan.ncand, plan.seats) + 3 * plan.ncand,
        64,
        plan.voters_per_ballot,
        plan.generation_salt,
        plan.college_weights,
        plan.college_flags,
        elected,
        stats,
        nodes,
        np.zeros((n, plan.n_strategies, max(plan.ncand, 3)), np.int64),
    )
    return elected, stats, nodes
