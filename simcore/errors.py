"""Errors a user can act on.

Every problem with user input (a ballot file, a scenario, a command-line value) is raised as
:class:`InputError`, whose ``str()`` is one line naming the file, the line or key, and what was
expected.  The CLI prints that line and exits with status 2; nothing else escapes as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input, reported as ``FILE:LINE: problem`` (or ``FILE: key: problem``)."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.key = key
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path if self.line is None else f"{self.path}:{self.line}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.key is not None:
            where.append(self.key)
        text = " ".join(self.message.split())  # always one line
        return f"{': '.join(where)}: {text}" if where else text


class RuleError(InputError):
    """A profile cannot be counted under the chosen rule (e.g. equal rankings, too few seats)."""


SHOWN_CHARS = 60  # the most characters of a user's text quoted in an error message


def shown(text: object, limit: int = SHOWN_CHARS) -> str:
    """``text`` quoted for an error message (as ``repr`` does), cut to its first ``limit``
    characters with its length noted when longer: a line of a file may be megabytes long."""
    s = str(text)
    if len(s) <= limit:
        return repr(s)
    return f"{s[:limit]!r}... ({len(s):,} characters)"
