"""The scenario file format, declared once: used to check a file and to print a JSON Schema.

Every table and key of ``docs/scenarios.md`` appears in :data:`SCENARIO` with its type, whether it
is required or its default, its allowed range and a one-sentence description.  :func:`check`
walks parsed TOML against it and yields every :class:`Problem` (a message and the key path)
found; :func:`json_schema` renders the same description as a JSON Schema (draft
2020-12) for editors.  References between tables (the slate a candidate names, the orderings a
strategy names, ...) are checked by :mod:`simcore.inputs.scenario_file`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from simcore.inputs.scenario_nodes import (
    NON_NEGATIVE,
    PROBABILITY,
    Int,
    Key,
    KeyPath,
    ListOf,
    MapOf,
    Node,
    Num,
    OptionValue,
    Problem,
    Str,
    Table,
    TableList,
    describe,
    is_number,
    unknown,
)
from simcore.model.profile import MAX_CANDIDATES
from simcore.model.rules import RULES
from simcore.model.scenario import SPREAD_MAX

JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
PROBS_TOLERANCE = 1e-9  # how far explicit length probabilities may sum from 1

# -- probability distributions and lengths --------------------------------------------------------

BETA = Table(
    {
        "mean": Key(Num(0, 1, low_open=True, high_open=True), "Mean, > 0 and < 1.", required=True),
        "sd": Key(
            Num(low=0, low_open=True),
            "Standard deviation, > 0 and < sqrt(mean * (1 - mean)).",
            required=True,
        ),
    },
    "Beta distribution with this mean and standard deviation.",
)
UNIFORM = Table(
    {
        "low": Key(PROBABILITY, "Lowest value, 0..1.", required=True),
        "high": Key(PROBABILITY, "Highest value, low..1.", required=True),
    },
    "Uniform between low and high.",
)
LENGTH_MEAN = Table(
    {"mean": Key(Num(low=1), "Mean number of preferences, >= 1.", required=True)},
    "1 + a geometric number of preferences, with this mean.",
)
LENGTH_PROBS = Table(
    {
        "probs": Key(
            ListOf(NON_NEGATIVE, min_items=1),
            "P(length = 1), P(2), ...; they must sum to 1.",
            required=True,
        )
    },
    "Explicit probabilities of each length.",
)
FIXED_LENGTH = Int(low=1, high=MAX_CANDIDATES)  # longer than every ballot can be: a mistake
SPREAD = Num(0, SPREAD_MAX)  # a share's standard deviation: sd * z must stay finite
BETA_KEYS = tuple(BETA.keys)
UNIFORM_KEYS = tuple(UNIFORM.keys)


@dataclass(frozen=True)
class DistNode(Node):
    """A probability-like parameter: a number, ``{ mean, sd }`` (Beta) or ``{ low, high }``."""

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if is_number(value):
            yield from PROBABILITY.problems(value, path)
            return
        if not isinstance(value, dict):
            yield Problem(
                "must be a number, { mean = M, sd = S } or { low = A, high = B }, "
                f"got {describe(value)}",
                path,
            )
            return
        unknown_keys = [name for name in value if name not in BETA_KEYS + UNIFORM_KEYS]
        for name in unknown_keys:
            yield Problem(unknown("key", name, BETA_KEYS + UNIFORM_KEYS), (*path, name))
        if unknown_keys:
            return
        beta = [k for k in BETA_KEYS if k in value]
        uniform = [k for k in UNIFORM_KEYS if k in value]
        if beta and uniform:
            yield Problem("give either { mean, sd } or { low, high }, not both", path)
        elif not beta and not uniform:
            yield Problem("must be a number, { mean = M, sd = S } or { low = A, high = B }", path)
        elif beta:
            yield from self._beta_problems(value, path)
        else:
            yield from self._uniform_problems(value, path)

    @staticmethod
    def _beta_problems(value: dict, path: KeyPath) -> Iterator[Problem]:
        for name in BETA_KEYS:
            if name not in value:
                yield Problem(
                    f"a Beta distribution needs both mean and sd; {name} is missing", path
                )
                return
        found = [
            problem
            for name in BETA_KEYS
            for problem in BETA.keys[name].node.problems(value[name], (*path, name))
        ]
        yield from found
        mean, sd = value["mean"], value["sd"]
        if not found and sd * sd >= mean * (1 - mean):
            limit = math.sqrt(mean * (1 - mean))
            yield Problem(
                f"sd {sd:g} is too large for mean {mean:g}: a Beta distribution needs "
                f"sd < sqrt(mean * (1 - mean)) = {limit:.4g}",
                (*path, "sd"),
            )

    @staticmethod
    def _uniform_problems(value: dict, path: KeyPath) -> Iterator[Problem]:
        ok = True
        for name in UNIFORM_KEYS:
            if name not in value:
                yield Problem(f"a uniform range needs both low and high; {name} is missing", path)
                return
            for problem in PROBABILITY.problems(value[name], (*path, name)):
                ok = False
                yield problem
        if ok and value["low"] > value["high"]:
            yield Problem(
                f"low ({value['low']:g}) must not exceed high ({value['high']:g})", (*path, "low")
            )

    def json(self) -> dict:
        return {"$ref": "#/$defs/dist"}

    @staticmethod
    def definition() -> dict:
        return {
            "description": "A probability: a number (fixed), { mean, sd } (Beta) or "
            "{ low, high } (uniform); drawn once per simulation.",
            "oneOf": [
                {**PROBABILITY.json(), "description": "Fixed value, 0..1."},
                BETA.json(),
                UNIFORM.json(),
            ],
        }


@dataclass(frozen=True)
class LengthNode(Node):
    """A number of preferences: a whole number, ``{ mean = m }`` or ``{ probs = [...] }``."""

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if isinstance(value, float):
            yield Problem(
                f"a fixed length must be a whole number, got {value!r}; "
                f"for an average length write {{ mean = {value!r} }}",
                path,
            )
            return
        if isinstance(value, int) and not isinstance(value, bool):
            yield from FIXED_LENGTH.problems(value, path)
            return
        if not isinstance(value, dict):
            yield Problem(
                "must be a whole number, { mean = M } or { probs = [P1, P2, ...] }, "
                f"got {describe(value)}",
                path,
            )
            return
        unknown_keys = [name for name in value if name not in ("mean", "probs")]
        for name in unknown_keys:
            yield Problem(unknown("key", name, ("mean", "probs")), (*path, name))
        if unknown_keys:
            return
        if len(value) != 1:
            yield Problem("give either { mean = M } or { probs = [...] }", path)
            return
        if "mean" in value:
            yield from LENGTH_MEAN.problems(value, path)
            return
        found = list(LENGTH_PROBS.problems(value, path))
        yield from found
        if found:
            return
        total = math.fsum(value["probs"])
        if abs(total - 1) > PROBS_TOLERANCE:
            yield Problem(f"probabilities add up to {total:.10g}, not 1", (*path, "probs"))

    def json(self) -> dict:
        return {"$ref": "#/$defs/length"}

    @staticmethod
    def definition() -> dict:
        return {
            "description": "A number of preferences: a whole number, { mean = m } or "
            "{ probs = [...] }; cut at the number of candidates available.",
            "oneOf": [
                {**FIXED_LENGTH.json(), "description": "Always this many."},
                LENGTH_MEAN.json(),
                LENGTH_PROBS.json(),
            ],
        }


@dataclass(frozen=True)
class OrderingChoice(Node):
    """What a strategy asks of a slate: an ordering name, or ``{ REGION = NAME, default = NAME }``
    (the names are checked against the slates and regions by the reader)."""

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if isinstance(value, str):
            return
        if not isinstance(value, dict):
            yield Problem(
                "must be an ordering name or a table { REGION = ORDERING, default = ORDERING }, "
                f"got {describe(value)}",
                path,
            )
            return
        for key, item in value.items():
            yield from Str().problems(item, (*path, key))

    def json(self) -> dict:
        return {
            "oneOf": [
                {"type": "string", "description": "The ordering every region uses."},
                {
                    "type": "object",
                    "description": "Ordering by region name; 'default' for regions not named.",
                    "additionalProperties": {"type": "string"},
                },
            ]
        }


# -- the format -----------------------------------------------------------------------------------

ELECTION = Table(
    {
        "seats": Key(
            Int(low=1),
            "Seats to fill: at least 1 and at most the number of candidates.",
            required=True,
        ),
        "rule": Key(
            Str(),
            "The counting rule (any of `simcore rules`).",
            default="scottish",
            examples=tuple(RULES),
        ),
        "options": Key(
            MapOf(OptionValue()),
            'Options of the rule, e.g. { quota = "droop-exact", decimals = 2 }.',
            default={},
        ),
        "minimum": Key(
            ListOf(Str(), unique=True),
            "Group minimums for STV rules, block and fptp, each "
            "ATTRIBUTE=VALUE:K (at least K elected with that value).",
            default=[],
        ),
    },
    "The election: seats, counting rule, its options and group minimums.",
)

SIMULATION = Table(
    {
        "sims": Key(Int(low=1), "Simulations when --sims is not given.", default=10000),
        "seed": Key(
            Int(low=0), "Random seed when --seed is not given; default a fresh one (reported)."
        ),
        "precision": Key(
            Num(0, 0.5, low_open=True),
            "Stop early once every probability in the summary (and every paired difference of "
            "one) has a 95% interval no wider than +/- this, checked every 1,000 simulations; "
            "`sims` is then the most to run. Default: run all `sims`.",
        ),
        "voters_per_ballot": Key(
            Int(low=1),
            "1 (the default) generates every voter's ballot. K > 1 is a documented "
            "approximation, several times faster at NEC scale: parameters, blocs, the followers "
            "of each order and every group's first randomly drawn preference are exact; below "
            "that a 1-in-K sample of the voters is generated, each ballot counted K times "
            "(Mallows voters are sampled whole). Check it with `simcore check-sampling`. Not "
            "for colleges.",
            default=1,
        ),
        "generator": Key(
            Str(),
            '"lazy" (the default) generates an exact electorate as a lazy ballot tree: a '
            "voter's later preferences are drawn only when a count needs them, from random "
            'streams keyed by the ballot so far. "eager" generates every ballot up front (the '
            "generator before December 2026, to reproduce older results): the same model, "
            "another sample for a seed (run.json's generator says which). Sampled electorates "
            "(voters_per_ballot > 1) and elections of more than 64 candidates are always eager; "
            "colleges always lazy.",
            default="lazy",
            examples=("lazy", "eager"),
        ),
    },
    "How many simulations to run (at most), the seed, an optional precision to stop at, "
    "whether to sample the electorate and how to generate it.",
)

CANDIDATE = Table(
    {
        "name": Key(Str(nonempty=True), "The candidate's name; unique.", required=True),
        "slate": Key(Str(), "The id of the candidate's slate in [slates]."),
        "strength": Key(
            Num(low=0, low_open=True),
            "Plackett-Luce weight (> 0): the chance of being ranked next is proportional to it.",
            default=1,
        ),
        "attributes": Key(
            MapOf(Str()),
            'Labels such as { gender = "woman" }, used by election.minimum and in outputs.',
            default={},
        ),
    },
    "A candidate, in ballot order.",
)

SUPPORTERS = Table(
    {
        "share": Key(
            PROBABILITY, "Base share of each region's voters who support the slate.", required=True
        ),
        "region_shares": Key(
            MapOf(PROBABILITY), "Base share by region name, overriding share there.", default={}
        ),
        "swing_sd": Key(
            SPREAD,
            "Standard deviation of a national swing in the share, the same in every region.",
            default=0,
        ),
        "regional_sd": Key(
            SPREAD,
            "Standard deviation of independent noise in the share in each region.",
            default=0,
        ),
        "follow": Key(
            DistNode(),
            "Probability that a supporter follows the recommended order exactly.",
            default=1,
        ),
        "mallows_share": Key(
            PROBABILITY,
            "Of the supporters who do not follow exactly, the share "
            "who perturb the order (the rest rank the slate by strength).",
            default=1,
        ),
        "phi": Key(
            DistNode(),
            "How much perturbing supporters change the order (0 none .. 1 random).",
            default=0.5,
        ),
        "stop_after_slate": Key(
            DistNode(),
            "Probability that a supporter's ballot ends after the slate's candidates.",
            default=1,
        ),
        "continue_length": Key(
            LengthNode(),
            "Number of further preferences (for candidates not "
            "on the slate) of supporters who go on.",
            default=3,
        ),
        "next": Key(
            MapOf(Num(low=0, low_open=True)),
            "Slate affinities: multipliers (> 0) on the strengths of other slates' candidates, "
            "by slate id, for the supporters' preferences after the slate, e.g. "
            "{ ol = 3.0, ltw = 0.3 } (default 1: by strength alone). Not for colleges.",
            default={},
        ),
    },
    "Who supports the slate and how they vote.",
)

SLATE = Table(
    {
        "name": Key(Str(), "Display name; default the slate's id."),
        "orderings": Key(
            MapOf(
                ListOf(Str(nonempty=True), min_items=1, unique=True),
                min_items=1,
                empty="a slate needs at least one ordering",
            ),
            "Named recommended orderings (at least one); all rank the same candidates.",
            required=True,
        ),
        "supporters": Key(SUPPORTERS, SUPPORTERS.doc, required=True),
    },
    "A slate; the table's key is its id.",
)

NONALIGNED = Table(
    {
        "length": Key(
            LengthNode(), "Number of preferences of a non-aligned ballot.", default={"mean": 4}
        ),
        "strength_sd": Key(
            NON_NEGATIVE,
            "Standard deviation of per-simulation log-normal noise on candidate strengths.",
            default=0,
        ),
    },
    "Voters who support no slate: everyone else in each region.",
)

REGION = Table(
    {
        "name": Key(Str(nonempty=True), "The region's name; unique.", required=True),
        "electorate": Key(Int(low=0), "Members entitled to vote.", required=True),
        "turnout": Key(DistNode(), "Probability that a member votes.", required=True),
        "weight": Key(
            OptionValue(),
            "College scenarios only: the section's or unit's weight, e.g. \"1/3\" or 55.",
        ),
    },
    "A region; voters are simulated region by region.",
)

COLLEGE = Table(
    {
        "method": Key(
            Str(),
            'How the regions combine: "weighted-irv" (weighted sections) or "block" (units).',
            default="weighted-irv",
            examples=("weighted-irv", "block"),
        ),
        "unit_rule": Key(
            Str(),
            'Block units: how each unit picks its winner, "plurality" or "irv".',
            default="plurality",
            examples=("plurality", "irv"),
        ),
        "allocation": Key(
            Str(),
            'Block units: "winner-take-all" or "proportional" (largest remainders).',
            default="winner-take-all",
            examples=("winner-take-all", "proportional"),
        ),
    },
    "Makes the scenario an electoral college: each region is a section or unit with a weight.",
)

STRATEGY = Table(
    {"description": Key(Str(), "What the strategy is.", default="")},
    "A strategy: for each slate id, the ordering each region is asked to use (a slate with "
    "one ordering may be left out).",
    extra=OrderingChoice(),
)

SCENARIO = Table(
    {
        "title": Key(Str(), "Title shown in outputs; default the file's name."),
        "description": Key(Str(), "What this scenario is for.", default=""),
        "election": Key(
            ELECTION,
            ELECTION.doc,
            required=True,
            missing="an [election] table with at least 'seats' is required",
        ),
        "simulation": Key(SIMULATION, SIMULATION.doc, default={}),
        "candidates": Key(
            TableList(
                CANDIDATE,
                empty="needs at least one [[candidates]] table",
                max_items=MAX_CANDIDATES,
                what="candidates",
            ),
            "One table per candidate, in ballot order.",
            required=True,
            missing="no [[candidates]] tables; a scenario needs at least one",
        ),
        "slates": Key(MapOf(SLATE), "The slates, by id.", default={}),
        "college": Key(COLLEGE, COLLEGE.doc),
        "nonaligned": Key(NONALIGNED, NONALIGNED.doc, default={}),
        "regions": Key(
            TableList(REGION, empty="needs at least one [[regions]] table"),
            "The regions (at least one).",
            required=True,
            missing="no [[regions]] tables; a scenario needs at least one",
        ),
        "strategies": Key(
            MapOf(
                STRATEGY, min_items=1, empty="needs at least one strategy, e.g. [strategies.main]"
            ),
            "Strategies by name: which ordering each slate asks each region to use.",
            required=True,
            missing="no strategies; add at least one, e.g. [strategies.main]",
        ),
    },
    "A simcore election scenario (docs/scenarios.md).",
)


def problems(data: Mapping[str, Any]) -> Iterator[Problem]:
    """Every problem of parsed TOML's shape, in the order of the file's tables and keys."""
    return SCENARIO.problems(data, ())


def check(data: Mapping[str, Any]) -> None:
    """Check parsed TOML against the format; raise :class:`Problem` at the first thing wrong."""
    SCENARIO.check(data, ())


def json_schema() -> dict:
    """The scenario format as a JSON Schema (draft 2020-12), with descriptions and defaults."""
    out = {"$schema": JSON_SCHEMA_DRAFT, "title": "simcore scenario"}
    out.update(SCENARIO.json())
    out["$defs"] = {"dist": DistNode.definition(), "length": LengthNode.definition()}
    return out
