"""Generating a simulated electorate's ballots, aggregated, straight into a ballot tree.

Voters of one group share a ballot model, so instead of drawing ballots one by one the
generator splits the group's count down the tree of possible ballots: at each node the voters
there are divided among "stop here" and the possible next preferences by exact binomial and
multinomial draws (or, where only a few voters are left, by drawing each one's next preference),
which gives exactly the distribution of drawing every ballot independently.  Nodes are written
depth first into a :mod:`forest`.

Plackett-Luce: the next preference is a candidate not yet ranked, with probability proportional
to its strength.  A group's ballot may have two phases: first all candidates of group A (e.g. a
slate's candidates, in a Plackett-Luce order), after which the ballot stops with probability
``p_switch``; then candidates of group B (e.g. the candidates off the slate) until the ballot's
length is reached: after the k-th preference of phase B it stops with probability
``hazard[k]``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simcore.jit import borrowing_kernel, inline_kernel, inlined_kernel, kernel
from simcore.kernels.rng import binomial, share_of, uniform

# draw voters one by one below this many per available candidate (cheaper than a multinomial)
_PER_VOTER = 6

# A group's ballot model for :func:`grow`: phase A's members (with their alias tables), phase
# B's, the probability of stopping after phase A and the hazards of stopping in phase B.
GroupModel = namedtuple(
    "GroupModel",
    ["members_a", "prob_a", "alias_a", "members_b", "prob_b", "alias_b", "p_switch", "hazard"],
)
# The generator's scratch: candidates on the current path (``used``), the stack of pending
# children (candidate, voters, depth), the open path, and a zeroed tally (2 * ncand + 8).
GrowScratch = namedtuple(
    "GrowScratch", ["used", "st_c", "st_n", "st_d", "path_node", "path_cand", "tmp"]
)


@kernel
def hazards(probs, out):
    """``out[k]`` = P(length = k | length >= k) for k >= 1 (``out[0]`` unused); 1 past the end."""
    left = 1.0
    out[0] = 0.0
    for k in range(1, out.shape[0]):
        if k - 1 < probs.shape[0] and left > 1e-15:
            h = probs[k - 1] / left
            out[k] = min(max(h, 0.0), 1.0)
            left -= probs[k - 1]
        else:
            out[k] = 1.0


@kernel
def alias_table(members, strength, prob, alias):
    """Walker's alias table (Vose's construction) for choosing among ``members`` in proportion
    to their strengths: one uniform draw and one comparison per choice."""
    n = members.shape[0]
    total = 0.0
    for j in range(n):
        total += strength[members[j]]
    small = np.empty(n, np.int64)
    large = np.empty(n, np.int64)
    q = np.empty(n, np.float64)
    ns = 0
    nl = 0
    # a column goes on the small or the large worklist: written to both, only one list grows
    for j in range(n):
        q[j] = strength[members[j]] * n / total if total > 0 else 1.0
        small[ns], large[nl] = j, j
        ns, nl = (ns + 1, nl) if q[j] < 1.0 else (ns, nl + 1)
    while ns > 0 and nl > 0:
        ns -= 1
        sm = small[ns]
        nl -= 1
        lg = large[nl]
        prob[sm] = q[sm]
        alias[sm] = lg
        q[lg] = q[lg] + q[sm] - 1.0
        small[ns], large[nl] = lg, lg
        ns, nl = (ns + 1, nl) if q[lg] < 1.0 else (ns, nl + 1)
    # what is left are full columns (small ones only through rounding: they are close to full)
    for k in range(nl + ns):
        x = large[k] if k < nl else small[k - nl]
        prob[x] = 1.0
        alias[x] = x


@inlined_kernel
def _alias_pick(s, members, prob, alias, strength, used):
    """A Plackett-Luce choice among the unused ``members``: alias-table draws, rejecting
    candidates already used (24 tries), then a direct scan."""
    size = members.shape[0]
    for _ in range(24):
        u = uniform(s) * size
        j = min(np.int64(u), size - 1)
        if u - j >= prob[j]:
            j = alias[j]
        x = members[j]
        if not used[x] and strength[x] > 0.0:
            return x
    return _pick_scan(s, members, strength, used)


@borrowing_kernel
def _pick_scan(s, members, strength, used):
    """A Plackett-Luce choice among the unused ``members`` by a direct scan."""
    avail = 0.0
    for j in range(members.shape[0]):
        if not used[members[j]]:
            avail += strength[members[j]]
    u = uniform(s) * avail
    last = -1
    for j in range(members.shape[0]):
        c = members[j]
        if not used[c]:
            last = c
            u -= strength[c]
            if u < 0.0:
                return c
    return last


@inline_kernel
def thin(s, n, k):
    """A 1-in-``k`` sample of ``n`` voters: ``n // k``, plus one with probability
    ``(n % k) / k``, so that ``k`` times it is ``n`` on average."""
    return n // k + (1 if uniform(s) * k < n % k else 0)


@borrowing_kernel
def _multinomial_children(s, rest, depth, members, strength, used, st_c, st_n, st_d, top):
    """Divide ``rest`` voters among the unused ``members`` by conditional binomials (their next
    preferences) and push the non-empty children on the stack; returns the new stack top."""
    left = rest
    mass = 0.0
    for j in range(members.shape[0]):
        if not used[members[j]]:
            mass += strength[members[j]]
    first = top
    for j in range(members.shape[0]):
        c = members[j]
        if used[c] or left == 0:
            continue
        w = strength[c]
        x = share_of(s, left, w, mass)
        mass, left = mass - w, left - x
        if x > 0:
            st_c[top] = c
            st_n[top] = x
            st_d[top] = depth
            top += 1
    # reverse, so that children come off the stack in member order
    i, k = first, top - 1
    while i < k:
        st_c[i], st_c[k] = st_c[k], st_c[i]
        st_n[i], st_n[k] = st_n[k], st_n[i]
        i += 1
        k -= 1
    return top


@borrowing_kernel
def grow(s, n, a, group, strength, forest, m, scratch, per_ballot, thin_depth):
    """Write the subtree of ``n`` voters below an open node (the caller's): phase A over
    ``members_a`` for ``a`` preferences (``a`` may be 0), then phase B.  Returns the new node
    count, or -1 if the buffers are full.

    ``thin_depth`` >= 0 samples the voters (the sampled approximation, see
    :func:`scale_sampled`): those who go on below each node at that depth (0: all ``n``) are
    replaced by a 1-in-``per_ballot`` sample of them, and the nodes below count sampled voters.
    -1: every voter (exact).

    The body is written out by hand (no helper calls on the common path): Numba adds
    reference-counting work at helper boundaries that costs more than the work itself here.
    ``group`` is a :data:`GroupModel`, ``forest`` a :data:`simcore.sim.forest.Forest` and
    ``scratch`` a :data:`GrowScratch`, whose ``tmp[:ncand]`` must be zero on entry (it is on
    exit).
    """
    if n <= 0:
        return m
    members_a, prob_a, alias_a = group.members_a, group.prob_a, group.alias_a
    members_b, prob_b, alias_b = group.members_b, group.prob_b, group.alias_b
    p_switch, hazard = group.p_switch, group.hazard
    cand, end, weight, stop = forest.cand, forest.end, forest.weight, forest.stop
    used, st_c, st_n, st_d = scratch.used, scratch.st_c, scratch.st_n, scratch.st_d
    path_node, path_cand, tmp = scratch.path_node, scratch.path_cand, scratch.tmp
    ncand = used.shape[0]
    n_b = members_b.shape[0]
    capacity = cand.shape[0]
    top = 0
    open_depth = 0
    used_b = 0
    # the pending split: ``rest`` voters at depth ``depth`` choose their next preference
    rest = n
    depth = 1
    in_a = a > 0
    if thin_depth == 0:
        rest = thin(s, n, per_ballot)
    while True:
        if rest > 0:
            # (no array variables are rebound here: Numba would reference-count each one)
            n_avail = a - (depth - 1) if in_a else n_b - used_b
            if top + n_avail + 1 > st_c.shape[0]:
                return -1
            if rest > _PER_VOTER * n_avail:
                if in_a:
                    top = _multinomial_children(
                        s, rest, depth, members_a, strength, used, st_c, st_n, st_d, top
                    )
                else:
                    top = _multinomial_children(
                        s, rest, depth, members_b, strength, used, st_c, st_n, st_d, top
                    )
            else:
                # a few voters: draw each one's next preference, count them by candidate
                n_distinct = 0
                for _voter in range(rest):
                    if in_a:
                        c = _alias_pick(s, members_a, prob_a, alias_a, strength, used)
                    else:
                        c = _alias_pick(s, members_b, prob_b, alias_b, strength, used)
                    if tmp[c] == 0:
                        tmp[ncand + n_distinct] = c
                        n_distinct += 1
                    tmp[c] += 1
                for i in range(n_distinct):
                    c = tmp[ncand + i]
                    st_c[top] = c
                    st_n[top] = tmp[c]
                    st_d[top] = depth
                    tmp[c] = 0
                    top += 1
        if top == 0:
            break
        top -= 1
        c = st_c[top]
        cnt = st_n[top]
        j = st_d[top]
        while open_depth >= j:
            end[path_node[open_depth]] = m
            used[path_cand[open_depth]] = False
            if open_depth > a:
                used_b -= 1
            open_depth -= 1
        if m >= capacity:
            return -1
        y = m
        cand[y] = c
        weight[y] = cnt
        stop[y] = 0
        m += 1
        path_node[j] = y
        path_cand[j] = c
        used[c] = True
        open_depth = j
        depth = j + 1
        if j < a:
            rest = cnt
            in_a = True
            if j == thin_depth:  # (the voters below are sampled)
                rest = thin(s, rest, per_ballot)
            continue
        in_a = False
        if j > a:
            used_b += 1
        p_stop = p_switch if j == a else hazard[min(j - a, hazard.shape[0] - 1)]
        if cnt == 1:
            stops = 1 if uniform(s) < p_stop else 0
        else:
            stops = binomial(s, cnt, p_stop)
        if n_b - used_b <= 0:
            stops = cnt
        stop[y] = stops
        rest = cnt - stops
        if j == thin_depth and rest > 0:  # (the voters below are sampled)
            rest = thin(s, rest, per_ballot)
        if rest == 1 and j >= a and j >= thin_depth:
            # one voter goes on: write the rest of their ballot as a chain, without the stack
            k = j - a
            chain_start = m
            while True:
                c = _alias_pick(s, members_b, prob_b, alias_b, strength, used)
                if m >= capacity:
                    return -1
                cand[m] = c
                weight[m] = 1
                used[c] = True
                used_b += 1
                k += 1
                m += 1
                if n_b - used_b <= 0 or uniform(s) < hazard[min(k, hazard.shape[0] - 1)]:
                    stop[m - 1] = 1
                    break
                stop[m - 1] = 0
            for z in range(chain_start, m):
                end[z] = m
                used[cand[z]] = False
            used_b -= m - chain_start
            rest = 0
    while open_depth >= 1:
        end[path_node[open_depth]] = m
        used[path_cand[open_depth]] = False
        open_depth -= 1
    return m


@kernel
def mallows_patterns(s, n, k, phi, perms, counts):
    """Split ``n`` voters among Mallows permutations of ``k`` items around the identity, by the
    repeated insertion model: item ``i`` goes to position ``j`` (0..i) of the ``i`` items placed
    before it with probability proportional to ``phi**(i - j)``.  ``perms[p, :k]`` receives each
    non-empty pattern (item at each rank) and ``counts[p]`` its voters; returns the number of
    patterns, or -1 if ``perms`` is too small."""
    if n <= 0:
        return 0
    # depth-first over insertion choices; stack holds (level, choice, count)
    stack_level = np.empty(k * (k + 1) + 2, np.int64)
    stack_choice = np.empty(k * (k + 1) + 2, np.int64)
    stack_n = np.empty(k * (k + 1) + 2, np.int64)
    choice = np.zeros(k, np.int64)
    weights = np.empty(k, np.float64)
    top = 0
    stack_level[0] = 0
    stack_choice[0] = 0
    stack_n[0] = n
    top = 1
    n_patterns = 0
    seq = np.empty(k, np.int64)
    while top > 0:
        top -= 1
        level = stack_level[top]
        choice[level] = stack_choice[top]
        cnt = stack_n[top]
        if level == k - 1:
            if n_patterns >= perms.shape[0]:
                return -1
            # build the permutation from the insertion choices
            length = 0
            for i in range(k):
                pos = choice[i]
                for t in range(length, pos, -1):
                    seq[t] = seq[t - 1]
                seq[pos] = i
                length += 1
            for t in range(k):
                perms[n_patterns, t] = seq[t]
            counts[n_patterns] = cnt
            n_patterns += 1
            continue
        nxt = level + 1
        # item nxt goes to position j in 0..nxt with weight phi**(nxt - j)
        total = 0.0
        for j in range(nxt + 1):
            weights[j] = phi ** (nxt - j) if phi > 0.0 else (1.0 if j == nxt else 0.0)
            total += weights[j]
        left = cnt
        for j in range(nxt + 1):
            if left == 0:
                break
            w = weights[j]
            x = share_of(s, left, w, total)
            total, left = total - w, left - x
            if x > 0:
                stack_level[top], stack_choice[top], stack_n[top] = nxt, j, x
                top += 1
    return n_patterns


@borrowing_kernel
def scale_sampled(weight, stop, end, first, last, k, exact_depth):
    """Weigh a group's sampled voters: the nodes ``first .. last - 1`` written by :func:`grow`
    with ``thin_depth`` = ``exact_depth`` (0 or 1) count sampled voters below that depth; each
    stands for ``k`` voters.  Scales them, sets each top-level node's weight to what its
    subtree then stands for, and returns the group's total."""
    total = 0
    y = first
    while y < last:
        e = end[y]
        for z in range(y + exact_depth, e):
            weight[z] *= k
            stop[z] *= k
        if exact_depth == 1:
            kids = 0
            c = y + 1
            while c < e:
                kids += weight[c]
                c = end[c]
            weight[y] = stop[y] + kids
        total += weight[y]
        y = e
    return total
