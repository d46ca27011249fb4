"""Results files at the edges: names with any characters, columns that would collide, sums of
squares of population-sized weights, a disk that fails, SIGTERM, and staging folders left by
killed runs or held by live ones."""

from __future__ import annotations

import dataclasses
import errno
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.errors import InputError
from simcore.inputs.scenario_file import parse_scenario
from simcore.jobs.run import run_scenario
from simcore.results import accumulate, run_folder
from simcore.results.accumulate import Measure, exact_sums
from simcore.results.run_folder import STAGE_PREFIX, OutputError, RunFolder
from simcore.results.sim_outputs import SimulationRows
from simcore.sim.plan import compile_plan
from simcore.sim.runner import simulate
from tests.sim_helpers import small_scenario

ROOT = Path(__file__).resolve().parent.parent
QUICK = ROOT / "scenarios" / "quickstart.toml"
BLOCK = ROOT / "scenarios" / "block-college.toml"
ODD = {"A": "Smith; Jones", "B": "O\\Brien;", "C": "C; ", "D": "D"}


def _renamed(sc, names: dict[str, str]):
    cands = tuple(dataclasses.replace(c, name=names[c.name]) for c in sc.candidates)
    slates = tuple(
        dataclasses.replace(
            s, orderings={k: tuple(names[n] for n in v) for k, v in s.orderings.items()}
        )
        for s in sc.slates
    )
    return dataclasses.replace(sc, candidates=cands, slates=slates)


def _stages(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{STAGE_PREFIX}*")) if folder.exists() else []


# -- the elected column ---------------------------------------------------------------------------


def test_elected_is_a_list_of_names_that_round_trips_any_characters(tmp_path):
    sc = _renamed(small_scenario(seats=2), ODD)
    run_scenario(sc, sims=60, seed=4, out=tmp_path / "r", threads=1, chunk_size=7)
    table = pq.read_table(tmp_path / "r" / "simulations.parquet")
    assert pa.types.is_list(table.schema.field("elected").type)
    assert table.schema.field("elected").type.value_type == pa.string()
    got = table.column("elected").to_pylist()
    plan = compile_plan(sc)
    expected = []
    for chunk in simulate(plan, 60, 4, threads=1, chunk_size=60):
        for sim in chunk.elected:
            for row in sim:  # strategies, in the file's order
                expected.append([sc.candidate_names[i] for i in row if i >= 0])
    assert got == expected
    assert {n for names in got for n in names} <= set(ODD.values())
    assert any("Smith; Jones" in names for names in got)


def test_two_columns_of_one_name_are_refused(tmp_path):
    sc = small_scenario()
    slate = dataclasses.replace(sc.slates[0], id="no_slate")
    cands = tuple(
        dataclasses.replace(c, slate="no_slate" if c.slate else None) for c in sc.candidates
    )
    sc = dataclasses.replace(sc, slates=(slate,), candidates=cands, source="x.toml")
    path = tmp_path / "s.parquet"
    with pytest.raises(InputError) as info:
        SimulationRows(path, SimpleNamespace(scenario=sc, is_college=False), {})
    msg = str(info.value)
    assert "seats_no_slate" in msg and "\n" not in msg and msg.startswith("x.toml: ")
    assert not path.exists()


# -- exact sums of squares ------------------------------------------------------------------------


def _slow_se(values: list[int]) -> float:
    n = len(values)
    mean = Fraction(sum(values), n)
    var = sum((Fraction(v) - mean) ** 2 for v in values) / (n - 1)
    return math.sqrt(var / n)


def test_population_weighted_block_college_has_the_exact_standard_error(tmp_path):
    text = re.sub(
        r"(?m)^weight = (\d+)$", lambda m: f"weight = {int(m.group(1)) * 10**6}", BLOCK.read_text()
    )
    sc = parse_scenario(text, str(tmp_path / "big.toml"))
    assert sum(int(r.weight) for r in sc.regions) == 538 * 10**6
    res = run_scenario(sc, sims=300, seed=5, out=tmp_path / "r", threads=1)
    table = pq.read_table(tmp_path / "r" / "simulations.parquet").to_pylist()
    checked = 0
    for row in res.rows:
        if row["measure"] != "mean weight won":
            continue
        mine = [r for r in table if r["strategy"] == row["strategy"]]
        values = [int(r[f"weight_{row['candidate']}"]) for r in mine]
        assert row["estimate"] == sum(values) / len(values)
        if max(values) > 0:  # (int64 sums of these squares wrap around: 300 * (5.4e8)**2)
            assert row["std_error"] > 0
            assert row["std_error"] == pytest.approx(_slow_se(values), rel=1e-12)
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("big", [1, 10**9, 2**62, 2**63 - 1])
def test_exact_sums_of_any_int64_values(big, monkeypatch):
    monkeypatch.setattr(accumulate, "LIMB_ROWS", 7)  # several row blocks on the limb path
    rng = np.random.default_rng(big % 1000)
    v = rng.integers(0, big, size=(50, 2, 3), dtype=np.int64, endpoint=True)
    v[3, 1, 2] = big
    total, total_sq = exact_sums(v)
    py = v.tolist()
    for s in range(2):
        for j in range(3):
            col = [py[r][s][j] for r in range(50)]
            assert total[s, j] == sum(col) and total_sq[s, j] == sum(x * x for x in col)
    m = Measure.zeros(2, 3)
    m.add(v)
    m.add(v)
    d = [[py[r][s][j] - py[r][0][j] for r in range(50)] for s in range(2) for j in range(3)]
    assert m.diff_sq.ravel().tolist() == [2 * sum(x * x for x in col) for col in d]
    assert m.sum_sq[1, 2] == 2 * sum(py[r][1][2] ** 2 for r in range(50))


# -- files that cannot be written -----------------------------------------------------------------


def _cli(args: list) -> tuple[int, list[str]]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.stderr.strip().splitlines()


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = blocker / "out"
    code, lines = _cli(["run", QUICK, "--sims", 20, "--seed", 1, "--out", out, "-q"])
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("simcore: error: ") and str(out) in lines[0]
    assert "cannot write results" in lines[0] and "internal error" not in lines[0]


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    def full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))

    monkeypatch.setattr(run_folder.os, "replace", full)
    out = tmp_path / "out"
    code, lines = _cli(["run", QUICK, "--sims", 20, "--seed", 1, "--out", out, "-q"])
    assert code == 2 and len(lines) == 1, lines
    assert "No space left on device" in lines[0] and str(out) in lines[0]
    assert "internal error" not in lines[0]
    assert _stages(out) == [] and not (out / "run.json").exists()


