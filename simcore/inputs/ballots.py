"""Reading any supported ballot file: the format is chosen by extension, else by content."""

from __future__ import annotations

from pathlib import Path

from simcore.errors import InputError, shown
from simcore.inputs.blt import read_blt
from simcore.inputs.preflib import read_preflib
from simcore.inputs.scotcsv import read_scot_csv
from simcore.inputs.text import read_text
from simcore.model.profile import Profile

READERS = {"blt": read_blt, "csv": read_scot_csv, "preflib": read_preflib}
_EXTENSIONS = {
    ".blt": "blt",
    ".csv": "csv",
    ".soi": "preflib",
    ".toi": "preflib",
    ".soc": "preflib",
    ".toc": "preflib",
}
BALLOT_EXTENSIONS = tuple(_EXTENSIONS)


def detect_format(path: str | Path) -> str:
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt:
        return fmt
    text = read_text(path)
    first = next((s.strip() for s in text.splitlines() if s.strip()), "")
    if first.startswith("#"):
        return "preflib" if "ALTERNATIVE" in text.upper() and ":" in text else "blt"
    if "," in first.rstrip(","):
        return "csv"
    return "blt"


def read_ballots(path: str | Path, format: str | None = None) -> Profile:
    """Read a ballot file (BLT, scot-elex CSV, PrefLib .soi/.toi) into a :class:`Profile`.

    ``format`` forces one of ``"blt"``, ``"csv"``, ``"preflib"``; by default the extension
    decides, and the content where the extension is unknown.
    """
    if format is None:
        format = detect_format(path)
    try:
        reader = READERS[format]
    except KeyError:
        raise InputError(
            f"unknown ballot format {shown(format)}; expected one of {', '.join(READERS)}",
            path=path,
        ) from None
    return reader(path)
