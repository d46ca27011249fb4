"""Benchmark helpers: a registry, repeat-and-median timing, and the machine description."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REGISTRY: dict[str, Benchmark] = {}
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Benchmark:
    name: str
    title: str
    fn: Callable[[bool], dict]
    # the benchmark gate's figures (docs/benchmarks.md): ``gate(quick) -> {figure: cost}``,
    # each cost from ``bench.calibration.paired_cost``; None for a benchmark the gate skips
    gate: Callable[[bool], dict] | None = None


def benchmark(name: str, title: str):
    """Register ``fn(quick) -> dict of figures`` under ``name``."""

    def deco(fn):
        REGISTRY[name] = Benchmark(name, title, fn)
        return fn

    return deco


def gate_figures(name: str):
    """Register ``fn(quick) -> {figure: paired_cost(...)}`` as the gate figures of the benchmark
    ``name`` (registered above it with :func:`benchmark`)."""

    def deco(fn):
        REGISTRY[name].gate = fn
        return fn

    return deco


def timeit(fn, repeats: int, warmup: int = 1, warmup_s: float = 0.0) -> dict:
    """Median, minimum and spread of ``repeats`` timed calls of ``fn`` after ``warmup`` calls
    and, if ``warmup_s`` is given, after calling it for at least that many seconds.

    A time-based warm-up matters for sub-millisecond kernels: on the development VM a count runs
    about twice as slow in its first second or two of sustained calls as afterwards.  The ramp
    is in the machine, not in the code or its data: fresh copies of the arrays are fast at once
    after it, and a second process started during it ramps faster."""
    for _ in range(warmup):
        fn()
    until = time.perf_counter() + warmup_s
    while time.perf_counter() < until:
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "repeats": repeats,
    }


def machine() -> dict:
    import numba
    import numpy

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
    }
