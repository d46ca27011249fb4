"""Scenario files: the full fixture parses to the expected dataclasses, every broken variant is
reported as one line naming the file, line and key path, and the JSON Schema is usable."""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import pytest

from simcore.errors import InputError
from simcore.inputs import scenario_schema
from simcore.inputs.scenario_file import (
    ScenarioError,
    geometric_length,
    parse_scenario,
    read_scenario,
    to_dist,
    to_length,
)
from simcore.inputs.scenario_locate import KeyLocator
from simcore.model.scenario import Dist, Length, NonAligned, Supporters

HERE = Path(__file__).parent
FIXTURES = HERE / "scenarios"
BROKEN = sorted((FIXTURES / "broken").glob("*.toml"))
MULTI = sorted((FIXTURES / "multi").glob("*.toml"))
ROOT = HERE.parent
MARKER = "# <-- error"

MINIMAL = """
[election]
seats = 1

[[candidates]]
name = "Ann"

[[candidates]]
name = "Bob"

[slates.s]
orderings.main = ["Ann"]
supporters.share = 0.5

[[regions]]
name = "Here"
electorate = 100
turnout = 0.5

[strategies.only]
"""


@pytest.fixture(scope="module")
def full():
    return read_scenario(FIXTURES / "valid_full.toml")


# -- the full fixture -----------------------------------------------------------------------------


def test_full_top_level_and_election(full):
    assert full.title == "Full fixture"
    assert full.description == "Every key, every value form"
    assert full.seats == 3
    assert full.rule == "wigm"  # given as "WIGM"
    assert full.options == {"quota": "droop-exact", "decimals": 2, "ties": "backward"}
    assert full.minimum == ("gender=woman:2",)
    assert (full.sims, full.seed, full.precision) == (500, 2020, 0.02)
    assert full.voters_per_ballot == 4
    assert full.source == str(FIXTURES / "valid_full.toml")


def test_full_candidates(full):
    assert full.candidate_names == (
        "Ann Able",
        "Bob Baker",
        "Cat Cole",
        "Dan Dyer",
        "Eve Ellis",
        "Fay Ford",
    )
    ann, bob, *_, fay = full.candidates
    assert (ann.slate, ann.strength, ann.attributes) == (
        "gv",
        2.5,
        {"gender": "woman", "region": "North"},
    )
    assert bob.strength == 1.0  # default
    assert (fay.slate, fay.strength) == (None, 0.5)
    attrs = full.attributes()
    assert attrs["slate"] == ("gv", "gv", "gv", "ol", "ol", "")
    assert attrs["region"] == ("North", "", "", "", "", "")


def test_full_slates(full):
    gv, ol = full.slates
    assert (gv.id, gv.name, ol.id, ol.name) == ("gv", "Grassroots Voice", "ol", "ol")
    assert gv.orderings == {
        "national": ("Ann Able", "Bob Baker", "Cat Cole"),
        "rotation": ("Cat Cole", "Ann Able", "Bob Baker"),
    }
    s = gv.supporters
    assert s.share == 0.4
    assert s.region_shares == {"North": 0.45, "South West": 0.3}
    assert (s.swing_sd, s.regional_sd, s.mallows_share) == (0.03, 0.02, 0.5)
    assert s.follow == Dist("beta", mean=0.8, sd=0.05)
    assert s.phi == Dist("uniform", low=0.2, high=0.6)
    assert s.stop_after_slate == Dist.fixed(0.6)
    # { mean = 2 }: 1 + geometric with h = 1/2, cut at the 6 candidates
    assert s.continue_length.probs == (0.5, 0.25, 0.125, 0.0625, 0.03125, 0.03125)
    # the other slate was written with dotted keys and takes every default
    assert ol.orderings == {"main": ("Eve Ellis", "Dan Dyer")}
    assert ol.supporters == Supporters(share=0.25, continue_length=Length((0.5, 0.3, 0.2)))


def test_full_regions_and_nonaligned(full):
    north, south_west, east = full.regions
    assert north.name == "North" and north.electorate == 80000
    assert north.turnout == Dist("beta", mean=0.25, sd=0.02)
    assert south_west.name == "South West" and south_west.turnout == Dist.fixed(0.3)
    assert east.electorate == 0 and east.turnout == Dist("uniform", low=0.1, high=0.2)
    assert full.nonaligned == NonAligned(length=Length((0.0, 0.0, 0.0, 1.0)), strength_sd=0.2)


def test_full_strategies_fill_every_slate_and_region(full):
    national, rotations, by_region = full.strategies
    assert (national.name, national.description) == ("national", "One national order")
    everywhere = dict.fromkeys(("North", "South West", "East"), "main")
    assert national.orderings == {
        "gv": dict.fromkeys(("North", "South West", "East"), "national"),
        "ol": everywhere,  # one ordering: used everywhere without being named
    }
    assert rotations.description == ""
    assert rotations.orderings["gv"] == {
        "North": "rotation",
        "South West": "national",
        "East": "national",
    }
    assert by_region.name == "by region"
    assert by_region.orderings == {
        "gv": {"North": "national", "South West": "rotation", "East": "rotation"},
        "ol": everywhere,
    }
    for strategy in full.strategies:
        assert list(strategy.orderings) == ["gv", "ol"]


