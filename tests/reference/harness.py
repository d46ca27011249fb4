"""Running a case through the kernel (``simcore.count``) and the reference, and comparing them.

A :class:`Case` is a small election written out in full, so that a failure message is a
complete reproducer.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from simcore import Profile, count
from simcore.counting.api import lot_priorities

from . import block, ers97, irv, meek, wigm
from .common import Refused

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


def _group(item) -> tuple[int, ...]:
    return (item,) if isinstance(item, int) else tuple(item)


@dataclass
class Case:
    """An election.  A ranking is a tuple of candidate indices, most preferred first; an entry
    may be a tuple of candidates ranked equal (only ``block`` and ``fptp`` accept those)."""

    rule: str
    ncand: int
    seats: int
    rankings: list[tuple[tuple, int]]  # (ranking, weight)
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
            marks = ("=".join(nm[c] for c in _group(x)) for x in r)
            lines.append(f"  {w:3d}: {' '.join(marks)}")
        lines.append(f"as code: rankings={[list(r) for r, _ in self.rankings]!r}")
        lines.append(f"         weights={[w for _, w in self.rankings]!r}")
        return "\n".join(lines)

    # -- the two sides ------------------------------------------------------------------------
    def kernel(self):
        flat = [tuple(c for x in r for c in _group(x)) for r, _ in self.rankings]
        equal = [tuple(i > 0 for x in r for i in range(len(_group(x)))) for r, _ in self.rankings]
        profile = Profile.from_rankings(
            flat,
            [w for _, w in self.rankings],
            candidates=self.names,
            withdrawn=frozenset(self.withdrawn),
            equal_after=equal if any(any(e) for e in equal) else None,
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
        if seats > self.ncand - len(self.withdrawn):
            raise Refused("more seats than standing candidates (docs/rules.md, Common ground)")
        return REFERENCE[self.rule](
            self.rankings, self.ncand, seats, set(self.withdrawn), lot, options, self.groups()
        )


# -- running the kernel in a separate process -------------------------------------------------

_WORKER_CODE = r"""
import pickle, struct, sys, traceback
sys.path.insert(0, sys.argv[1])
from tests.reference.harness import Case  # noqa: F401  (cases arrive pickled)
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    head = inp.read(4)
    if len(head) < 4:
        break
    case = pickle.loads(inp.read(struct.unpack("<I", head)[0]))
    try:
        payload = ("ok", case.kernel())
    except BaseException as e:
        payload = ("error", type(e).__name__, str(e), traceback.format_exc())
    data = pickle.dumps(payload)
    out.write(struct.pack("<I", len(data)) + data)
    out.flush()
"""


class KernelFailure(AssertionError):
    """The kernel raised, crashed its process (e.g. a segmentation fault) or hung."""


class _Worker:
    """A child process that runs ``case.kernel()`` for the cases it is sent, so that a crash in
    compiled code fails one example (with the case in the message) instead of killing the test
    run.  It is started again after a crash."""

    def __init__(self):
        self.proc = None

    def _start(self):
        root = str(Path(__file__).resolve().parents[2])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, root],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def close(self):
        if self.proc is not None:
            proc, self.proc = self.proc, None
            for f in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    f.close()
            with contextlib.suppress(OSError):
                proc.kill()
            proc.wait()

    def _read(self, n, deadline):
        fd = self.proc.stdout.fileno()
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def run(self, case, timeout):
        if self.proc is None or self.proc.poll() is not None:
            self.close()
            self._start()
        data = pickle.dumps(case)
        deadline = time.monotonic() + timeout
        try:
            self.proc.stdin.write(struct.pack("<I", len(data)) + data)
            self.proc.stdin.flush()
            size = struct.unpack("<I", self._read(4, deadline))[0]
            return pickle.loads(self._read(size, deadline))
        except TimeoutError:
            self.close()
            raise KernelFailure(
                f"the kernel did not finish in {timeout:.0f} s\n" + case.describe()
            ) from None
        except (EOFError, BrokenPipeError, OSError):
            proc = self.proc
            self.close()
            code = proc.returncode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            raise KernelFailure(
                f"the kernel crashed its process ({how})\n" + case.describe()
            ) from None


_worker = _Worker()


def kernel_isolated(case: Case, timeout: float = 120.0):
    """``case.kernel()`` run in the worker process (see ``_Worker``)."""
    payload = _worker.run(case, timeout)
    if payload[0] == "error":
        _, kind, message, tb = payload
        error = KernelFailure(f"the kernel raised {kind}: {message}\n{case.describe()}\n{tb}")
        error.kind = kind
        raise error
    return payload[1]


def close_worker() -> None:
    _worker.close()


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


FIELDS = (
    "action",
    "subjects",
    "votes",
    "states",
    "non_transferable",
    "lost",
    "quota",
    "elected",
    "tie",
)


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
    if ref is None:
        try:
            ref = case.reference()
        except Refused as why:
            # the spec refuses the ballots: the count must fail with an input error
            try:
                result = kernel_isolated(case) if result is None else result
            except KernelFailure as e:
                if getattr(e, "kind", None) in ("RuleError", "InputError"):
                    return
                raise
            raise AssertionError(
                f"the kernel counted ballots that docs/rules.md refuses ({why})\n" + case.describe()
            ) from None
    if case.rule not in ("block", "fptp"):
        # the reference checks itself: votes + non-transferable + lost = valid votes
        for k, st in enumerate(ref.stages, 1):
            total = sum(st.votes.values()) + st.non_transferable + st.lost
            assert total == ref.valid, f"reference stage {k} adds up to {total}, not {ref.valid}"
    result = kernel_isolated(case) if result is None else result
    names = case.names
    got = kernel_stages(result, names)
    want = reference_stages(ref)
    d = ref.decimals
    problems = []
    if result.decimals != d:
        problems.append(f"decimals: kernel {result.decimals}, reference {d}")
    if units(result.valid_votes, d) != ref.valid:
        problems.append(
            f"valid votes: kernel {result.valid_votes}, reference {fmt_units(ref.valid, d)}"
        )
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
            + "\n"
            + "\n".join(problems)
            + f"\nkernel stages:\n{fmt_stages(got, names, d)}"
            + f"\nreference stages:\n{fmt_stages(want, names, d)}"
        )
