"""A simulation scenario, validated: the election, candidates, slates and their recommended
orderings, strategies, regions, and the voter model with its uncertainty.

Read from a TOML file by :func:`simcore.inputs.scenario_file.read_scenario` (which checks every
key); the meaning of every parameter is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

# -- the limits of the numbers a scenario may hold (docs/scenarios.md, "Limits") -----------------
# Plackett-Luce strengths are relative weights, summed in floating point by the generator, after
# per-simulation noise exp(strength_sd * z) with z from the Box-Muller normal of kernels.rng,
# which never exceeds NORMAL_BOUND in size (its uniform is at least 2^-53).  The sum of the noisy
# strengths must stay finite, with room for the alias tables' strength * n / total (n < 2^15),
# and the smallest must stay a normal (not underflowing) positive number.
NORMAL_BOUND = math.sqrt(-2.0 * math.log(2.0**-53))  # 8.5717...
STRENGTH_SUM_MAX = 1e300
STRENGTH_MIN = 1e-300
SPREAD_MAX = 1e300  # swing_sd, regional_sd: |sd * z| stays finite, so shares never become NaN


@dataclass(frozen=True)
class Dist:
    """An uncertain probability-like parameter, drawn once per simulation.

    ``kind``: ``"fixed"`` (``value``), ``"beta"`` (``mean``, ``sd``: a Beta distribution with
    that mean and standard deviation) or ``"uniform"`` (``low``, ``high``).
    """

    kind: str = "fixed"
    value: float = 0.0
    mean: float = 0.0
    sd: float = 0.0
    low: float = 0.0
    high: float = 0.0

    @classmethod
    def fixed(cls, value: float) -> Dist:
        return cls("fixed", value=float(value))

    def expected(self) -> float:
        if self.kind == "fixed":
            return self.value
        if self.kind == "beta":
            return self.mean
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Length:
    """How many preferences a ballot (or a ballot's continuation) has.

    ``probs[j]`` is P(length = j + 1); built from a fixed length, a mean (1 + geometric), or
    explicit probabilities.  Lengths are cut at the number of candidates available.
    """

    probs: tuple[float, ...]

    @property
    def mean(self) -> float:
        return sum((j + 1) * p for j, p in enumerate(self.probs))


@dataclass(frozen=True)
class Candidate:
    name: str
    slate: str | None = None
    strength: float = 1.0
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Supporters:
    """The voters who support a slate, and how they fill in their ballots."""

    share: float  # national base share of voters
    region_shares: dict[str, float] = field(default_factory=dict)  # base share by region
    swing_sd: float = 0.0  # national swing, shared by all regions (share points)
    regional_sd: float = 0.0  # independent regional noise (share points)
    follow: Dist = Dist.fixed(1.0)  # P(follow the region's recommended order exactly)
    mallows_share: float = 1.0  # of the others: share perturbing the order (Mallows)
    phi: Dist = Dist.fixed(0.5)  # Mallows dispersion: 0 = the order itself, 1 = uniform
    stop_after_slate: Dist = Dist.fixed(1.0)  # P(ballot ends after the slate's candidates)
    continue_length: Length = Length((0.0, 0.0, 1.0))  # extra preferences when continuing
    # slate affinities: multipliers on other slates' candidates' strengths after the slate
    next: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Slate:
    id: str
    name: str
    orderings: dict[str, tuple[str, ...]]
    supporters: Supporters


@dataclass(frozen=True)
class Region:
    name: str
    electorate: int
    turnout: Dist
    weight: Fraction | None = None  # a college section's or unit's weight


@dataclass(frozen=True)
class CollegeSpec:
    """Regions are counted as the sections (or units) of an electoral college."""

    method: str = "weighted-irv"  # or "block"
    unit_rule: str = "plurality"  # block units: or "irv"
    allocation: str = "winner-take-all"  # block units: or "proportional"


@dataclass(frozen=True)
class Strategy:
    """For each slate, the ordering each region is asked to use."""

    name: str
    description: str
    orderings: dict[str, dict[str, str]]  # slate id -> region name -> ordering name


@dataclass(frozen=True)
class NonAligned:
    length: Length  # the scenario reader's default is { mean = 4 }
    strength_sd: float = 0.0  # log-normal noise on candidate strengths, per simulation


@dataclass(frozen=True)
class Scenario:
    title: str
    seats: int
    rule: str
    options: dict
    minimum: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    slates: tuple[Slate, ...]
    regions: tuple[Region, ...]
    strategies: tuple[Strategy, ...]
    nonaligned: NonAligned
    sims: int = 10000
    seed: int | None = None
    precision: float | None = None  # stop once every probability's 95% interval is this narrow
    voters_per_ballot: int = 1  # > 1: sampled below each group's first drawn preference
    generator: str = "lazy"  # exact electorates: "lazy" trees or "eager" (every ballot drawn)
    description: str = ""
    source: str | None = None
    college: CollegeSpec | None = None
    overrides: tuple[str, ...] = ()  # the --set KEY=VALUE applied to the file, in order

    @property
    def candidate_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.candidates)

    def sampled(self, voters_per_ballot: int) -> Scenario:
        """This scenario with ``voters_per_ballot`` (1: exact); a college refuses K > 1."""
        if self.college is not None and voters_per_ballot > 1:
            from simcore.errors import InputError

            raise InputError(
                f"{self.source or self.title}: voters_per_ballot (sampling voters) does not "
                "apply to a college (its counts are fast already)"
            )
        return dataclasses.replace(self, voters_per_ballot=voters_per_ballot)

    def attributes(self) -> dict[str, tuple[str, ...]]:
        return attributes_of(self.candidates)


def attributes_of(candidates: Sequence[Candidate]) -> dict[str, tuple[str, ...]]:
    """Each attribute's value per candidate ("" where not given), and each one's slate."""
    keys = sorted({k for c in candidates for k in c.attributes})
    out = {k: tuple(c.attributes.get(k, "") for c in candidates) for k in keys}
    out["slate"] = tuple(c.slate or "" for c in candidates)
    return out
