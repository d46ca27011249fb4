"""Tie-breaking between candidates with equal votes.

Backward (Scottish rule 49/50, SSI 2007/42): prefer the candidate with fewer (or more) votes at
the most recent preceding stage at which the tied candidates had unequal votes.  Forward (ERS97):
the earliest such stage.  Where candidates remain tied at every stage, the tie is decided by lot:
``lot[c]`` is a random priority drawn once per count from the count's seed, and the candidate with
the lowest priority loses (is excluded first, or has its surplus transferred last).

With three or more tied candidates, each stage examined keeps only the candidates at the extreme,
so the tie narrows stage by stage until one candidate is left.
"""

from __future__ import annotations

import numpy as np

from simcore.jit import borrowing_kernel

BACKWARD = 0
FORWARD = 1


@borrowing_kernel
def break_tie(tied, n_tied, votes, stage, lot, lowest, direction):
    """Pick one of ``tied[:n_tied]`` (equal at ``stage``) using stages ``< stage``.

    ``lowest``: pick the candidate with the fewest votes (exclusion) rather than the most
    (surplus order, order of election).  Returns ``(candidate, how)`` with ``how`` 0 (no tie),
    1 (decided by an earlier stage) or 2 (by lot).  ``tied`` is used as scratch space.
    """
    if n_tied == 1:
        return tied[0], 0
    m = n_tied
    for k in range(stage):
        s = stage - 1 - k if direction == BACKWARD else k
        best = votes[s, tied[0]]
        for j in range(1, m):
            v = votes[s, tied[j]]
            if (v < best) if lowest else (v > best):
                best = v
        kept = 0
        for j in range(m):
            if votes[s, tied[j]] == best:
                tied[kept] = tied[j]
                kept += 1
        m = kept
        if m == 1:
            return tied[0], 1
    pick = tied[0]
    for j in range(1, m):
        c = tied[j]
        if (lot[c] < lot[pick]) if lowest else (lot[c] > lot[pick]):
            pick = c
    return pick, 2


@borrowing_kernel
def extreme_candidate(totals, eligible, votes, stage, lot, lowest, direction, scratch):
    """The eligible candidate with the fewest (``lowest``) or most votes, ties broken by
    :func:`break_tie`.  Returns ``(candidate, how)``, or ``(-1, 0)`` if none is eligible."""
    best = np.int64(0)
    found = False
    for c in range(totals.shape[0]):
        if eligible[c]:
            t = totals[c]
            if not found or ((t < best) if lowest else (t > best)):
                best = t
                found = True
    if not found:
        return -1, 0
    n = 0
    for c in range(totals.shape[0]):
        if eligible[c] and totals[c] == best:
            scratch[n] = c
            n += 1
    return break_tie(scratch, n, votes, stage, lot, lowest, direction)
