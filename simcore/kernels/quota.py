"""Quotas, in the rule's fixed-point units.

Each returns ``(quota, threshold)``: ``quota`` is the figure shown and used to compute surpluses,
``threshold`` the vote a candidate needs to be elected.

* ``droop``: floor(N / (seats + 1)) + 1 whole votes; elected on reaching it (Scottish rule 46).
* ``droop-exact``: N / (seats + 1) at the count's precision (truncated); elected on *exceeding*
  it (otherwise seats + 1 candidates could all reach it).
* ``hare``: N / seats, rounded up to the count's precision; elected on reaching it.
"""

from __future__ import annotations

from simcore.jit import kernel

DROOP = 0
DROOP_EXACT = 1
HARE = 2

QUOTA_KINDS = {"droop": DROOP, "droop-exact": DROOP_EXACT, "hare": HARE}


@kernel
def compute_quota(kind, valid, seats, unit):
    if kind == DROOP:
        q = (valid // (seats + 1) + 1) * unit
        return q, q
    if kind == DROOP_EXACT:
        q = (valid * unit) // (seats + 1)
        return q, q + 1
    q = -((-valid * unit) // seats)
    return q, q
