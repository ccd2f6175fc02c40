"""The JSON Schema: draft-07, closed, described in English and Chinese, and the same
answer from the compiled fast check as from jsonschema."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stratmap import schema as sm_schema
from stratmap.load.reader import parse_text, read_document
from stratmap.schema._fast import compile_schema
from tests.helpers import EXAMPLES, ROOT

SCHEMA_FILE = ROOT / "schemas" / "stratmap-1.schema.json"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _objects(node: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield path, node
        for key, value in node.items():
            if key in ("if", "then", "else"):
                continue  # policy branches only re-list the keys allowed per policy
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield from _objects(sub, f"{path}.{name}")
            else:
                yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _objects(item, f"{path}[{i}]")


def test_schema_file_is_the_one_the_loader_uses() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == sm_schema.schema()


def test_schema_is_valid_draft7_with_a_versioned_id() -> None:
    doc = sm_schema.schema()
    jsonschema.Draft7Validator.check_schema(doc)
    assert doc["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert doc["$id"].endswith(":1")
    # draft-07 only: none of the later keywords yaml-language-server may not know
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    for later in ("$defs", "unevaluatedProperties", "dependentRequired", "prefixItems", "$dynamicRef"):
        assert f'"{later}"' not in text


def test_every_object_is_closed() -> None:
    for path, node in _objects(sm_schema.schema()):
        if "properties" in node and "if" not in json.dumps(node.get("allOf", [])):
            assert node.get("additionalProperties") is False, path
        elif node.get("type") == "object" and "properties" not in node:
            # free maps (targets, split, severity, scale) constrain their keys and values
            assert "propertyNames" in node and "additionalProperties" in node, path


def test_every_property_is_described_in_english_and_chinese() -> None:
    defs = sm_schema.schema()["definitions"]
    for path, node in _objects(sm_schema.schema()):
        for name, sub in node.get("properties", {}).items():
            if not sub:
                continue  # an if/then branch re-listing allowed keys
            desc = sub.get("description")
            if desc is None and "$ref" in sub:
                desc = defs[sub["$ref"].split("/")[-1]].get("description")
            assert desc, f"{path}.{name} has no description"
            assert CJK.search(desc) and re.search(r"[A-Za-z]{3}", desc), f"{path}.{name}: {desc!r}"


def test_examples_carry_the_schema_modeline() -> None:
    for path in EXAMPLES.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert target == SCHEMA_FILE.resolve(), path


def test_unmapped_keywords_are_reported_not_dropped() -> None:
    """SM126: an error from a keyword without its own code still becomes a diagnostic."""
    doc, _ = parse_text("stratmap: 1\ndrivers: 5\n", "f.yaml")
    error = jsonschema.ValidationError("5 is not allowed for 'not'", validator="not", path=["drivers"], instance=5)
    found = list(sm_schema._convert(doc, error))
    assert [(d.code, d.location.line, d.location.column) for d in found] == [("SM126", 2, 10)]
    assert "not allowed" in found[0].message()


# ---- the fast check agrees with jsonschema ---------------------------------------------

_REFERENCE = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
_FAST = compile_schema(sm_schema.schema())
_EXAMPLE_DOCS = [read_document(p)[0].data for p in sorted(EXAMPLES.rglob("*.yaml"))]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 500),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(Decimal),
    st.sampled_from(["", "x", "sales", "Sales", "2026-03", "2026Q1", "2026", "ratio", "A", "SM101", "CNY", "yes"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["id", "x", "name"]), inner, max_size=2)
    ),
    max_leaves=5,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@st.composite
def _mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(_EXAMPLE_DOCS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(_values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["id", "name", "weight", "bogus", "policy", "cap"]))] = draw(_values)
        else:
            parent.append(draw(_values))
    return doc


@pytest.mark.parametrize("index", range(len(_EXAMPLE_DOCS)))
def test_fast_check_accepts_the_examples(index: int) -> None:
    assert _FAST(_EXAMPLE_DOCS[index]) and _REFERENCE.is_valid(_EXAMPLE_DOCS[index])


@given(_mutated())
def test_fast_check_agrees_with_jsonschema(doc: Any) -> None:
    assert _FAST(doc) == _REFERENCE.is_valid(doc)


@given(_mutated())
def test_inlined_validator_agrees_with_the_schema_file(doc: Any) -> None:
    errors_inlined = {tuple(e.absolute_path) for e in sm_schema._validator().iter_errors(doc)}
    errors_file = {tuple(e.absolute_path) for e in _REFERENCE.iter_errors(doc)}
    assert errors_inlined == errors_file


def test_compile_refuses_unknown_keywords() -> None:
    with pytest.raises(NotImplementedError):
        compile_schema({"not": {"type": "string"}})


def test_schema_command_prints_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    from stratmap.cli import main

    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(Path(SCHEMA_FILE).read_text(encoding="utf-8"))


def test_an_unknown_key_in_a_policy_branch_is_reported_once() -> None:
    text = (
        "stratmap: 1\norganisation: {id: a, name: b}\nscorecards:\n  - id: c\n    for: x\n    tier: annual\n"
        "    items:\n      - kpi: k\n        weight: 100\n        scoring: {policy: linear, cap: 100}\n"
    )
    doc, _ = parse_text(text, "f.yaml")
    found = [d for d in sm_schema.validate(doc) if d.code == "SM121"]
    assert len(found) == 1
    assert "below_threshold, policy, scores" in found[0].hint()


_SMALL_SCHEMAS = [
    {"type": "string"},
    {"type": ["string", "null"]},
    {"type": "boolean"},
    {"type": ["integer", "string"]},
    {"type": "number"},
    {"enum": ["a", "b"]},
    {"enum": [1, "a", None, True]},
    {"required": ["id", "name"]},
    {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    {"allOf": [{"type": "object"}, {"required": ["id"]}, {"properties": {"id": {"pattern": "^[a-z]+$"}}}, {}]},
    {"type": "object", "properties": {"a": {"const": 1}}, "additionalProperties": False},
]
_SMALL_VALUES = st.one_of(_values, st.dictionaries(st.sampled_from(["id", "name", "a", "b"]), _values, max_size=3))


@pytest.mark.parametrize("small", _SMALL_SCHEMAS, ids=lambda s: json.dumps(s, sort_keys=True))
@given(value=_SMALL_VALUES)
def test_each_compiled_keyword_agrees_with_jsonschema(small: dict[str, Any], value: Any) -> None:
    """The unrolled and specialised checks (plain types, string enums, required) keep the
    meaning of draft 7: True is not 1, 1.0 is an integer, a missing key fails required."""
    assert compile_schema(small)(value) == jsonschema.Draft7Validator(small).is_valid(value)
