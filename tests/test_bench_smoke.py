"""A short run of every benchmark: fails on crashes, never on timings."""

from __future__ import annotations

import json

from click.testing import CliRunner

from simcore import bench_runner as br
from simcore.cli.main import cli


def test_benchmarks_run(monkeypatch, tmp_path):
    monkeypatch.delenv("SIMCORE_VOTEKIT_PYTHON", raising=False)
    res = CliRunner().invoke(cli, ["bench", "--quick", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert set(report["benchmarks"]) >= {
        "count-nec20",
        "corpus",
        "startup",
        "simulate-nec",
        "college-2010",
        "college-block",
        "sampling-effect",
    }
    assert report["benchmarks"]["count-nec20"]["scottish_elected"]
    nec = report["benchmarks"]["simulate-nec"]
    assert nec["threads_2_sims_per_s"] > 0
    assert nec["parallel_efficiency"] == round(
        nec["threads_2_sims_per_s"] / (2 * nec["threads_1_sims_per_s"]), 3
    )
    assert nec["threads_2_cpu_utilisation"] > 0
    assert report["benchmarks"]["college-2010"]["parallel_efficiency"] > 0
    assert report["benchmarks"]["simulate-nec"]["sampled_1_in_10_threads_2_sims_per_s"] > 0
    assert report["benchmarks"]["sampling-effect"]["measures"] > 10
    assert report["machine"]["cores"] >= 1
    # the gate figures are part of it, and the document serves as a baseline for --compare
    for name in ("count-nec20", "corpus", "simulate-nec", "college-2010", "college-block"):
        assert all(v > 0 for v in report["benchmarks"][name]["gate"].values()), name
    (tmp_path / "all.json").write_text(res.stdout)
    c = br.compare(br.load_baseline(tmp_path / "all.json"), report, br.DEFAULT_THRESHOLD)
    assert len(c.rows) == 7 and not c.failed
