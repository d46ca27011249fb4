"""Writing what ``simcore optimize`` found: the winning strategy as scenario TOML (and a copy of
the scenario with it added), every strategy scored, and the final comparison."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from simcore.errors import InputError
from simcore.results.run_folder import RunFolder, writing

OPTIMIZE_OUTPUTS = ("optimized.toml", "search.parquet", "final.csv", "run.json")


class OptimizeFolder(RunFolder):
    outputs = OPTIMIZE_OUTPUTS


FINAL_COLUMNS = (
    "rank",
    "strategy",
    "origin",
    "selected",
    "orderings",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "difference_from_best",
    "difference_std_error",
    "difference_ci_low",
    "difference_ci_high",
    "simulations",
)


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string is JSON's, for these


def strategy_toml(
    slate: str,
    new_orders: dict[str, list[str]],
    strategy_name: str,
    description: str,
    mapping: dict[str, dict[str, str] | str],
    header: Sequence[str],
) -> str:
    """``optimized.toml``: the new named orderings of the slate and the strategy using them."""
    lines = [f"# {h}" if h else "#" for h in header]
    lines.append("")
    if new_orders:
        lines.append(f"# add these orderings to the [slates.{slate}.orderings] table:")
        lines.append(f"[slates.{slate}.orderings]")
        for name, order in new_orders.items():
            lines.append(f"{name} = [{', '.join(toml_string(c) for c in order)}]")
        lines.append("")
    lines.append("# and this strategy to the file's strategies:")
    lines.append(f"[strategies.{strategy_name}]")
    lines.append(f"description = {toml_string(description)}")
    for sid, how in mapping.items():
        if isinstance(how, str):
            lines.append(f"{sid} = {toml_string(how)}")
        else:
            inner = ", ".join(f"{toml_string(r)} = {toml_string(o)}" for r, o in how.items())
            lines.append(f"{sid} = {{ {inner} }}")
    return "\n".join(lines) + "\n"


def scenario_with_strategy(
    source_text: str,
    slate: str,
    new_orders: dict[str, list[str]],
    strategy_name: str,
    description: str,
    mapping: dict[str, dict[str, str] | str],
) -> str:
    """The scenario's text with the new orderings and strategy added (comments kept)."""
    import tomlkit

    doc = tomlkit.parse(source_text)
    orderings = doc["slates"][slate]["orderings"]
    for name, order in new_orders.items():
        orderings[name] = order
    if "strategies" not in doc:
        doc["strategies"] = tomlkit.table(is_super_table=True)
    table = tomlkit.table()
    table["description"] = description
    for sid, how in mapping.items():
        if isinstance(how, str):
            table[sid] = how
        else:
            inline = tomlkit.inline_table()
            inline.update(how)
            table[sid] = inline
    doc["strategies"][strategy_name] = table
    return tomlkit.dumps(doc)


def write_text(path: Path, text: str) -> None:
    with writing(path):
        path.write_text(text, encoding="utf-8")


def write_search(path: Path, rows: list[dict], regions: Sequence[str], meta: dict) -> None:
    """``search.parquet``: one row per strategy scored."""
    order_cols = [f"order [{r}]" for r in regions]
    fields = [
        pa.field("strategy", pa.string()),
        pa.field("origin", pa.string()),
        pa.field("stage", pa.string()),
        pa.field("selected", pa.bool_()),
        pa.field("restart", pa.int64()),
        pa.field("step", pa.int64()),
        *[pa.field(c, pa.string()) for c in order_cols],
    ]
    for phase in ("train", "selection", "final"):
        fields += [
            pa.field(f"{phase}_estimate", pa.float64()),
            pa.field(f"{phase}_std_error", pa.float64()),
            pa.field(f"{phase}_simulations", pa.int64()),
        ]
    schema = pa.schema(fields, metadata={b"simcore": json.dumps(meta).encode()})
    columns = {f.name: [row.get(f.name) for row in rows] for f in fields}
    table = pa.table(columns, schema=schema)
    with writing(path):
        pq.write_table(table, path)


def write_final(path: Path, rows: list[dict]) -> None:
    with writing(path):
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=FINAL_COLUMNS, lineterminator="\n")
            w.writeheader()
            for row in rows:
                w.writerow({k: _cell(row.get(k)) for k in FINAL_COLUMNS})


def _cell(value):
    if isinstance(value, float):
        return "" if value != value else repr(value)
    return "" if value is None else value


def check_scenario_text(text: str, path: str) -> None:
    """Refuse to write a scenario copy that simcore could not read back."""
    from simcore.inputs.scenario_file import parse_scenario  # (inputs: a lower layer)

    try:
        parse_scenario(text, path)
    except InputError as exc:
        raise InputError(f"the scenario with the optimized strategy is not valid: {exc}") from None
