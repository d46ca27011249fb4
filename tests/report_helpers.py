"""Results folders for the report tests: a small quick-start run, and a copy of it with a
synthetic sweep's and optimisation's files in the formats `simcore sweep` and `simcore optimize`
write (sweep.csv, crossings.csv, search.parquet, final.csv)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from simcore.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
SWEEP_KEY = "slates.hill.supporters.share"


def run_quickstart(out: Path, *extra: str) -> Path:
    args = ["run", str(ROOT / "scenarios/quickstart.toml"), "--sims", "300", "--seed", "3"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "--quiet", "--force", *extra])
    assert result.exit_code == 0, result.output
    return out


def add_sweep_and_optimize(folder: Path) -> Path:
    """Write a sweep over SWEEP_KEY (three points; the summary shifted so that the strategies'
    Hilltop seats cross between the second and third) and an optimisation's files."""
    with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = [*rows[0].keys(), "point", SWEEP_KEY]
    with open(folder / "sweep.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for point, share in enumerate((0.3, 0.35, 0.4)):
            for r in rows:
                r = dict(r)
                if r["measure"] == "mean seats" and r["slate"] == "Hilltop":
                    bump = (point - 1) * (0.2 if r["strategy"] == "one order" else -0.2)
                    for k in ("estimate", "ci_low", "ci_high"):
                        r[k] = f"{float(r[k]) + bump:.6g}"
                w.writerow([*r.values(), point, share])
    with open(folder / "crossings.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["measure", "slate", "candidate", "strategy_a", "strategy_b", SWEEP_KEY])
        w.writerow(["mean seats", "Hilltop", "-", "one order", "split by region", "0.351"])
    pq.write_table(
        pa.table(
            {
                "strategy": [f"s{i}" for i in range(8)],
                "orderings": [
                    f"hill=alice_first;West={'ben' if i % 2 else 'alice'}_first" for i in range(8)
                ],
                "estimate": [1.9, 1.95, 2.01, 1.97, 2.05, 2.02, 2.06, 2.04],
                "std_error": [0.03] * 4 + [0.015] * 4,
                "stage": [1, 1, 1, 1, 2, 2, 3, 3],
            }
        ),
        folder / "search.parquet",
    )
    with open(folder / "final.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "strategy",
                "estimate",
                "std_error",
                "difference",
                "difference_std_error",
                "difference_ci_low",
                "difference_ci_high",
            ]
        )
        w.writerow(["s6", 2.05, 0.01, "", "", "", ""])
        w.writerow(["s4", 2.03, 0.01, -0.02, 0.006, -0.0318, -0.0082])
    return folder


def with_extras(base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    return add_sweep_and_optimize(dest)
