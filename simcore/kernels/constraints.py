"""Minimum-representation constraints (e.g. at least 5 women among 9 seats).

``group[c]`` is the constraint group of candidate ``c`` (``-1``: none); ``group_min[g]`` is the
minimum number of elected candidates from group ``g``.  Groups are disjoint.  Enforcement, used
identically by every STV rule:

1. A candidate is not elected (even on reaching the quota) if electing them would leave fewer
   vacancies than the group members still needed; such a candidate is excluded instead.
2. A group member is not excluded while the group's continuing members are no more than the
   members it still needs; the lowest candidate who is not so protected is excluded instead.
3. Once the vacancies left equal the members still needed, every continuing candidate outside
   the groups still in need is excluded together in one stage.

The block vote (and first past the post) elects by votes first and then, while a group is short,
replaces the lowest-placed elected candidate who can give way (:func:`can_give_way`) by the
highest-placed unelected member of the first short group (:func:`short_group`); see
:func:`simcore.kernels.irv.count_block`.
"""

from __future__ import annotations

from simcore.jit import borrowing_kernel
from simcore.kernels.countlog import CONTINUING, ELECTED


@borrowing_kernel
def total_need(group, group_min, state):
    """Members still needed, summed over groups."""
    need = 0
    for g in range(group_min.shape[0]):
        got = 0
        for c in range(group.shape[0]):
            if group[c] == g and state[c] == ELECTED:
                got += 1
        if group_min[g] > got:
            need += group_min[g] - got
    return need


@borrowing_kernel
def group_needs(g, group, group_min, state):
    """Members group ``g`` still needs (0 if none or ``g < 0``)."""
    if g < 0:
        return 0
    got = 0
    for c in range(group.shape[0]):
        if group[c] == g and state[c] == ELECTED:
            got += 1
    return max(group_min[g] - got, 0)


@borrowing_kernel
def can_elect(c, group, group_min, state, vacancies):
    """Whether electing ``c`` leaves enough vacancies for the members still needed (rule 1)."""
    if group_min.shape[0] == 0:
        return True
    need = total_need(group, group_min, state)
    if group_needs(group[c], group, group_min, state) > 0:
        need -= 1
    return need <= vacancies - 1


@borrowing_kernel
def protected(c, group, group_min, state):
    """Whether excluding ``c`` would make its group's minimum unreachable (rule 2)."""
    g = group[c]
    if g < 0:
        return False
    need = group_needs(g, group, group_min, state)
    if need == 0:
        return False
    cont = 0
    for d in range(group.shape[0]):
        if group[d] == g and state[d] == CONTINUING:
            cont += 1
    return cont <= need


@borrowing_kernel
def must_exclude(c, group, group_min, state, vacancies):
    """Whether continuing ``c`` must be excluded because every vacancy left is needed by a
    group that ``c`` does not belong to (rule 3)."""
    if group_min.shape[0] == 0:
        return False
    need = total_need(group, group_min, state)
    if need < vacancies or need == 0:
        return False
    return group_needs(group[c], group, group_min, state) == 0


@borrowing_kernel
def short_group(group, group_min, state):
    """The first group (in the order the minimums are given) still short of its minimum, or -1."""
    for g in range(group_min.shape[0]):
        if group_needs(g, group, group_min, state) > 0:
            return g
    return -1


@borrowing_kernel
def can_give_way(c, group, group_min, state):
    """Whether elected ``c`` may lose its seat to a group member: ``c`` is in no group, or its
    group keeps at least its minimum without ``c``."""
    g = group[c]
    if g < 0:
        return True
    got = 0
    for d in range(group.shape[0]):
        if group[d] == g and state[d] == ELECTED:
            got += 1
    return got - 1 >= group_min[g]
