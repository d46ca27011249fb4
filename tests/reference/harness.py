"""Running a case through the kernel (``simcore.count``) and the reference, and comparing them.

A :class:`Case` is a small election written out in full, so that a failure message is a
complete reproducer.
"""

from __future__ import annotations

import functools
import os
import pickle
import select
import signal
import time
import traceback
from dataclasses import dataclass, field
from decimal import Decimal

from simcore import Profile, count
from simcore.counting.api import lot_priorities

from . import block, ers97, irv, meek, wigm

NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

REFERENCE = {
    "scottish": wigm.count,
    "wigm": wigm.count,
    "meek": meek.count,
    "ers97": ers97.count,
    "irv": irv.count,
    "block": block.count,
    "fptp": block.count,
}


@dataclass
class Case:
    rule: str
    ncand: int
    seats: int
    rankings: list[tuple[tuple[int, ...], int]]  # (ranking, weight)
    withdrawn: frozenset[int] = frozenset()
    seed: int = 0
    options: dict = field(default_factory=dict)
    minimum: int | None = None  # at least this many elected with attribute g == "1"
    attrs: tuple[str, ...] | None = None  # attribute g, one value per candidate

    @property
    def names(self) -> list[str]:
        return list(NAMES[: self.ncand])

    def describe(self) -> str:
        nm = self.names
        lines = [
            f"rule={self.rule!r} options={self.options!r} seats={self.seats} seed={self.seed}",
            f"candidates={''.join(nm)} withdrawn={sorted(nm[c] for c in self.withdrawn)}",
        ]
        if self.minimum is not None:
            lines.append(f"minimum='g=1:{self.minimum}' attributes g={list(self.attrs)}")
        lines.append("ballots (weight: ranking):")
        for r, w in self.rankings:
            lines.append(f"  {w:3d}: {' '.join(nm[c] for c in r)}")
        lines.append(f"as code: rankings={[list(r) for r, _ in self.rankings]!r}")
        lines.append(f"         weights={[w for _, w in self.rankings]!r}")
        return "\n".join(lines)

    # -- the two sides ------------------------------------------------------------------------
    def kernel(self):
        profile = Profile.from_rankings(
            [r for r, _ in self.rankings], [w for _, w in self.rankings],
            candidates=self.names, withdrawn=frozenset(self.withdrawn),
        )
        kw = {}
        if self.minimum is not None:
            kw = {"minimum": f"g=1:{self.minimum}", "attributes": {"g": list(self.attrs)}}
        seats = None if self.rule == "irv" else self.seats
        return count(profile, self.rule, seats=seats, seed=self.seed, **kw, **self.options)

    def groups(self):
        if self.minimum is None:
            return None
        return [0 if a == "1" else -1 for a in self.attrs], [self.minimum]

    def reference(self):
        lot = [int(x) for x in lot_priorities(self.seed, self.ncand)]
        options = dict(self.options)
        if self.rule == "fptp":
            options["votes"] = 1
        seats = 1 if self.rule == "irv" else self.seats
        return REFERENCE[self.rule](
            self.rankings, self.ncand, seats, set(self.withdrawn), lot, options, self.groups()
        )


# -- running the kernel in a forked child ------------------------------------------------------


class KernelFailure(AssertionError):
    """The kernel raised, crashed the process (e.g. a segmentation fault) or hung."""


def kernel_isolated(case: Case, timeout: float = 120.0):
    """``case.kernel()`` in a forked child, so that a crash in compiled code fails one example
    (with the case in the message) instead of killing the test process.  Compile in the parent
    first (``warm_up``), or every child compiles again."""
    if not hasattr(os, "fork"):
        return case.kernel()
    warm_up(case.rule)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: count, send the result (or the error) back, and leave at once
        try:
            os.close(r)
            try:
                payload = ("ok", case.kernel())
            except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
                payload = ("error", f"{type(e).__name__}: {e}", traceback.format_exc())
            data = pickle.dumps(payload)
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise KernelFailure(f"the kernel did not finish in {timeout:.0f} s\n"
                                    + case.describe())
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit status {os.WEXITSTATUS(status)}")
        raise KernelFailure(f"the kernel crashed the process ({how})\n" + case.describe())
    payload = pickle.loads(b"".join(chunks))
    if payload[0] == "error":
        raise KernelFailure(f"the kernel raised {payload[1]}\n{case.describe()}\n{payload[2]}")
    return payload[1]


