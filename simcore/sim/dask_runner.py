"""Chunks as tasks on a Dask distributed cluster: the ``--dask`` backend of a run.

:class:`DaskBackend` does what :class:`simcore.sim.runner.LocalBackend` does, on a cluster: it
yields chunk results in simulation order, so the run job accumulates and writes them exactly as
in a local run.  Each simulation draws from its own random stream, keyed by (seed, simulation
index), so results are identical for any number of workers, any chunk size, and any task that
is run again after a worker was lost (tasks are pure functions of their arguments).

* The plan is sent once (scattered to every worker), not with every task.
* At most :data:`WINDOW_PER_THREAD` tasks per worker thread are in flight, and each result is
  released once consumed, so memory stays flat however many simulations run.
* A worker plugin (:class:`WarmKernels`) compiles, or loads from Numba's cache, the kernels on
  every worker when it joins (and on a worker that replaces a lost one), by running one
  simulation of the plan; see docs/cluster.md for the cache on each node.
* Every worker must run the same engine (:func:`simcore.sim.runner.engine_version`), or the
  run refuses to start.
* A lost worker's tasks are re-run by the scheduler; a task that raises is retried
  :data:`RETRIES` times.

``ADDRESS`` is a scheduler's address (``tcp://host:8786``), a scheduler file (``*.json``, as
``dask scheduler --scheduler-file`` writes), or ``local[:N]``: a cluster of N worker processes
(default 2, one thread each) on this machine, started for the run and closed after it.

Dask is an optional extra (``pip install 'simcore[dask]'``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from simcore.errors import InputError
from simcore.kernels.rng import stream_key
from simcore.sim.plan import Plan
from simcore.sim.runner import ChunkResult, capacity_for, engine_version, run_chunk

try:  # (optional: only a run with --dask needs it)
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover
    WorkerPlugin = object

LOCAL_WORKERS = 2  # worker processes of --dask local
WINDOW_PER_THREAD = 4  # tasks in flight per worker thread
RETRIES = 2  # re-runs of a task that raised (a lost worker's tasks are re-run regardless)
CONNECT_TIMEOUT_S = 30  # how long to try to reach a remote scheduler
JOIN_TIMEOUT_S = 120  # how long to wait for a remote cluster's first worker


def _distributed():
    try:
        import distributed
    except ImportError:
        raise InputError(
            "--dask needs Dask's distributed scheduler: pip install 'simcore[dask]'"
        ) from None
    return distributed


def local_workers(address: str) -> int | None:
    """N for ``local`` / ``local:N``, None for another address."""
    if address != "local" and not address.startswith("local:"):
        return None
    text = address[len("local:") :] if ":" in address else str(LOCAL_WORKERS)
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 1024):
        raise InputError(
            f"expected local or local:N with N from 1 to 1024 worker processes, not {address!r}",
            key="--dask",
        )
    return int(text)


def check_address(address: str) -> None:
    """Refuse, before a run starts, a malformed ``local:N`` or a missing Dask."""
    local_workers(address)
    _distributed()


def _warm(plan: Plan) -> None:
    run_chunk(plan, stream_key(0), 0, 1)


class WarmKernels(WorkerPlugin):
    """Compile (or load) the kernels on a worker as it joins, off its event loop."""

    name = "simcore-warm-kernels"

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    async def setup(self, worker) -> None:
        await asyncio.get_running_loop().run_in_executor(None, _warm, self.plan)


def chunk_task(plan: Plan, key, first: int, n: int, capacity: int) -> ChunkResult:
    """One task: simulations ``first .. first + n - 1`` (a pure function of its arguments)."""
    return run_chunk(plan, key, first, n, True, capacity)


def time_task(plan: Plan, seed: int, n: int) -> tuple[float, int]:
    """Seconds to run simulations ``0 .. n - 1``, and their largest ballot tree."""
    t = time.perf_counter()
    chunk = run_chunk(plan, stream_key(seed), 0, n)
    return time.perf_counter() - t, int(chunk.nodes.max(initial=0))


class DaskBackend:
    """Chunks as tasks on the Dask cluster at ``address`` (see the module's docstring)."""

    chunk_s = 0.5  # seconds of work a task aims at: a task costs the scheduler about 1 ms

    def __init__(self, address: str) -> None:
        distributed = _distributed()
        self.address = address
        self.cluster = None
        self.client = None
        self._plan: Plan | None = None
        self._plan_future = None
        self._plugin = f"{WarmKernels.name}-{uuid.uuid4().hex[:8]}"
        self._largest = 0  # the largest ballot tree seen by a probe (tasks start with room)
        n = local_workers(address)
        try:
            if n is not None:
                self.cluster = distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,  # (no dashboard; its HTTP server on any free port)
                    scheduler_kwargs={"dashboard_address": ":0"},
                    silence_logs=logging.ERROR,
                )
                self.client = distributed.Client(self.cluster)
            elif address.endswith(".json") and Path(address).is_file():
                self.client = distributed.Client(scheduler_file=address, timeout=CONNECT_TIMEOUT_S)
            else:
                self.client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
            self.client.wait_for_workers(1, timeout=JOIN_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            msg = " ".join(str(exc).split()) or type(exc).__name__
            raise InputError(
                f"cannot use the Dask cluster {address!r}: {msg}", key="--dask"
            ) from None

    @property
    def threads(self) -> int:
        """Worker threads in the cluster now (chunks that run at once)."""
        return max(sum(self.client.nthreads().values()), 1)

    workers = threads

    def describe(self) -> dict:
        n = len(self.client.nthreads())
        return {"dask": {"scheduler": self.address, "workers": n}}

    def _prepare(self, plan: Plan) -> None:
        if self._plan is plan:
            return
        mine = engine_version()
        for worker, theirs in self.client.run(engine_version).items():
            if theirs != mine:
                raise InputError(
                    f"worker {worker} runs another engine ({theirs}; this is {mine}): install "
                    "the same simcore on every node (see docs/cluster.md)",
                    key="--dask",
                )
        plugin = WarmKernels(plan)
        plugin.name = self._plugin
        self.client.register_plugin(plugin)
        self._plan_future = self.client.scatter(plan, broadcast=True, hash=False)
        self._plan = plan

    def time_chunk(self, plan: Plan, seed: int, n: int) -> float:
        """Seconds to run simulations ``0 .. n - 1`` on a worker; the first call includes
        sending the plan and warming every worker's kernels."""
        t = time.perf_counter()
        first = self._plan is not plan
        self._prepare(plan)
        remote, largest = self.client.submit(
            time_task, self._plan_future, seed, n, pure=False
        ).result()
        self._largest = max(self._largest, largest)
        return time.perf_counter() - t if first else remote

    def chunks(
        self, plan: Plan, sims: int, seed: int, chunk_size: int, start: int = 0
    ) -> Iterator[ChunkResult]:
        self._prepare(plan)
        return self._stream(stream_key(seed), sims, chunk_size, start)

    def _stream(self, key, sims: int, chunk_size: int, start: int) -> Iterator[ChunkResult]:
        largest = [self._largest]  # tasks start with room for the largest tree seen (no effect)

        def submit(first: int):
            return self.client.submit(
                chunk_task,
                self._plan_future,
                key,
                first,
                min(chunk_size, sims - first),
                capacity_for(largest[0]),
                pure=False,
                retries=RETRIES,
            )

        results = self._in_order(submit, range(start, sims, chunk_size))
        try:
            for chunk in results:
                largest[0] = max(largest[0], int(chunk.nodes.max(initial=0)))
                yield chunk
        finally:
            results.close()  # (cancels the tasks still in flight)

    def map_chunks(self, jobs) -> Iterator[ChunkResult]:
        """Run ``jobs`` (plan, key, first, n, capacity), each plan sent once, and yield their
        results in order (for jobs of many plans: the optimizer's batches of strategies)."""
        sent: dict[int, tuple] = {}

        def submit(job):
            plan, key, first, n, capacity = job
            if id(plan) not in sent:  # (the plan kept beside its future, so its id stays its own)
                sent[id(plan)] = (plan, self.client.scatter(plan, hash=False))
            return self.client.submit(
                chunk_task, sent[id(plan)][1], key, first, n, capacity, pure=False, retries=RETRIES
            )

        results = self._in_order(submit, jobs)
        try:
            yield from results
        finally:
            results.close()

    def _in_order(self, submit, items) -> Iterator[ChunkResult]:
        """``submit(item)`` for each item, with at most :data:`WINDOW_PER_THREAD` tasks per
        worker thread in flight, the results yielded in order and released once consumed."""
        todo = iter(items)
        pending: deque = deque()
        window = WINDOW_PER_THREAD * self.threads
        try:
            while True:
                while len(pending) < window:
                    item = next(todo, None)
                    if item is None:
                        break
                    pending.append(submit(item))
                if not pending:
                    return
                future = pending.popleft()
                chunk = future.result()
                future.release()
                yield chunk
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        client = self.client
        if client is not None:
            try:
                if self._plan is not None and self.cluster is None:
                    client.unregister_worker_plugin(self._plugin)
            except Exception:  # (the cluster may be gone already)
                pass
            client.close()
        if self.cluster is not None:
            self.cluster.close()
