"""Runs on a Dask cluster (--dask) write exactly what a local run writes: for any number of
workers and chunk size, when a worker is killed mid-run, and when resuming a stopped run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from distributed import Client, LocalCluster

from simcore.errors import InputError
from simcore.inputs.scenario_file import read_scenario
from simcore.jobs.run import run_scenario
from simcore.sim import dask_runner
from tests.test_resume import BLOCK, QUICK, ROOT, assert_same_outputs

SIMS, SEED = 600, 11


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, under nannies (which restart a killed worker);
    they share this process's Numba cache, so their kernels load rather than compile."""
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c) as client,
    ):
        yield c, client


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "out"
    run_scenario(read_scenario(QUICK), sims=SIMS, seed=SEED, out=out, chunk_size=50, threads=2)
    return out


@pytest.mark.parametrize("chunk_size", [7, 64])
def test_a_dask_run_equals_a_local_run_bit_for_bit(tmp_path, cluster, local_run, chunk_size):
    c, _ = cluster
    out = tmp_path / "out"
    s = run_scenario(
        read_scenario(QUICK),
        sims=SIMS,
        seed=SEED,
        out=out,
        chunk_size=chunk_size,
        dask=c.scheduler_address,
    )
    assert s.metadata["dask"] == {"scheduler": c.scheduler_address, "workers": 2}
    assert_same_outputs(out, local_run)


def test_a_college_run_on_dask_equals_a_local_run(tmp_path, cluster):
    c, _ = cluster
    sc = read_scenario(BLOCK)
    run_scenario(sc, sims=60, seed=SEED, out=tmp_path / "a", chunk_size=9, threads=1)
    run_scenario(sc, sims=60, seed=SEED, out=tmp_path / "b", chunk_size=4, dask=c.scheduler_address)
    assert_same_outputs(tmp_path / "b", tmp_path / "a")


def test_a_stopped_local_run_resumes_on_dask(tmp_path, cluster, local_run):
    c, _ = cluster
    out = tmp_path / "out"

    def stop(done, total):
        if done >= SIMS // 2:
            raise KeyboardInterrupt

    opts = dict(sims=SIMS, seed=SEED, out=out, chunk_size=25)
    with pytest.raises(KeyboardInterrupt):
        run_scenario(read_scenario(QUICK), threads=1, progress=stop, checkpoint_s=0, **opts)
    s = run_scenario(read_scenario(QUICK), resume=True, dask=c.scheduler_address, **opts)
    assert s.metadata["resumed"]["simulations_done"] >= SIMS // 2 - 25
    assert_same_outputs(out, local_run)


def test_a_worker_killed_mid_run_changes_nothing(tmp_path, cluster, local_run):
    c, client = cluster
    before = client.run(os.getpid)
    victim = next(iter(before.values()))
    killed = []

    def kill_once(done, total):
        if not killed:  # (tasks are in flight on both workers: the window is 3 per thread)
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    out = tmp_path / "out"
    run_scenario(
        read_scenario(QUICK),
        sims=SIMS,
        seed=SEED,
        out=out,
        chunk_size=10,
        dask=c.scheduler_address,
        progress=kill_once,
    )
    assert killed and killed[0] < SIMS
    assert_same_outputs(out, local_run)
    assert _ended(victim)


def _ended(pid: int) -> bool:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        except OSError:
            return not os.path.exists(f"/proc/{pid}")
        time.sleep(0.1)
    return False


def test_cli_dask_local_cluster(tmp_path, local_run):
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from simcore.cli.main import main; main()", "run", str(QUICK)]
    cmd += ["--sims", str(SIMS), "--seed", str(SEED), "--out", str(out), "--dask", "local:2"]
    res = subprocess.run(cmd + ["-q"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0 and res.stderr == "", res.stderr
    assert_same_outputs(out, local_run)


def test_bad_dask_options_are_one_line(monkeypatch):
    for bad in ("local:0", "local:x", "local:"):
        with pytest.raises(InputError, match="--dask: expected local or local:N"):
            dask_runner.DaskBackend(bad)
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(InputError, match="cannot use the Dask cluster"):
        dask_runner.DaskBackend("tcp://127.0.0.1:1")
    monkeypatch.setitem(sys.modules, "distributed", None)  # (as if Dask were not installed)
    with pytest.raises(InputError) as info:
        dask_runner.DaskBackend("local:2")
    assert "pip install 'simcore[dask]'" in str(info.value) and "\n" not in str(info.value)
