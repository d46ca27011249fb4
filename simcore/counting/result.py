"""Count results: stages, elected candidates, and their JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from simcore.kernels.countlog import (
    BULK_EXCLUSION,
    ELECTED,
    EXCLUDED,
    EXCLUSION,
    FIRST_PREFERENCES,
    ITERATION,
    REPLACEMENT,
    SURPLUS,
    TIE_HISTORY,
    TIE_LOT,
    WITHDRAWN,
    CountLog,
)

ACTIONS = {
    FIRST_PREFERENCES: "first preferences",
    SURPLUS: "surplus",
    EXCLUSION: "exclusion",
    BULK_EXCLUSION: "exclusion",
    ITERATION: "surpluses",
    REPLACEMENT: "replacement",
}
STATES = {0: "continuing", ELECTED: "elected", EXCLUDED: "excluded", WITHDRAWN: "withdrawn"}
TIES = {TIE_HISTORY: "earlier stages", TIE_LOT: "lot"}


def fixed(units: int, decimals: int) -> Decimal:
    """An integer count of ``10**-decimals`` units as an exact Decimal."""
    return Decimal(int(units)).scaleb(-decimals)


_LOW = 2**64 - 1


def wide_units(low, high=None) -> int:
    """A value a kernel recorded as int64 ``low`` and, for a 128-bit value, the uint64 ``high``
    part (:mod:`simcore.kernels.meek_wide`): ``high * 2**64 + low`` (``low`` read unsigned)."""
    if high is None:
        return int(low)
    return (int(high) << 64) | (int(low) & _LOW)


def fixed_str(units: int, decimals: int) -> str:
    units = int(units)
    if decimals == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    q, r = divmod(abs(units), 10**decimals)
    return f"{sign}{q}.{r:0{decimals}d}"


@dataclass(frozen=True)
class Stage:
    """One stage of a count: what was done, to whom, and everyone's votes afterwards."""

    number: int
    action: str
    candidates: tuple[str, ...]
    votes: dict[str, Decimal]
    states: dict[str, str]
    non_transferable: Decimal
    lost: Decimal
    quota: Decimal
    elected: tuple[str, ...]
    tie: str | None
    removed: tuple[str, ...] = ()  # a replacement: who gave way to the subject

    @property
    def candidate(self) -> str | None:
        return ", ".join(self.candidates) if self.candidates else None


@dataclass(frozen=True)
class Result:
    """The outcome of a count.  ``elected`` is in order of election."""

    rule: str
    seats: int
    decimals: int
    quota: Decimal
    elected: tuple[str, ...]
    stages: tuple[Stage, ...]
    valid_votes: Decimal
    seed: int | None
    candidates: tuple[str, ...]
    withdrawn: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: votes as decimal strings at the rule's precision."""
        d = self.decimals

        def s(x: Decimal) -> str:
            return fixed_str(int(x.scaleb(d)), d)

        out: dict[str, Any] = {}
        if self.source is not None:
            out["file"] = self.source
        out.update(
            title=self.title,
            rule=self.rule,
            seats=self.seats,
            quota=s(self.quota),
            valid_votes=s(self.valid_votes),
            elected=list(self.elected),
        )
        if self.withdrawn:
            out["withdrawn"] = list(self.withdrawn)
        out["options"] = {k: v for k, v in self.options.items() if v is not None}
        out["seed"] = self.seed
        out["stages"] = [
            {
                "stage": st.number,
                "action": st.action,
                "candidate": st.candidate,
                "candidates": list(st.candidates),
                "votes": {k: s(v) for k, v in st.votes.items()},
                "states": dict(st.states),
                "non_transferable": s(st.non_transferable),
                "lost_to_rounding": s(st.lost),
                "quota": s(st.quota),
                "elected": list(st.elected),
                "tie_broken_by": st.tie,
                **({"removed": list(st.removed)} if st.removed else {}),
            }
            for st in self.stages
        ]
        return out


def build_result(
    log: CountLog,
    *,
    rule,
    seats,
    decimals,
    candidates,
    withdrawn,
    seed,
    options,
    source,
    title,
    lot=None,
    high=None,
) -> Result:
    """``lot``: the count's lot priorities, needed only to list in order of election those
    whom a block count elected at its first stage and who later gave way (a replacement).
    ``high``: the high 64 bits of a 128-bit count's values
    (:data:`simcore.kernels.meek_wide.HighParts`), or None."""

    def value(low, name, *index):
        """The value whose low part is ``low`` and high part ``high.<name>[index]``."""
        hi = None if high is None else getattr(high, name)[index]
        return fixed(wide_units(low, hi), decimals)

    shown = [c for c in range(len(candidates)) if c not in withdrawn]
    stages = []
    prev_state = None
    replaced = any(int(a) == REPLACEMENT for a in log.action[: log.n_stages])
    for k in range(log.n_stages):
        state = log.state[k]
        action = int(log.action[k])
        if action == BULK_EXCLUSION or (action == EXCLUSION and log.subject[k] < 0):
            subjects = tuple(
                candidates[c]
                for c in shown
                if state[c] == EXCLUDED and (prev_state is None or prev_state[c] != EXCLUDED)
            )
            # a later batch of the same exclusion (ERS97 5.4) has the same subjects
            subjects = subjects or (stages[-1].candidates if stages else ())
        elif log.subject[k] >= 0:
            subjects = (candidates[int(log.subject[k])],)
        else:
            subjects = ()
        newly = tuple(
            candidates[c] for c in log.elected[: log.n_elected] if log.elected_stage[c] == k
        )
        removed = ()
        if action == REPLACEMENT:
            removed = tuple(
                candidates[c] for c in shown if state[c] == EXCLUDED and prev_state[c] == ELECTED
            )
        elif replaced and k == 0:  # first stage of a block count: most votes first, then lot
            first = [c for c in shown if state[c] == ELECTED]
            first.sort(key=lambda c: (-int(log.votes[0, c]), -int(lot[c])))
            newly = tuple(candidates[c] for c in first)
        stages.append(
            Stage(
                number=k + 1,
                action=ACTIONS.get(action, "round"),
                candidates=subjects,
                votes={candidates[c]: value(log.votes[k, c], "votes", k, c) for c in shown},
                states={candidates[c]: STATES[int(state[c])] for c in shown},
                non_transferable=value(log.exhausted[k], "exhausted", k),
                lost=fixed(log.lost[k], decimals),
                quota=value(log.quota[k], "quota", k),
                elected=newly,
                tie=TIES.get(int(log.tie[k])),
                removed=removed,
            )
        )
        prev_state = state
    final_quota = stages[-1].quota if stages else Decimal(0)
    return Result(
        rule=rule,
        seats=seats,
        decimals=decimals,
        quota=final_quota,
        elected=tuple(candidates[c] for c in log.elected[: log.n_elected]),
        stages=tuple(stages),
        valid_votes=value(log.meta[2], "meta", 0),
        seed=seed,
        candidates=tuple(candidates),
        withdrawn=tuple(candidates[c] for c in sorted(withdrawn)),
        options=options,
        source=source,
        title=title,
    )
