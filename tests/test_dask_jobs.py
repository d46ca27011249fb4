"""``simcore optimize`` and ``simcore sweep`` on a Dask cluster (--dask) give exactly what they
give locally."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from simcore.cli.main import cli

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "scenarios" / "optimize_small.toml"
QUICK = ROOT / "scenarios" / "quickstart.toml"


@pytest.fixture(scope="module")
def address():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as c,
        Client(c),
    ):
        yield c.scheduler_address


def _cli(*args):
    res = CliRunner().invoke(cli, [str(a) for a in args])
    assert res.exit_code == 0, res.output
    return res.output


def test_optimize_on_dask_equals_optimize_on_threads(tmp_path, address):
    common = [
        "--slate",
        "hill",
        "--budget",
        "12000",
        "--seed",
        "4",
        "--search",
        "local",
        "--train-sims",
        "30",
        "--no-report",
        "--json",
    ]
    local = json.loads(_cli("optimize", SMALL, *common, "-t", "2", "--out", tmp_path / "a"))
    remote = json.loads(
        _cli("optimize", SMALL, *common, "--dask", address, "--out", tmp_path / "b")
    )
    assert remote == local
    a = pq.read_table(tmp_path / "a" / "search.parquet")
    b = pq.read_table(tmp_path / "b" / "search.parquet")
    assert a.drop(["selected"]).to_pylist() == b.drop(["selected"]).to_pylist()
    meta = json.loads((tmp_path / "b" / "run.json").read_text())
    assert meta["dask"] == {"scheduler": address}


def test_sweep_on_dask_equals_sweep_on_threads(tmp_path, address):
    common = [
        "--vary",
        "slates.hill.supporters.share=0.2,0.35",
        "--sims",
        "120",
        "--seed",
        "5",
        "--no-report",
        "-q",
    ]
    _cli("sweep", QUICK, *common, "-t", "2", "--out", tmp_path / "a")
    _cli("sweep", QUICK, *common, "--dask", address, "--out", tmp_path / "b")
    for name in ("sweep.csv", "crossings.csv", "sweep_wide.csv"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text(), name
    meta = json.loads((tmp_path / "b" / "run.json").read_text())
    assert meta["dask"] == {"scheduler": address}
