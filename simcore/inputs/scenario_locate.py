"""Find the line of a key path in a TOML text, so that errors can point at it.

:mod:`tomllib` gives values but no positions, so :class:`KeyLocator` scans the text once (it
must already have parsed as TOML) and records the line of every table header (``[a.b]``,
``[[regions]]``, counting occurrences for the array index), every ``key =`` (dotted keys
included), every key of an inline table (``x = { mean = 1 }``) and every element of an array.
A path that is not in the file (a missing required key) is placed at the line of its nearest
enclosing table or key.
"""

from __future__ import annotations

import re
import tomllib

from simcore.inputs.scenario_nodes import KeyPath

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")


class KeyLocator:
    """Lines of the key paths of one TOML text (lines count from 1)."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n")
        self.pos = 0
        self.lineno = 1
        self.explicit: dict[KeyPath, int] = {}  # where a table or key is written
        self.implicit: dict[KeyPath, int] = {}  # where a table is first implied (by a dotted key)
        self.arrays: dict[KeyPath, int] = {}  # last index of each array of tables
        try:
            self._scan()
        except (IndexError, ValueError):  # not valid TOML after all: keep what was found
            pass

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its nearest recorded ancestor; None if none is."""
        for n in range(len(path), 0, -1):
            prefix = tuple(path[:n])
            found = self.explicit.get(prefix) or self.implicit.get(prefix)
            if found is not None:
                return found
        return None

    # -- recording --------------------------------------------------------------------------

    def _record(self, path: KeyPath, line: int) -> None:
        self.explicit.setdefault(path, line)
        for n in range(1, len(path)):
            self.implicit.setdefault(path[:n], line)

    # -- scanning ---------------------------------------------------------------------------

    def _peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def _advance(self, n: int) -> None:
        self.lineno += self.text.count("\n", self.pos, self.pos + n)
        self.pos += n

    def _skip_space(self) -> None:
        while self._peek() in (" ", "\t"):
            self.pos += 1

    def _skip_blank(self) -> None:
        """Skip spaces, newlines and comments."""
        while self.pos < len(self.text):
            ch = self._peek()
            if ch in " \t\n":
                self._advance(1)
            elif ch == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def _scan(self) -> None:
        current: KeyPath = ()
        while True:
            self._skip_blank()
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self._peek(2) == "[[":
                current = self._header(array=True)
            elif self._peek() == "[":
                current = self._header(array=False)
            else:
                line = self.lineno
                path = current + tuple(self._key())
                self._record(path, line)
                self._skip_space()
                self._advance(1)  # '='
                self._value(path)
            if self.pos == start:
                raise ValueError("no progress")

    def _header(self, array: bool) -> KeyPath:
        line = self.lineno
        self._advance(2 if array else 1)
        keys = self._key()
        self._skip_space()
        self._advance(2 if array else 1)
        path: KeyPath = ()
        for i, key in enumerate(keys):
            path = (*path, key)
            last = i == len(keys) - 1
            if array and last:
                index = self.arrays.get(path, -1) + 1
                self.arrays[path] = index
                self._record(path, line)
                path = (*path, index)
            elif path in self.arrays:  # [a.b] inside the latest [[a]]
                path = (*path, self.arrays[path])
        self.explicit[path] = line
        self._record(path, line)
        return path

    def _key(self) -> list[str]:
        """A possibly dotted, possibly quoted key."""
        parts = []
        while True:
            self._skip_space()
            ch = self._peek()
            if ch in ('"', "'"):
                start = self.pos
                self._string()
                parts.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            else:
                match = _BARE.match(self.text, self.pos)
                if not match:
                    raise ValueError("expected a key")
                parts.append(match.group())
                self.pos = match.end()
            self._skip_space()
            if self._peek() != ".":
                return parts
            self.pos += 1

    def _string(self) -> None:
        quote = self._peek()
        triple = self._peek(3) == quote * 3
        delim = quote * 3 if triple else quote
        i = self.pos + len(delim)
        while True:
            if quote == '"' and self.text[i] == "\\":
                i += 2
                continue
            if self.text.startswith(delim, i):
                i += len(delim)
                for _ in range(2 if triple else 0):  # up to two quotes may end a """ string
                    if self.text[i : i + 1] == quote:
                        i += 1
                break
            i += 1
        self._advance(i - self.pos)

    def _value(self, path: KeyPath) -> None:
        self._skip_space()
        ch = self._peek()
        if ch in ('"', "'"):
            self._string()
        elif ch == "[":
            self._array(path)
        elif ch == "{":
            self._inline_table(path)
        else:
            match = _SCALAR_END.search(self.text, self.pos)
            self.pos = match.start() if match else len(self.text)

    def _array(self, path: KeyPath) -> None:
        self._advance(1)
        index = 0
        while True:
            self._skip_blank()
            if self._peek() == "]":
                self._advance(1)
                return
            self._record((*path, index), self.lineno)
            self._value((*path, index))
            self._skip_blank()
            if self._peek() == ",":
                self._advance(1)
            index += 1

    def _inline_table(self, path: KeyPath) -> None:
        self._advance(1)
        while True:
            self._skip_blank()
            if self._peek() == "}":
                self._advance(1)
                return
            line = self.lineno
            key = (*path, *self._key())
            self._record(key, line)
            self._skip_space()
            self._advance(1)  # '='
            self._value(key)
            self._skip_blank()
            if self._peek() == ",":
                self._advance(1)
