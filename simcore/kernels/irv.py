"""Instant runoff (single seat) and block vote.

IRV: each round every ballot counts for its first continuing preference; a candidate with more
than half of the continuing (non-exhausted) votes wins; otherwise the candidate with the fewest
votes is excluded (ties: the most recent preceding round at which they differed, else by lot) and
their ballots pass on.  When one candidate is left, they win.

Block vote: every ballot gives one vote to each of its first ``votes`` non-withdrawn choices; the
``seats`` candidates with most votes win (ties by lot).  With ``votes = 1`` this is first past
the post (single non-transferable vote when several seats are filled).  With group minimums
(``group``, ``group_min``: see :mod:`simcore.kernels.constraints`), while a group is short of its
minimum (the first such group, in the order given), the lowest-placed elected candidate who can
give way (in no group, or in a group that keeps its minimum without them) is replaced by the
highest-placed unelected member of the short group, one replacement per stage.  "Placed" is the
order of the vote totals, equal totals by lot as in the election itself.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import kernel
from simcore.kernels.constraints import can_give_way, short_group
from simcore.kernels.countlog import (
    CONTINUING,
    ELECTED,
    EXCLUDED,
    EXCLUSION,
    FIRST_PREFERENCES,
    REPLACEMENT,
    WITHDRAWN,
)
from simcore.kernels.lazy_tree import IN_PLACE, children_of
from simcore.kernels.piles import deal_first_preferences, new_piles, transfer_pile
from simcore.kernels.stages import elect, initial_states, record
from simcore.kernels.ties import extreme_candidate


@kernel
def count_irv(tree, withdrawn, direction, lot, log):
    ncand = withdrawn.shape[0]
    state = initial_states(withdrawn)
    totals = np.zeros(ncand, np.int64)
    piles = new_piles(tree.cand.shape[0], ncand)
    scratch = np.empty(ncand, np.int64)
    mask = np.zeros(ncand, np.bool_)
    valid = deal_first_preferences(1, tree, state, piles, totals)
    exhausted = np.int64(0)
    stage = 0
    action = FIRST_PREFERENCES
    subject = -1
    how = 0
    n_elected = 0
    while True:
        cont_votes = valid - exhausted
        record(log, stage, totals, state, exhausted, 0, cont_votes // 2 + 1, action, subject, how)
        n_cont = 0
        for c in range(ncand):
            mask[c] = state[c] == CONTINUING
            n_cont += mask[c]
        if n_cont == 0:
            break
        top, top_how = extreme_candidate(
            totals, mask, log.votes, stage, lot, False, direction, scratch
        )
        if 2 * totals[top] > cont_votes or n_cont == 1:
            state[top] = ELECTED
            log.state[stage, top] = ELECTED
            log.elected[0] = top
            log.elected_stage[top] = stage
            n_elected = 1
            break
        c, how = extreme_candidate(totals, mask, log.votes, stage, lot, True, direction, scratch)
        stage += 1
        state[c] = EXCLUDED
        log.excluded_stage[c] = stage
        m, e = transfer_pile(c, tree, state, piles, totals, 0, 0)
        exhausted += e
        totals[c] = 0
        action = EXCLUSION
        subject = c
    log.meta[0] = stage + 1
    log.meta[1] = n_elected
    log.meta[2] = valid
    log.meta[3] = 0


@kernel
def count_block(tree, withdrawn, seats, votes, lot, group, group_min, log):
    cand, end, weight, stop, lz = tree
    ncand = withdrawn.shape[0]
    totals = np.zeros(ncand, np.int64)
    valid = np.int64(0)
    # depth-first walk of the ballot tree, down to each ballot's last counted mark: the stack
    # holds, per level, where the parent level resumes, its end and its marks
    stack_y = np.empty(ncand + 2, np.int64)
    stack_last = np.empty(ncand + 2, np.int64)
    stack_marks = np.empty(ncand + 2, np.int64)
    top = 0
    marks = 0
    y, last = children_of(0, cand, end, weight, stop, lz)
    while True:
        if y >= last:
            if top == 0:
                break
            top -= 1
            y, last, marks = stack_y[top], stack_last[top], stack_marks[top]
            continue
        c = cand[y]
        here = marks
        if not withdrawn[c]:
            totals[c] += weight[y]
            if marks == 0:
                valid += weight[y]
            here += 1
        if here >= votes:
            y = end[y]
            continue
        stack_y[top], stack_last[top], stack_marks[top] = end[y], last, marks
        top += 1
        marks = here
        if y >= lz.first.shape[0] or lz.first[y] == IN_PLACE:  # (in place: no call)
            y, last = y + 1, end[y]
        else:
            y, last = children_of(y, cand, end, weight, stop, lz)
    state = np.zeros(ncand, np.int8)
    mask = np.zeros(ncand, np.bool_)
    scratch = np.empty(ncand, np.int64)
    for c in range(ncand):
        state[c] = WITHDRAWN if withdrawn[c] else CONTINUING
        mask[c] = not withdrawn[c]
        log.votes[0, c] = totals[c]
    n_elected = 0
    tie_how = 0
    while n_elected < seats:
        c, how = extreme_candidate(totals, mask, log.votes, 0, lot, False, 0, scratch)
        if c < 0:
            break
        tie_how = max(tie_how, how)
        mask[c] = False
        n_elected = elect(log, c, 0, n_elected, state)
    # (the others stay continuing: nobody is excluded in a block vote)
    record(log, 0, totals, state, 0, 0, 0, FIRST_PREFERENCES, -1, tie_how)
    stage = 0
    while group_min.shape[0] > 0:
        g = short_group(group, group_min, state)
        if g < 0:
            break
        for c in range(ncand):
            mask[c] = state[c] == CONTINUING and group[c] == g
        comes_in, how_in = extreme_candidate(totals, mask, log.votes, 0, lot, False, 0, scratch)
        for c in range(ncand):
            mask[c] = state[c] == ELECTED and can_give_way(c, group, group_min, state)
        gives_way, how_out = extreme_candidate(totals, mask, log.votes, 0, lot, True, 0, scratch)
        if comes_in < 0 or gives_way < 0:
            # unreachable: the caller checks (model.constraints.group_arrays) that each group
            # has enough standing members and that the minimums fit in the seats
            break
        stage += 1
        state[gives_way] = EXCLUDED
        log.excluded_stage[gives_way] = stage
        state[comes_in] = ELECTED
        log.elected_stage[comes_in] = stage
        j = 0  # the one giving way leaves the order of election; the newcomer joins its end
        for k in range(n_elected):
            if log.elected[k] != gives_way:
                log.elected[j] = log.elected[k]
                j += 1
        log.elected[n_elected - 1] = comes_in
        record(log, stage, totals, state, 0, 0, 0, REPLACEMENT, comes_in, max(how_in, how_out))
    log.meta[0] = stage + 1
    log.meta[1] = n_elected
    log.meta[2] = valid
    log.meta[3] = 0
