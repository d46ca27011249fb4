"""Where the real data lives: the team's ``shared/data`` beside the checkout if present, else
the copies in ``tests/data`` (the scot-elex archive is extracted there on first use)."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_VENDORED = ROOT / "tests" / "data"


def _shared() -> Path | None:
    env = os.environ.get("SIMCORE_DATA")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data"]:
        if (cand / "scot-elex" / "expected_winners.json").is_file():
            return cand
    return None


def scot_elex() -> Path:
    """The scot-elex folder (with ``csv/``, ``blt/`` and the winners JSON files)."""
    shared = _shared()
    if shared is not None:
        return shared / "scot-elex"
    out = _VENDORED / "_extracted"
    target = out / "scot-elex"
    if not (target / "expected_winners.json").is_file():
        out.mkdir(parents=True, exist_ok=True)
        with tarfile.open(_VENDORED / "scot-elex.tar.xz") as tar:
            tar.extractall(out, filter="data")
    return target


def nec20() -> Path:
    shared = _shared()
    return shared / "bench" / "nec20.blt" if shared else _VENDORED / "nec20.blt"


def deputy_2007() -> Path:
    shared = _shared()
    name = "deputy_leadership_2007.csv"
    return shared / "labour" / name if shared else _VENDORED / name
