"""The counting rules simcore knows, their options, and how options are checked.

Each rule names the law or paper it implements; kernels live in :mod:`simcore.kernels`.
Options reach a rule as keyword arguments from Python or ``--option KEY=VALUE`` on the command
line; both are validated here, so a bad value is reported before anything is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simcore.errors import InputError


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    kind: type = str
    low: int | None = None
    high: int | None = None

    def parse(self, value: Any, rule: str) -> Any:
        """Convert and check a value given for this option (a string from the CLI is fine)."""
        key = f"option {self.name!r} of rule {rule!r}"
        if self.kind is int:
            try:
                v = int(value)
                if isinstance(value, float) and value != v:
                    raise ValueError
            except (TypeError, ValueError):
                raise InputError(f"{key} must be a whole number, got {value!r}") from None
            if self.low is not None and v < self.low or self.high is not None and v > self.high:
                raise InputError(f"{key} must be between {self.low} and {self.high}, got {v}")
            return v
        v = str(value).strip().lower()
        if self.choices and v not in self.choices:
            raise InputError(f"{key} must be one of {', '.join(self.choices)}; got {value!r}")
        return v


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    source: str
    summary: str
    options: tuple[Option, ...] = ()
    stv: bool = True  # multi-seat STV: takes group constraints
    single_seat: bool = False
    decimals: int | None = None  # fixed precision; None: given by the 'decimals' option
    aliases: tuple[str, ...] = field(default=())

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


_TIES = Option(
    "ties",
    "backward",
    "tie-breaking: 'backward' (most recent stage where tied candidates "
    "differed, Scottish) or 'forward' (earliest such stage, ERS97); then by lot",
    choices=("backward", "forward"),
)

RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule(
            "scottish",
            "Scottish STV",
            "Scottish Local Government Elections Order 2007 (SSI 2007/42), Sch. 1 rules 45-52",
            "Droop integer quota, weighted inclusive Gregory surplus transfers truncated to 5 "
            "decimal places per paper, largest surplus first, one exclusion per stage, backward "
            "tie-breaking then lot.",
            decimals=5,
        ),
        Rule(
            "wigm",
            "Weighted inclusive Gregory STV",
            "Generic WIGM (as in the Scottish rules, with a chosen quota and precision)",
            "As 'scottish' but with a chosen quota, precision and tie-breaking direction.",
            options=(
                Option(
                    "quota",
                    "droop",
                    "droop (floor(N/(s+1))+1, reach it), droop-exact "
                    "(N/(s+1), exceed it) or hare (N/s, reach it)",
                    choices=("droop", "droop-exact", "hare"),
                ),
                Option(
                    "decimals",
                    5,
                    "decimal places of transfer values (truncated)",
                    kind=int,
                    low=0,
                    high=9,
                ),
                _TIES,
            ),
        ),
        Rule(
            "meek",
            "Meek STV",
            "Hill, Wichmann & Woodall, Computer Journal 30(3) 1987 (Algorithm 123); New Zealand "
            "Local Electoral Regulations 2001, Schedule 1A",
            "Keep values, quota recomputed from non-exhausted votes every iteration, 9 decimal "
            "places fixed point; exclusion when the total surplus is below 0.0001 or cannot "
            "save the lowest candidate.",
            decimals=9,
        ),
        Rule(
            "ers97",
            "ERS97 STV",
            "Electoral Reform Society, How to conduct an election by the Single Transferable "
            "Vote, 3rd edition (1997), sections 5.1-5.6",
            "Quota N/(s+1) to 2 decimals, last-parcel surplus transfers, deferred surpluses, "
            "bulk exclusion, exclusion in batches by transfer value, forward tie-breaking.",
            decimals=2,
        ),
        Rule(
            "irv",
            "Instant runoff",
            "Majority of continuing votes; lowest excluded each round",
            "Single seat: a candidate with more than half the continuing votes wins; otherwise "
            "the lowest is excluded (backward tie-breaking, then lot).",
            options=(_TIES,),
            stv=False,
            single_seat=True,
            decimals=0,
            aliases=("av",),
        ),
        Rule(
            "block",
            "Block vote",
            "Plurality-at-large",
            "Each ballot gives one vote to each of its first N choices (N = seats unless "
            "'votes' is given); the most-voted candidates win, ties by lot.",
            options=(
                Option(
                    "votes",
                    None,
                    "marks per ballot (default: the number of seats)",
                    kind=int,
                    low=1,
                    high=10**6,
                ),
            ),
            stv=False,
            decimals=0,
        ),
        Rule(
            "fptp",
            "First past the post",
            "Plurality (single non-transferable vote if seats > 1)",
            "Each ballot's first choice only; the most-voted candidates win, ties by lot.",
            stv=False,
            decimals=0,
            aliases=("sntv",),
        ),
    )
}

_ALIASES = {a: r.name for r in RULES.values() for a in r.aliases}


def get_rule(name: str) -> Rule:
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in RULES:
        raise InputError(f"unknown rule {name!r}; expected one of {', '.join(RULES)}")
    return RULES[key]


def parse_options(rule: Rule, options: dict[str, Any]) -> dict[str, Any]:
    """Validated options with defaults filled in; unknown options are an error."""
    out = {o.name: o.default for o in rule.options}
    for key, value in options.items():
        opt = rule.option(key)
        if opt is None:
            known = ", ".join(o.name for o in rule.options) or "none"
            raise InputError(f"rule {rule.name!r} has no option {key!r} (its options: {known})")
        out[key] = None if value is None else opt.parse(value, rule.name)
    return out


# -- numeric limits ---------------------------------------------------------------------------
# Counting values are int64 in units of 10**-decimals of a vote.  Every value a count holds (a
# candidate's votes, the non-transferable or lost value, a quota, a surplus) is at most the
# total vote in those units, and the kernels add at most two such values together (a total plus
# a surplus, a prefix of totals plus a deferred surplus, twice a total against the whole), so
# the total in units must stay at or below 2**62.  Products (surplus x value, weight x share)
# are done in 128 bits (simcore.kernels.arith) and need no further room.
UNITS_LIMIT = 2**62
#: Simulations draw voters with binomial samplers working in float64, exact for counts up to 2**53.
GENERATOR_LIMIT = 2**53
INT64_MAX = 2**63 - 1
#: Meek (10^-9 of a vote) in int64 counts up to 2**62 // 10**9 votes; a larger total is counted
#: by the same arithmetic in 128 bits (simcore.kernels.meek_wide), up to 2**62 votes: every value
#: is then below 2**62 x 10**9 < 2**92 units, a sum of two below 2**93 and every product formed
#: (a value x at most 10**9) below 2**122 < 2**128.  Simulations use the 64-bit kernel only.
MEEK_64_BIT_LIMIT = UNITS_LIMIT // 10**9
MEEK_WIDE_LIMIT = UNITS_LIMIT


def rule_decimals(rule: Rule, options: dict[str, Any] | None = None) -> int:
    """Decimal places of the rule's fixed-point values."""
    if rule.decimals is not None:
        return rule.decimals
    opts = parse_options(rule, options or {})
    return int(opts["decimals"])


