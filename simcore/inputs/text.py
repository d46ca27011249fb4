"""Reading a user's text file, with one-line errors for the usual ways it can be wrong.

Only regular files are read: a FIFO, a device (``/dev/zero``), a socket would block or never
end.  The type is checked before opening and again on the open file (opened non-blocking, so
that a FIFO put in place in between cannot block either), and no more than the size limit is
ever read, even from a file that grows while it is read.
"""

from __future__ import annotations

import os
import re
import stat
from fractions import Fraction
from pathlib import Path

from simcore.errors import InputError, shown

MAX_BALLOT_FILE_BYTES = 2 * 1024**3  # ballot files (BLT, CSV, PrefLib): 2 GiB
MAX_CONFIG_FILE_BYTES = 16 * 1024**2  # scenario, college and candidate files: 16 MiB
INT64_MAX = 2**63 - 1

# a number (exponent of at most 3 digits: Fraction("1e999999999") would take minutes) or N/D
_FRACTION = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?(\s*/\s*\d+)?\s*")
_CONTROL = bytes(sorted(set(range(0, 32)) - {9, 10, 12, 13}))
_READ_BLOCK = 1 << 20


def read_text(path: str | Path, max_bytes: int | None = None) -> str:
    """Return the file's text; raise :class:`InputError` if it is missing, not a regular file,
    larger than ``max_bytes`` (default :data:`MAX_BALLOT_FILE_BYTES`), empty, binary, or not
    UTF-8 (a leading byte-order mark is accepted)."""
    limit = MAX_BALLOT_FILE_BYTES if max_bytes is None else max_bytes
    data = read_bytes(path, limit)
    p = Path(path)
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


def read_config_text(path: str | Path) -> str:
    """:func:`read_text` with the limit of scenario, college and candidate files."""
    return read_text(path, MAX_CONFIG_FILE_BYTES)


def read_bytes(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them (else an error)."""
    p = Path(path)
    try:
        _check_kind(os.stat(p), p, max_bytes)
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError("no such file", path=p) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=p) from None
    try:
        _check_kind(os.fstat(fd), p, max_bytes)  # the file opened is the file checked
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(_READ_BLOCK, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=p) from None
    finally:
        os.close(fd)
    if size > max_bytes:
        raise _too_large(p, size, max_bytes, grew=True)
    return b"".join(chunks)


def _check_kind(st: os.stat_result, p: Path, max_bytes: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, expected a file", path=p)
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "not a regular file"
        )
        raise InputError(f"is {kind}, expected a regular file", path=p)
    if st.st_size > max_bytes:
        raise _too_large(p, st.st_size, max_bytes)


def _too_large(p: Path, size: int, max_bytes: int, grew: bool = False) -> InputError:
    what = "grew past" if grew else f"is {_size(size)}, over"
    return InputError(f"file {what} the limit of {_size(max_bytes)} for this kind of file", path=p)


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"


def parse_int(token: str, *, what: str, path, line: int, high: int = INT64_MAX) -> int:
    """Parse a whole number token of at most ``high`` (default the largest 64-bit integer),
    or raise an error naming what was expected."""
    try:
        value = int(token)
    except ValueError:
        if token.strip().lstrip("+-").isdigit():  # more digits than Python converts
            value = high + 1
        else:
            raise InputError(
                f"{what} must be a whole number, got {shown(token)}", path=path, line=line
            ) from None
    if value > high:
        raise InputError(
            f"{what} must be at most {high:,}, got {shown(token)}", path=path, line=line
        )
    return value


def parse_fraction(value: object) -> Fraction:
    """A weight written as a number or a fraction like "1/3" (raises ValueError if it is not
    one, ZeroDivisionError for N/0)."""
    text = str(value).strip()
    if not _FRACTION.fullmatch(text):
        raise ValueError(text)
    return Fraction(text.replace(" ", ""))