@functools.cache
def warm_up(rule: str) -> None:
    """Compile the rule's kernel in this process (forked children then inherit it)."""
    Case(rule=rule, ncand=3, seats=2 if rule != "irv" else 1,
         rankings=[((0, 1), 2), ((1,), 1), ((2, 0), 1)]).kernel()


# -- comparison -------------------------------------------------------------------------------


def units(x: Decimal, decimals: int) -> int:
    scaled = Decimal(x).scaleb(decimals)
    assert scaled == scaled.to_integral_value(), f"{x} is not a whole number of 10^-{decimals}"
    return int(scaled)


def kernel_stages(result, names):
    """The kernel's stages in the reference's terms (indices, integer units)."""
    d = result.decimals
    idx = {n: i for i, n in enumerate(names)}
    out = []
    for st in result.stages:
        out.append(
            {
                "action": st.action,
                "subjects": tuple(sorted(idx[n] for n in st.candidates)),
                "votes": {idx[n]: units(v, d) for n, v in st.votes.items()},
                "states": {idx[n]: s for n, s in st.states.items()},
                "non_transferable": units(st.non_transferable, d),
                "lost": units(st.lost, d),
                "quota": units(st.quota, d),
                "elected": tuple(idx[n] for n in st.elected),
                "tie": st.tie,
            }
        )
    return out


def reference_stages(ref):
    return [
        {
            "action": s.action,
            "subjects": tuple(sorted(s.subjects)),
            "votes": dict(s.votes),
            "states": dict(s.states),
            "non_transferable": s.non_transferable,
            "lost": s.lost,
            "quota": s.quota,
            "elected": tuple(s.elected),
            "tie": s.tie,
        }
        for s in ref.stages
    ]


FIELDS = ("action", "subjects", "votes", "states", "non_transferable", "lost", "quota",
          "elected", "tie")


def fmt_units(v: int, d: int) -> str:
    sign = "-" if v < 0 else ""
    q, r = divmod(abs(v), 10**d)
    return f"{sign}{q}" if d == 0 else f"{sign}{q}.{r:0{d}d}"


def fmt_stages(stages, names, d) -> str:
    short = {"continuing": "", "elected": "*", "excluded": "x"}
    lines = []
    for k, s in enumerate(stages, 1):
        who = ",".join(names[c] for c in s["subjects"]) or "-"
        votes = " ".join(
            f"{names[c]}={fmt_units(v, d)}{short.get(s['states'].get(c), '?')}"
            for c, v in sorted(s["votes"].items())
        )
        el = ",".join(names[c] for c in s["elected"])
        lines.append(
            f"  {k:2d} {s['action'][:10]:10s} {who:6s} {votes}"
            f" | nt={fmt_units(s['non_transferable'], d)}"
            f" lost={fmt_units(s['lost'], d)} q={fmt_units(s['quota'], d)} el=[{el}]"
            f" tie={s['tie']}"
        )
    return "\n".join(lines)


def compare(case: Case, result=None, ref=None) -> None:
    """Assert that the kernel and the reference agree on everything; a full report if not."""
    result = kernel_isolated(case) if result is None else result
    ref = case.reference() if ref is None else ref
    names = case.names
    got = kernel_stages(result, names)
    want = reference_stages(ref)
    d = ref.decimals
    problems = []
    if result.decimals != d:
        problems.append(f"decimals: kernel {result.decimals}, reference {d}")
    if units(result.valid_votes, d) != ref.valid:
        problems.append(f"valid votes: kernel {result.valid_votes}, reference "
                        f"{fmt_units(ref.valid, d)}")
    got_el = [names.index(n) for n in result.elected]
    if got_el != list(ref.elected):
        problems.append(
            f"elected: kernel {[names[c] for c in got_el]}, reference "
            f"{[names[c] for c in ref.elected]}"
        )
    for k, (g, w) in enumerate(zip(got, want, strict=False), 1):
        diffs = [f for f in FIELDS if g[f] != w[f]]
        if diffs:
            for f in diffs:
                problems.append(f"stage {k} {f}: kernel {g[f]!r}, reference {w[f]!r}")
            break
    if len(got) != len(want):
        problems.append(f"stages: kernel {len(got)}, reference {len(want)}")
    if problems:
        raise AssertionError(
            "kernel and reference disagree\n"
            + case.describe()
            + "\n" + "\n".join(problems)
            + f"\nkernel stages:\n{fmt_stages(got, names, d)}"
            + f"\nreference stages:\n{fmt_stages(want, names, d)}"
        )
