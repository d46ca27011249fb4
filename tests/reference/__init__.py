"""Slow, obvious reference implementations of the counting rules in ``docs/rules.md``.

They are written from the specification alone (never from ``simcore/kernels``), with exact
integer arithmetic in units of ``10**-d`` of a vote, and are compared stage by stage with the
kernels in ``tests/test_reference_agreement.py``.  Every function has the same shape::

    count(rankings, ncand, seats, withdrawn, lot, options, groups) -> RefResult

* ``rankings``: ``[(ranking tuple of 0-based candidate indices, weight), ...]``
* ``withdrawn``: set of withdrawn candidate indices
* ``lot``: priority per candidate (``simcore.counting.api.lot_priorities``); lowest loses a lot
* ``options``: the rule's options (e.g. ``{"quota": "hare", "decimals": 3}``)
* ``groups``: ``None`` or ``(group, mins)``: ``group[c]`` is candidate ``c``'s group index or -1,
  ``mins[g]`` the minimum for group ``g``.
"""

from .common import RefResult, RefStage

__all__ = ["RefResult", "RefStage"]
