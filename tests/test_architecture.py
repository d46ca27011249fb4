"""The package's structure (docs/architecture.md): imports point down, modules stay small.

Layers, lowest first: ``errors``, ``jit`` (and the package's ``__version__``); ``kernels``;
``model``; ``inputs``; ``counting``; ``sim``; ``results``; ``jobs`` and ``bench_runner``; the
edges (``cli``, the package's ``__init__``).  A module may import its own package and any lower
layer, nothing beside or above it, including imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simcore"
LAYERS = {
    "errors": 0,
    "jit": 0,
    "__version__": 0,
    "kernels": 1,
    "model": 2,
    "inputs": 3,
    "counting": 4,
    "sim": 5,
    "results": 6,
    "jobs": 7,
    "bench_runner": 7,
    "cli": 8,
    "__init__": 8,
}
MAX_LINES = 600  # the hard limit; most modules stay under 400


def _unit(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_units(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "simcore":  # from simcore import x
                names = [f"simcore.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "simcore" and len(parts) > 1:
                out.add(parts[1])
    return out


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_unit_has_a_layer():
    assert {_unit(p) for p in MODULES} <= set(LAYERS)


def _upward(path: Path, unit: str) -> list[str]:
    """The units ``path`` (in ``unit``) imports that are not below it."""
    return sorted(
        t for t in _imported_units(path) if t != unit and LAYERS.get(t, 99) >= LAYERS[unit]
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    unit = _unit(path)
    assert _upward(path, unit) == [], (
        f"{path.relative_to(PACKAGE)} ({unit}, layer {LAYERS[unit]}) imports units at or "
        "above its layer: imports must point down"
    )


def test_the_checker_sees_upward_imports(tmp_path):
    """An upward import, at the top or inside a function, is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import numpy\nfrom simcore.kernels import trie\n"
        "def f():\n    from simcore.sim.chunk import run_chunk\n    import simcore.inputs.blt\n"
    )
    assert _upward(bad, "kernels") == ["inputs", "sim"]
    assert _upward(bad, "jobs") == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"
