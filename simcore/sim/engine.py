"""The simulation kernel: draw a scenario's uncertain parameters, generate the electorate as a
ballot tree, count it under every strategy, record who is elected.

Simulation ``i`` uses only its own random stream (:mod:`rng`), so a run's results depend on the
seed alone, not on threads or chunk sizes.  Strategies are counted on the same electorate
(common random numbers): the tree is generated once with recommended-order slots and relabelled
for each strategy (:mod:`forest`).
"""

from __future__ import annotations

import math

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels import college, ers97, irv, meek, wigm
from simcore.sim.forest import emit
from simcore.sim.generate import alias_table, grow, mallows_patterns, scale_sampled, thin
from simcore.sim.lazy import IN_PLACE, LAZY, mix, new_lazy, split_into
from simcore.sim.rng import below, beta, binomial, multinomial, normal, seed_stream, uniform

OK = 0
FOREST_FULL = 1
PATTERNS_FULL = 2
COLLEGE_IRV = 10  # rule codes of the engine beyond the counting rules (see plan.RULE_CODES)
COLLEGE_BLOCK = 11
# voters_per_ballot K > 1 (see simulate): randomly drawn preferences generated exactly in each
# group before its voters are sampled (0 or 1: see generate.scale_sampled)
EXACT_DEPTH = 1


@borrowing_kernel
def draw(s, row):
    """A draw of an uncertain parameter given as (kind, a, b): fixed a, Beta(a, b), U(a, b)."""
    if row[0] == 0:
        return row[1]
    if row[0] == 1:
        return beta(s, row[1], row[2])
    return row[1] + (row[2] - row[1]) * uniform(s)


@borrowing_kernel
def _chain(slots, k, count, slate, region, cand, end, weight, stop, m, rel, n_rel, chain):
    """Nodes for a group whose first ``k`` preferences are slots ``slots[:k]`` of the ordering
    the strategy gives ``slate`` in ``region``.  Returns (m, n_rel) or (-1, 0) when full."""
    for t in range(k):
        y = emit(cand, weight, stop, m, -1, count)
        if y < 0 or n_rel >= rel.shape[0]:
            return -1, 0
        rel[n_rel, 0] = y
        rel[n_rel, 1] = slate
        rel[n_rel, 2] = region
        rel[n_rel, 3] = slots[t]
        n_rel += 1
        chain[t] = y
        m += 1
    return m, n_rel


@kernel
def draw_parameters(
    s,
    strength0,
    strength_sd,
    electorate,
    turnout,
    base_share,
    swing_sd,
    regional_sd,
    follow,
    phi,
    stop_after,
    lot,
    strength,
    supporters,
    voters,
    f,
    ph,
    sa,
):
    """A simulation's uncertain parameters: ties' lot order, candidate strengths, turnout and
    voters by region, each region's voters split among the blocs, and each slate's follow
    rate, dispersion and stop-after-slate probability.  Returns (voters, electorate)."""
    ncand = strength0.shape[0]
    n_regions = electorate.shape[0]
    n_slates = swing_sd.shape[0]
    # ties by lot: a random priority per candidate
    for c in range(ncand):
        lot[c] = c
    for c in range(ncand - 1, 0, -1):
        j = below(s, c + 1)
        lot[c], lot[j] = lot[j], lot[c]
    for c in range(ncand):
        strength[c] = strength0[c] * (math.exp(strength_sd * normal(s)) if strength_sd > 0 else 1.0)
    # turnout and blocs
    probs = np.empty(n_slates + 1, np.float64)
    swing = np.empty(n_slates, np.float64)
    for k in range(n_slates):
        swing[k] = swing_sd[k] * normal(s) if swing_sd[k] > 0 else 0.0
    voters_total = 0
    electorate_total = 0
    for r in range(n_regions):
        t = draw(s, turnout[r])
        voters[r] = binomial(s, electorate[r], t)
        voters_total += voters[r]
        electorate_total += electorate[r]
        total = 0.0
        for k in range(n_slates):
            x = base_share[r, k] + swing[k]
            if regional_sd[k] > 0:
                x += regional_sd[k] * normal(s)
            x = min(max(x, 0.0), 1.0)
            probs[k] = x
            total += x
        if total > 1.0:
            for k in range(n_slates):
                probs[k] /= total
            total = 1.0
        probs[n_slates] = max(1.0 - total, 0.0)
        multinomial(s, voters[r], probs, supporters[r])
    for k in range(n_slates):
        f[k] = draw(s, follow[k])
        ph[k] = draw(s, phi[k])
        sa[k] = draw(s, stop_after[k])
    return voters_total, electorate_total


