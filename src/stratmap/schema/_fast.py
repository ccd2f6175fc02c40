"""A fast yes/no check of a document against the format's JSON Schema.

jsonschema is the reference validator and the only one that reports errors. Most
files are valid, though, and proving that is the whole cost of ``stratmap validate``
on a large strategy, so the schema is first compiled here into nested closures that
answer one question, "is this instance valid?", for the draft-07 keywords the format
uses. A keyword it does not know makes compilation fail loudly, never pass silently;
a test checks that it agrees with jsonschema on generated and mutated documents.
Only when it says "invalid" does stratmap run jsonschema to locate every error.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"description", "title", "default", "$comment", "examples", "$schema", "$id", "definitions"})


def _is_type(name: str) -> Check:
    if name == "string":
        return lambda v: isinstance(v, str)
    if name == "object":
        return lambda v: isinstance(v, dict)
    if name == "array":
        return lambda v: isinstance(v, list)
    if name == "boolean":
        return lambda v: isinstance(v, bool)
    if name == "null":
        return lambda v: v is None
    if name == "integer":
        return lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    if name == "number":
        return lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool)
    raise NotImplementedError(f"type {name!r}")


_PLAIN_TYPES: dict[str, type] = {"string": str, "object": dict, "array": list, "null": type(None)}


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, str) != isinstance(b, str):
        return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except TypeError:
        return False


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


def compile_schema(schema: Any, definitions: Mapping[str, Any] | None = None) -> Check:
    """Compile ``schema`` into a function that tells whether an instance is valid."""
    if definitions is None and isinstance(schema, dict):
        definitions = schema.get("definitions", {})
    defs = definitions or {}
    if schema is True:
        return lambda v: True
    if schema is False:
        return lambda v: False
    if not isinstance(schema, dict):
        raise NotImplementedError(f"schema node {schema!r}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/definitions/") or len(schema) > 1:
            raise NotImplementedError(f"$ref {ref!r}")
        return compile_schema(defs[ref.removeprefix("#/definitions/")], defs)

    checks: list[Check] = []
    for key, value in schema.items():
        if key in _ANNOTATIONS or key in ("properties", "additionalProperties", "then", "else"):
            continue
        checks.append(_keyword(key, value, schema, defs))
    if "properties" in schema or "additionalProperties" in schema:
        checks.append(_properties(schema, defs))
    return _all_of(checks)


def _all_of(checks: list[Check]) -> Check:
    """One check that passes when every one of ``checks`` does (unrolled: this is the
    innermost loop of validating a large file, and ``all(genexpr)`` costs twice as much)."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        a, b = checks
        return lambda v: a(v) and b(v)
    if len(checks) == 3:
        a, b, c = checks
        return lambda v: a(v) and b(v) and c(v)
    every = tuple(checks)

    def check(v: Any) -> bool:
        for c in every:  # noqa: SIM110 - a plain loop: all(genexpr) is twice as slow here
            if not c(v):
                return False
        return True

    return check


def _properties(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Check:
    props = {k: compile_schema(v, defs) for k, v in schema.get("properties", {}).items()}
    extra_schema = schema.get("additionalProperties", True)
    extra = compile_schema(extra_schema, defs) if extra_schema not in (True, False) else None
    closed = extra_schema is False

    def check(v: Any) -> bool:
        if not isinstance(v, dict):
            return True
        for k, item in v.items():
            c = props.get(k)
            if c is not None:
                if not c(item):
                    return False
            elif closed or (extra is not None and not extra(item)):
                return False
        return True

    return check


def _keyword(key: str, value: Any, schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Check:
    if key == "type":
        names = [value] if isinstance(value, str) else list(value)
        plain = tuple(_PLAIN_TYPES[n] for n in names if n in _PLAIN_TYPES)
        if len(plain) == len(names) and "boolean" not in names:
            return lambda v: isinstance(v, plain)  # no int/bool confusion possible
        tests = tuple(_is_type(n) for n in names)
        if len(tests) == 1:
            return tests[0]
        return lambda v: any(t(v) for t in tests)
    if key == "enum":
        options = list(value)
        if all(isinstance(o, str) for o in options):
            strings = frozenset(options)
            return lambda v: isinstance(v, str) and v in strings
        return lambda v: any(_equal(v, o) for o in options)
    if key == "const":
        return lambda v: _equal(v, value)
    if key == "pattern":
        rx = re.compile(value)
        return lambda v: not isinstance(v, str) or rx.search(v) is not None
    if key in ("minLength", "maxLength"):
        n = value
        if key == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= n
        return lambda v: not isinstance(v, str) or len(v) <= n
    if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = value
        op: Callable[[Any], bool] = {
            "minimum": lambda v: v >= bound,
            "maximum": lambda v: v <= bound,
            "exclusiveMinimum": lambda v: v > bound,
            "exclusiveMaximum": lambda v: v < bound,
        }[key]
        return lambda v: not _is_number(v) or op(v)
    if key == "required":
        required = frozenset(value)
        return lambda v: not isinstance(v, dict) or required <= v.keys()
    if key in ("minProperties", "maxProperties"):
        n = value
        if key == "minProperties":
            return lambda v: not isinstance(v, dict) or len(v) >= n
        return lambda v: not isinstance(v, dict) or len(v) <= n
    if key == "propertyNames":
        names_check = compile_schema(value, defs)
        return lambda v: not isinstance(v, dict) or all(names_check(k) for k in v)
    if key == "items":
        if isinstance(value, list):
            raise NotImplementedError("tuple-form items")
        item_check = compile_schema(value, defs)

        def items(v: Any) -> bool:
            if isinstance(v, list):
                for x in v:
                    if not item_check(x):
                        return False
            return True

        return items
    if key in ("minItems", "maxItems"):
        n = value
        if key == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= n
        return lambda v: not isinstance(v, list) or len(v) <= n
    if key == "uniqueItems":
        if not value:
            return lambda v: True
        return lambda v: not isinstance(v, list) or _unique(v)
    if key == "allOf":
        return _all_of([compile_schema(s, defs) for s in value])
    if key == "if":
        cond = compile_schema(value, defs)
        then = compile_schema(schema.get("then", True), defs)
        other = compile_schema(schema.get("else", True), defs)
        return lambda v: then(v) if cond(v) else other(v)
    raise NotImplementedError(f"keyword {key!r}")


def _unique(items: list[Any]) -> bool:
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if _equal(a, b):
                return False
    return True