# -- defaults and value conversion ----------------------------------------------------------------


def test_defaults_of_a_minimal_scenario():
    sc = parse_scenario(MINIMAL, "somewhere/minimal.toml")
    assert sc.title == "minimal"  # the file's name
    assert (sc.rule, sc.options, sc.minimum) == ("scottish", {}, ())
    assert (sc.sims, sc.seed, sc.precision, sc.description) == (10000, None, None, "")
    assert sc.voters_per_ballot == 1
    (slate,) = sc.slates
    assert slate.name == "s"
    assert slate.supporters == Supporters(share=0.5)  # the dataclass defaults are the documented
    assert slate.supporters.continue_length == Length((0.0, 0.0, 1.0))
    assert sc.nonaligned.strength_sd == 0.0
    assert sc.nonaligned.length == geometric_length(4, 2) == Length((0.25, 0.75))
    assert sc.strategies[0].orderings == {"s": {"Here": "main"}}


def test_geometric_length_is_truncated_at_the_candidates():
    length = geometric_length(4, 8)
    h = 0.25
    assert len(length.probs) == 8
    for k in range(1, 8):
        assert length.probs[k - 1] == pytest.approx((1 - h) ** (k - 1) * h)
    assert length.probs[-1] == pytest.approx((1 - h) ** 7)
    assert math.fsum(length.probs) == pytest.approx(1, abs=1e-12)
    assert geometric_length(1, 5).probs == (1.0, 0.0, 0.0, 0.0, 0.0)
    assert geometric_length(3, 1).probs == (1.0,)


def test_value_forms():
    assert to_dist(1) == Dist.fixed(1.0)
    assert to_dist({"mean": 0.3, "sd": 0.1}) == Dist("beta", mean=0.3, sd=0.1)
    assert to_dist({"low": 0.1, "high": 0.1}) == Dist("uniform", low=0.1, high=0.1)
    assert to_length(1, 5) == Length((1.0,))
    assert to_length(3, 5) == Length((0.0, 0.0, 1.0))
    assert to_length({"probs": [0, 1]}, 5) == Length((0.0, 1.0))


def test_schema_defaults_are_the_dataclass_defaults():
    """The supporters' defaults live in the schema; the dataclass must agree with them."""
    get = scenario_schema.SUPPORTERS.get
    converted = Supporters(
        share=0.5,
        swing_sd=get({}, "swing_sd"),
        regional_sd=get({}, "regional_sd"),
        follow=to_dist(get({}, "follow")),
        mallows_share=get({}, "mallows_share"),
        phi=to_dist(get({}, "phi")),
        stop_after_slate=to_dist(get({}, "stop_after_slate")),
        continue_length=to_length(get({}, "continue_length"), 10),
    )
    assert converted == Supporters(share=0.5)


# -- broken scenarios -----------------------------------------------------------------------------


def expectation(path: Path) -> tuple[str, str, str]:
    """``# expect: LINE | KEY | PHRASE`` from a fixture's first line ('-': no line / no key)."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# expect: (\d+|-) \| (\S.*?) \| (.+)", first)
    assert match, f"{path.name}: first line must be '# expect: LINE | KEY | PHRASE'"
    line, key, phrase = match.groups()
    return line, key, phrase


def test_broken_corpus_is_large_enough():
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_scenario_is_reported_in_one_line(path):
    line, key, phrase = expectation(path)
    with pytest.raises(InputError) as info:
        read_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    where = f"{path}:{line}: " if line != "-" else f"{path}: "
    if key != "-":
        where += f"{key}: "
    assert message.startswith(where), message
    assert phrase in message, message


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_fixture_marks_the_expected_line(path):
    """The line in the ``# expect:`` header is the one marked ``# <-- error`` (if any)."""
    line, _, _ = expectation(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = [str(i) for i, text in enumerate(lines, start=1) if text.endswith(MARKER)]
    assert marked == ([] if line == "-" else [line])


def expectations(path: Path) -> list[tuple[str, str, str]]:
    """Every ``# expect: LINE | KEY | PHRASE`` line at the top of a multi-problem fixture."""
    out = []
    for text in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"# expect: (\d+) \| (\S.*?) \| (.+)", text)
        if not match:
            break
        out.append(match.groups())
    return out


@pytest.mark.parametrize("path", MULTI, ids=[p.stem for p in MULTI])
def test_every_problem_of_a_scenario_is_listed(path):
    """A file with several problems reports each, in order, as its own line; the error reads as
    the first (what ``run`` prints)."""
    expected = expectations(path)
    assert len(expected) >= 5
    with pytest.raises(ScenarioError) as info:
        read_scenario(path)
    errors = [str(e) for e in info.value.errors]
    assert str(info.value) == errors[0]
    assert len(errors) == len(expected), errors
    for message, (line, key, phrase) in zip(errors, expected, strict=True):
        assert "\n" not in message
        assert message.startswith(f"{path}:{line}: {key}: "), message
        assert phrase in message, message
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = {str(i) for i, text in enumerate(lines, start=1) if text.endswith(MARKER)}
    assert marked == {line for line, _, _ in expected}


