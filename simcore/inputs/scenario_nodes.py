"""Building blocks for declaring a TOML file format once and using it twice: to check parsed
data (every :class:`Problem` found, each with its key path, from :meth:`Node.problems`; the
first raised by :meth:`Node.check`) and to render a JSON Schema (draft 2020-12).  The scenario
format itself is in :mod:`simcore.inputs.scenario_schema`.

A key path is a tuple of table keys and array indexes (counted from 0), rendered by
:func:`render_path` as ``slates.gv.supporters.follow.sd`` or ``regions[2].turnout``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from simcore.errors import SHOWN_CHARS, shown

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class Problem(Exception):
    """Something wrong in a scenario, at a key path; turned into an ``InputError`` with the
    file and line by :mod:`simcore.inputs.scenario_file`."""

    def __init__(self, message: str, path: KeyPath) -> None:
        super().__init__(message)
        self.message = message
        self.path = tuple(path)


class Problems:
    """The problems found so far in a pass that goes on after the first one."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def __len__(self) -> int:
        return len(self.found)

    def add(self, problem: Problem) -> None:
        self.found.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.found.extend(problems)

    @contextmanager
    def guard(self):
        """Record a :class:`Problem` raised in the block and carry on after it."""
        try:
            yield
        except Problem as problem:
            self.found.append(problem)


