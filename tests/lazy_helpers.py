"""Helpers for lazy (college) trees: generate one simulation, expand it fully, read ballots."""

from __future__ import annotations

import numpy as np

from simcore.kernels.lazy_tree import IN_PLACE, LAZY, expand, new_lazy
from simcore.kernels.rng import stream_key
from simcore.sim.bundles import model_of
from simcore.sim.electorate import new_gen_work
from simcore.sim.electorate_lazy import generate_lazy_electorate
from simcore.sim.forest import OK, new_forest
from simcore.sim.params import new_drawn


def lazy_forest(
    plan, seed: int, sim: int, strategy: int = 0, reverse: bool = False, cap: int = 1 << 16
):
    """Simulation ``sim`` of a plan as lazy trees (a college: one per region; else one rooted at
    node 0), then every node expanded (in index order, or last node first with ``reverse``);
    returns (labels, end, weight, stop, lz, roots, nodes generated before expansion), ``roots``
    the regions' roots (a college) or [0]."""
    nc = plan.ncand
    trees = new_forest(cap, cap)
    cand, end, weight, stop, rel = trees
    marks = np.zeros(len(plan.electorate) + 1, np.int64)
    lz = new_lazy(cap, nc, 2 * plan.n_slates + 1, plan.nonaligned_len.shape[0])
    work = new_gen_work(
        nc, plan.slate_members.shape[1], 4096, new_drawn(nc, plan.n_regions, plan.n_slates)
    )
    status, m, n_rel = generate_lazy_electorate(
        stream_key(seed),
        sim,
        model_of(plan),
        trees,
        work,
        np.zeros(plan.n_stats),
        np.empty(nc, np.int64),
        plan.is_college,
        marks,
        lz,
    )
    roots = marks[: len(plan.electorate)] if plan.is_college else np.zeros(1, np.int64)
    assert status == OK
    for j in range(n_rel):
        cand[rel[j, 0]] = plan.orderings[strategy, rel[j, 1], rel[j, 2], rel[j, 3]]
    initial = m
    first = lz.first
    while True:
        todo = [y for y in range(lz.fill[0]) if first[y] == LAZY]
        if not todo:
            break
        for y in reversed(todo) if reverse else todo:
            assert expand(y, cand, end, weight, stop, lz)
    return cand, end, weight, stop, lz, roots, initial


def region_ballots(cand, end, weight, stop, lz, root) -> dict[tuple[int, ...], int]:
    """The ballots below ``root`` with their numbers of voters."""
    first, count = lz.first, lz.count
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