def test_parse_scenario_names_the_given_path():
    with pytest.raises(InputError, match=r"^my scenario:3: election\.seats: must be at least 1"):
        parse_scenario(MINIMAL.replace("seats = 1", "seats = 0"), "my scenario")


def test_missing_file_and_empty_text():
    with pytest.raises(InputError, match="no such file"):
        read_scenario(FIXTURES / "nope.toml")
    with pytest.raises(InputError, match=r"^x\.toml: election: an \[election\] table"):
        parse_scenario("", "x.toml")


def test_toml_error_at_the_end_of_the_file():
    with pytest.raises(InputError, match=r"^f\.toml:2: not valid TOML: Unterminated string"):
        parse_scenario('title = "x"\ndescription = "y', "f.toml")


def test_bom_and_crlf_are_accepted():
    text = "\ufeff" + MINIMAL.replace("\n", "\r\n")
    assert parse_scenario(text, "f.toml").seats == 1
    with pytest.raises(InputError, match=r"^f\.toml:3: election\.seats"):
        parse_scenario(text.replace("seats = 1", "seats = 9"), "f.toml")


# -- the key locator ------------------------------------------------------------------------------


def test_locator_skips_strings_and_comments_and_counts_array_tables():
    text = '''# [not.a.table]
a = """
[fake]
b = 1
"""  # comment with = and [brackets]
"dotted.key" = 'x'  # a quoted key with a dot
c = [
  1,  # [x]
  { d = { e = 2 } },
]

[[t]]
n = 1
[t.sub]
m = 2
[[t]]
n = 2
[[t.inner]]
k = 3
[[t.inner]]
k = 4
'''
    tomllib.loads(text)  # the text is valid TOML
    loc = KeyLocator(text)
    assert loc.line(("a",)) == 2
    assert loc.line(("fake",)) is None and loc.line(("b",)) is None
    assert loc.line(("dotted.key",)) == 6
    assert loc.line(("c", 0)) == 8
    assert loc.line(("c", 1, "d", "e")) == 9
    assert loc.line(("t", 0)) == 12
    assert loc.line(("t", 0, "sub", "m")) == 15
    assert loc.line(("t", 1, "n")) == 17
    assert loc.line(("t", 1, "inner", 1, "k")) == 21
    assert loc.line(("t", 1, "missing")) == 16  # a missing key: its table's header
    assert loc.line(("t", 1, "inner", 0, "missing")) == 18


# -- JSON Schema ----------------------------------------------------------------------------------


def test_json_schema_is_json_with_descriptions():
    schema = scenario_schema.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema
    assert set(schema["required"]) == {"election", "candidates", "regions", "strategies"}
    assert schema["additionalProperties"] is False
    slate = schema["properties"]["slates"]["additionalProperties"]
    supporters = slate["properties"]["supporters"]["properties"]
    assert supporters["follow"] == {
        "$ref": "#/$defs/dist",
        "description": supporters["follow"]["description"],
        "default": 1,
    }
    assert set(schema["$defs"]) == {"dist", "length"}

    def walk(node, where):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert prop.get("description"), f"{where}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, "$")


def test_json_schema_validates_the_fixtures():
    jsonschema = pytest.importorskip("jsonschema")
    schema = scenario_schema.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in (FIXTURES / "valid_full.toml", ROOT / "scenarios" / "quickstart.toml"):
        validator.validate(tomllib.loads(path.read_text(encoding="utf-8")))
    for name in ("unknown_top_level_key", "unknown_nested_key", "probability_over_one"):
        text = (FIXTURES / "broken" / f"{name}.toml").read_text(encoding="utf-8")
        assert not validator.is_valid(tomllib.loads(text)), name


def test_the_documented_layout_has_the_schemas_shape():
    """The example in docs/scenarios.md uses only keys and value forms the schema knows."""
    doc = ROOT / "docs" / "scenarios.md"
    if not doc.exists():
        pytest.skip("docs/scenarios.md is not there")
    block = re.search(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert block, "docs/scenarios.md has no ```toml block"
    scenario_schema.check(tomllib.loads(block.group(1)))


# -- the quick-start scenario ---------------------------------------------------------------------


def test_quickstart_scenario():
    sc = read_scenario(ROOT / "scenarios" / "quickstart.toml")
    assert (len(sc.candidates), sc.seats, sc.rule) == (8, 3, "scottish")
    assert len(sc.slates) == 2 and len(sc.regions) == 2
    assert sorted(len(s.orderings) for s in sc.slates) == [1, 2]
    assert [s.name for s in sc.strategies] == ["one order", "split by region"]
    one, split = sc.strategies
    multi = next(s.id for s in sc.slates if len(s.orderings) == 2)
    assert len(set(one.orderings[multi].values())) == 1
    assert len(set(split.orderings[multi].values())) == 2
