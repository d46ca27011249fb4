"""``count(profile, rule=...)``: check the request, run the rule's kernel, build the result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcore.counting.result import Result, build_result
from simcore.errors import RuleError
from simcore.kernels.countlog import CountLog
from simcore.kernels.ties import BACKWARD, FORWARD
from simcore.model.constraints import MINIMUM_RULES, as_minimums, group_arrays, takes_minimums
from simcore.model.profile import Profile
from simcore.model.rules import (
    MEEK_64_BIT_LIMIT,
    Rule,
    check_total_votes,
    get_rule,
    parse_options,
)


def lot_priorities(seed: int, ncand: int) -> np.ndarray:
    """A random priority per candidate, drawn from ``seed``, used to decide ties by lot."""
    return np.random.default_rng(seed).permutation(ncand).astype(np.int64)


def new_seed() -> int:
    """A fresh seed (reported with the result, so any lot drawn can be repeated)."""
    return int(np.random.SeedSequence().entropy % (2**63))


@dataclass
class CountJob:
    """A checked count, ready to run: the kernel's inputs and how to read its output."""

    rule: Rule
    options: dict[str, Any]
    profile: Profile
    seats: int
    seed: int
    withdrawn: set[int]
    lot: np.ndarray
    group: np.ndarray
    group_min: np.ndarray

    def run(self) -> tuple[int, CountLog, Any]:
        """Run the kernel; returns the rule's decimal places, the filled count log and, for a
        count in 128 bits, the high parts of its values (else None)."""
        wmask = np.zeros(self.profile.n_candidates, np.bool_)
        wmask[list(self.withdrawn)] = True
        return _run(
            self.rule,
            self.options,
            self.profile,
            self.seats,
            wmask,
            self.lot,
            self.group,
            self.group_min,
        )

    def result(self, decimals: int, log: CountLog, high: Any = None) -> Result:
        p = self.profile
        return build_result(
            log,
            rule=self.rule.name,
            seats=self.seats,
            decimals=decimals,
            candidates=p.candidates,
            withdrawn=self.withdrawn,
            seed=self.seed,
            lot=self.lot,
            options=self.options,
            source=p.source,
            title=p.title,
            high=high,
        )


def prepare_count(
    profile: Profile,
    rule: str = "scottish",
    seats: int | None = None,
    seed: int | None = None,
    *,
    minimum: Any = None,
    attributes: Mapping[str, Sequence[str]] | None = None,
    withdraw: Iterable[str] = (),
    **options: Any,
) -> CountJob:
    """Check a count request (see :func:`count`) without running it."""
    r = get_rule(rule)
    opts = parse_options(r, options)
    seats = _seats(profile, r, seats)
    withdrawn = set(profile.withdrawn) | {profile.candidate_index(n) for n in withdraw}
    standing = profile.n_candidates - len(withdrawn)
    if seats > standing:
        raise RuleError(
            f"{seats} seats but only {standing} candidates stand"
            + (f" ({len(withdrawn)} withdrawn)" if withdrawn else "")
            + "; give fewer seats (--seats N)",
            path=profile.source,
        )
    check_total_votes(r, opts, total_weight(profile), path=profile.source)
    _check_rankings(profile, r, seats, opts, withdrawn)
    seed = new_seed() if seed is None else int(seed)
    ncand = profile.n_candidates
    attrs = dict(profile.attributes)
    if attributes:
        attrs.update({k: tuple(v) for k, v in attributes.items()})
        for k, v in attrs.items():
            if len(v) != ncand:
                raise RuleError(f"attribute {k!r} has {len(v)} values for {ncand} candidates")
    mins = as_minimums(minimum)
    if mins and not takes_minimums(r):
        raise RuleError(f"rule {r.name!r} does not take group minimums ({MINIMUM_RULES} do)")
    group, group_min = group_arrays(mins, attrs, profile.candidates, withdrawn, seats)
    if mins:
        opts["minimum"] = [str(m) for m in mins]
    return CountJob(
        r, opts, profile, seats, seed, withdrawn, lot_priorities(seed, ncand), group, group_min
    )


def count(
    profile: Profile,
    rule: str = "scottish",
    seats: int | None = None,
    seed: int | None = None,
    *,
    minimum: Any = None,
    attributes: Mapping[str, Sequence[str]] | None = None,
    withdraw: Iterable[str] = (),
    **options: Any,
) -> Result:
    """Count ``profile`` under ``rule`` and return a :class:`Result`.

    Args:
        profile: ballots, e.g. from :func:`simcore.read_ballots`.
        rule: one of :data:`simcore.model.rules.RULES` (``simcore rules`` lists them).
        seats: seats to fill; defaults to the number the ballot file states.
        seed: seed for ties decided by lot; a fresh one is drawn (and reported) if omitted.
        minimum: group minimums (STV rules, block and fptp), e.g. ``"gender=F:5"`` or
            ``{"gender=F": 5}``.
        attributes: candidate attributes (``{"gender": [...one per candidate...]}``), added to
            those the ballot file gives.
        withdraw: names of candidates to treat as withdrawn (in addition to the file's).
        **options: rule options (``simcore rules`` lists them), e.g. ``quota="hare"``.
    """
    job = prepare_count(
        profile,
        rule,
        seats,
        seed,
        minimum=minimum,
        attributes=attributes,
        withdraw=withdraw,
        **options,
    )
    decimals, log, high = job.run()
    return job.result(decimals, log, high)


