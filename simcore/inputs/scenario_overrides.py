"""``--set KEY=VALUE``: override a key of a scenario without editing its file.

KEY is a key path as error messages render it (:func:`~simcore.inputs.scenario_nodes.render_path`):
``slates.gv.supporters.follow.mean``, ``regions[2].electorate``, ``strategies."one order".hill``.
VALUE is a TOML value (``0.7``, ``"ers97"``, ``{ mean = 0.7, sd = 0.05 }``, ``[1, 2]``); text that
is not TOML is taken as a bare string, so ``--set election.rule=meek`` works.

Overrides are applied to the parsed TOML, in order, before the scenario is checked, so an
override is checked exactly as the file is (:func:`simcore.inputs.scenario_file.parse_scenario`
names the override in the problems it causes).  Applying one only walks the format
(:mod:`simcore.inputs.scenario_schema`): a key the format does not have, an index out of range,
or a path through a value that is not a table is one line here.  A key the file leaves out but
the format allows is created, with any tables above it.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simcore.errors import InputError, shown
from simcore.inputs import scenario_schema as schema
from simcore.inputs.scenario_nodes import (
    KeyPath,
    ListOf,
    MapOf,
    Node,
    Str,
    Table,
    TableList,
    describe,
    render_path,
    suggestion,
    unknown,
)

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_INDEX = re.compile(r"\[\s*(\d+)\s*\]")


@dataclass(frozen=True)
class Override:
    """One override: the key path, the value, and how to name it in errors (``origin``, e.g.
    ``--set simulation.sims=10``) and in outputs (``text``, ``KEY=VALUE``)."""

    path: KeyPath
    value: Any
    origin: str
    text: str


def parse_key(key: str, origin: str, source: str | Path | None = None) -> KeyPath:
    """``regions[2].turnout`` -> ``("regions", 2, "turnout")``; bare or double-quoted keys."""
    parts: list[str | int] = []
    pos, key = 0, key.strip()

    def bad(what: str) -> InputError:
        return InputError(f"not a key path ({what}): {shown(key)}", path=source, key=origin)

    if not key:
        raise bad("empty")
    while True:
        if key.startswith('"', pos):
            try:
                part, pos = json.JSONDecoder().raw_decode(key, pos)
            except ValueError:
                raise bad("a quoted key is not closed") from None
        else:
            match = _BARE.match(key, pos)
            if not match:
                raise bad(f"expected a key at character {pos + 1}")
            part, pos = match.group(), match.end()
        parts.append(part)
        while (match := _INDEX.match(key, pos)) is not None:
            parts.append(int(match.group(1)))
            pos = match.end()
        if pos == len(key):
            return tuple(parts)
        if key[pos] != ".":
            raise bad(f"expected '.' or '[N]' at character {pos + 1}")
        pos += 1


def parse_value(text: str) -> Any:
    """A TOML value, else the text itself (stripped) as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return text.strip()


def parse_set(text: str, source: str | Path | None = None, flag: str = "--set") -> Override:
    """``KEY=VALUE`` as an :class:`Override`; one line if it has no ``=``."""
    origin = f"{flag} {text}"
    key, eq, value = text.partition("=")
    if not eq:
        raise InputError(
            f"expected KEY=VALUE, e.g. {flag} simulation.sims=1000", path=source, key=origin
        )
    path = parse_key(key, origin, source)
    return Override(path, parse_value(value), origin, f"{render_path(path)}={value.strip()}")


def parse_sets(texts: Iterable[str], source: str | Path | None = None) -> list[Override]:
    return [parse_set(t, source) for t in texts]


# -- applying --------------------------------------------------------------------------------------


