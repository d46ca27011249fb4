"""``check_fit``: how far a scenario's simulated first preferences are from observed ones.

The observed CSV has a ``candidate`` or a ``slate`` column (a slate's id or name, or
``no slate``), an optional ``region`` column (blank: national) and ``first_preferences``, as
votes or as shares.  Shares are values in [0, 1] (or percentages ending in ``%``); votes are
turned into shares of the file's total in each region, so a file of votes must list every
candidate (or every slate, and ``no slate`` where some candidates are on none) of that region.

Each row is compared with the predictive distribution of the simulated share under one
strategy: z = (observed - simulated mean) / simulated sd, the sd being the spread of the share
across simulations (the scenario's own uncertainty), not the Monte Carlo error of its mean.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from simcore.errors import InputError, shown
from simcore.model.scenario import Scenario
from simcore.results.first_pref_outputs import PREDICTIVE

THRESHOLD = 3.0


@dataclass
class Observed:
    kind: str  # "candidate" or "slate"
    name: str  # as the scenario names it (a slate's name)
    region: str  # "" for national
    value: float  # as given
    line: int
    share: float = math.nan


@dataclass
class FitRow:
    kind: str
    name: str
    region: str
    observed: float
    mean: float
    sd: float

    @property
    def z(self) -> float:
        diff = self.observed - self.mean
        if self.sd > 0:
            return diff / self.sd
        return 0.0 if abs(diff) < 1e-12 else math.copysign(math.inf, diff)


@dataclass
class FitCheck:
    rows: list[FitRow]
    strategy: str
    sims: int
    seed: int
    threshold: float

    @property
    def off(self) -> list[FitRow]:
        return [r for r in self.rows if abs(r.z) > self.threshold]

    def as_dict(self) -> dict:
        return {
            "strategy": self.strategy,
            "simulations": self.sims,
            "seed": self.seed,
            "threshold": self.threshold,
            "verdict": verdict(self),
            "rows": [
                {
                    r.kind: r.name,
                    "region": r.region,
                    "observed": r.observed,
                    "simulated_mean": r.mean,
                    "simulated_sd": r.sd,
                    "z": r.z if math.isfinite(r.z) else None,
                }
                for r in self.rows
            ],
        }


def _number(text: str, path, line: int) -> tuple[float, bool]:
    """(value, given as a percentage)."""
    t = text.strip().replace(",", "")
    pct = t.endswith("%")
    try:
        v = float(t[:-1] if pct else t)
    except ValueError:
        raise InputError(
            f"first_preferences: expected a number of votes or a share, got {shown(text)}",
            path=path,
            line=line,
        ) from None
    if not math.isfinite(v) or v < 0:
        raise InputError(
            f"first_preferences: expected a non-negative number, got {shown(text)}",
            path=path,
            line=line,
        )
    return (v / 100 if pct else v), pct


def read_observed(path: str | Path, sc: Scenario) -> list[Observed]:
    """The observed first preferences, checked against the scenario; shares filled in."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise InputError(
            f"cannot read the observed first preferences: {exc.strerror}", path=path
        ) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=path) from None
    if not rows:
        raise InputError("empty file: expected a header row", path=path, line=1)
    header = [h.strip().lower() for h in rows[0]]
    kinds = [k for k in ("candidate", "slate") if k in header]
    if len(kinds) != 1 or "first_preferences" not in header:
        raise InputError(
            "header: expected columns 'candidate' or 'slate' (one of them), optionally "
            f"'region', and 'first_preferences'; got {shown(','.join(rows[0]))}",
            path=path,
            line=1,
        )
    kind = kinds[0]
    col, col_fp = header.index(kind), header.index("first_preferences")
    col_region = header.index("region") if "region" in header else -1
    regions = {r.name for r in sc.regions}
    slates = {s.id: s.name for s in sc.slates} | {s.name: s.name for s in sc.slates}
    slates["no slate"] = "no slate"
    names = set(sc.candidate_names)
    out: list[Observed] = []
    seen: set[tuple[str, str]] = set()
    any_pct = False
    for i, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise InputError(f"expected {len(header)} fields, got {len(row)}", path=path, line=i)
        name = row[col].strip()
        if kind == "candidate" and name not in names:
            raise InputError(
                f"candidate: {shown(name)} is not a candidate of the scenario", path=path, line=i
            )
        if kind == "slate":
            if name not in slates:
                known = ", ".join(sorted(s.id for s in sc.slates)) or "none"
                raise InputError(
                    f"slate: {shown(name)} is not a slate of the scenario (its slates: {known}; "
                    "or 'no slate')",
                    path=path,
                    line=i,
                )
            name = slates[name]
        region = row[col_region].strip() if col_region >= 0 else ""
        if region and region not in regions:
            raise InputError(
                f"region: {shown(region)} is not a region of the scenario", path=path, line=i
            )
        if region and len(sc.regions) == 1:
            region = ""  # (one region: its figures are the national ones)
        if (name, region) in seen:
            raise InputError(f"{kind}: {shown(name)} is listed twice", path=path, line=i)
        seen.add((name, region))
        value, pct = _number(row[col_fp], path, i)
        any_pct |= pct
        out.append(Observed(kind, name, region, value, i))
    if not out:
        raise InputError("no rows of first preferences", path=path, line=2)
    as_votes = not any_pct and any(o.value > 1 for o in out)
    if not as_votes:
        for o in out:
            if o.value > 1:
                raise InputError(
                    f"first_preferences: a share above 1 ({o.value * 100:g}%)",
                    path=path,
                    line=o.line,
                )
            o.share = o.value
        return out
    expected = _all_items(sc, kind)
    for region in sorted({o.region for o in out}):
        here = [o for o in out if o.region == region]
        missing = [x for x in expected if x not in {o.name for o in here}]
        if missing:
            raise InputError(
                f"first_preferences: votes are turned into shares of the file's total, so "
                f"every {kind} must be listed"
                + (f" in region {region!r}" if region else "")
                + f"; missing {', '.join(repr(m) for m in missing[:5])} (or give shares)",
                path=path,
                line=here[-1].line,
            )
        total = sum(o.value for o in here)
        if total <= 0:
            raise InputError(
                "first_preferences: the votes add up to 0", path=path, line=here[0].line
            )
        for o in here:
            o.share = o.value / total
    return out