def max_total_votes(
    rule: Rule | str, options: dict[str, Any] | None = None, *, simulated: bool = False
) -> int:
    """The largest total ballot weight (votes) the rule counts exactly (``simulated``: inside
    simulations, which count Meek in 64 bits only)."""
    r = get_rule(rule) if isinstance(rule, str) else rule
    if r.name == "meek":
        return MEEK_64_BIT_LIMIT if simulated else MEEK_WIDE_LIMIT
    return UNITS_LIMIT // 10 ** rule_decimals(r, options)


def check_total_votes(
    rule: Rule | str,
    options: dict[str, Any] | None,
    total: int,
    *,
    what: str = "total ballot weight",
    simulated: bool = False,
    path: str | None = None,
    key: str | None = None,
) -> None:
    """Refuse a total vote beyond :func:`max_total_votes` with a one-line :class:`InputError`."""
    r = get_rule(rule) if isinstance(rule, str) else rule
    limit = max_total_votes(r, options, simulated=simulated)
    if total > limit:
        d = rule_decimals(r, options)
        scale = f" (values are kept to {d} decimal places)" if d else ""
        raise InputError(
            f"{what} {total}, more than the {total_limit_text(limit)} votes rule {r.name!r} "
            f"counts exactly{scale}; see 'simcore rules'",
            path=path,
            key=key,
        )


