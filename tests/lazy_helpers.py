"""Helpers for lazy (college) trees: generate one simulation, expand it fully, read ballots."""

from __future__ import annotations

import numpy as np

from simcore.sim import engine
from simcore.sim.lazy import IN_PLACE, LAZY, expand, new_lazy
from simcore.sim.rng import stream_key


def lazy_forest(plan, seed: int, sim: int, strategy: int = 0, reverse: bool = False):
    """Simulation ``sim`` of a college plan as lazy trees, then every node expanded (in index
    order, or last node first with ``reverse``); returns (labels, end, weight, stop, lz, roots,
    nodes generated before expansion)."""
    cap = 1 << 16
    cand, end = np.empty(cap, np.int16), np.empty(cap, np.int32)
    weight, stop = np.empty(cap, np.int64), np.empty(cap, np.int64)
    rel = np.empty((cap, 4), np.int32)
    nc = plan.ncand
    roots = np.zeros(len(plan.electorate), np.int64)
    lz = new_lazy(cap, nc, 2 * plan.n_slates + 1, plan.nonaligned_len.shape[0])
    status, m, n_rel = engine.simulate_lazy(
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
        np.empty((4096, plan.slate_members.shape[1]), np.int64),
        np.empty(4096, np.int64),
        np.zeros(plan.n_stats),
        np.empty(nc, np.int64),
        roots,
        lz,
    )
    assert status == engine.OK
    for j in range(n_rel):
        cand[rel[j, 0]] = plan.orderings[strategy, rel[j, 1], rel[j, 2], rel[j, 3]]
    initial = m
    first = lz[0]
    while True:
        todo = [y for y in range(lz[14][0]) if first[y] == LAZY]
        if not todo:
            break
        for y in reversed(todo) if reverse else todo:
            assert expand(y, cand, end, weight, stop, *lz[:17])
    return cand, end, weight, stop, lz, roots, initial


def region_ballots(cand, end, weight, stop, lz, root) -> dict[tuple[int, ...], int]:
    """The ballots below ``root`` with their numbers of voters."""
    first, count = lz[0], lz[1]
    out: dict[tuple[int, ...], int] = {}

    def children(y):
        if first[y] == IN_PLACE:
            k = y + 1
            while k < end[y]:
                yield k
                k = end[k]
        else:
            yield from range(first[y], first[y] + count[y])

    def walk(y, path):
        if y != root:
            path = path + (int(cand[y]),)
            if stop[y]:
                out[path] = out.get(path, 0) + int(stop[y])
            kids = sum(weight[k] for k in children(y))
            assert weight[y] == stop[y] + kids, (y, weight[y], stop[y], kids)
        for k in children(y):
            walk(k, path)

    walk(root, ())
    return out
