"""Generated electorates follow the scenario's voter model exactly (chi-square, alpha 0.001)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

import simcore
from simcore.sim.plan import compile_plan
from tests.sim_helpers import ballots_of, forest, run_chunk_arrays, small_scenario
from tests.stat_helpers import ALPHA, chi_square_pvalue

A, B, C, D = range(4)
STRENGTH = np.array([2.0, 1.0, 0.5, 1.5])


def pl_prob(seq, pool):
    """Plackett-Luce probability of drawing ``seq`` (in order) from ``pool``."""
    p, left = 1.0, list(pool)
    for c in seq:
        p *= STRENGTH[c] / STRENGTH[left].sum()
        left.remove(c)
    return p


def inversions(perm):
    return sum(1 for i, j in itertools.combinations(range(len(perm)), 2) if perm[i] > perm[j])


def model_probs(sc, order):
    """P(ballot) for one voter under the small scenario's model (slate order ``order``)."""
    sup = sc.slates[0].supporters
    f, m, phi, halt = sup.follow.value, sup.mallows_share, sup.phi.value, sup.stop_after_slate.value
    cont = sup.continue_length.probs
    na = sc.nonaligned.length.probs
    share = sup.share
    slate = [A, B, C]
    probs: dict[tuple[int, ...], float] = {}

    def add(ballot, p):
        probs[ballot] = probs.get(ballot, 0.0) + p

    z = math.prod(sum(phi**k for k in range(i)) for i in range(1, 4))
    for perm in itertools.permutations(range(3)):
        slate_part = tuple(order[i] for i in perm)
        p_slate = (1 - f) * (m * phi ** inversions(perm) / z + (1 - m) * pl_prob(slate_part, slate))
        if list(perm) == [0, 1, 2]:
            p_slate += f
        add(slate_part, share * p_slate * halt)
        # continuing: one more preference (D is the only candidate off the slate)
        add(slate_part + (D,), share * p_slate * (1 - halt))
    for length in range(1, 4):
        for seq in itertools.permutations(range(4), length):
            p_len = na[length - 1] if length < 3 or len(na) <= 3 else sum(na[length - 1 :])
            add(seq, (1 - share) * p_len * pl_prob(seq, range(4)))
    del cont  # one candidate off the slate: any continuation length gives (D,)
    return probs


@pytest.mark.parametrize("strategy,order", [(0, (A, B, C)), (1, (C, A, B))])
def test_ballots_follow_the_model(strategy, order):
    sc = small_scenario()
    plan = compile_plan(sc)
    counts: dict[tuple[int, ...], int] = {}
    for sim in range(300):
        for ballot, n in ballots_of(*forest(plan, 123, sim, strategy)).items():
            counts[ballot] = counts.get(ballot, 0) + n
    probs = model_probs(sc, order)
    assert set(counts) <= set(probs), set(counts) - set(probs)
    keys = sorted(probs)
    assert abs(sum(probs.values()) - 1) < 1e-12
    observed = [counts.get(k, 0) for k in keys]
    assert chi_square_pvalue(observed, [probs[k] for k in keys]) > ALPHA


def test_tree_is_consistent():
    """Weights add up: a node's papers = papers stopping there + its children's papers."""
    plan = compile_plan(small_scenario(electorate=5000))
    labels, end, weight, stop = forest(plan, 5, 0)
    for y in range(len(labels)):
        kids, k = 0, y + 1
        while k < end[y]:
            kids += weight[k]
            k = end[k]
        assert weight[y] == stop[y] + kids
    assert stop[0] == 0 and weight[0] == sum(ballots_of(labels, end, weight, stop).values())


def test_turnout_is_binomial():
    sc = small_scenario(electorate=1000, turnout=0.3)
    plan = compile_plan(sc)
    voters = np.array([forest(plan, 9, sim)[2][0] for sim in range(400)])
    ks = np.arange(1001)
    observed = np.bincount(voters, minlength=1001)
    assert chi_square_pvalue(observed, stats.binom.pmf(ks, 1000, 0.3)) > ALPHA


def test_counting_a_generated_tree_matches_counting_its_ballots():
    """The engine counts the tree it generates exactly like the ballots it stands for."""
    sc = small_scenario(electorate=3000, seats=2)
    plan = compile_plan(sc)
    elected, _, _ = run_chunk_arrays(plan, 77, 0, 20)
    for sim in range(20):
        for s in range(plan.n_strategies):
            ballots = ballots_of(*forest(plan, 77, sim, s))
            prof = simcore.Profile.from_rankings(
                list(ballots), list(ballots.values()), candidates=list("ABCD")
            )
            # the same lot as the engine: ties only matter when decided by lot
            res = simcore.count(prof, "scottish", seats=2, seed=0)
            got = [c for c in elected[sim, s] if c >= 0]
            if not any(st.tie == "lot" for st in res.stages):
                assert [prof.candidates.index(n) for n in res.elected] == got
