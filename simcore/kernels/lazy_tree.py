"""Lazy ballot trees: a node's children are generated only when a count first needs them.

A count looks at a small part of a generated electorate: every first preference, but the later
preferences of a ballot only once the candidates before them are out of the count (15% of the
nodes of a leadership-college electorate, 28% at NEC scale).  So generated trees can leave any
node *unexpanded*: it carries what its voters' remaining preferences depend on (its group's
ballot model, how many preferences are placed, which candidates they were: a bit mask, so at
most 64 candidates) and a key.  Expanding it splits its continuing voters among their next
preferences exactly as eager generation would (:mod:`simcore.sim.generate`), with random numbers
from a stream seeded by the node's key.  The key of a child is derived from its parent's key and its
candidate, so a node always expands to the same children, whenever and whichever strategy's
count asks first: lazy trees keep common random numbers and reproducibility.

Layout: a node's children are either in place (``first[y] == IN_PLACE``: nodes ``y + 1`` to
``end[y]``, the layout of :mod:`simcore.kernels.trie`), not generated yet (``first[y] == LAZY``),
or a block elsewhere (``first[y]`` to ``first[y] + count[y]``), each child an unexpanded node.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, inlined_kernel, kernel
from simcore.kernels.rng import binomial, share_of, uniform

IN_PLACE = -2
LAZY = -1
FULL = 1  # status: the node arrays are full
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_PER_VOTER = 6
_UNIFORMS = np.uint64(0x2545F4914F6CDD1D)  # a node's uniforms: keys apart from its children's

# A lazy tree's arrays beside the node arrays (cand, end, weight, stop): per node, where its
# children are (``first``, ``count``) and what an unexpanded node's voters depend on (``group``,
# ``depth``, ``used``: a candidate bit mask, ``keys``); per ballot model (``g_*``): its phase A
# length, switch and stop hazards, members and alias tables; the drawn ``strength``; ``fill``
# (next free node, FULL flag) and scratch.  ``g_strength[g]``: the strengths group ``g``'s voters
# rank by (the drawn strengths, times a slate's affinities for its supporters).
#
# A tree built from ballot files, or generated eagerly, has every node's children in place; it
# comes with a LazyTree of capacity 0 (:func:`eager`): :func:`child_range` reads ``first`` only
# for nodes below its capacity.
LazyTree = namedtuple(
    "LazyTree",
    [
        "first",
        "count",
        "group",
        "depth",
        "used",
        "keys",
        "g_a",
        "g_pswitch",
        "g_hazard",
        "g_mem",
        "g_size",
        "g_prob",
        "g_alias",
        "g_strength",
        "strength",
        "fill",
        "rs",
        "scratch",
        "stack",
    ],
)


@borrowing_kernel
def mix(key, value):
    """A 64-bit key for ``value`` under ``key`` (SplitMix64 finaliser)."""
    z = key + (np.uint64(value) + np.uint64(1)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@borrowing_kernel
def seed_from(key, state):
    """Fill ``state`` (uint64[4]) with a xoshiro256** stream for ``key``."""
    x = key
    for j in range(4):
        x = x + _GOLDEN
        z = (x ^ (x >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        state[j] = z ^ (z >> np.uint64(31))
    if state[0] == 0 and state[1] == 0 and state[2] == 0 and state[3] == 0:
        state[0] = np.uint64(1)


@inlined_kernel
def split_into(rest, g, j, mask, key, cand, end, weight, stop, lz):
    """Write the children of ``rest`` voters of group ``g`` who have placed ``j`` preferences
    (candidates ``mask``) as unexpanded nodes at the end of the arrays; returns the index of the
    first child, or -1 if the arrays are full (``fill[1] = FULL``).  ``lz.scratch`` (ncand ints,
    zero on entry and on exit) and ``lz.rs`` (uint64[4]) are scratch."""
    first, count, group, depth, used, keys = (
        lz.first,
        lz.count,
        lz.group,
        lz.depth,
        lz.used,
        lz.keys,
    )
    g_a, g_pswitch, g_hazard, g_size = lz.g_a, lz.g_pswitch, lz.g_hazard, lz.g_size
    g_mem, g_prob, g_alias = lz.g_mem, lz.g_prob, lz.g_alias
    strength = lz.g_strength[g]
    fill, rs, tally = lz.fill, lz.rs, lz.scratch
    m = fill[0]
    first_child = m
    if rest <= 0:
        return first_child
    a = g_a[g]
    phase = 0 if j < a else 1
    size = g_size[g, phase]
    # the j placed candidates are the first a (phase A), then phase B's: count, don't scan
    n_avail = size - (j - a if phase == 1 else j)
    if n_avail == 0:
        return first_child
    if rest == 1:  # one voter (most nodes): uniforms straight from the key, no stream state
        return _one_voter(g, j, a, phase, size, mask, key, cand, end, weight, stop, lz)
    seed_from(key, rs)
    ncand = strength.shape[0]
    n_children = 0
    if rest > _PER_VOTER * n_avail:
        # multinomial by conditional binomials over the available candidates, in member order
        mass = 0.0
        for t in range(size):
            c = g_mem[g, phase, t]
            if (mask >> np.uint64(c)) & np.uint64(1) == 0:
                mass += strength[c]
        left = rest
        for t in range(size):
            c = g_mem[g, phase, t]
            if (mask >> np.uint64(c)) & np.uint64(1) != 0 or left == 0:
                continue
            w = strength[c]
            x = share_of(rs, left, w, mass)
            mass, left = mass - w, left - x
            if x > 0:
                tally[ncand + n_children] = c
                tally[c] = x
                n_children += 1
    else:
        # a few voters: each one's next preference from the alias table, used ones rejected
        for _voter in range(rest):
            c = -1
            for _ in range(64):
                u = uniform(rs) * size
                t = min(np.int64(u), size - 1)
                if u - t >= g_prob[g, phase, t]:
                    t = g_alias[g, phase, t]
                x = g_mem[g, phase, t]
                if (mask >> np.uint64(x)) & np.uint64(1) == 0 and strength[x] > 0.0:
                    c = x
                    break
            if c < 0:  # most of the weight is used up: scan the unused
                avail = 0.0
                for t in range(size):
                    x = g_mem[g, phase, t]
                    if (mask >> np.uint64(x)) & np.uint64(1) == 0:
                        avail += strength[x]
                u = uniform(rs) * avail
                for t in range(size):
                    x = g_mem[g, phase, t]
                    if (mask >> np.uint64(x)) & np.uint64(1) == 0:
                        c = x
                        u -= strength[x]
                        if u < 0.0:
                            break
            if tally[c] == 0:
                tally[ncand + n_children] = c
                n_children += 1
            tally[c] += 1
    if m + n_children > cand.shape[0]:
        for i in range(n_children):
            tally[tally[ncand + i]] = 0
        fill[1] = FULL
        return -1
    jz = j + 1
    for i in range(n_children):
        c = tally[ncand + i]
        x = tally[c]
        tally[c] = 0
        z = m + i
        cand[z] = c
        weight[z] = x
        end[z] = z + 1
        child_mask = mask | (np.uint64(1) << np.uint64(c))
        if jz < a:
            st = 0
        else:
            p = g_pswitch[g] if jz == a else g_hazard[g, min(jz - a, g_hazard.shape[1] - 1)]
            st = binomial(rs, x, p)
            if g_size[g, 1] - (jz - a) <= 0:  # nothing left to rank
                st = x
        stop[z] = st
        first[z] = LAZY
        count[z] = 0
        group[z] = g
        depth[z] = jz
        used[z] = child_mask  # (phase A and B candidates never overlap)
        keys[z] = mix(key, c)
    fill[0] = m + n_children
    return first_child


@borrowing_kernel
def _key_uniform(key, i):
    """Uniform ``i`` (53 random bits) of the counter-based stream of a node's ``key``."""
    return np.float64(mix(key ^ _UNIFORMS, i) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@inlined_kernel
def _one_voter(g, j, a, phase, size, mask, key, cand, end, weight, stop, lz):
    """:func:`split_into` for one voter: the next preference (alias table, used candidates
    rejected, then a scan) and whether the ballot stops there, from :func:`_key_uniform`."""
    g_mem, g_prob, g_alias = lz.g_mem, lz.g_prob, lz.g_alias
    strength = lz.g_strength[g]
    fill = lz.fill
    m = fill[0]
    i = 0
    c = -1
    for _ in range(64):
        u = _key_uniform(key, i) * size
        i += 1
        t = min(np.int64(u), size - 1)
        if u - t >= g_prob[g, phase, t]:
            t = g_alias[g, phase, t]
        x = g_mem[g, phase, t]
        if (mask >> np.uint64(x)) & np.uint64(1) == 0 and strength[x] > 0.0:
            c = x
            break
    if c < 0:  # most of the weight is used up: scan the unused
        avail = 0.0
        for t in range(size):
            x = g_mem[g, phase, t]
            if (mask >> np.uint64(x)) & np.uint64(1) == 0:
                avail += strength[x]
        u = _key_uniform(key, i) * avail
        i += 1
        for t in range(size):
            x = g_mem[g, phase, t]
            if (mask >> np.uint64(x)) & np.uint64(1) == 0:
                c = x
                u -= strength[x]
                if u < 0.0:
                    break
    if m >= cand.shape[0]:
        fill[1] = FULL
        return -1
    jz = j + 1
    cand[m] = c
    weight[m] = 1
    end[m] = m + 1
    if jz < a:
        st = 0
    elif lz.g_size[g, 1] - (jz - a) <= 0:  # nothing left to rank
        st = 1
    else:
        p = lz.g_pswitch[g] if jz == a else lz.g_hazard[g, min(jz - a, lz.g_hazard.shape[1] - 1)]
        st = 1 if _key_uniform(key, i) < p else 0
    stop[m] = st
    lz.first[m] = LAZY
    lz.count[m] = 0
    lz.group[m] = g
    lz.depth[m] = jz
    lz.used[m] = mask | (np.uint64(1) << np.uint64(c))
    lz.keys[m] = mix(key, c)
    fill[0] = m + 1
    return m


@inlined_kernel
def _expand_one(y, cand, end, weight, stop, lz):
    """:func:`expand` for a node of one continuing voter (``first[y] == LAZY``): its child (or
    none, if the ballot has nothing left to rank); returns the first child's index, or -1 if the
    arrays are full."""
    g = lz.group[y]
    j = lz.depth[y]
    a = lz.g_a[g]
    phase = 0 if j < a else 1
    size = lz.g_size[g, phase]
    m = lz.fill[0]
    if size - (j - a if phase == 1 else j) == 0:
        start = m
    else:
        mask, key = lz.used[y], lz.keys[y]
        start = _one_voter(g, j, a, phase, size, mask, key, cand, end, weight, stop, lz)
        if start < 0:
            return -1
    lz.first[y] = start
    lz.count[y] = lz.fill[0] - start
    return start


@borrowing_kernel
def split_group(rest, g, j, mask, key, cand, end, weight, stop, lz):
    """:func:`split_into` as a call, for the generators (kernels that reference-count their
    arrays: inlined there, every call site would count every array of ``lz`` in and out)."""
    return split_into(rest, g, j, mask, key, cand, end, weight, stop, lz)


@borrowing_kernel
def expand(y, cand, end, weight, stop, lz):
    """Generate node ``y``'s children (if not yet); returns False if the arrays are full."""
    if lz.first[y] != LAZY:
        return True
    start = split_into(
        weight[y] - stop[y],
        lz.group[y],
        lz.depth[y],
        lz.used[y],
        lz.keys[y],
        cand,
        end,
        weight,
        stop,
        lz,
    )
    if start < 0:
        return False
    lz.first[y] = start
    lz.count[y] = lz.fill[0] - start
    return True


@inlined_kernel
def _expand_inline(y, cand, end, weight, stop, lz):
    """Expand node ``y`` (unexpanded) in place of the call: the first child's index, or -1 if
    the arrays are full."""
    if weight[y] - stop[y] == 1:  # one voter (most expansions)
        return _expand_one(y, cand, end, weight, stop, lz)
    g, j, mask, key = lz.group[y], lz.depth[y], lz.used[y], lz.keys[y]
    start = split_into(weight[y] - stop[y], g, j, mask, key, cand, end, weight, stop, lz)
    if start >= 0:
        lz.first[y] = start
        lz.count[y] = lz.fill[0] - start
    return start


@inlined_kernel
def _expand_one_inline(y, cand, end, weight, stop, lz):
    """Expand node ``y`` (unexpanded): one voter inline, several by a call to :func:`expand`."""
    if weight[y] - stop[y] == 1:
        return _expand_one(y, cand, end, weight, stop, lz)
    return lz.first[y] if expand(y, cand, end, weight, stop, lz) else -1


@inlined_kernel
def _expand_call(y, cand, end, weight, stop, lz):
    """Expand node ``y`` (unexpanded) by a call to :func:`expand`."""
    return lz.first[y] if expand(y, cand, end, weight, stop, lz) else -1


def _ranges(expand_lazy):
    """A node's children range (see :func:`child_range`), unexpanded nodes expanded by
    ``expand_lazy``: more of the expansion inlined is faster but more code to compile in every
    walk that uses it."""

    @inlined_kernel
    def children(y, cand, end, weight, stop, lz):
        if y >= lz.first.shape[0]:
            return y + 1, end[y]
        f = lz.first[y]
        if f == IN_PLACE:
            return y + 1, end[y]
        if f == LAZY:
            f = expand_lazy(y, cand, end, weight, stop, lz)
            if f < 0:
                return y + 1, y + 1
        return f, f + lz.count[y]

    return children


# ``(first, last)``: node ``y``'s children are nodes ``first`` to ``last - 1``, siblings linked by
# ``end`` (expanding ``y`` first if it is unexpanded).  If the arrays are full the range is empty
# and ``lz.fill[1]`` is FULL: the caller's count is void and is repeated with larger arrays.
# Three flavours, all with the same result:
#
# * ``child_range`` inlines the whole expansion (no call per node: a call with the tree's ~25
#   array descriptors cost as much as the expansion): for one hot walk per kernel
#   (:func:`simcore.kernels.piles.transfer_pile`'s);
# * ``children_of`` inlines a one-voter node's expansion (most of them) and calls for the rest:
#   for walks inlined in several places (ERS97, Meek, IRV);
# * ``expanded_children`` calls for any: for walks that follow one that expanded the same nodes
#   (ERS97's arrival stamps, the first-preference deal).
#
# Nodes in place or expanded already cost no call in any of them.
child_range = _ranges(_expand_inline)
children_of = _ranges(_expand_one_inline)
expanded_children = _ranges(_expand_call)


@kernel
def new_lazy(capacity, ncand, n_groups, hazard_len):
    """The extra arrays of a lazy tree of ``capacity`` nodes, every node's children in place
    until a generator says otherwise, and room for ``n_groups`` ballot models: the tuple the
    counting kernels take as ``lz`` (a :data:`LazyTree`)."""
    first = np.full(capacity, IN_PLACE, np.int32)
    count = np.zeros(capacity, np.int32)
    group = np.zeros(capacity, np.int16)
    depth = np.zeros(capacity, np.int16)
    used = np.zeros(capacity, np.uint64)
    keys = np.zeros(capacity, np.uint64)
    g = max(n_groups, 1)
    g_a = np.zeros(g, np.int64)
    g_pswitch = np.ones(g, np.float64)
    g_hazard = np.ones((g, max(hazard_len, 1)), np.float64)
    g_mem = np.zeros((g, 2, max(ncand, 1)), np.int64)
    g_size = np.zeros((g, 2), np.int64)
    g_prob = np.ones((g, 2, max(ncand, 1)), np.float64)
    g_alias = np.zeros((g, 2, max(ncand, 1)), np.int64)
    g_strength = np.ones((g, max(ncand, 1)), np.float64)
    strength = np.ones(max(ncand, 1), np.float64)
    fill = np.zeros(2, np.int64)
    rs = np.zeros(4, np.uint64)
    scratch = np.zeros(2 * ncand + 8, np.int64)
    stack = np.zeros((ncand + 2, 2), np.int64)
    return LazyTree(
        first,
        count,
        group,
        depth,
        used,
        keys,
        g_a,
        g_pswitch,
        g_hazard,
        g_mem,
        g_size,
        g_prob,
        g_alias,
        g_strength,
        strength,
        fill,
        rs,
        scratch,
        stack,
    )


@kernel
def eager(ncand):
    """The LazyTree of a tree with every node's children in place (capacity 0)."""
    return new_lazy(0, ncand, 1, 1)
