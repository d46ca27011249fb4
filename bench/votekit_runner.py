"""Running the VoteKit reference: in this interpreter if ``votekit`` imports, else in the one
named by ``SIMCORE_VOTEKIT_PYTHON``; skipped (reported as absent) otherwise."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).with_name("votekit_ref.py")


def interpreter() -> str | None:
    if importlib.util.find_spec("votekit") is not None:
        return sys.executable
    return os.environ.get("SIMCORE_VOTEKIT_PYTHON") or None


def run(*args, timeout: float = 1800) -> dict:
    py = interpreter()
    if py is None:
        return {
            "skipped": "votekit not installed (pip install votekit, or set "
            "SIMCORE_VOTEKIT_PYTHON to a Python that has it)"
        }
    try:
        proc = subprocess.run(
            [py, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=timeout
        )
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, json.JSONDecodeError, IndexError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def faststv(profile, seats: int, repeats: int, warmup_s: float = 0.0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ballots.npz"
        np.savez(
            path,
            ballots=profile.ballots.astype(np.int64),
            weights=profile.weights,
            names=np.array(profile.candidates),
        )
        return run("count", path, seats, repeats, warmup_s)
