"""The docs run as written: every line of every ```bash block in README.md is run (in order, in a
temporary folder that links the repository's scenarios/, examples/, tests/ and bench/, with this
Python's `simcore` first on PATH), and every ```toml block in README.md and docs/*.md is checked:
a scenario must pass simcore's scenario reader; a block marked as a fragment (the line before
its fence is ``<!-- fragment -->``, or the fence reads ```toml fragment) must be valid TOML.

Lines that install (create a virtual environment, pip install) are not run: see SKIP.  New
examples are picked up automatically; keep them fast (small --sims).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from simcore.inputs.scenario_file import ScenarioError, parse_scenario

ROOT = Path(__file__).resolve().parent.parent
LINKED = ("scenarios", "examples", "tests", "bench")  # what the examples' relative paths need
SKIP = (re.compile(r"\bpython3? -m venv\b"), re.compile(r"\bpip install\b"))  # installs
FENCE = re.compile(r"^```(\w*)\s*(\w*)\s*$")


def blocks(path: Path, language: str) -> list[tuple[int, str, bool]]:
    """(line of the fence, text, marked as a fragment) of every ``language`` block."""
    out, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            start, body = i, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            if m.group(1) == language:
                marked = m.group(2) == "fragment" or (
                    start > 0 and lines[start - 1].strip() == "<!-- fragment -->"
                )
                out.append((start + 1, "\n".join(body) + "\n", marked))
        i += 1
    return out


def shell_lines() -> list[tuple[int, str]]:
    out = []
    for start, text, _ in blocks(ROOT / "README.md", "bash"):
        for k, line in enumerate(text.splitlines(), start=start + 1):
            if line.strip() and not line.lstrip().startswith("#"):
                out.append((k, line.strip()))
    return out


TOML_BLOCKS = [
    (f"{p.relative_to(ROOT)}:{line}", text, marked)
    for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for line, text, marked in blocks(p, "toml")
]


def test_readme_has_examples():
    assert len(shell_lines()) >= 15
    assert TOML_BLOCKS


def test_readme_shell_examples_run(tmp_path):
    for name in LINKED:
        (tmp_path / name).symlink_to(ROOT / name)
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("SIMCORE_DEBUG", None)
    ran = 0
    for line_no, line in shell_lines():
        if any(p.search(line) for p in SKIP):
            continue
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", line],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, (
            f"README.md:{line_no}: `{line}` exited {proc.returncode}:\n"
            f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
        )
        ran += 1
    assert ran >= 15


@pytest.mark.parametrize("where,text,fragment", TOML_BLOCKS, ids=[b[0] for b in TOML_BLOCKS])
def test_toml_blocks_validate(where, text, fragment):
    if fragment:
        tomllib.loads(text)  # a fragment is still TOML
    else:
        parse_scenario(text, where)


def test_an_unmarked_fragment_fails():
    with pytest.raises(ScenarioError):
        parse_scenario("[election]\nseats = 1\n", "fragment")
