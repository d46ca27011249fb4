"""The benchmark gate's yardstick: a fixed compiled workload timed beside each measured one.

On a shared machine the speed available to a process changes from second to second (other
processes, frequency, caches).  Each gate figure is therefore a *cost*: the time of one unit of
simcore's work divided by the time of this calibration loop, measured alternately in the same
process (calibration, work, calibration, work, ..., calibration), each work timing divided by
the mean of the calibration timings either side of it, the median of those ratios kept.  A slow
spell of the machine slows both sides of a ratio; a slower simcore moves only one.

The loop resembles the engine's inner loops (xorshift random numbers as in ``kernels/rng``,
data-dependent reads and writes in a table the size of a ballot tree, branches, a logarithm)
and uses none of simcore's code, so no change to simcore can move it.  It never changes: a
change here moves every gate figure, and needs a new baseline (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

from simcore.jit import kernel

TABLE = 1 << 18  # int64 entries: 2 MiB, about a NEC-scale ballot tree's working set
STEPS = 200_000  # about 1.3 ms (CPU) on the development machine
# timings of each gate figure, with --quick or without: the gate figures are the same either way
GATE_REPEATS = 41


@kernel
def _loop(table, steps):
    x = np.uint64(0x9E3779B97F4A7C15)
    mask = table.shape[0] - 1
    acc = 0
    total = 0.0
    for _ in range(steps):
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
        j = np.int64(x & np.uint64(mask))
        v = table[j]
        if v & 1:
            acc += v
            table[j] = v + 3
        else:
            acc -= v >> 1
            table[j] = v + 1
        if (j & 15) == 0:
            total += math.log(1.0 + np.float64(x >> np.uint64(11)) * 1.1102230246251565e-16)
    return acc + np.int64(total)


_TABLE = np.zeros(TABLE, dtype=np.int64)


# The CPU time of the calling thread: time spent descheduled (the machine's other processes
# taking the core) is not counted, on either side of a ratio.  The work timed must therefore run
# on the calling thread (one-thread figures only).
clock = time.thread_time


def calibrate() -> float:
    """One calibration loop; its CPU time in seconds."""
    _TABLE[:] = 0  # the same work every time
    t = clock()
    _loop(_TABLE, STEPS)
    return clock() - t


def slowdown(bench: str) -> float:
    """The test hook ``SIMCORE_BENCH_SLOWDOWN``: ``FACTOR`` (every gated benchmark) or
    ``NAME:FACTOR[,NAME:FACTOR...]``.  The *measured* work of those benchmarks then takes FACTOR
    times as long (the thread spins for (FACTOR - 1) times the work's own CPU time inside its
    timing); the calibration is never slowed.  It exists so that a test can show that the gate
    fails on a slowdown; 1 (no slowdown) when unset."""
    spec = os.environ.get("SIMCORE_BENCH_SLOWDOWN", "").strip()
    if not spec:
        return 1.0
    factor = 1.0
    for part in spec.split(","):
        name, _, value = part.strip().rpartition(":")
        if name in ("", bench):
            try:
                factor = float(value)
            except ValueError:
                raise ValueError(f"SIMCORE_BENCH_SLOWDOWN: {part!r} is not NAME:FACTOR") from None
    return factor


def paired_cost(
    bench: str, work, repeats: int, units: int = 1, warmup: int = 2, warmup_s: float = 0.0
) -> dict:
    """The time of one of ``units`` units of ``work()`` in calibration loops (see the module's
    note): the fastest of ``repeats`` timings of the work over the fastest of the calibration
    timings around them.  Also the median of the paired ratios and their spread (interquartile
    range over median), for information.

    Why the fastest: on the shared development machine the *median* of a figure moved by up to
    2.5x between runs under different loads, its fastest by up to 1.1-1.3x for the simulations
    and meek count (docs/benchmarks.md): other processes only ever add time, and among tens of
    timings a few escape them, for the work and the calibration alike."""
    factor = slowdown(bench)
    for _ in range(warmup):
        work()
        calibrate()
    until = time.perf_counter() + warmup_s
    while time.perf_counter() < until:
        work()
    cal = [calibrate()]
    spent_all = []
    ratios = []
    for _ in range(repeats):
        t = clock()
        work()
        spent = clock() - t
        if factor != 1.0:  # the test hook: burn CPU for (factor - 1) times the work's time
            until = t + spent * factor
            while clock() < until:
                pass
            spent = clock() - t
        cal.append(calibrate())
        spent_all.append(spent / units)
        ratios.append(spent / units / ((cal[-2] + cal[-1]) / 2))
    q = np.quantile(ratios, [0.25, 0.5, 0.75])
    return {
        "cost": min(spent_all) / min(cal),
        "median_ratio": float(q[1]),
        "pair_spread": float((q[2] - q[0]) / q[1]),
        "calibration_ms": float(min(cal) * 1e3),
        "work_s": spent_all,  # in order, for studying the spread (not reported)
        "calibration_s": cal,
    }
