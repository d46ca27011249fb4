"""A weighted college's round-1 and final-round shares, per simulation and strategy.

The count (:func:`simcore.kernels.college.count_weighted_irv`) logs each section's tallies in
every round; the simulation keeps those of the final round (the round the count stopped in,
``Outputs.final``).  From them, per simulation and strategy:

* each candidate's final-round share in each section: its votes over the section's
  non-exhausted ballots (0 for a candidate excluded earlier);
* each candidate's final-round share of the college: the sections' shares weighted by the
  sections' weights, over the weights of the sections with ballots left (what the count
  compares with a majority);
* the winner's final share of the college;
* each candidate's round-1 share of the college: the sections' first-preference shares,
  weighted likewise (the figure a college announces first; the first-preference rows sum
  the sections' voters instead).

Shares are computed in floating point from the integer tallies of one simulation at a time
(section by section, in order) and summed as integer parts per billion, so the figures are the
same for any threads or chunking.
"""

from __future__ import annotations

import numpy as np

from simcore.results.accumulate import PPB, FirstPreferenceAccumulator, Measure
from simcore.sim.bundles import final_sections

FINAL = "final round"
FINAL_PREDICTIVE = "final round (predictive)"
WINNER = "winner's final share"
WINNER_PREDICTIVE = "winner's final share (predictive)"
ROUND1 = "round 1 (weighted)"
ROUND1_PREDICTIVE = "round 1 (weighted, predictive)"


class PredictiveAccumulator(FirstPreferenceAccumulator):
    """First-preference shares (:class:`FirstPreferenceAccumulator`) and, for a weighted
    college, the shares of :func:`final_shares` (``self.final``, items as there)."""

    def __init__(self, plan) -> None:
        super().__init__(
            plan.n_strategies, plan.n_slates, plan.ncand, plan.n_regions, plan.slate_of
        )
        self.sections = final_sections(plan)
        self.weights = np.asarray(plan.college_weights, np.int64)
        if self.sections:
            self.final = Measure.zeros(plan.n_strategies, final_width(plan.ncand, self.sections))

    def add(self, votes: np.ndarray, final=None, elected=None) -> None:
        """Add a chunk: ``votes`` (n, strategies, regions, ncand) first preferences and, for a
        weighted college, ``final`` (n, strategies, sections, ncand) final-round tallies and
        ``elected`` (n, strategies, 1) the winners."""
        super().add(votes)
        if self.sections:
            ppb = np.rint(final_shares(votes, final, elected[:, :, 0], self.weights) * PPB)
            self.final.add(ppb.astype(np.int64))


def final_width(ncand: int, sections: int) -> int:
    return ncand * (sections + 2) + 1


