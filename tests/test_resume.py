"""Resumable runs: a run killed (SIGKILL) or stopped (Ctrl-C, SIGTERM) at any point and resumed
with --resume writes exactly what an uninterrupted run writes; a resume with another scenario,
seed or options is refused; a checkpoint is never deleted silently."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from simcore.errors import InputError
from simcore.inputs.scenario_file import read_scenario
from simcore.jobs.run import run_scenario
from simcore.results.accumulate import (
    Accumulator,
    CollegeAccumulator,
    accumulator_state,
    load_accumulator_state,
)
from simcore.results.run_folder import CHECKPOINT_FILE, OUTPUTS, STAGE_PREFIX

ROOT = Path(__file__).resolve().parent.parent
QUICK = ROOT / "scenarios" / "quickstart.toml"
BLOCK = ROOT / "scenarios" / "block-college.toml"
SIMS, SEED, CHUNK = 1200, 5, 40  # 30 chunks
ARGS = ["run", str(QUICK), "--sims", str(SIMS), "--seed", str(SEED), "--chunk-size", str(CHUNK)]
# run.json entries that say how (not what) a run ran
HOW = {"command", "timings", "threads", "chunk_size", "resumed", "dask"}
# a child `simcore run` that kills itself (SIGKILL) at a chosen point
CHILD = """
import os, signal, sys
import simcore.jobs.run as job
from simcore.results.checkpoint import PartedRows
mode, target = sys.argv[1], int(sys.argv[2])
def die():
    os.kill(os.getpid(), signal.SIGKILL)
if mode == "after-save":  # just after a checkpoint was saved
    save = job.save_checkpoint
    def saving(stage, state):
        save(stage, state)
        if state["done"] >= target:
            die()
    job.save_checkpoint = saving
elif mode == "mid-part":  # rows written after the last checkpoint
    write = PartedRows.write
    def writing(self, first, *a):
        write(self, first, *a)
        if first >= target:
            die()
    PartedRows.write = writing
elif mode == "at-finish":  # every simulation done, before the outputs are merged
    PartedRows.finish = lambda self, *a: die()
elif mode == "slow":  # no kill: 1 s more per chunk, so that a signal lands mid-run
    import time
    write = PartedRows.write
    def slow(self, *a):
        write(self, *a)
        time.sleep(1)
    PartedRows.write = slow