@kernel
def simulate(
    key,
    sim,
    strength0,
    strength_sd,
    electorate,
    turnout,
    base_share,
    swing_sd,
    regional_sd,
    follow,
    mallows_share,
    phi,
    stop_after,
    continue_len,
    nonaligned_len,
    slate_members,
    slate_size,
    off_slate,
    off_size,
    cand,
    end,
    weight,
    stop,
    rel,
    perms,
    counts,
    st_c,
    st_n,
    st_d,
    path_node,
    path_cand,
    tmp,
    stats,
    lot,
    per_region,
    region_root,
    voters_per_ballot,
    generation_salt,
):
    """Draw simulation ``sim`` into the forest buffers; returns (status, nodes, relabel rows).

    With ``per_region`` every region gets a tree of its own (rooted at ``region_root[r]``; a
    college counts them separately); otherwise node 0 roots one tree for all regions.

    ``voters_per_ballot`` K > 1 is the documented approximation (docs/scenarios.md).  The
    parameters, the blocs, and the split of each slate's supporters into followers, Mallows
    and Plackett-Luce voters are drawn exactly, as are the followers' ballots down to the slate's
    end.  Below that, each group is generated exactly down to its first ``EXACT_DEPTH`` randomly
    drawn preferences, and from there on from a 1-in-K sample of its voters, each weighing K
    (:func:`generate.grow` samples, :func:`generate.scale_sampled` weighs); Mallows voters are a
    1-in-K sample as a whole.  Nodes above a sample weigh what it stands for (within K of the
    exact count).  The parameters are drawn before any of this, so they (and the recorded
    figures) are the exact run's with the same seed.

    ``generation_salt`` (0 in runs) != 0 generates the electorate from a stream of its own after
    the parameters are drawn: another electorate from the same parameters."""
    s = np.empty(4, np.uint64)
    seed_stream(key, sim, s)
    ncand = strength0.shape[0]
    n_regions = electorate.shape[0]
    n_slates = swing_sd.shape[0]
    strength = np.empty(ncand, np.float64)
    supporters = np.zeros((n_regions, n_slates + 1), np.int64)
    voters = np.zeros(n_regions, np.int64)
    f = np.empty(n_slates, np.float64)
    ph = np.empty(n_slates, np.float64)
    sa = np.empty(n_slates, np.float64)
    voters_total, electorate_total = draw_parameters(
        s,
        strength0,
        strength_sd,
        electorate,
        turnout,
        base_share,
        swing_sd,
        regional_sd,
        follow,
        phi,
        stop_after,
        lot,
        strength,
        supporters,
        voters,
        f,
        ph,
        sa,
    )
    _keep_figures(stats, voters_total, electorate_total, supporters, f, ph, sa)
    if generation_salt != 0:  # another electorate from the same parameters (sampling checks)
        key2 = key.copy()
        key2[1] ^= np.uint64(generation_salt)
        seed_stream(key2, sim, s)
    # the forest
    used = np.zeros(ncand, np.bool_)
    all_members = np.arange(ncand)
    prob_all = np.empty(ncand, np.float64)
    alias_all = np.empty(ncand, np.int64)
    chain = np.empty(ncand + 1, np.int64)
    slots = np.empty(ncand + 1, np.int64)
    n_a_max = slate_members.shape[1]
    prob_a2 = np.empty((n_slates, max(n_a_max, 1)), np.float64)
    alias_a2 = np.empty((n_slates, max(n_a_max, 1)), np.int64)
    prob_b2 = np.empty((n_slates, ncand), np.float64)
    alias_b2 = np.empty((n_slates, ncand), np.int64)
    for k in range(n_slates):
        alias_table(slate_members[k, : slate_size[k]], strength, prob_a2[k], alias_a2[k])
        alias_table(off_slate[k, : off_size[k]], strength, prob_b2[k], alias_b2[k])
    alias_table(all_members, strength, prob_all, alias_all)
    for t in range(ncand + 1):
        slots[t] = t
    per = voters_per_ballot
    sampled = per > 1
    thin_depth = EXACT_DEPTH if sampled else -1  # (grow: -1 generates every voter)
    m = 0
    if not per_region:  # one tree for every region: node 0 is its root
        cand[0] = -1
        weight[0] = voters_total
        stop[0] = 0
        m = 1
    n_rel = 0
    delta = 0  # (sampled: the voters the tree stands for, less the exact number)
    for r in range(n_regions):
        root = m
        if per_region:  # each region (a college's section or unit) has a tree of its own
            if m >= cand.shape[0]:
                return FOREST_FULL, 0, 0
            cand[root] = -1
            weight[root] = voters[r]
            stop[root] = 0
            region_root[r] = root
            m += 1
        for k in range(n_slates):
            ka = slate_size[k]
            nb = off_size[k]
            n_sup = supporters[r, k]
            followers = binomial(s, n_sup, f[k])
            others = n_sup - followers
            n_mallows = binomial(s, others, mallows_share[k])
            n_pl = others - n_mallows
            if sampled:  # Mallows voters: a 1-in-K sample of them, patterns and all
                n_sample = thin(s, n_mallows, per)
                delta += n_sample * per - n_mallows
                n_mallows = n_sample
            n_pat = 0
            if n_mallows > 0:
                n_pat = mallows_patterns(s, n_mallows, ka, ph[k], perms, counts)
                if n_pat < 0:
                    return PATTERNS_FULL, 0, 0
            # followers (the recommended order itself), then each Mallows pattern of it
            for p in range(-1, n_pat):
                count = followers if p < 0 else counts[p]
                if count <= 0:
                    continue
                scale = per if p >= 0 else 1  # (sampled Mallows voters weigh K)
                m, n_rel = _chain(
                    slots if p < 0 else perms[p],
                    ka,
                    count * scale,
                    k,
                    r,
                    cand,
                    end,
                    weight,
                    stop,
                    m,
                    rel,
                    n_rel,
                    chain,
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                halt = binomial(s, count, sa[k])
                stop[chain[ka - 1]] = halt * scale
                m0 = m
                m = grow(
                    s,
                    count - halt,
                    0,
                    slate_members[k, :ka],
                    prob_a2[k, :ka],
                    alias_a2[k, :ka],
                    off_slate[k, :nb],
                    prob_b2[k, :nb],
                    alias_b2[k, :nb],
                    strength,
                    1.0,
                    continue_len[k],
                    used,
                    cand,
                    end,
                    weight,
                    stop,
                    m,
                    st_c,
                    st_n,
                    st_d,
                    path_node,
                    path_cand,
                    tmp,
                    per,
                    thin_depth if p < 0 else -1,
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                for t in range(ka):
                    end[chain[t]] = m
                if sampled and p < 0:  # the followers' chain weighs what its sample stands for
                    d = scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - (count - halt)
                    for t in range(ka):
                        weight[chain[t]] += d
                    delta += d
                elif sampled:  # (a Mallows pattern's voters are all sampled)
                    scale_sampled(weight, stop, end, m0, m, per, 0)
            # Plackett-Luce over the slate's candidates, then off the slate
            if n_pl > 0:
                m0 = m
                m = grow(
                    s,
                    n_pl,
                    ka,
                    slate_members[k, :ka],
                    prob_a2[k, :ka],
                    alias_a2[k, :ka],
                    off_slate[k, :nb],
                    prob_b2[k, :nb],
                    alias_b2[k, :nb],
                    strength,
                    sa[k],
                    continue_len[k],
                    used,
                    cand,
                    end,
                    weight,
                    stop,
                    m,
                    st_c,
                    st_n,
                    st_d,
                    path_node,
                    path_cand,
                    tmp,
                    per,
                    thin_depth,
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                if sampled:
                    delta += scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - n_pl
        if per_region:  # this region's non-aligned voters
            m0 = m
            m = grow(
                s,
                supporters[r, n_slates],
                0,
                all_members,
                prob_all,
                alias_all,
                all_members,
                prob_all,
                alias_all,
                strength,
                1.0,
                nonaligned_len,
                used,
                cand,
                end,
                weight,
                stop,
                m,
                st_c,
                st_n,
                st_d,
                path_node,
                path_cand,
                tmp,
                per,
                thin_depth,
            )
            if m < 0:
                return FOREST_FULL, 0, 0
            end[root] = m
            if sampled:
                n_na = supporters[r, n_slates]
                delta += scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - n_na
                weight[root] += delta
                delta = 0
    if not per_region:  # the non-aligned voters of every region: Plackett-Luce over everyone
        n_na = 0
        for r in range(n_regions):
            n_na += supporters[r, n_slates]
        m0 = m
        m = grow(
            s,
            n_na,
            0,
            all_members,
            prob_all,
            alias_all,
            all_members,
            prob_all,
            alias_all,
            strength,
            1.0,
            nonaligned_len,
            used,
            cand,
            end,
            weight,
            stop,
            m,
            st_c,
            st_n,
            st_d,
            path_node,
            path_cand,
            tmp,
            per,
            thin_depth,
        )
        if m < 0:
            return FOREST_FULL, 0, 0
        end[0] = m
        if sampled:
            delta += scale_sampled(weight, stop, end, m0, m, per, EXACT_DEPTH) - n_na
            weight[0] += delta
    return OK, m, n_rel


@borrowing_kernel
def _keep_figures(stats, voters_total, electorate_total, supporters, f, ph, sa):
    """The drawn figures recorded for each simulation (see plan.STAT_*)."""
    stats[0] = voters_total
    stats[1] = voters_total / electorate_total if electorate_total > 0 else 0.0
    for k in range(f.shape[0]):
        sup = 0
        for r in range(supporters.shape[0]):
            sup += supporters[r, k]
        stats[2 + 4 * k] = sup / voters_total if voters_total > 0 else 0.0
        stats[3 + 4 * k] = f[k]
        stats[4 + 4 * k] = ph[k]
        stats[5 + 4 * k] = sa[k]


@kernel
def simulate_lazy(
    key,
    sim,
    strength0,
    strength_sd,
    electorate,
    turnout,
    base_share,
    swing_sd,
    regional_sd,
    follow,
    mallows_share,
    phi,
    stop_after,
    continue_len,
    nonaligned_len,
    slate_members,
    slate_size,
    off_slate,
    off_size,
    cand,
    end,
    weight,
    stop,
    rel,
    perms,
    counts,
    stats,
    lot,
    region_root,
    lz,
):
    """Draw simulation ``sim`` as lazy trees, one per region (a college's sections or units):
    recommended-order chains are written out, everything below them and every Plackett-Luce
    choice is left for the count to expand (:mod:`simcore.sim.lazy`).  Returns (status,
    nodes, relabel rows)."""
    (
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
        strength,
        fill,
        rs,
        scratch,
        stack,
    ) = lz
    s = np.empty(4, np.uint64)
    seed_stream(key, sim, s)
    ncand = strength0.shape[0]
    n_regions = electorate.shape[0]
    n_slates = swing_sd.shape[0]
    supporters = np.zeros((n_regions, n_slates + 1), np.int64)
    voters = np.zeros(n_regions, np.int64)
    f = np.empty(n_slates, np.float64)
    ph = np.empty(n_slates, np.float64)
    sa = np.empty(n_slates, np.float64)
    voters_total, electorate_total = draw_parameters(
        s,
        strength0,
        strength_sd,
        electorate,
        turnout,
        base_share,
        swing_sd,
        regional_sd,
        follow,
        phi,
        stop_after,
        lot,
        strength,
        supporters,
        voters,
        f,
        ph,
        sa,
    )
    # ballot models: slate k's continuation (2k), its Plackett-Luce supporters (2k + 1), and
    # the non-aligned (2K); row 0 of the member tables is phase A, row 1 phase B
    na = 2 * n_slates
    for gi in range(na + 1):
        k = gi // 2
        if gi == na:
            g_a[gi] = 0
            g_pswitch[gi] = 1.0
            g_size[gi, 0] = 0
            g_size[gi, 1] = ncand
            for c in range(ncand):
                g_mem[gi, 1, c] = c
            for h in range(g_hazard.shape[1]):
                g_hazard[gi, h] = nonaligned_len[min(h, nonaligned_len.shape[0] - 1)]
        else:
            pl = gi % 2 == 1
            g_a[gi] = slate_size[k] if pl else 0
            g_pswitch[gi] = sa[k] if pl else 1.0
            g_size[gi, 0] = slate_size[k] if pl else 0
            g_size[gi, 1] = off_size[k]
            for t in range(slate_size[k]):
                g_mem[gi, 0, t] = slate_members[k, t]
            for t in range(off_size[k]):
                g_mem[gi, 1, t] = off_slate[k, t]
            for h in range(g_hazard.shape[1]):
                g_hazard[gi, h] = continue_len[k, min(h, continue_len.shape[1] - 1)]
        for ph_ in range(2):
            n = g_size[gi, ph_]
            if n > 0:
                alias_table(g_mem[gi, ph_, :n], strength, g_prob[gi, ph_, :n], g_alias[gi, ph_, :n])
    sim_key = mix(mix(key[0], key[1]), sim)
    chain = np.empty(ncand + 1, np.int64)
    slots = np.empty(ncand + 1, np.int64)
    for t in range(ncand + 1):
        slots[t] = t
    m = 0
    n_rel = 0
    fill[1] = 0
    for r in range(n_regions):
        root = m
        if m >= cand.shape[0]:
            return FOREST_FULL, 0, 0
        cand[root] = -1
        weight[root] = voters[r]
        stop[root] = 0
        first[root] = IN_PLACE
        region_root[r] = root
        m += 1
        r_key = mix(sim_key, r)
        for k in range(n_slates):
            ka = slate_size[k]
            n_sup = supporters[r, k]
            followers = binomial(s, n_sup, f[k])
            others = n_sup - followers
            n_mallows = binomial(s, others, mallows_share[k])
            n_pl = others - n_mallows
            n_pat = 0
            if n_mallows > 0:
                n_pat = mallows_patterns(s, n_mallows, ka, ph[k], perms, counts)
                if n_pat < 0:
                    return PATTERNS_FULL, 0, 0
            k_key = mix(r_key, 2 * k)
            for p in range(-1, n_pat):
                cnt = followers if p < 0 else counts[p]
                if cnt <= 0:
                    continue
                m, n_rel = _chain(
                    slots if p < 0 else perms[p],
                    ka,
                    cnt,
                    k,
                    r,
                    cand,
                    end,
                    weight,
                    stop,
                    m,
                    rel,
                    n_rel,
                    chain,
                )
                if m < 0:
                    return FOREST_FULL, 0, 0
                for t in range(ka):
                    end[chain[t]] = m
                    first[chain[t]] = IN_PLACE
                tail = chain[ka - 1]
                stop[tail] = binomial(s, cnt, sa[k])
                first[tail] = LAZY
                group[tail] = 2 * k
                depth[tail] = 0
                used[tail] = 0
                keys[tail] = mix(k_key, p + 1)
            fill[0] = m
            if (
                split_into(
                    n_pl,
                    2 * k + 1,
                    0,
                    np.uint64(0),
                    mix(r_key, 2 * k + 1),
                    cand,
                    end,
                    weight,
                    stop,
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
                    strength,
                    fill,
                    rs,
                    scratch,
                )
                < 0
            ):
                return FOREST_FULL, 0, 0
            m = fill[0]
        fill[0] = m
        if (
            split_into(
                supporters[r, n_slates],
                na,
                0,
                np.uint64(0),
                mix(r_key, na),
                cand,
                end,
                weight,
                stop,
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
                strength,
                fill,
                rs,
                scratch,
            )
            < 0
        ):
            return FOREST_FULL, 0, 0
        m = fill[0]
        end[root] = m
    fill[0] = m
    _keep_figures(stats, voters_total, electorate_total, supporters, f, ph, sa)
    return OK, m, n_rel


@kernel
def count_forest(
    rule,
    cand,
    end,
    weight,
    stop,
    ncand,
    start,
    seats,
    unit,
    quota_kind,
    direction,
    block_votes,
    lot,
    group,
    group_min,
    withdrawn,
    log_votes,
    log_state,
    log_exh,
    log_lost,
    log_quota,
    log_action,
    log_subject,
    log_tie,
    elected,
    elected_stage,
    excluded_stage,
    meta,
):
    """Count a forest under the engine's rule code; the result is in the log arrays.

    ``start``: each candidate's pile segment (:func:`simcore.kernels.trie.pile_offsets`)."""
    if rule == 0:
        wigm.count_wigm(
            cand,
            end,
            weight,
            stop,
            start,
            seats,
            withdrawn,
            unit,
            quota_kind,
            direction,
            lot,
            group,
            group_min,
            log_votes,
            log_state,
            log_exh,
            log_lost,
            log_quota,
            log_action,
            log_subject,
            log_tie,
            elected,
            elected_stage,
            excluded_stage,
            meta,
        )
    elif rule == 1:
        meek.count_meek(
            cand,
            end,
            weight,
            stop,
            start,
            ncand + 1,
            seats,
            withdrawn,
            lot,
            group,
            group_min,
            log_votes,
            log_state,
            log_exh,
            log_lost,
            log_quota,
            log_action,
            log_subject,
            log_tie,
            elected,
            elected_stage,
            excluded_stage,
            meta,
        )
    elif rule == 2:
        ers97.count_ers97(
            cand,
            end,
            weight,
            stop,
            start,
            seats,
            withdrawn,
            lot,
            group,
            group_min,
            log_votes,
            log_state,
            log_exh,
            log_lost,
            log_quota,
            log_action,
            log_subject,
            log_tie,
            elected,
            elected_stage,
            excluded_stage,
            meta,
        )
    elif rule == 3:
        irv.count_irv(
            cand,
            end,
            weight,
            stop,
            start,
            withdrawn,
            direction,
            lot,
            log_votes,
            log_state,
            log_exh,
            log_lost,
            log_quota,
            log_action,
            log_subject,
            log_tie,
            elected,
            elected_stage,
            excluded_stage,
            meta,
        )
    else:
        irv.count_block(
            cand,
            end,
            weight,
            stop,
            start,
            withdrawn,
            seats,
            block_votes,
            lot,
            group,
            group_min,
            log_votes,
            log_state,
            log_exh,
            log_lost,
            log_quota,
            log_action,
            log_subject,
            log_tie,
            elected,
            elected_stage,
            excluded_stage,
            meta,
        )


@kernel
def run_chunk(
    key,
    first_sim,
    n_sims,
    do_count,
    rule,
    seats,
    unit,
    quota_kind,
    direction,
    block_votes,
    group,
    group_min,
    strength0,
    strength_sd,
    electorate,
    turnout,
    base_share,
    swing_sd,
    regional_sd,
    follow,
    mallows_share,
    phi,
    stop_after,
    continue_len,
    nonaligned_len,
    slate_members,
    slate_size,
    off_slate,
    off_size,
    orderings,
    max_stages,
    capacity,
    voters_per_ballot,
    generation_salt,
    college_weights,
    college_flags,
    out_elected,
    out_stats,
    out_nodes,
    out_extra,
):
    """Simulations ``first_sim .. first_sim + n_sims - 1``: ``out_elected[i, strategy, :]`` the
    candidates elected (in order, -1 padded), ``out_stats[i]`` the drawn figures,
    ``out_nodes[i]`` the size of the ballot tree.  ``do_count=False`` only generates (to time
    generation alone).

    Colleges (``rule`` COLLEGE_IRV or COLLEGE_BLOCK): regions are sections or units weighted by
    ``college_weights``; ``college_flags`` = (units by IRV, proportional allocation).
    ``out_elected[i, s, 0]`` is the winner (-1: no majority) and ``out_extra[i, s]`` holds
    (rounds, decisive section, runner-up) for weighted sections, or the weight each candidate
    won for block units."""
    ncand = strength0.shape[0]
    per_region = rule >= COLLEGE_IRV
    cap = capacity
    rel_cap = max(cap // 4, 1024)
    pat_cap = 4096
    cand = np.empty(cap, np.int16)
    end = np.empty(cap, np.int32)
    weight = np.empty(cap, np.int64)
    stop = np.empty(cap, np.int64)
    rel = np.empty((rel_cap, 4), np.int32)
    width = slate_members.shape[1]
    perms = np.empty((pat_cap, width), np.int64)
    counts = np.empty(pat_cap, np.int64)
    stack = ncand * (ncand + 2) + 8
    st_c = np.empty(stack, np.int64)
    st_n = np.empty(stack, np.int64)
    st_d = np.empty(stack, np.int64)
    path_node = np.empty(ncand + 2, np.int64)
    path_cand = np.empty(ncand + 2, np.int64)
    tmp = np.zeros(2 * ncand + 8, np.int64)
    lot = np.empty(ncand, np.int64)
    withdrawn = np.zeros(ncand, np.bool_)
    log_votes = np.zeros((max_stages, ncand), np.int64)
    log_state = np.zeros((max_stages, ncand), np.int8)
    log_exh = np.zeros(max_stages, np.int64)
    log_lost = np.zeros(max_stages, np.int64)
    log_quota = np.zeros(max_stages, np.int64)
    log_action = np.zeros(max_stages, np.int8)
    log_subject = np.zeros(max_stages, np.int32)
    log_tie = np.zeros(max_stages, np.int8)
    elected = np.zeros(ncand, np.int32)
    elected_stage = np.zeros(ncand, np.int32)
    excluded_stage = np.zeros(ncand, np.int32)
    meta = np.zeros(4, np.int64)
    base_count = np.zeros(ncand, np.int64)
    start = np.zeros(ncand + 1, np.int64)
    n_regions = electorate.shape[0]
    region_root = np.zeros(n_regions, np.int64)
    c_tallies = np.zeros((ncand + 1, n_regions, ncand), np.int64)
    c_active = np.zeros((ncand + 1, n_regions), np.int64)
    c_excluded = np.zeros(ncand + 1, np.int32)
    c_tie = np.zeros(ncand + 1, np.int8)
    c_rank = np.zeros((ncand + 1, ncand), np.int64)
    c_winners = np.zeros(n_regions, np.int64)
    c_won = np.zeros(ncand, np.int64)
    n_groups = 2 * swing_sd.shape[0] + 1
    hz_len = nonaligned_len.shape[0]
    lz = new_lazy(cap if per_region else 1, ncand, n_groups, hz_len)
    for i in range(n_sims):
        # (a simulation whose arrays run out is repeated with larger ones: its streams restart,
        # so nothing about it changes)
        while True:
            if per_region:
                status, m, n_rel = simulate_lazy(
                    key,
                    first_sim + i,
                    strength0,
                    strength_sd,
                    electorate,
                    turnout,
                    base_share,
                    swing_sd,
                    regional_sd,
                    follow,
                    mallows_share,
                    phi,
                    stop_after,
                    continue_len,
                    nonaligned_len,
                    slate_members,
                    slate_size,
                    off_slate,
                    off_size,
                    cand,
                    end,
                    weight,
                    stop,
                    rel,
                    perms,
                    counts,
                    out_stats[i],
                    lot,
                    region_root,
                    lz,
                )
            else:
                status, m, n_rel = simulate(
                    key,
                    first_sim + i,
                    strength0,
                    strength_sd,
                    electorate,
                    turnout,
                    base_share,
                    swing_sd,
                    regional_sd,
                    follow,
                    mallows_share,
                    phi,
                    stop_after,
                    continue_len,
                    nonaligned_len,
                    slate_members,
                    slate_size,
                    off_slate,
                    off_size,
                    cand,
                    end,
                    weight,
                    stop,
                    rel,
                    perms,
                    counts,
                    st_c,
                    st_n,
                    st_d,
                    path_node,
                    path_cand,
                    tmp,
                    out_stats[i],
                    lot,
                    False,
                    region_root,
                    voters_per_ballot,
                    generation_salt,
                )
            if status == OK and do_count:
                status = _count_strategies(
                    i,
                    m,
                    n_rel,
                    rule,
                    seats,
                    unit,
                    quota_kind,
                    direction,
                    block_votes,
                    group,
                    group_min,
                    orderings,
                    college_weights,
                    college_flags,
                    cand,
                    end,
                    weight,
                    stop,
                    rel,
                    lz,
                    lot,
                    withdrawn,
                    region_root,
                    base_count,
                    start,
                    log_votes,
                    log_state,
                    log_exh,
                    log_lost,
                    log_quota,
                    log_action,
                    log_subject,
                    log_tie,
                    elected,
                    elected_stage,
                    excluded_stage,
                    meta,
                    c_tallies,
                    c_active,
                    c_excluded,
                    c_tie,
                    c_rank,
                    c_winners,
                    c_won,
                    out_elected,
                    out_extra,
                )
            if status == OK:
                break
            if status == PATTERNS_FULL:
                pat_cap *= 4
                perms = np.empty((pat_cap, width), np.int64)
                counts = np.empty(pat_cap, np.int64)
            else:
                cap *= 2
                rel_cap *= 2
                cand = np.empty(cap, np.int16)
                end = np.empty(cap, np.int32)
                weight = np.empty(cap, np.int64)
                stop = np.empty(cap, np.int64)
                rel = np.empty((rel_cap, 4), np.int32)
                if per_region:
                    lz = new_lazy(cap, ncand, n_groups, hz_len)
        out_nodes[i] = lz[14][0] if per_region else m


@kernel
def _count_strategies(
    i,
    m,
    n_rel,
    rule,
    seats,
    unit,
    quota_kind,
    direction,
    block_votes,
    group,
    group_min,
    orderings,
    college_weights,
    college_flags,
    cand,
    end,
    weight,
    stop,
    rel,
    lz,
    lot,
    withdrawn,
    region_root,
    base_count,
    start,
    log_votes,
    log_state,
    log_exh,
    log_lost,
    log_quota,
    log_action,
    log_subject,
    log_tie,
    elected,
    elected_stage,
    excluded_stage,
    meta,
    c_tallies,
    c_active,
    c_excluded,
    c_tie,
    c_rank,
    c_winners,
    c_won,
    out_elected,
    out_extra,
):
    """Count simulation ``i``'s electorate under every strategy; FOREST_FULL if a lazy tree ran
    out of room (the caller repeats the simulation with larger arrays)."""
    ncand = withdrawn.shape[0]
    n_strat = orderings.shape[0]
    if rule < COLLEGE_IRV:
        # nodes per candidate outside the recommended-order slots (the same for every strategy)
        for c in range(ncand):
            base_count[c] = 0
        for y in range(m):
            if cand[y] >= 0:
                base_count[cand[y]] += 1
    for strategy in range(n_strat):
        # fill in the slots in place and size the piles: work in the slots only
        for c in range(ncand):
            start[c + 1] = base_count[c]
        for j in range(n_rel):
            c = orderings[strategy, rel[j, 1], rel[j, 2], rel[j, 3]]
            cand[rel[j, 0]] = c
            start[c + 1] += 1
        start[0] = 0
        for c in range(ncand):
            start[c + 1] += start[c]
        if rule == COLLEGE_IRV:
            college.count_weighted_irv(
                cand,
                end,
                weight,
                stop,
                lz,
                region_root,
                college_weights,
                withdrawn,
                direction,
                lot,
                c_tallies,
                c_active,
                c_excluded,
                c_tie,
                c_rank,
                meta,
            )
            if meta[1] == college.TREE_FULL:
                return FOREST_FULL
            if meta[1] == college.OVERFLOW:
                raise OverflowError("college sections too large for exact 128-bit arithmetic")
            out_elected[i, strategy, 0] = meta[1] if meta[1] >= 0 else -1
            out_extra[i, strategy, 0] = meta[0]
            out_extra[i, strategy, 1] = meta[3]
            out_extra[i, strategy, 2] = meta[2]
            continue
        if rule == COLLEGE_BLOCK:
            college.count_block_units(
                cand,
                end,
                weight,
                stop,
                lz,
                region_root,
                college_weights,
                withdrawn,
                college_flags[0] != 0,
                college_flags[1] != 0,
                direction,
                lot,
                c_winners,
                c_won,
                meta,
            )
            if meta[0] == college.TREE_FULL:
                return FOREST_FULL
            if meta[0] == college.OVERFLOW:
                raise OverflowError("unit weight x votes beyond 64 bits")
            out_elected[i, strategy, 0] = meta[0]
            for c in range(ncand):
                out_extra[i, strategy, c] = c_won[c]
            continue
        for c in range(ncand):
            elected[c] = -1
        meta[1] = 0
        count_forest(
            rule,
            cand[:m],
            end[:m],
            weight[:m],
            stop[:m],
            ncand,
            start,
            seats,
            unit,
            quota_kind,
            direction,
            block_votes,
            lot,
            group,
            group_min,
            withdrawn,
            log_votes,
            log_state,
            log_exh,
            log_lost,
            log_quota,
            log_action,
            log_subject,
            log_tie,
            elected,
            elected_stage,
            excluded_stage,
            meta,
        )
        for j in range(out_elected.shape[2]):
            out_elected[i, strategy, j] = elected[j] if j < meta[1] else -1
    return OK
