"""Weighted inclusive Gregory STV: the Scottish statute and its generic form.

Implements the Scottish Local Government Elections Order 2007 (SSI 2007/42), Schedule 1, rules
45-52, with values in fixed point (``unit = 10**decimals``; the statute's 5 decimal places give
``unit = 100000``):

* rule 46: quota = floor(N / (seats + 1)) + 1; reaching it elects.
* rule 48: on a surplus, *every* paper held by the elected candidate passes to its next continuing
  preference with value ``surplus * value / total``, truncated to 5 decimal places; papers with no
  continuing preference are non-transferable; what truncation loses is not redistributed.
* rule 47: one surplus per stage, the largest first; rule 49/50: otherwise the lowest candidate is
  excluded and all of their papers pass on at their current values in one stage.
* ties: the most recent preceding stage at which the tied candidates differed, else by lot.
* rule 52: when continuing candidates equal the vacancies left they are all elected (in order of
  votes) and no further transfer is made, even of a pending surplus.

With three or more candidates tied, the tie narrows stage by stage (see :mod:`ties`).  The
generic ``wigm`` rule is the same count with another quota (see :mod:`quota`), precision and
tie direction.  Minimum-representation constraints are
enforced as documented in :mod:`constraints`.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel
from simcore.kernels.constraints import can_elect, must_exclude, protected
from simcore.kernels.countlog import (
    BULK_EXCLUSION,
    CONTINUING,
    EXCLUDED,
    EXCLUSION,
    FIRST_PREFERENCES,
    SURPLUS,
)
from simcore.kernels.piles import deal_first_preferences, new_piles, transfer_pile
from simcore.kernels.quota import compute_quota
from simcore.kernels.stages import elect, elect_rest, initial_states, record
from simcore.kernels.ties import extreme_candidate


@kernel
def count_wigm(tree, seats, withdrawn, unit, quota_kind, direction, lot, group, group_min, log):
    ncand = withdrawn.shape[0]
    state = initial_states(withdrawn)
    totals = np.zeros(ncand, np.int64)
    piles = new_piles(tree.cand.shape[0], ncand)
    scratch = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)
    pending = np.zeros(ncand, np.bool_)

    valid = deal_first_preferences(unit, tree, state, piles, totals)
    quota, threshold = compute_quota(quota_kind, valid, seats, unit)
    exhausted = np.int64(0)
    lost = np.int64(0)
    n_elected = 0
    stage = 0
    record(log, stage, totals, state, exhausted, lost, quota, FIRST_PREFERENCES, -1, 0)

    while True:
        # deem elected everyone at or over the threshold, most votes first (rules 46, 51)
        while n_elected < seats:
            for c in range(ncand):
                mask[c] = (
                    state[c] == CONTINUING
                    and totals[c] >= threshold
                    and can_elect(c, group, group_min, state, seats - n_elected)
                )
            c, how = extreme_candidate(
                totals, mask, log.votes, stage, lot, False, direction, scratch
            )
            if c < 0:
                break
            n_elected = elect(log, c, stage, n_elected, state)
            pending[c] = totals[c] > quota
        if n_elected >= seats:
            break
        vacancies = seats - n_elected

        # group rule 3: vacancies all needed by groups -> exclude everyone else at once
        n_forced = 0
        for c in range(ncand):
            mask[c] = state[c] == CONTINUING and must_exclude(c, group, group_min, state, vacancies)
            n_forced += mask[c]
        n_cont = 0
        for c in range(ncand):
            n_cont += state[c] == CONTINUING
        if n_forced == 0 and n_cont <= vacancies:
            # rule 52(1): the continuing candidates fill the remaining vacancies
            n_elected = elect_rest(
                log, stage, n_elected, totals, state, mask, lot, direction, scratch
            )
            break
        stage += 1
        if n_forced > 0:
            subject = -1
            for c in range(ncand):
                if mask[c]:
                    state[c] = EXCLUDED
                    log.excluded_stage[c] = stage
                    subject = c if subject == -1 else -2
            last = n_cont - n_forced <= vacancies  # rule 52: then no further transfer
            for c in range(ncand):
                if mask[c] and not last:
                    m, e = transfer_pile(c, tree, state, piles, totals, 0, 0)
                    exhausted += e
                    totals[c] = 0
            action = EXCLUSION if subject >= 0 else BULK_EXCLUSION
            record(log, stage, totals, state, exhausted, lost, quota, action, max(subject, -1), 0)
            continue

        any_pending = False
        for c in range(ncand):
            any_pending = any_pending or pending[c]
        if any_pending:
            # rule 47/48: transfer the largest surplus
            c, how = extreme_candidate(
                totals, pending, log.votes, stage - 1, lot, False, direction, scratch
            )
            pending[c] = False
            surplus = totals[c] - quota
            m, e = transfer_pile(c, tree, state, piles, totals, surplus, totals[c])
            exhausted += e
            lost += surplus - m - e
            totals[c] = quota
            record(log, stage, totals, state, exhausted, lost, quota, SURPLUS, c, how)
        else:
            # rule 49/50: exclude the lowest continuing candidate not protected by a group rule
            for c in range(ncand):
                mask[c] = state[c] == CONTINUING and not protected(c, group, group_min, state)
            c, how = extreme_candidate(
                totals, mask, log.votes, stage - 1, lot, True, direction, scratch
            )
            state[c] = EXCLUDED
            log.excluded_stage[c] = stage
            if n_cont - 1 <= vacancies:
                # rule 52: the others fill the last vacancies; no further transfer is made
                record(log, stage, totals, state, exhausted, lost, quota, EXCLUSION, c, how)
                n_elected = elect_rest(
                    log, stage, n_elected, totals, state, mask, lot, direction, scratch
                )
                break
            m, e = transfer_pile(c, tree, state, piles, totals, 0, 0)
            exhausted += e
            totals[c] = 0
            record(log, stage, totals, state, exhausted, lost, quota, EXCLUSION, c, how)

    log.meta[0] = stage + 1
    log.meta[1] = n_elected
    log.meta[2] = valid * unit
    log.meta[3] = 0