def test_a_failing_parquet_write_is_one_line(tmp_path, monkeypatch):
    def fail(self, table, *a, **k):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    out = tmp_path / "out"
    code, lines = _cli(["run", QUICK, "--sims", 20, "--seed", 1, "--out", out, "-q"])
    assert code == 2 and len(lines) == 1, lines
    assert "Read-only file system" in lines[0] and "simulations.parquet" in lines[0]
    assert _stages(out) == []


# -- staging folders ------------------------------------------------------------------------------


def _no_such_pid(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def test_a_killed_runs_staging_folder_is_removed_with_a_note(tmp_path, capsys):
    if not _no_such_pid(999999):
        pytest.skip("process 999999 exists")
    out = tmp_path / "out"
    stale = out / f"{STAGE_PREFIX}999999"
    stale.mkdir(parents=True)
    (stale / "simulations.parquet").write_bytes(b"half a file")
    run_scenario(small_scenario(), sims=10, seed=1, out=out, threads=1)
    assert _stages(out) == [] and (out / "run.json").exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "999999" in err[0] and err[0].startswith("simcore: note: removed")


@pytest.fixture
def other_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(0.2)
    yield proc.pid
    proc.kill()
    proc.wait()


def _owned(out: Path, pid: int, created: float) -> Path:
    stage = out / f"{STAGE_PREFIX}{pid}"
    stage.mkdir(parents=True)
    (stage / "owner.json").write_text(json.dumps({"pid": pid, "created": created}))
    return stage


def test_a_live_runs_staging_folder_is_left_alone_and_the_second_run_refused(
    tmp_path, other_process
):
    out = tmp_path / "out"
    live = _owned(out, other_process, time.time())
    with pytest.raises(OutputError) as info:
        RunFolder(out, force=True)
    assert str(other_process) in str(info.value) and "\n" not in str(info.value)
    assert _stages(out) == [live]  # ours removed, theirs untouched


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_reused_pid_does_not_keep_a_stale_staging_folder(tmp_path, other_process):
    out = tmp_path / "out"
    _owned(out, other_process, time.time() - 3600)  # made before that process started
    notes = []
    folder = RunFolder(out, force=False, note=notes.append)
    assert _stages(out) == [folder.stage] and len(notes) == 1
    folder.abandon()


def test_sigterm_stops_a_run_like_ctrl_c(tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from simcore.cli.main import main; main()"]
    args = ["run", str(QUICK), "--sims", "100000000", "--out", str(out), "-q", "-t", "1"]
    env = {**os.environ, "SIMCORE_CHECKPOINT_S": "3600"}  # (stopped before its first checkpoint;
    # tests/test_resume.py stops runs that have one)
    proc = subprocess.Popen(
        cmd + args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.time() + 300
        while not any(any(s.rglob("*.parquet")) for s in _stages(out)):
            assert proc.poll() is None, proc.communicate()
            assert time.time() < deadline, "the run never started simulating"
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.strip().splitlines() == ["simcore: terminated (SIGTERM)"]
    assert _stages(out) == [] and not (out / "run.json").exists()