def render_path(path: KeyPath) -> str:
    """``("regions", 2, "turnout")`` -> ``regions[2].turnout``; odd keys are quoted as in TOML."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = part if _BARE_KEY.match(part) else json.dumps(part, ensure_ascii=False)
            if len(part) > SHOWN_CHARS:  # a key may be as long as the file
                text = f"{json.dumps(part[:SHOWN_CHARS], ensure_ascii=False)}..."
            out += f".{text}" if out else text
    return out


def describe(value: Any) -> str:
    """How a TOML value reads in an error message: ``a string ('0.3')``, ``a table``, ..."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"a whole number ({number(value)})"
    if isinstance(value, float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({shown(value)})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a date/time ({value})"


def number(value: int) -> str:
    """A whole number for a message: its digits, or how many there are when that is many."""
    if -(10**40) < value < 10**40:
        return str(value)
    return f"a {len(str(abs(value)))}-digit number"


def suggestion(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return f"; did you mean {shown(close[0])}?" if close else ""


def unknown(what: str, word: str, choices: Iterable[str]) -> str:
    """``unknown key 'x'; did you mean 'y'?``, or the list of choices when none is close."""
    choices = list(choices)
    hint = suggestion(word, choices)
    if not hint and choices:
        hint = f" (expected one of: {', '.join(map(str, choices))})"
    return f"unknown {what} {shown(word)}{hint}"


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- nodes ---------------------------------------------------------------------------------------


class Node:
    """One kind of TOML value: knows how to check a value and how to say itself in JSON Schema.

    :meth:`problems` yields every problem found in a value (those that do not follow from one
    already found), in the order of the file's keys; :meth:`check` raises the first.
    """

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        raise NotImplementedError

    def check(self, value: Any, path: KeyPath) -> None:
        for problem in self.problems(value, path):
            raise problem

    def json(self) -> dict:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(Node):
    nonempty: bool = False

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not isinstance(value, str):
            yield Problem(f"must be a string (in quotes), got {describe(value)}", path)
        elif self.nonempty and not value.strip():
            yield Problem("must not be empty", path)

    def json(self) -> dict:
        return {"type": "string", "pattern": r"\S"} if self.nonempty else {"type": "string"}


INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Int(Node):
    """A whole number from ``low`` to ``high``; by default it must fit in 64 bits."""

    low: int | None = None
    high: int = INT64_MAX

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if isinstance(value, float) and value.is_integer():
            yield Problem(f"must be a whole number without a decimal point, got {value!r}", path)
        elif not isinstance(value, int) or isinstance(value, bool):
            yield Problem(f"must be a whole number, got {describe(value)}", path)
        elif self.low is not None and value < self.low:
            yield Problem(f"must be at least {self.low}, got {number(value)}", path)
        elif value > self.high:
            limit = "2^63 - 1, the largest 64-bit integer" if self.high == INT64_MAX else ""
            limit = f"{self.high:,}" + (f" ({limit})" if limit else "")
            yield Problem(f"must be at most {limit}, got {number(value)}", path)

    def json(self) -> dict:
        out: dict[str, Any] = {"type": "integer"}
        if self.low is not None:
            out["minimum"] = self.low
        out["maximum"] = self.high
        return out


@dataclass(frozen=True)
class Num(Node):
    """A number in a range; ``*_open`` makes that end exclusive."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not is_number(value) or not math.isfinite(_as_float(value)):
            yield Problem(f"must be a number, got {describe(value)}", path)
            return
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if too_low or too_high:
            got = number(value) if isinstance(value, int) else repr(value)
            yield Problem(f"must be {self.range_text()}, got {got}", path)

    def range_text(self) -> str:
        low, high = _fmt(self.low), _fmt(self.high)
        if self.low is not None and self.high is not None:
            if not (self.low_open or self.high_open):
                return f"between {low} and {high}"
            above = f"greater than {low}" if self.low_open else f"at least {low}"
            below = f"less than {high}" if self.high_open else f"at most {high}"
            return f"{above} and {below}"
        if self.low is not None:
            return f"greater than {low}" if self.low_open else f"at least {low}"
        return f"less than {high}" if self.high_open else f"at most {high}"

    def json(self) -> dict:
        out: dict[str, Any] = {"type": "number"}
        if self.low is not None:
            out["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        if self.high is not None:
            out["exclusiveMaximum" if self.high_open else "maximum"] = self.high
        return out


def _as_float(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # a whole number beyond the largest float
        return math.inf


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


PROBABILITY = Num(0, 1)
NON_NEGATIVE = Num(low=0)


@dataclass(frozen=True)
class OptionValue(Node):
    """A counting-rule option: a string or a number (the rule checks it)."""

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not (isinstance(value, str) or is_number(value)):
            yield Problem(f"must be a string or a number, got {describe(value)}", path)

    def json(self) -> dict:
        return {"type": ["string", "number"]}


@dataclass(frozen=True)
class ListOf(Node):
    item: Node
    min_items: int = 0
    unique: bool = False

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not isinstance(value, list):
            yield Problem(f"must be an array [ ... ], got {describe(value)}", path)
            return
        if len(value) < self.min_items:
            need = "must not be empty" if self.min_items == 1 else f"needs {self.min_items} items"
            yield Problem(need, path)
            return
        seen: set = set()
        for i, item in enumerate(value):
            ok = True
            for problem in self.item.problems(item, (*path, i)):
                ok = False
                yield problem
            if self.unique and ok:  # (only well-formed items are hashable)
                if item in seen:
                    yield Problem(f"{shown(item)} is listed twice", (*path, i))
                seen.add(item)

    def json(self) -> dict:
        out = {"type": "array", "items": self.item.json()}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        return out


@dataclass(frozen=True)
class MapOf(Node):
    """A table whose keys are free names (slate ids, region names, ...) with values of one kind."""

    value: Node
    min_items: int = 0
    empty: str = "must not be empty"

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not isinstance(value, dict):
            yield Problem(f"must be a table, got {describe(value)}", path)
            return
        if len(value) < self.min_items:
            yield Problem(self.empty, path)
            return
        for key, item in value.items():
            yield from self.value.problems(item, (*path, key))

    def json(self) -> dict:
        out = {"type": "object", "additionalProperties": self.value.json()}
        if self.min_items:
            out["minProperties"] = self.min_items
        return out


_MISSING = object()


@dataclass(frozen=True)
class Key:
    """A named key of a table: its node, description, and whether required or its default."""

    node: Node
    doc: str
    required: bool = False
    default: Any = _MISSING  # the default as it would be written in TOML
    missing: str = ""  # message when a required key is absent
    examples: tuple = ()  # suggested values for editors (not a restriction)

    def json(self) -> dict:
        out = dict(self.node.json())
        out["description"] = self.doc
        if self.default is not _MISSING:
            out["default"] = self.default
        if self.examples:
            out["examples"] = list(self.examples)
        return out


@dataclass(frozen=True)
class Table(Node):
    """A table with known keys; ``extra`` (if given) checks keys that are not among them."""

    keys: Mapping[str, Key]
    doc: str = ""
    extra: Node | None = None

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not isinstance(value, dict):
            yield Problem(f"must be a table, got {describe(value)}", path)
            return
        for name, item in value.items():
            spec = self.keys.get(name)
            if spec is not None:
                yield from spec.node.problems(item, (*path, name))
            elif self.extra is not None:
                yield from self.extra.problems(item, (*path, name))
            else:
                yield Problem(unknown("key", name, self.keys), (*path, name))
        for name, spec in self.keys.items():
            if spec.required and name not in value:
                yield Problem(spec.missing or f"required key {name!r} is missing", (*path, name))

    def get(self, table: Mapping[str, Any], name: str) -> Any:
        """The value of ``name`` in ``table``, or its default (None when it has none)."""
        if name in table:
            return table[name]
        default = self.keys[name].default
        return None if default is _MISSING else default

    def json(self) -> dict:
        out: dict[str, Any] = {"type": "object"}
        if self.doc:
            out["description"] = self.doc
        out["properties"] = {name: spec.json() for name, spec in self.keys.items()}
        required = [name for name, spec in self.keys.items() if spec.required]
        if required:
            out["required"] = required
        out["additionalProperties"] = self.extra.json() if self.extra is not None else False
        return out


@dataclass(frozen=True)
class TableList(Node):
    """An array of tables (``[[regions]]``), at least ``min_items`` of them."""

    table: Table
    min_items: int = 1
    empty: str = "must have at least one table"
    max_items: int | None = None
    what: str = "tables"

    def problems(self, value: Any, path: KeyPath) -> Iterator[Problem]:
        if not isinstance(value, list):
            yield Problem(f"must be an array of tables, got {describe(value)}", path)
            return
        if len(value) < self.min_items:
            yield Problem(self.empty, path)
            return
        if self.max_items is not None and len(value) > self.max_items:
            yield Problem(f"{len(value):,} {self.what}; at most {self.max_items:,}", path)
            return
        for i, item in enumerate(value):
            yield from self.table.problems(item, (*path, i))

    def json(self) -> dict:
        out = {"type": "array", "items": self.table.json(), "minItems": self.min_items}
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        return out