from simcore.cli.main import main
sys.argv = ["simcore", *sys.argv[3:]]
main()
"""


def _env() -> dict:
    return {**os.environ, "SIMCORE_CHECKPOINT_S": "0"}


def _simcore(args, **kw) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from simcore.cli.main import main; main()", *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, **kw)


def _stages(out: Path) -> list[Path]:
    return sorted(out.glob(f"{STAGE_PREFIX}*"))


def _meta_what(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k not in HOW}


def assert_same_outputs(a: Path, b: Path) -> None:
    """Identical simulations.parquet (rows, schema, metadata), summary and run.json, but for
    the entries that say how a run ran (its command, timings, threads, chunks)."""
    ta, tb = pq.read_table(a / "simulations.parquet"), pq.read_table(b / "simulations.parquet")
    assert ta.num_rows == tb.num_rows and ta.equals(tb)
    sa, sb = ta.schema, tb.schema
    assert sa.remove_metadata().equals(sb.remove_metadata())
    assert set(sa.metadata) == set(sb.metadata) == {b"simcore"}
    ma, mb = (json.loads(s.metadata[b"simcore"]) for s in (sa, sb))
    assert _meta_what(ma) == _meta_what(mb)
    ka, kb = (pq.ParquetFile(x / "simulations.parquet").metadata.metadata for x in (a, b))
    assert set(ka) == set(kb)
    ra, rb = (json.loads(k[b"simcore_run"]) for k in (ka, kb))
    assert ra["simulations"] == rb["simulations"]
    assert (a / "summary.csv").read_bytes() == (b / "summary.csv").read_bytes()
    assert pq.read_table(a / "summary.parquet").equals(pq.read_table(b / "summary.parquet"))
    ja, jb = (json.loads((x / "run.json").read_text()) for x in (a, b))
    assert _meta_what(ja) == _meta_what(jb)


@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    """An uninterrupted run of ARGS (threads: several, so chunks finish out of order)."""
    out = tmp_path_factory.mktemp("whole") / "out"
    run_scenario(read_scenario(QUICK), sims=SIMS, seed=SEED, out=out, chunk_size=CHUNK, threads=3)
    return out


@pytest.mark.parametrize(
    "mode, target",
    [("after-save", 1), ("mid-part", SIMS // 2), ("at-finish", 0)],
    ids=["after-first-checkpoint", "midway", "at-the-end"],
)
def test_a_sigkilled_run_resumes_to_identical_outputs(tmp_path, whole, mode, target):
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", CHILD, mode, str(target), *ARGS, "--out", str(out), "-q"]
    killed = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [stage] = _stages(out)
    done = json.loads((stage / CHECKPOINT_FILE).read_text())["done"]
    assert 0 < done <= SIMS and (done == SIMS) == (mode == "at-finish")
    assert not any((out / f).exists() for f in OUTPUTS)
    res = _simcore([*ARGS, "--out", out, "-q", "--resume", "-t", "2"])
    assert res.returncode == 0 and res.stderr == "", res.stderr
    assert _stages(out) == []
    assert_same_outputs(out, whole)
    resumed = json.loads((out / "run.json").read_text())["resumed"]
    assert resumed == {"from": stage.name, "simulations_done": done}


def _wait_for_checkpoint(proc, out: Path, at_least: int) -> None:
    deadline = time.time() + 300
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "no checkpoint came"
        for stage in _stages(out):
            try:
                if json.loads((stage / CHECKPOINT_FILE).read_text())["done"] >= at_least:
                    return
            except (OSError, ValueError):
                pass
        time.sleep(0.02)


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "kill-9"]
)
def test_a_stopped_run_keeps_its_checkpoint_and_the_printed_command_resumes(tmp_path, whole, sig):
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", CHILD, "slow", "0", *ARGS, "--out", str(out), "-q", "-t", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_checkpoint(proc, out, CHUNK)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert not (out / "run.json").exists(), "the run ended before the signal"
    assert _stages(out), err
    if sig != signal.SIGKILL:
        assert proc.returncode == 128 + sig
        [line] = err.strip().splitlines()
        head, command = line.split("; continue with: ")
        said = "interrupted" if sig == signal.SIGINT else "terminated (SIGTERM)"
        assert head.startswith(f"simcore: {said}; ") and head.endswith(
            f" of {SIMS:,} simulations kept"
        )
        again = shlex.split(command)
        assert again[:2] == ["simcore", "run"] and again[-2:] == ["--resume", "-q"]
        args = again[1:]
    else:
        args = [*ARGS, "--out", out, "--resume"]
    res = _simcore(args)
    assert res.returncode == 0, res.stderr
    assert_same_outputs(out, whole)


def _interrupted(out: Path, sc=None, at: int = SIMS // 3, **kw) -> dict:
    """Run in this process and stop it (as Ctrl-C does) after ``at`` simulations."""

    def stop(done, total):
        if done >= at:
            raise KeyboardInterrupt

    opts = dict(sims=SIMS, seed=SEED, chunk_size=CHUNK, threads=2, checkpoint_s=0) | kw
    with pytest.raises(KeyboardInterrupt) as info:
        run_scenario(sc or read_scenario(QUICK), out=out, progress=stop, **opts)
    return info.value.kept


def test_a_resume_with_other_inputs_is_refused_and_the_checkpoint_kept(tmp_path, whole):
    out = tmp_path / "out"
    kept = _interrupted(out)
    assert kept["done"] >= CHUNK and kept["seed"] == SEED and kept["sims"] == SIMS
    changed_file = tmp_path / "changed.toml"
    changed_file.write_text(QUICK.read_text().replace("strength = 2.0", "strength = 2.5", 1))
    opts = dict(sims=SIMS, seed=SEED, chunk_size=CHUNK, resume=True)
    for what, sc, kw in [
        ("seed", None, {"seed": SEED + 1}),
        ("simulations", None, {"sims": SIMS + 1}),
        ("voters_per_ballot", None, {"voters_per_ballot": 2}),
        ("precision", None, {"precision": 0.1}),
        ("scenario file", read_scenario(changed_file), {}),
    ]:
        with pytest.raises(InputError) as info:
            run_scenario(sc or read_scenario(QUICK), out=out, **(opts | kw))
        assert f"its {what} " in str(info.value) and "\n" not in str(info.value)
        [stage] = _stages(out)
        assert (stage / CHECKPOINT_FILE).exists()
    # another engine
    saved = json.loads((stage / CHECKPOINT_FILE).read_text())
    real = saved["fingerprint"]["engine"]
    saved["fingerprint"]["engine"] = "simcore 0.0.1"
    (stage / CHECKPOINT_FILE).write_text(json.dumps(saved))
    with pytest.raises(InputError, match="its engine simcore 0.0.1 -> "):
        run_scenario(read_scenario(QUICK), out=out, **opts)
    saved["fingerprint"]["engine"] = real
    (stage / CHECKPOINT_FILE).write_text(json.dumps(saved))
    # the same inputs (other threads and chunks): identical to an uninterrupted run
    run_scenario(read_scenario(QUICK), out=out, **(opts | {"chunk_size": 7, "threads": 1}))
    assert_same_outputs(out, whole)


def test_a_run_without_resume_refuses_a_checkpoint_and_force_discards_it(tmp_path, capsys):
    out = tmp_path / "out"
    _interrupted(out)
    with pytest.raises(InputError) as info:
        run_scenario(read_scenario(QUICK), sims=SIMS, seed=SEED, out=out)
    msg = str(info.value)
    assert "checkpoint" in msg and "--resume" in msg and "--force" in msg and "\n" not in msg
    assert len(_stages(out)) == 1
    capsys.readouterr()
    run_scenario(read_scenario(QUICK), sims=50, seed=SEED, out=out, force=True)
    assert "removed" in capsys.readouterr().err and _stages(out) == []
    assert json.loads((out / "run.json").read_text())["simulations"] == 50
    # --resume with nothing to resume: a note, and a run from the start
    out2 = tmp_path / "fresh"
    run_scenario(read_scenario(QUICK), sims=50, seed=SEED, out=out2, resume=True)
    assert "no checkpoint to resume" in capsys.readouterr().err
    assert_same_outputs(out2, out)


def test_a_run_stopped_before_its_first_checkpoint_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt) as info:
        run_scenario(
            read_scenario(QUICK),
            sims=SIMS,
            seed=SEED,
            out=out,
            chunk_size=CHUNK,
            checkpoint_s=3600,
            progress=lambda done, total: (_ for _ in ()).throw(KeyboardInterrupt),
        )
    assert getattr(info.value, "kept", None) is None
    assert list(out.iterdir()) == []


def test_a_resumed_precision_run_stops_where_an_uninterrupted_one_does(tmp_path):
    sc = read_scenario(QUICK)
    opts = dict(sims=4000, seed=SEED, chunk_size=70, precision=0.01, check_every=200)
    run_scenario(sc, out=tmp_path / "whole", **opts)
    meta = json.loads((tmp_path / "whole" / "run.json").read_text())
    assert meta["precision_met"] and 400 < meta["simulations"] < 4000
    _interrupted(tmp_path / "out", at=300, **opts)
    run_scenario(sc, out=tmp_path / "out", resume=True, **(opts | {"chunk_size": 33}))
    assert_same_outputs(tmp_path / "out", tmp_path / "whole")


def test_a_resumed_college_run_equals_an_uninterrupted_one(tmp_path):
    sc = read_scenario(BLOCK)
    opts = dict(sims=150, seed=SEED, chunk_size=10)
    run_scenario(sc, out=tmp_path / "whole", **opts)
    _interrupted(tmp_path / "out", sc, at=60, **opts)
    run_scenario(sc, out=tmp_path / "out", resume=True, **opts)
    assert_same_outputs(tmp_path / "out", tmp_path / "whole")


@pytest.mark.parametrize("college", [False, True])
def test_accumulator_state_round_trips_exactly_through_json(college):
    import numpy as np

    if college:
        acc = CollegeAccumulator(2, 3, 4, True)
        big = np.array([[[2**62, 5, 0, 7], [2**61, 0, 3, 2]]] * 3, np.int64)
        acc.add(np.array([[[0], [1]]] * 3, np.int16), big)
        fresh = CollegeAccumulator(2, 3, 4, True)
    else:
        acc = Accumulator(2, 1, 2, 3, np.array([0, 0, -1]))
        acc.add(np.array([[[0, 2], [1, -1]]] * 3, np.int16))
        fresh = Accumulator(2, 1, 2, 3, np.array([0, 0, -1]))
    state = json.loads(json.dumps(accumulator_state(acc)))
    load_accumulator_state(fresh, state)
    assert accumulator_state(fresh) == accumulator_state(acc)
    if college:  # sums of squares beyond int64, exact
        assert fresh.weight_won.sum_sq[0, 0] == 3 * 2**124
    with pytest.raises(ValueError):
        load_accumulator_state(Accumulator(3, 1, 2, 3, np.array([0, 0, -1])), state)
