"""Counting a profile under a rule: the checked public entry point and result objects."""

from simcore.counting.api import count
from simcore.counting.result import Result, Stage

__all__ = ["Result", "Stage", "count"]
