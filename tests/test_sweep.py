"""``simcore sweep``: grids of overridden keys on common random numbers, and crossings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from simcore.errors import InputError
from simcore.inputs.scenario_overrides import parse_vary, split_list
from simcore.jobs import sweep as sweep_job
from simcore.jobs.sweep import run_sweep, sweep_points
from simcore.results.run_folder import STAGE_PREFIX
from simcore.results.sweep_crossings import find_crossings, line_crossings

ROOT = Path(__file__).resolve().parent.parent
QUICK = str(ROOT / "scenarios" / "quickstart.toml")
COLLEGE = str(ROOT / "scenarios" / "block-college.toml")
SHARE = "slates.hill.supporters.share"


def _cli(args: list) -> tuple[int, str, list[str]]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.stdout, res.stderr.strip().splitlines()


# -- values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, values",
    [
        ("k=0.5:0.95:10", (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)),
        ("k=0:1:3", (0.0, 0.5, 1.0)),
        ("k=1000:5000:5", (1000, 2000, 3000, 4000, 5000)),
        ("k=10:0:3", (10, 5, 0)),
        ("k=0.5,0.6,0.7", (0.5, 0.6, 0.7)),
        ("k=ers97, meek", ("ers97", "meek")),
        ("k=0.5,{ mean = 0.7, sd = 0.05 }", (0.5, {"mean": 0.7, "sd": 0.05})),
    ],
)
def test_lists_and_ranges(text, values):
    v = parse_vary(text)
    assert v.values == values
    assert [type(x) for x in v.values] == [type(x) for x in values]


def test_list_items_split_outside_brackets_and_quotes():
    assert split_list('1, [2, 3], { a = 1, b = 2 }, "x,y"') == [
        "1",
        "[2, 3]",
        "{ a = 1, b = 2 }",
        '"x,y"',
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("k", "expected KEY=VALUES"),
        ("k=", "expected KEY=VALUES"),
        ("k=0.5", "give at least two values"),
        ("k=1:2:1", "COUNT must be a whole number of at least 2"),
        ("k=1:2:2.5", "COUNT must be a whole number of at least 2"),
        ("k=a:b:3", "START and STOP numbers"),
        ("k=1:1:3", "START and STOP are equal"),
        ("k=1,,2", "an empty value"),
        ("k=1,2,1.0", "the value 1.0 is listed twice"),
        ("a..b=1,2", "not a key path"),
    ],
)
def test_bad_values_are_one_line_naming_the_vary(text, expected):
    with pytest.raises(InputError) as info:
        parse_vary(text, "q.toml")
    assert expected in str(info.value)
    assert str(info.value).startswith(f"q.toml: --vary {text}: ")


# -- points ------------------------------------------------------------------------------------


def test_several_varies_make_a_grid_first_key_slowest():
    keys, points = sweep_points(
        QUICK, [f"{SHARE}=0.2,0.3", "regions[1].electorate=1000:3000:3"], ["simulation.sims=9"]
    )
    assert [v.key for v in keys] == [SHARE, "regions[1].electorate"]
    assert len(points) == 6
    assert [(p.values[SHARE], p.values["regions[1].electorate"]) for p in points] == [
        (0.2, 1000),
        (0.2, 2000),
        (0.2, 3000),
        (0.3, 1000),
        (0.3, 2000),
        (0.3, 3000),
    ]
    last = points[-1].scenario
    assert last.regions[1].electorate == 3000 and last.sims == 9
    assert next(s for s in last.slates if s.id == "hill").supporters.share == 0.3
    assert last.overrides == ("simulation.sims=9", f"{SHARE}=0.3", "regions[1].electorate=3000")


@pytest.mark.parametrize(
    "varies, sets, expected",
    [
        ([f"{SHARE}=0.2,1.5"], [], f"--vary {SHARE}=0.2,1.5 (value 1.5): must be between 0 and 1"),
        ([f"{SHARE}=0.2,0.3"], [f"{SHARE}=0.1"], f"{SHARE} is also given by --set {SHARE}=0.1"),
        ([f"{SHARE}=0.2,0.3", f"{SHARE}=0.4,0.5"], [], "is also given by --vary"),
        (["slates.hil.supporters.share=0.2,0.3"], [], "slates has no 'hil'"),
    ],
)
def test_a_bad_point_is_one_line_and_nothing_runs(tmp_path, varies, sets, expected):
    args = ["sweep", QUICK, "--sims", 5, "-q", "--out", tmp_path / "o"]
    args += [a for v in varies for a in ("--vary", v)] + [a for s in sets for a in ("--set", s)]
    code, _, err = _cli(args)
    assert code == 2 and len(err) == 1, err
    assert err[0].startswith(f"simcore: error: {QUICK}: ") and expected in err[0], err[0]
    assert not (tmp_path / "o").exists()


def test_vary_is_required():
    code, _, err = _cli(["sweep", QUICK])
    assert code == 2 and len(err) == 1 and "--vary" in err[0]


# -- runs --------------------------------------------------------------------------------------


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_point_equals_a_run_with_set_and_outputs_read_back(tmp_path):
    """Common random numbers: a point of the sweep is exactly `simcore run --set` at it."""
    common = ["--sims", 60, "--seed", 4, "-t", 1, "-q"]
    code, _, err = _cli(
        ["sweep", QUICK, "--vary", f"{SHARE}=0.12,0.3", *common, "--out", tmp_path / "sw"]
    )
    assert code == 0, err
    for value, point in (("0.12", "0"), ("0.3", "1")):
        code, _, err = _cli(
            ["run", QUICK, "--set", f"{SHARE}={value}", *common, "--out", tmp_path / value]
        )
        assert code == 0, err
        run_rows = _csv(tmp_path / value / "summary.csv")
        sweep_rows = [r for r in _csv(tmp_path / "sw" / "sweep.csv") if r["point"] == point]
        assert all(r[SHARE] == value for r in sweep_rows)
        for r in sweep_rows:
            del r["point"], r[SHARE]
        assert sweep_rows == run_rows
    # the outputs read back
    rows = _csv(tmp_path / "sw" / "sweep.csv")
    table = pq.read_table(tmp_path / "sw" / "sweep.parquet")
    assert table.num_rows == len(rows) == 2 * len(run_rows)
    assert table.column_names[:3] == ["point", SHARE, "strategy"]
    assert table.column(SHARE).to_pylist()[-1] == 0.3
    meta = json.loads((tmp_path / "sw" / "run.json").read_text())
    assert json.loads(table.schema.metadata[b"simcore"]) == meta
    assert meta["varied"] == [{"key": SHARE, "values": [0.12, 0.3]}]
    assert meta["seed"] == 4 and meta["points"] == 2 and meta["simulations"] == 60
    assert [r["simulations"] for r in meta["runs"]] == [60, 60]
    wide = _csv(tmp_path / "sw" / "sweep_wide.csv")
    assert [(r["point"], r["strategy"]) for r in wide] == [
        ("0", "one order"),
        ("0", "split by region"),
        ("1", "one order"),
        ("1", "split by region"),
    ]
    seats = next(
        r
        for r in rows
        if r["point"] == "1" and r["strategy"] == "split by region" and r["slate"] == "Hilltop"
    )
    assert wide[3]["mean seats [Hilltop]"] == seats["estimate"]
    assert "P(elected) [Ben Hill]" in wide[0] and "P(seats >= 2) [Hilltop]" in wide[0]
    assert (tmp_path / "sw" / "crossings.csv").read_text().startswith("key,strategy,versus")
    assert not list((tmp_path / "sw").glob(f"{STAGE_PREFIX}*"))


def test_reproducible_for_threads_and_chunks():
    kw = dict(sims=50, seed=8)
    a = run_sweep(QUICK, [f"{SHARE}=0.15,0.3"], threads=1, chunk_size=7, **kw)
    b = run_sweep(QUICK, [f"{SHARE}=0.15,0.3"], threads=2, chunk_size=13, **kw)
    assert _same(a.rows, b.rows) and len(a.rows) > 0
    assert a.crossings == b.crossings


def _same(x, y) -> bool:
    return json.dumps(x, default=str) == json.dumps(y, default=str)  # (NaN != NaN)


def test_a_college_sweeps(tmp_path):
    result = run_sweep(
        COLLEGE, ["regions[0].electorate=1000,3000"], sims=20, seed=2, threads=1, out=tmp_path
    )
    assert {r["measure"] for r in result.rows} >= {"P(win)"}
    assert len({r["point"] for r in result.rows}) == 2
    assert (tmp_path / "sweep_wide.csv").exists()


def test_a_failed_sweep_leaves_nothing(tmp_path, monkeypatch):
    real = sweep_job.run_scenario
    calls = []

    def failing(sc, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(sc, **kw)

    monkeypatch.setattr(sweep_job, "run_scenario", failing)
    with pytest.raises(OSError):
        run_sweep(QUICK, [f"{SHARE}=0.2,0.3"], sims=10, seed=1, threads=1, out=tmp_path / "o")
    assert len(calls) == 2
    assert list((tmp_path / "o").iterdir()) == []


# -- crossings ---------------------------------------------------------------------------------


def test_a_rising_crossing_and_its_interval_by_hand():
    d = [-0.3, -0.1, 0.1, 0.3]
    lo = [v - 0.15 for v in d]
    hi = [v + 0.15 for v in d]
    [c] = line_crossings([0.0, 1.0, 2.0, 3.0], d, lo, hi)
    assert c["below"] == 1.0 and c["above"] == 2.0 and c["rising"]
    assert c["crossing"] == pytest.approx(1.5)
    # hi = -0.15, 0.05, ... reaches 0 at 0.75; lo = ..., -0.05, 0.15 reaches 0 at 2.25
    assert c["interval_low"] == pytest.approx(0.75)
    assert c["interval_high"] == pytest.approx(2.25)


def test_a_falling_crossing_with_an_open_end_and_zeros_passed_over():
    xs = [0.5, 0.6, 0.7, 0.8]
    d = [0.2, 0.0, -0.1, -0.12]
    lo = [0.05, -0.1, -0.2, -0.25]
    hi = [0.35, 0.1, 0.02, 0.01]
    [c] = line_crossings(xs, d, lo, hi)
    assert (c["below"], c["above"], c["rising"]) == (0.5, 0.7, False)
    assert c["crossing"] == pytest.approx(0.5 + 0.2 * 0.2 / 0.3)
    # before: lo > 0 at 0.5, reaching 0 between 0.5 and 0.6 at 0.5 + 0.1 * 0.05 / 0.15
    assert c["interval_low"] == pytest.approx(0.5 + 0.1 * 0.05 / 0.15)
    assert c["interval_high"] is None  # hi never goes below 0: open above the range
    assert line_crossings(xs, [0.1, 0.2, 0.0, 0.3], lo, hi) == []


def _row(point, x, strategy, d, half, measure="mean seats", slate="Grassroots Voice"):
    return {
        "point": point,
        "follow": x,
        "strategy": strategy,
        "measure": measure,
        "slate": slate,
        "candidate": "",
        "section": "",
        "seats": None,
        "estimate": 1.0 + d,
        "difference_from_first": d,
        "difference_ci_low": d - half,
        "difference_ci_high": d + half,
    }


def test_find_crossings_on_rows_says_it_in_words():
    xs, ds = [0.5, 0.6, 0.7, 0.8, 0.9], [-0.2, -0.1, -0.02, 0.06, 0.2]
    rows = []
    for i, (x, d) in enumerate(zip(xs, ds, strict=True)):
        rows.append(_row(i, x, "national", 0.0, 0.0))
        rows.append(_row(i, x, "regional", d, 0.05))
        rows.append(_row(i, x, "regional", d, 0.05, measure="P(seats = k)"))  # not looked at
    [c] = find_crossings(rows, ["follow"], [True])
    assert (c["strategy"], c["versus"], c["measure"]) == (
        "regional",
        "national",
        "mean seats [Grassroots Voice]",
    )
    assert c["crossing"] == pytest.approx(0.7 + 0.1 * 0.02 / 0.08)
    # hi = d + 0.05: 0.03 at 0.7, so the last point wholly below is 0.6 (hi -0.05): 0.6 + 0.1*5/8
    assert c["interval_low"] == pytest.approx(0.6 + 0.1 * 0.05 / 0.08)
    # lo = d - 0.05: 0.01 at 0.8, from -0.07 at 0.7: 0.7 + 0.1 * 0.07 / 0.08
    assert c["interval_high"] == pytest.approx(0.7 + 0.1 * 0.07 / 0.08)
    assert c["summary"] == (
        "regional beats national on mean seats [Grassroots Voice] once follow >= 0.725 "
        "(95%: 0.6625 to 0.7875)"
    )
    assert find_crossings(rows, ["follow"], [False]) == []  # not numeric: no crossings


def test_crossings_along_each_line_of_a_grid():
    rows = []
    for i, (x, y) in enumerate((x, y) for x in (1, 2) for y in (10, 20, 30)):
        d = (y - 15) * (1 if x == 1 else -1) / 10  # crosses along y at 15, both ways
        rows.append({**_row(i, x, "a", 0.0, 0.0), "y": y})
        rows.append({**_row(i, x, "b", d, 0.01), "y": y})
    found = find_crossings(rows, ["follow", "y"], [True, True])
    along_y = sorted((c["fixed"], c["direction"], c["crossing"]) for c in found if c["key"] == "y")
    assert along_y == [("follow=1", "rising", 15.0), ("follow=2", "falling", 15.0)]
    along_x = [c for c in found if c["key"] == "follow"]
    # along follow: d changes sign between follow = 1 and 2 at every y
    assert sorted(c["fixed"] for c in along_x) == ["y=10", "y=20", "y=30"]
