"""Simulation threads run at once: no lock (the GIL or another) makes them take turns.

Timings cannot show this on a shared machine (two threads get one core's worth when other work
takes the rest), so the test watches the scheduler instead: a thread that waits for a lock sleeps
in the kernel (``futex`` wait, state S), while one that only waits for a free core stays
runnable (R).  The same probe around a kernel that holds the GIL must see the waits, so the test
can fail."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")

_CHILD = """
import sys, threading, time
import numba
from simcore.inputs.scenario_file import read_scenario
from simcore.sim.plan import compile_plan
from simcore.kernels.rng import stream_key
from simcore.sim.runner import run_chunk

plan = compile_plan(read_scenario(sys.argv[1]))
key = stream_key(1)
run_chunk(plan, key, 0, 2)  # compile or load outside the watched part

if sys.argv[2] == "gil-holding":
    @numba.njit(nogil=False)
    def spin(m):
        s = 0
        for i in range(m):
            s = (s * 1103515245 + i) % 2147483647
        return s

    spin(10)

    def work(i, until):
        while time.perf_counter() < until:
            spin(2_000_000)
else:
    def work(i, until):
        first = i * 1_000_000
        while time.perf_counter() < until:
            run_chunk(plan, key, first, 100)
            first += 100

known = threading.Barrier(3)
start = threading.Barrier(3)

def thread(i):
    print("tid", threading.get_native_id(), flush=True)
    known.wait()
    start.wait()
    work(i, time.perf_counter() + 1.5)

threads = [threading.Thread(target=thread, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
known.wait()  # both ids are out
print("ready", flush=True)
sys.stdin.readline()  # the watcher is sampling: start the work
start.wait()
for t in threads:
    t.join()
"""


def _lock_wait_share(mode: str) -> float:
    """Share of samples in which a worker thread was asleep on a lock, over both workers.  A
    watcher that got too little time to sample (a fresh clone's CI run once took 0 samples: the
    watcher did not run while the 1.5 s of work went by) measures again, up to 3 times."""
    for _ in range(3):
        asleep, samples = _sample(mode)
        if samples > 100:
            break
    assert samples > 100, f"only {samples} samples"
    return asleep / samples


def _sample(mode: str) -> tuple[int, int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(ROOT / "scenarios" / "quickstart.toml"), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        tids = []
        while True:  # both workers' ids, then "ready" (the workers wait for our go)
            line = proc.stdout.readline()
            if not line or line.startswith("ready"):
                break
            if line.startswith("tid"):
                tids.append(line.split()[1])
        proc.stdin.write("go\n")
        proc.stdin.flush()
        asleep = samples = 0
        while proc.poll() is None:
            for tid in tids:
                try:
                    stat = Path(f"/proc/{proc.pid}/task/{tid}/stat").read_text()
                except OSError:
                    continue  # thread finished
                samples += 1
                asleep += stat.rsplit(")", 1)[1].split()[0] == "S"
            time.sleep(0.002)
    finally:
        proc.wait(timeout=120)
        proc.stdout.close()
        proc.stdin.close()
    assert proc.returncode == 0, f"the {mode} child failed"
    return asleep, samples


def test_simulation_threads_never_take_turns():
    share = _lock_wait_share("simcore")
    assert share < 0.1, f"simulation threads asleep on a lock in {share:.0%} of samples"


def test_probe_sees_threads_taking_turns():
    share = _lock_wait_share("gil-holding")
    assert share > 0.2, f"GIL-holding threads asleep in only {share:.0%} of samples"
