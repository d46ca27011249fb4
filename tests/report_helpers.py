"""Results folders for the report tests, made by the real commands: a small quick-start run,
sweeps (one with crossings) and an optimisation."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from simcore.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
SWEEP_KEY = "slates.hill.supporters.share"


def run_quickstart(out: Path, *extra: str) -> Path:
    args = ["run", str(ROOT / "scenarios/quickstart.toml"), "--sims", "300", "--seed", "3"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "--quiet", "--force", *extra])
    assert result.exit_code == 0, result.output
    return out


CROSSING_SWEEP = [  # (a second Hilltop strategy whose seats cross the file's as Alice grows)
    "--set",
    'slates.hill.orderings.cba=["Cara Hill","Ben Hill","Alice Hill"]',
    "--set",
    "strategies.cfirst.hill=cba",
    "--vary",
    "candidates[0].strength=0.3,1,3",
]


def _ok(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


def sweep_folder(out: Path, *extra: str) -> Path:
    """A real `simcore sweep` folder of tests/scenarios/optimize_small.toml with crossings (seed
    5: seats cross at both steps; seed 3 did under the eager generator)."""
    scenario = str(ROOT / "tests/scenarios/optimize_small.toml")
    _ok(
        ["sweep", scenario, *CROSSING_SWEEP, "--sims", "60", "--seed", "5", "--out", str(out)]
        + ["-q", "--force", *extra]
    )
    return out


def quickstart_sweep(out: Path, *extra: str) -> Path:
    """A real `simcore sweep` folder of the quick start over three shares (no crossings)."""
    scenario = str(ROOT / "scenarios/quickstart.toml")
    vary = f"{SWEEP_KEY}=0.1,0.2,0.3"
    _ok(
        ["sweep", scenario, "--vary", vary, "--sims", "60", "--seed", "3", "--out", str(out)]
        + ["-q", "--force", *extra]
    )
    return out


def optimize_folder(out: Path, *extra: str) -> Path:
    """A real `simcore optimize` folder (the 216 Hilltop strategies of optimize_small.toml)."""
    scenario = str(ROOT / "tests/scenarios/optimize_small.toml")
    args = ["optimize", scenario, "--slate", "hill", "--budget", "40000", "--seed", "2"]
    _ok([*args, "--out", str(out), "-q", "--force", *extra])
    return out