def total_limit_text(limit: int) -> str:
    """A limit for people: ``4,611,686,018,427`` (about 4.6e12)."""
    return f"{limit:,} (about {limit:.2g})".replace("e+", "e")


#: Block colleges: units' weights add up in int64 and a winner needs twice its weight to exceed
#: the total, so the total weight must stay at or below 2**62; weight x votes (proportional
#: allocation) is done in 128 bits, so a unit's votes may be anything a count takes (2**62).
COLLEGE_BLOCK_WEIGHT_LIMIT = 2**62
COLLEGE_VOTES_LIMIT = 2**62
#: Weighted-section IRV compares sum_s weight_s x votes_s x prod_{q != s} active_q exactly in 128
#: bits: with n_s ballots per section (an upper bound of its active ballots in every round) it
#: needs prod_s n_s < 2**64 and (sum_s weight_s) x prod_s n_s < 2**126.
COLLEGE_IRV_PRODUCT_LIMIT = 2**64 - 1
COLLEGE_IRV_WEIGHTED_LIMIT = 2**126


def college_limit_problem(method: str, weights: list[int], sizes: list[int]) -> str | None:
    """Why a college with these unit/section weights (integer numerators) and ballots per unit
    cannot be counted exactly, or None if it can."""
    if any(n > COLLEGE_VOTES_LIMIT for n in sizes):
        return f"a unit's ballots are beyond {total_limit_text(COLLEGE_VOTES_LIMIT)}"
    if method == "block":
        total = sum(weights)
        if total > COLLEGE_BLOCK_WEIGHT_LIMIT:
            return (
                f"the units' weights add up to {total}, more than the "
                f"{total_limit_text(COLLEGE_BLOCK_WEIGHT_LIMIT)} a block college counts exactly"
            )
        return None
    prod = 1
    for n in sizes:
        prod *= max(int(n), 1)
    if prod > COLLEGE_IRV_PRODUCT_LIMIT or prod * sum(weights) >= COLLEGE_IRV_WEIGHTED_LIMIT:
        return (
            "the product of the sections' ballots (x their total weight) is beyond the 2**64 "
            "(2**126) a weighted-irv college counts exactly"
        )
    return None


def limit_summary(rule: Rule) -> str:
    """One line for ``simcore rules``: the largest total vote counted exactly."""
    if rule.decimals is None:  # wigm: depends on the decimals option
        opt = rule.option("decimals")
        assert opt is not None and opt.low is not None and opt.high is not None
        parts = [
            f"{total_limit_text(UNITS_LIMIT // 10**d)} at {d} decimals"
            for d in (opt.low, opt.default, opt.high)
        ]
        return "total votes x 10^decimals <= 2^62: " + "; ".join(parts)
    if rule.name == "meek":
        return (
            f"total votes <= 2^62: {total_limit_text(MEEK_WIDE_LIMIT)} votes (in 128 bits above "
            f"{total_limit_text(MEEK_64_BIT_LIMIT)}; simulations: at most the latter)"
        )
    scale = f" x 10^{rule.decimals}" if rule.decimals else ""
    return f"total votes{scale} <= 2^62: {total_limit_text(max_total_votes(rule))} votes"
