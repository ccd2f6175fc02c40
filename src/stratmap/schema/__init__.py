"""Stage 2, the schema: check each document against the JSON Schema and locate every error.

The loader validates with the very file shipped as ``schemas/stratmap-1.schema.json``.
Each jsonschema error is turned into a diagnostic at the offending key or value: an
unknown key at that key (with "did you mean"), a missing key at the mapping that lacks
it, a wrong value at the value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stratmap.diagnostics import Diagnostic
from stratmap.i18n import Text
from stratmap.ids import ID_PATTERN
from stratmap.load.document import LocatedDocument
from stratmap.periods import PERIOD_PATTERN

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

SCHEMA_NAME = "stratmap-1.schema.json"


def schema_text() -> str:
    """The JSON Schema of format version 1, as shipped."""
    from importlib import resources

    packaged = resources.files("stratmap") / SCHEMA_NAME
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # an editable install: the schema stays at the top of the source tree
    source = Path(__file__).resolve().parents[3] / "schemas" / SCHEMA_NAME
    return source.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


_ANNOTATIONS = frozenset({"description", "title", "default", "$comment", "examples"})


def _inline(node: Any, definitions: Mapping[str, Any]) -> Any:
    """The schema with local ``$ref``s replaced by their targets and annotations dropped.

    The format's schema is not recursive, so this terminates; validating with the
    inlined copy means the same as with the file and avoids a registry look-up per
    ``$ref`` (most of the validation time on a large strategy).
    """
    if isinstance(node, list):
        return [_inline(x, definitions) for x in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix("#/definitions/")
        return _inline(definitions[name], definitions)
    out = {
        k: ({name: _inline(s, definitions) for name, s in v.items()} if k == "properties" else _inline(v, definitions))
        for k, v in node.items()
        if k not in _ANNOTATIONS and k != "definitions"
    }
    if set(out) == {"allOf"} and len(out["allOf"]) == 1:
        inner: Any = out["allOf"][0]
        return inner
    return out


@lru_cache(maxsize=1)
def _validator() -> Validator:
    from jsonschema import Draft7Validator

    full = schema()
    inlined = _inline(full, full.get("definitions", {}))
    inlined["$schema"] = full["$schema"]
    return Draft7Validator(inlined)


_TYPE_NAMES = {
    "string": "string",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "object": "mapping",
    "array": "list",
    "null": "null",
}


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, Decimal | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "mapping"
    return "list"


def _show(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    return str(value)


_PATTERN_NAMES = {
    ID_PATTERN: (
        "an id",
        "Ids are lower-case ASCII: a letter, then letters, digits or '_' (e.g. sales_volume).",
        "标识符须为小写 ASCII:字母开头,后接字母、数字或下划线(例如 sales_volume)。",
    ),
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$": (
        "a date",
        "Write dates as YYYY-MM-DD, e.g. 2026-03-31.",
        "日期格式为 YYYY-MM-DD,例如 2026-03-31。",
    ),
    PERIOD_PATTERN: (
        "a period",
        "Write periods as 2026, 2026H1, 2026Q1 or 2026-03.",
        "期间格式为 2026、2026H1、2026Q1 或 2026-03。",
    ),
    "^SM[0-9]{3}$": (
        "a code",
        "Codes look like SM301; see 'stratmap rules'.",
        "诊断代码形如 SM301;见“stratmap rules”。",
    ),
    "^[A-Z]{3}$": (
        "a currency code",
        "Use an ISO 4217 code such as CNY or USD.",
        "请使用 ISO 4217 代码,例如 CNY、USD。",
    ),
    "\\S": ("text", "Write some text; a blank value says nothing.", "请填写内容;空白值没有意义。"),
    "^[A-Za-z0-9+-]{1,8}$": (
        "a grade label",
        "Grade labels are 1-8 ASCII letters, digits, '+' or '-' (e.g. A, B+).",
        "等级名称为 1–8 个 ASCII 字母、数字、“+”或“-”(例如 A、B+)。",
    ),
}


def _type_advice(expected: str, value: Any) -> tuple[str, str]:
    if expected == "boolean" and isinstance(value, str):
        return (
            "Write true or false; words like yes, no, on and off stay text in stratmap.",
            "请写 true 或 false;yes、no、on、off 等在 stratmap 中视为文本。",
        )
    if expected in ("number", "integer") and isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return (
                f"Write the number without '%' (e.g. {text[:-1].strip()}); units belong in the KPI's 'unit'.",
                f"请去掉“%”只写数字(例如 {text[:-1].strip()});单位写在 KPI 的 unit 中。",
            )
        return (
            "Write a plain decimal number such as 95 or 12.5 (no leading zeros, '_', exponents or units).",
            "请写普通十进制数,例如 95 或 12.5(不要前导零、下划线、指数或单位)。",
        )
    if expected == "string" and value is not None and not isinstance(value, dict | list):
        return ("Quote the value to keep it as text.", "请给该值加引号,使其保持为文本。")
    if expected == "list":
        return ("Write a list: '- item' lines or [a, b].", "请写成列表:使用“- 项目”行或 [a, b]。")
    if expected == "mapping":
        return ("Write a mapping of 'key: value' lines.", "请写成“键: 值”形式的映射。")
    return ("Change the value to the expected type.", "请将值改为所需类型。")


def _suggest(word: str, options: list[str]) -> tuple[str, str]:
    import difflib

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?", f";是否应为“{close[0]}”?"
    return "", ""


def _relevance(error: ValidationError) -> tuple[int, int]:
    return (-len(error.path), 0 if error.validator in ("additionalProperties", "required") else 1)


@lru_cache(maxsize=1)
def _fast_check() -> Callable[[Any], bool]:
    from stratmap.schema._fast import compile_schema

    return compile_schema(schema())


def is_valid(data: Any) -> bool:
    """Whether ``data`` is valid against the schema (fast; no error details)."""
    return _fast_check()(data)


def _split_value(
    doc: LocatedDocument, path: tuple[str | int, ...], mapping: Mapping[str, Any], previous: str | None, key: str
) -> Diagnostic | None:
    """SM115 when ``key`` is the rest of the entry before it, cut at a comma: in a flow
    mapping, ``note: 年度优秀,优先晋升`` reads as ``note: 年度优秀`` and a key ``优先晋升``."""
    if previous is None or mapping[key] is not None or not isinstance(mapping[previous], str):
        return None
    before, at = doc.span((*path, previous)), doc.key_span((*path, key))
    if before is None or at is None or before[2] != at[0] or at[1] <= before[3]:
        return None  # not on the line of the value before it: a key of its own
    gap = at[1] - before[3]  # the comma, then any spaces
    joined = f"{mapping[previous]},{' ' * (gap - 1)}{key}"
    return Diagnostic.make(
        "SM115", doc.locate((*path, key)), key=previous, value=str(mapping[previous]), rest=key, joined=joined
    )


def validate(doc: LocatedDocument) -> list[Diagnostic]:
    """Every schema problem of ``doc``, located.

    A valid document is confirmed by the compiled fast check alone; jsonschema runs
    only to locate the errors of an invalid one.
    """
    if doc.data is None:
        return []
    if is_valid(doc.data):
        return []
    out: list[Diagnostic] = []
    errors = sorted(_validator().iter_errors(doc.data), key=_relevance)
    # an enum error already lists the choices: drop the type error at the same place
    enum_paths = {tuple(e.absolute_path) for e in errors if e.validator in ("enum", "const")}
    # a closed object inside an if/then branch repeats the outer one's unknown-key error:
    # keep the branch's, which lists only the keys allowed for that branch
    closed: dict[tuple[Any, ...], ValidationError] = {}
    for e in errors:
        if e.validator == "additionalProperties":
            path = tuple(e.absolute_path)
            known = closed.get(path)
            if known is None or _allowed_count(e) < _allowed_count(known):
                closed[path] = e
    errors = [e for e in errors if e.validator != "additionalProperties" or closed[tuple(e.absolute_path)] is e]
    for error in errors:
        if error.validator == "type" and tuple(error.absolute_path) in enum_paths:
            continue
        if doc.flagged and doc.is_flagged(tuple(error.absolute_path)):
            continue  # the reader reported this node already
        out.extend(_convert(doc, error))
    return out


def _allowed_count(error: ValidationError) -> int:
    spec: Any = error.schema
    return len(spec.get("properties", {})) if isinstance(spec, dict) else 0


def _convert(doc: LocatedDocument, error: ValidationError) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    kind = error.validator
    value: Any = error.instance
    rule: Any = error.validator_value
    spec: Mapping[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if path == ("stratmap",) or (kind == "required" and rule == ["stratmap"]):
        return  # the reader reports the version (SM112)
    if kind == "required":
        assert isinstance(value, dict)
        for key in rule:
            if key not in value:
                yield Diagnostic.make("SM120", doc.locate_mapping(path), key=key)
    elif kind == "additionalProperties":
        assert isinstance(value, dict)
        allowed = sorted(spec.get("properties", {}))
        previous: str | None = None
        for key in value:
            if key not in spec.get("properties", {}) and not doc.is_flagged((*path, key)):
                split = _split_value(doc, path, value, previous, key)
                if split is not None:
                    yield split
                    previous = key
                    continue
                en, zh = _suggest(key, allowed)
                yield Diagnostic.make(
                    "SM121",
                    doc.locate((*path, key)),
                    key=key,
                    suggestion=Text(en, zh),
                    allowed=", ".join(allowed),
                )
            previous = key
    elif kind == "type":
        expected = rule
        names = [expected] if isinstance(expected, str) else list(expected)
        exp = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        advice, advice_zh = _type_advice(exp, value)
        yield Diagnostic.make(
            "SM122",
            doc.locate(path, key=False),
            expected=exp,
            found=_type_of(value),
            value=f" {_show(value)}" if _show(value) else "",
            advice=Text(advice, advice_zh),
        )
    elif kind in ("enum", "const"):
        allowed_values = rule if kind == "enum" else [rule]
        shown = [str(v) for v in allowed_values]
        en, zh = _suggest(str(value), shown) if isinstance(value, str) else ("", "")
        yield Diagnostic.make(
            "SM123",
            doc.locate(path, key=False),
            value=_show(value) or _type_of(value),
            allowed=", ".join(shown),
            suggestion=Text(en, zh),
        )
    elif kind == "pattern":
        what, advice, advice_zh = _PATTERN_NAMES.get(
            rule,
            ("in the required form", f"Match {rule}.", f"须匹配 {rule}。"),
        )
        # a bad mapping key (propertyNames) is located at the key itself
        at = (
            doc.locate((*path, value))
            if isinstance(value, str) and doc.has_key((*path, value))
            else doc.locate(path, key=False)
        )
        yield Diagnostic.make("SM124", at, value=_show(value), what=what, advice=Text(advice, advice_zh))
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": "at least",
            "maximum": "at most",
            "exclusiveMinimum": "more than",
            "exclusiveMaximum": "less than",
        }[kind]
        yield Diagnostic.make(
            "SM125",
            doc.locate(path, key=False),
            subject="value",
            value=_show(value),
            relation=relation,
            limit=rule,
        )
    elif kind in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"):
        relation = "at least" if kind.startswith("min") else "at most"
        subject = "length" if kind.endswith("Length") else "count"
        yield Diagnostic.make(
            "SM125",
            doc.locate(path, key=False),
            subject=subject,
            value=len(value),
            relation=relation,
            limit=rule,
        )
    elif kind == "uniqueItems":
        assert isinstance(value, list)
        seen: list[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                yield Diagnostic.make("SM127", doc.locate((*path, i), key=False), value=_show(item))
            else:
                seen.append(item)
    else:
        yield Diagnostic.make("SM126", doc.locate(path, key=False), detail=error.message)
