"""Reading a user's text file, with one-line errors for the usual ways it can be wrong."""

from __future__ import annotations

from pathlib import Path

from simcore.errors import InputError

_CONTROL = bytes(sorted(set(range(0, 32)) - {9, 10, 12, 13}))


def read_text(path: str | Path) -> str:
    """Return the file's text; raise :class:`InputError` if it is missing, a folder, empty,
    binary, or not UTF-8 (a leading byte-order mark is accepted)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path=p)
    if p.is_dir():
        raise InputError("is a directory, expected a file", path=p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=p) from None
    if not data.strip():
        raise InputError("file is empty", path=p)
    sample = data[:65536]
    n_control = len(sample) - len(sample.translate(None, _CONTROL))
    if b"\x00" in sample or n_control > len(sample) // 100:
        raise InputError("looks like a binary file, expected text", path=p)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {exc.start} is not valid UTF-8; save the file as UTF-8", path=p, line=line
        ) from None


def parse_int(token: str, *, what: str, path, line: int) -> int:
    """Parse a whole number token, or raise an error naming what was expected."""
    try:
        return int(token)
    except ValueError:
        raise InputError(
            f"{what} must be a whole number, got {token!r}", path=path, line=line
        ) from None