def _child(node: Node, part: str | int) -> Node | None | str:
    """The format of ``node``'s member ``part``; None if it has none; a message string when
    ``part`` is the wrong kind of step (an index into a table, a key into an array)."""
    if isinstance(node, (TableList, ListOf)):
        if not isinstance(part, int):
            return "is an array: give an index, e.g. {at}[0]"
        return node.table if isinstance(node, TableList) else node.item
    if isinstance(part, int):
        return "is not an array: it has no [index]"
    if isinstance(node, Table):
        spec = node.keys.get(part)
        return spec.node if spec is not None else node.extra
    if isinstance(node, MapOf):
        return node.value
    if isinstance(node, schema.DistNode):
        return schema.PROBABILITY if part in schema.BETA_KEYS + schema.UNIFORM_KEYS else None
    if isinstance(node, schema.LengthNode):
        if part == "mean":
            return schema.LENGTH_MEAN.keys["mean"].node
        return schema.LENGTH_PROBS.keys["probs"].node if part == "probs" else None
    if isinstance(node, schema.OrderingChoice):
        return Str()
    return None


def _choices(node: Node) -> list[str]:
    if isinstance(node, Table):
        return list(node.keys)
    if isinstance(node, schema.DistNode):
        return list(schema.BETA_KEYS + schema.UNIFORM_KEYS)
    if isinstance(node, schema.LengthNode):
        return ["mean", "probs"]
    return []


def _is_container(node: Node | None) -> bool:
    return isinstance(node, (Table, MapOf, schema.DistNode, schema.LengthNode))


def apply_override(data: dict[str, Any], ov: Override, source: str | Path | None = None) -> None:
    """Set ``ov``'s key in parsed TOML ``data`` (in place), creating missing tables above it."""

    def fail(message: str) -> InputError:
        return InputError(message, path=source, key=ov.origin)

    node: Node = schema.SCENARIO
    here: Any = data
    for i, part in enumerate(ov.path):
        at = render_path(ov.path[:i]) or "the scenario"
        child = _child(node, part)
        if isinstance(child, str):
            raise fail(f"{at} {child.format(at=at)}")
        if child is None:
            if isinstance(node, (Table, schema.DistNode, schema.LengthNode)):
                raise fail(f"{at}: {unknown('key', str(part), _choices(node))}")
            raise fail(f"{at} is {_kind(node)}: it has no key {shown(part)}")
        last = i == len(ov.path) - 1
        if isinstance(part, int):
            if not isinstance(here, list):
                raise fail(f"{at} is {describe(here)} in the file, not an array")
            if part >= len(here):
                has = f"{len(here)} item(s): {at}[0] to {at}[{len(here) - 1}]" if here else "none"
                raise fail(f"index [{part}] is out of range: the file has {has}")
        elif not isinstance(here, dict):
            raise fail(
                f"{at} is {describe(here)} in the file, not a table: set it whole, e.g. "
                f"--set {at}='{{ ... }}'"
            )
        elif part not in here and not last:
            if isinstance(node, MapOf) and not _creatable(child):
                names = ", ".join(shown(k) for k in here) or "none"
                hint = suggestion(str(part), list(here))
                raise fail(f"{at} has no {shown(part)} (the file has {names}){hint}")
            if not _is_container(child):
                raise fail(f"{render_path(ov.path[: i + 1])} is {_kind(child)}: it has no keys")
            here[part] = {}
        if last:
            here[part] = ov.value
            return
        node, here = child, here[part]


def _creatable(node: Node | None) -> bool:
    """Whether a new entry of a map (a strategy, an option) may be made by a deeper key: only
    when its table needs no key (a new slate or region would need several: set it whole)."""
    return isinstance(node, Table) and not any(k.required for k in node.keys.values())


def _kind(node: Node) -> str:
    if isinstance(node, Str):
        return "a string"
    if isinstance(node, (TableList, ListOf)):
        return "an array"
    return "a single value"


def apply_overrides(
    data: dict[str, Any], overrides: Sequence[Override], source: str | Path | None = None
) -> None:
    for ov in overrides:
        apply_override(data, ov, source)


