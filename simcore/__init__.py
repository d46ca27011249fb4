"""simcore: exact ranked-election counting and fast Monte Carlo election simulation."""

from simcore.counting import Result, Stage, count
from simcore.errors import InputError
from simcore.inputs import read_ballots
from simcore.model.profile import Profile

__version__ = "0.1.0"
__all__ = ["InputError", "Profile", "Result", "Stage", "count", "read_ballots", "__version__"]