def total_weight(profile: Profile) -> int:
    """The profile's total ballot weight, exactly (a Python int)."""
    w = profile.weights
    if len(w) == 0:
        return 0
    if int(w.max()) <= (2**63 - 1) // len(w):
        return int(w.sum())
    return sum(int(x) for x in w)


def _seats(profile: Profile, r: Rule, seats: int | None) -> int:
    if r.single_seat:  # the file's number of seats is ignored; an explicit one must be 1
        if seats not in (None, 1):
            raise RuleError(f"rule {r.name!r} fills one seat, not {seats}")
        return 1
    if seats is None:
        seats = profile.seats
    if seats is None:
        raise RuleError(
            "the ballot file does not say how many seats; give seats (--seats N)",
            path=profile.source,
        )
    if int(seats) < 1:
        raise RuleError(f"seats must be at least 1, got {seats}")
    return int(seats)


def _check_rankings(profile: Profile, r: Rule, seats: int, opts: dict, withdrawn: set[int]) -> None:
    if profile.equal_after is None:
        return
    if r.name in ("block", "fptp"):
        depth = 1 if r.name == "fptp" else (opts.get("votes") or seats)
        # equal rankings are fine unless a group of equal candidates straddles the last
        # counted mark (withdrawn candidates take no mark)
        for row in np.flatnonzero(profile.equal_after.any(axis=1)):
            col = _straddle(profile.ballots[row], profile.equal_after[row], depth, withdrawn)
            if col is not None:
                raise RuleError(_tie_message(profile, int(row), col, r.name), path=profile.source)
        return
    row, col = map(int, np.argwhere(profile.equal_after)[0])
    raise RuleError(_tie_message(profile, row, col, r.name), path=profile.source)


def _straddle(ranking, equal_after, depth: int, withdrawn: set[int]) -> int | None:
    """Position of a candidate beyond the last counted mark but ranked equal to it, if any."""
    marks, group, cut_group = 0, -1, None
    for p, c in enumerate(ranking):
        if c < 0:
            break
        if not equal_after[p]:
            group += 1
        if c in withdrawn:
            continue
        if cut_group is not None:
            return p if group == cut_group else None
        marks += 1
        if marks == depth:
            cut_group = group
    return None


def _tie_message(profile: Profile, row: int, col: int, rule: str) -> str:
    a = profile.candidates[int(profile.ballots[row, col - 1])]
    b = profile.candidates[int(profile.ballots[row, col])]
    return (
        f"a ballot ranks {a!r} and {b!r} equally; rule {rule!r} needs strict rankings "
        "(break the ties in the file, or use a rule that allows them)"
    )


def _run(r, opts, profile, seats, wmask, lot, group, group_min):
    if r.name == "meek":
        return _run_meek(profile, seats, wmask, lot, group, group_min)
    return (*_run_64(r, opts, profile, seats, wmask, lot, group, group_min), None)


def _run_meek(profile, seats, wmask, lot, group, group_min):
    """The 64-bit kernel when the total fits it, else the same count in 128 bits."""
    # imported here so that reading files and listing rules never triggers compilation
    from simcore.kernels import meek, meek_wide

    ncand = profile.n_candidates
    log = CountLog.allocate(ncand, 3 * ncand + seats + 4)
    depth = profile.ballots.shape[1]
    args = (profile.trie, depth, seats, wmask, lot, group, group_min, log.arrays())
    if total_weight(profile) <= MEEK_64_BIT_LIMIT:
        meek.count_meek(*args)
        return 9, log, None
    high = meek_wide.allocate_high(ncand, log.votes.shape[0])
    meek_wide.count_meek_wide(*args, high)
    return 9, log, high


def _run_64(r, opts, profile, seats, wmask, lot, group, group_min):
    """Every other rule, in 64 bits: returns ``(decimals, log)``."""
    from simcore.kernels import irv, wigm

    ncand = profile.n_candidates
    tree = profile.trie
    if r.name in ("block", "fptp"):
        votes = 1 if r.name == "fptp" else (opts.get("votes") or seats)
        log = CountLog.allocate(ncand, 1 + int(group_min.sum()))  # a stage per replacement
        irv.count_block(tree, wmask, seats, votes, lot, group, group_min, log.arrays())
        return 0, log
    if r.name in ("scottish", "wigm"):
        from simcore.kernels.quota import QUOTA_KINDS

        decimals = 5 if r.name == "scottish" else opts["decimals"]
        quota_kind = QUOTA_KINDS["droop" if r.name == "scottish" else opts["quota"]]
        direction = BACKWARD if r.name == "scottish" or opts["ties"] == "backward" else FORWARD
        log = CountLog.allocate(ncand, 2 * ncand + seats + 4)
        wigm.count_wigm(
            tree,
            seats,
            wmask,
            10**decimals,
            quota_kind,
            direction,
            lot,
            group,
            group_min,
            log.arrays(),
        )
        return decimals, log
    if r.name == "ers97":
        from simcore.kernels import ers97

        log = CountLog.allocate(ncand, ers97.max_stages(ncand, seats))
        ers97.count_ers97(tree, seats, wmask, lot, group, group_min, log.arrays())
        return 2, log
    direction = BACKWARD if opts["ties"] == "backward" else FORWARD
    log = CountLog.allocate(ncand, ncand + 2)
    irv.count_irv(tree, wmask, direction, lot, log.arrays())
    return 0, log