def blame(problem_path: KeyPath, overrides: Sequence[Override]) -> Override:
    """The override most likely to have caused a problem at ``problem_path``: the one whose
    path shares the longest start with it (the latest of equals)."""

    def shared(ov: Override) -> int:
        n = 0
        for a, b in zip(ov.path, problem_path, strict=False):
            if a != b:
                break
            n += 1
        return n

    return max(reversed(overrides), key=shared)


# -- sweeps ----------------------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*([^:,{}\[\]\"']+):([^:,{}\[\]\"']+):([^:,{}\[\]\"']+)\s*$")
_OPEN = {"[": "]", "{": "}"}
DECIMALS = 12  # significant digits a range's values are rounded to (0.1 * 3 is 0.3)


@dataclass(frozen=True)
class Vary:
    """``--vary KEY=VALUES``: a key and the values it takes, with each value's text."""

    key: str  # the key path as rendered
    path: KeyPath
    values: tuple
    texts: tuple[str, ...]
    origin: str

    def override(self, i: int) -> Override:
        text = self.texts[i]
        return Override(
            self.path, self.values[i], f"{self.origin} (value {text})", f"{self.key}={text}"
        )

    @property
    def numeric(self) -> bool:
        return all(_is_number(v) for v in self.values)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def split_list(text: str) -> list[str]:
    """``a, {x = 1, y = 2}, "c,d"`` -> its items, split at the commas outside brackets and
    quotes."""
    items, depth, quote, start = [], [], "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in _OPEN:
            depth.append(_OPEN[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch == "," and not depth:
            items.append(text[start:i].strip())
            start = i + 1
    items.append(text[start:].strip())
    return items


def parse_vary(text: str, source: str | Path | None = None) -> Vary:
    """``KEY=a,b,c`` (a list of TOML values) or ``KEY=START:STOP:COUNT`` (COUNT >= 2 evenly
    spaced values from START to STOP, both included; whole numbers when START, STOP and the
    step are)."""
    origin = f"--vary {text}"

    def bad(message: str) -> InputError:
        return InputError(message, path=source, key=origin)

    key, eq, spec = text.partition("=")
    if not eq or not spec.strip():
        raise bad("expected KEY=VALUES, e.g. --vary simulation.sims=100,200 or KEY=0.5:0.9:5")
    path = parse_key(key, origin, source)
    match = _RANGE.match(spec)
    if match:
        values, texts = _range(*(parse_value(g) for g in match.groups()), bad)
    else:
        texts = tuple(split_list(spec))
        if any(not t for t in texts):
            raise bad("an empty value in the list (two commas, or one at an end)")
        values = tuple(parse_value(t) for t in texts)
        if len(values) < 2:
            raise bad("give at least two values (a,b,...) or a range START:STOP:COUNT")
    seen: dict[str, int] = {}
    for i, v in enumerate(values):
        token = json.dumps(v, sort_keys=True, default=str) if not _is_number(v) else repr(float(v))
        if token in seen:
            raise bad(f"the value {texts[i]} is listed twice")
        seen[token] = i
    return Vary(render_path(path), path, tuple(values), tuple(texts), origin)


def _range(start: Any, stop: Any, count: Any, bad) -> tuple[tuple, tuple[str, ...]]:
    if not (_is_number(start) and _is_number(stop)):
        raise bad("a range is START:STOP:COUNT, with START and STOP numbers")
    if not isinstance(count, int) or isinstance(count, bool) or count < 2:
        raise bad(f"a range's COUNT must be a whole number of at least 2, got {count!r}")
    if count > 100_000:
        raise bad(f"a range of {count:,} values; at most 100,000")
    if start == stop:
        raise bad("a range's START and STOP are equal")
    step = (stop - start) / (count - 1)
    if isinstance(start, int) and isinstance(stop, int) and (stop - start) % (count - 1) == 0:
        values = tuple(start + (stop - start) // (count - 1) * i for i in range(count))
    else:
        values = tuple(float(f"{start + step * i:.{DECIMALS}g}") for i in range(count))
        values = (float(start), *values[1:-1], float(stop))
    return values, tuple(str(v) if isinstance(v, int) else repr(v) for v in values)
