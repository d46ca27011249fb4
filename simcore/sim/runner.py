"""Running many simulations on all cores, in chunks, yielding results in simulation order.

Chunks are just batches of simulation indices; each simulation draws from its own random stream
(:mod:`simcore.kernels.rng`), so neither the number of threads nor the chunk size changes any
result.  The kernel (:mod:`simcore.sim.chunk`) releases the GIL, so plain Python threads run
chunks in parallel.  At most a few chunks
are in flight, so memory does not grow with the number of simulations.

A *backend* runs chunks somewhere and yields them in simulation order: :class:`LocalBackend`
(threads of this process) here, ``DaskBackend`` (:mod:`simcore.sim.dask_runner`) on a Dask
cluster.  The run job consumes either the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simcore.errors import RuleError
from simcore.kernels.rng import stream_key
from simcore.sim.bundles import count_spec_of, model_of, new_outputs
from simcore.sim.plan import Plan


@dataclass
class ChunkResult:
    first: int  # index of the chunk's first simulation
    elected: np.ndarray  # (n, strategies, seats) candidate indices in order of election, -1 pad
    stats: np.ndarray  # (n, plan.n_stats) drawn figures
    nodes: np.ndarray  # (n,) size of each simulated ballot tree
    extra: np.ndarray  # (n, strategies, width) college figures (see chunk.run_chunk)
    first_prefs: np.ndarray | None = None  # (n, R, ncand) first preferences outside slots
    first_slot: np.ndarray | None = None  # (n, R, K, width) ... of each slot (sim.first_prefs)
    final: np.ndarray | None = None  # (n, strategies, R, ncand) weighted college's final round

    @property
    def n(self) -> int:
        return int(self.elected.shape[0])


_DEFAULT_CAPACITY = 1 << 13


def capacity_for(nodes: int) -> int:
    """Room for ballot trees of up to ``nodes`` nodes, with a margin, in powers of two."""
    need = max(int(nodes * 1.25), _DEFAULT_CAPACITY)
    return 1 << (need - 1).bit_length()


def engine_version() -> str:
    """simcore's version, Numba's and NumPy's, and a hash of the engine's source (the kernels
    and the simulation): equal engines give equal results.  A checkpoint is continued, and a
    Dask worker used, only by an equal engine."""
    import hashlib
    from pathlib import Path

    import numba

    from simcore import __version__

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for folder in ("kernels", "sim"):
        for f in sorted((root / folder).glob("*.py")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return f"simcore {__version__}, numba {numba.__version__}, numpy {np.__version__}, " + (
        f"engine {h.hexdigest()[:16]}"
    )


def default_threads() -> int:
    return max(os.cpu_count() or 1, 1)


def run_chunk(
    plan: Plan, key: np.ndarray, first: int, n: int, count: bool = True, capacity: int = 0
) -> ChunkResult:
    """Simulations ``first .. first + n - 1``.  ``capacity``: ballot-tree nodes to allocate at
    first (0: a small default); a simulation that needs more is repeated with twice as many, so
    it changes the time taken, never the result."""
    from simcore.sim import chunk

    out = new_outputs(plan, n)
    try:
        chunk.run_chunk(
            key,
            first,
            n,
            count,
            model_of(plan),
            count_spec_of(plan),
            plan.orderings,
            capacity or _DEFAULT_CAPACITY,
            out,
        )
    except OverflowError as exc:
        raise RuleError(f"{exc}: the scenario's electorates are too large") from None
    return ChunkResult(
        first, out.elected, out.stats, out.nodes, out.extra, out.first, out.first_slot, out.final
    )


def simulate(
    plan: Plan,
    sims: int,
    seed: int,
    *,
    threads: int | None = None,
    chunk_size: int = 64,
    count: bool = True,
    start: int = 0,
) -> Iterator[ChunkResult]:
    """Yield the results of simulations ``start .. sims - 1`` chunk by chunk, in order."""
    key = stream_key(seed)
    threads = threads or default_threads()
    starts = list(range(start, sims, chunk_size))
    # later chunks start with room for the largest tree seen so far (no effect on results)
    largest = 0
    if threads == 1:
        for first in starts:
            chunk = run_chunk(
                plan, key, first, min(chunk_size, sims - first), count, capacity_for(largest)
            )
            largest = max(largest, int(chunk.nodes.max(initial=0)))
            yield chunk
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        window = 2 * threads
        pending = []
        nxt = 0
        while nxt < len(starts) or pending:
            while nxt < len(starts) and len(pending) < window:
                first = starts[nxt]
                pending.append(
                    pool.submit(
                        run_chunk,
                        plan,
                        key,
                        first,
                        min(chunk_size, sims - first),
                        count,
                        capacity_for(largest),
                    )
                )
                nxt += 1
            chunk = pending.pop(0).result()
            largest = max(largest, int(chunk.nodes.max(initial=0)))
            yield chunk


class LocalBackend:
    """Chunks on ``threads`` threads of this process (see :func:`simulate`)."""

    chunk_s = 0.05  # seconds of work a chunk aims at (see jobs.run.auto_chunk_size)

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()

    @property
    def workers(self) -> int:
        """How many chunks run at once."""
        return self.threads

    def describe(self) -> dict:
        """What run.json records about where the chunks ran (besides ``threads``)."""
        return {}

    def time_chunk(self, plan: Plan, seed: int, n: int) -> float:
        """Seconds to run simulations ``0 .. n - 1`` (the first call compiles or loads the
        kernels)."""
        t = time.perf_counter()
        run_chunk(plan, stream_key(seed), 0, n)
        return time.perf_counter() - t

    def chunks(
        self, plan: Plan, sims: int, seed: int, chunk_size: int, start: int = 0
    ) -> Iterator[ChunkResult]:
        return simulate(plan, sims, seed, threads=self.threads, chunk_size=chunk_size, start=start)

    def close(self) -> None:
        pass