def _weighted(shares: np.ndarray, active: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sections' shares (n, S, R, C) weighted over the sections with ballots (n, S, R)."""
    total = np.zeros(shares.shape[:2] + shares.shape[3:], np.float64)
    wsum = np.zeros(shares.shape[:2], np.float64)
    for s in range(shares.shape[2]):  # (in order: the same sums whatever the chunk)
        w = np.where(active[:, :, s], float(weights[s]), 0.0)
        total = total + w[:, :, None] * shares[:, :, s, :]
        wsum = wsum + w
    return total / np.where(wsum > 0, wsum, 1.0)[:, :, None]


def _section_shares(tallies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    total = tallies.sum(axis=-1)
    return tallies / np.where(total > 0, total, 1)[..., None], total > 0


def final_shares(
    votes: np.ndarray, final: np.ndarray, winner: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """(n, S, items) shares in [0, 1]: items are each candidate's final share of the college
    (ncand), then per section each candidate's final share there (sections x ncand), the
    winner's final share (1; 0 if there is none), then each candidate's weighted round-1 share
    (ncand).  ``votes`` (n, S, R, ncand) first preferences, ``final`` (n, S, R, ncand)
    final-round tallies, ``winner`` (n, S) the winner's index (-1: none)."""
    n, n_strat, n_sec, ncand = final.shape
    sec, active = _section_shares(final.astype(np.float64))
    overall = _weighted(sec, active, weights)
    idx = np.where(winner >= 0, winner, 0).astype(np.int64)
    won = np.take_along_axis(overall, idx[:, :, None], axis=2)[:, :, 0]
    won = np.where(winner >= 0, won, 0.0)
    first, active1 = _section_shares(votes.astype(np.float64))
    round1 = _weighted(first, active1, weights)
    return np.concatenate(
        [overall, sec.reshape(n, n_strat, n_sec * ncand), won[:, :, None], round1], axis=2
    )


def final_item(ncand: int, section: int, candidate: int) -> int:
    """Column of :func:`final_shares`'s items: ``section`` -1 for the college."""
    return (section + 1) * ncand + candidate


def winner_item(ncand: int, sections: int) -> int:
    return (sections + 1) * ncand


def round1_item(ncand: int, sections: int, candidate: int) -> int:
    return (sections + 1) * ncand + 1 + candidate


def final_fields(plan) -> list[str]:
    """Columns of ``simulations.parquet``: ``final_<name>`` (of the college),
    ``final_<name>@<section>``, ``final_winner`` and ``r1_<name>`` (round 1, weighted)."""
    if not final_sections(plan):
        return []
    sc = plan.scenario
    names = [f"final_{c}" for c in sc.candidate_names]
    names += [f"final_{c}@{r.name}" for r in sc.regions for c in sc.candidate_names]
    return names + ["final_winner"] + [f"r1_{c}" for c in sc.candidate_names]


def final_columns(plan, votes, final, elected) -> dict[str, np.ndarray]:
    """The :func:`final_fields` columns of a chunk's rows (simulation-major, then strategy)."""
    fields = final_fields(plan)
    if not fields:
        return {}
    n, s = elected.shape[:2]
    values = final_shares(votes, final, elected[:, :, 0], plan.college_weights)
    flat = values.reshape(n * s, -1)
    return {f: flat[:, i] for i, f in enumerate(fields)}


def _cell(r: dict | None) -> str:
    if r is None:
        return ""
    return f"{100 * r['estimate']:.1f} ({100 * r['ci_low']:.1f}-{100 * r['ci_high']:.1f})"


def render_college_shares(rows: list[dict]) -> str:
    """Per strategy, each candidate's round-1 and final-round shares by section and of the
    college (%, mean and 95% predictive interval), then the winner's final share ("" if the
    rows have none: not a weighted college)."""
    pred = [r for r in rows if r["measure"] in (FINAL_PREDICTIVE, ROUND1_PREDICTIVE)]
    if not pred:
        return ""
    fp = [r for r in rows if r["measure"] == "first preferences (predictive)" and r["candidate"]]
    sections = list(dict.fromkeys(r["section"] for r in pred if r["section"]))
    columns = [*sections, ""]
    out = []
    for strategy in dict.fromkeys(r["strategy"] for r in pred):
        val = {}
        for r in (x for x in fp + pred if x["strategy"] == strategy):
            if r["measure"] == FINAL_PREDICTIVE:
                val[("final", r["candidate"], r["section"])] = r
            elif r["section"] or r["measure"] == ROUND1_PREDICTIVE:
                val[("round 1", r["candidate"], r["section"])] = r
        names = list(dict.fromkeys(r["candidate"] for r in pred if r["candidate"]))
        cells = {k: _cell(r) for k, r in val.items()}
        cw = max([len(c) for c in cells.values()] + [len(c) for c in sections] + [7]) + 2
        w = max(len(n) for n in names) + 2
        out.append(f"Shares by section, {strategy} (%, mean and 95% predictive interval)")
        heads = [*sections, "College"]
        out.append(" " * (w + 9) + "".join(h.rjust(cw) for h in heads))
        for name in names:
            for k, kind in enumerate(("round 1", "final")):
                label = (name if k == 0 else "").ljust(w) + kind.ljust(9)
                out.append(
                    label + "".join(cells.get((kind, name, c), "").rjust(cw) for c in columns)
                )
        won = next(
            (r for r in rows if r["measure"] == WINNER_PREDICTIVE and r["strategy"] == strategy),
            None,
        )
        if won is not None:
            out.append(f"Winner's final share of the college: {_cell(won)}")
        out.append("")
    return "\n".join(out)