def _all_items(sc: Scenario, kind: str) -> list[str]:
    if kind == "candidate":
        return list(sc.candidate_names)
    out = [s.name for s in sc.slates]
    if any(not c.slate for c in sc.candidates):
        out.append("no slate")
    return out


def check_fit(
    sc: Scenario,
    observed_path: str | Path,
    *,
    sims: int = 500,
    seed: int = 1,
    strategy: str | None = None,
    threads: int | None = None,
    threshold: float = THRESHOLD,
) -> FitCheck:
    """Simulate ``sc`` and compare its first preferences with the observed ones."""
    from simcore.jobs.run import run_scenario

    observed = read_observed(observed_path, sc)
    names = [s.name for s in sc.strategies]
    strategy = strategy if strategy is not None else names[0]
    if strategy not in names:
        raise InputError(
            f"--strategy: {shown(strategy)} is not a strategy of the scenario "
            f"(its strategies: {', '.join(names)})"
        )
    summary = run_scenario(sc, sims=sims, seed=seed, threads=threads, precision=None)
    pred = {
        ("candidate" if r["candidate"] else "slate", r["candidate"] or r["slate"], r["section"]): r
        for r in summary.rows
        if r["measure"] == PREDICTIVE and r["strategy"] == strategy
    }
    rows = []
    for o in observed:
        r = pred[(o.kind, o.name, o.region)]
        rows.append(FitRow(o.kind, o.name, o.region, o.share, r["estimate"], r["std_error"]))
    return FitCheck(rows, strategy, int(summary.metadata["simulations"]), seed, threshold)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def verdict(check: FitCheck) -> str:
    off = check.off
    n = len(check.rows)
    if not off:
        return f"fits: all {n} |z| <= {check.threshold:g}"
    worst = max(off, key=lambda r: abs(r.z))
    where = f" in {worst.region}" if worst.region else ""
    return (
        f"off: {len(off)} of {n} |z| > {check.threshold:g}; {worst.name}{where} simulated "
        f"{_pct(worst.mean)} vs observed {_pct(worst.observed)} (z = {worst.z:.1f})"
    )


def render_check(check: FitCheck, title: str) -> str:
    head = [check.rows[0].kind if check.rows else "", "region", "observed", "simulated", "sd", "z"]
    body = [
        [
            r.name,
            r.region,
            _pct(r.observed),
            _pct(r.mean),
            f"{100 * r.sd:.1f}",
            f"{r.z:+.1f}" if math.isfinite(r.z) else ("+inf" if r.z > 0 else "-inf"),
        ]
        for r in check.rows
    ]
    if not any(r.region for r in check.rows):
        head.pop(1)
        body = [b[:1] + b[2:] for b in body]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = [
        f"{title}: first preferences, {check.sims:,} simulations, seed {check.seed}, "
        f"strategy {check.strategy!r} (sd: spread across simulations, in points)",
        "",
    ]
    for x in [head, *body]:
        lines.append(
            "  ".join(
                x[0].ljust(widths[0]) if i == 0 else x[i].rjust(widths[i]) for i in range(len(x))
            )
        )
    lines += ["", verdict(check)]
    return "\n".join(lines)
