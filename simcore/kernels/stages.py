"""The stage bookkeeping every counting kernel shares: the candidates' states at the start,
recording a stage in the :data:`StageLog`, electing a candidate, and electing the continuing
candidates who fill the last vacancies.

What differs between the statutes (how a quota is reached, which surplus goes first, how ties
are broken, whether surpluses are deferred) stays visible in each rule's own kernel; these
helpers only write down what the rule decided.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import borrowing_kernel, kernel
from simcore.kernels.countlog import CONTINUING, ELECTED, WITHDRAWN
from simcore.kernels.ties import extreme_candidate


@kernel
def initial_states(withdrawn):
    """Every candidate continuing, except the withdrawn."""
    state = np.zeros(withdrawn.shape[0], np.int8)
    for c in range(withdrawn.shape[0]):
        if withdrawn[c]:
            state[c] = WITHDRAWN
    return state


@borrowing_kernel
def record(log, stage, totals, state, exhausted, lost, quota, action, subject, how):
    """Write stage ``stage``: every candidate's total and state, the cumulative non-transferable
    value and value lost to rounding, the quota, the action, its subject and how a tie for it
    was broken."""
    for c in range(totals.shape[0]):
        log.votes[stage, c] = totals[c]
        log.state[stage, c] = state[c]
    log.exhausted[stage] = exhausted
    log.lost[stage] = lost
    log.quota[stage] = quota
    log.action[stage] = action
    log.subject[stage] = subject
    log.tie[stage] = how


@borrowing_kernel
def elect(log, c, stage, n_elected, state):
    """Elect ``c`` at ``stage`` as the ``n_elected``-th; returns the new number elected."""
    state[c] = ELECTED
    log.elected[n_elected] = c
    log.elected_stage[c] = stage
    log.state[stage, c] = ELECTED
    return n_elected + 1


@borrowing_kernel
def elect_rest(log, stage, n_elected, totals, state, mask, lot, direction, scratch):
    """Elect every continuing candidate at ``stage``, most votes first (the last vacancies);
    equal votes are told apart by earlier stages in ``direction``, then by ``lot``."""
    for c in range(totals.shape[0]):
        mask[c] = state[c] == CONTINUING
    while True:
        c, how = extreme_candidate(totals, mask, log.votes, stage, lot, False, direction, scratch)
        if c < 0:
            return n_elected
        mask[c] = False
        n_elected = elect(log, c, stage, n_elected, state)
