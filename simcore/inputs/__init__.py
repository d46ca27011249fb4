"""Files in: ballot files (BLT, scot-elex CSV, PrefLib) and, later, scenarios."""

from simcore.inputs.ballots import read_ballots

__all__ = ["read_ballots"]
