"""Each piece of knowledge is written once: the shipped schema is held to the code's own
patterns and names."""

from __future__ import annotations

import json
from typing import Any

from stratmap.ids import ID_PATTERN
from stratmap.periods import PERIOD_PATTERN
from stratmap.tiers import TIERS
from tests.helpers import ROOT


def _schema() -> dict[str, Any]:
    found: dict[str, Any] = json.loads((ROOT / "schemas" / "stratmap-1.schema.json").read_text(encoding="utf-8"))
    return found


def test_the_schema_writes_ids_and_periods_as_the_code_does() -> None:
    schema = _schema()
    assert schema["definitions"]["id"]["pattern"] == ID_PATTERN
    patterns = {n["pattern"] for n in _walk(schema) if isinstance(n, dict) and isinstance(n.get("pattern"), str)}
    assert PERIOD_PATTERN in patterns


def test_the_schema_names_the_tiers_the_model_names() -> None:
    tiers = [n for n in _walk(_schema()) if isinstance(n, dict) and n.get("enum") and "short_term" in n["enum"]]
    assert tiers and all(tuple(n["enum"]) == TIERS for n in tiers)


def _walk(node: object) -> list[object]:
    out = [node]
    if isinstance(node, dict):
        for value in node.values():
            out.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            out.extend(_walk(value))
    return out


def test_every_format_choice_has_its_renderer_and_every_renderer_a_choice() -> None:
    from stratmap.report import DIAGNOSTIC_FORMATS, FORMATS, coverage, results, strategy_map

    assert set(FORMATS["validate"]) == set(DIAGNOSTIC_FORMATS)
    assert set(FORMATS["graph"]) == set(strategy_map.RENDERERS)
    assert set(FORMATS["coverage"]) == set(coverage.RENDERERS)
    assert set(FORMATS["evaluate"]) == set(results.RENDERERS)


def test_the_results_table_shows_columns_of_the_result_rows() -> None:
    from stratmap.evaluation import RESULT_COLUMNS
    from stratmap.report.results import _TABLE

    assert set(_TABLE) <= set(RESULT_COLUMNS)


def test_a_message_argument_carries_its_chinese_rather_than_a_second_argument() -> None:
    """A catalogue template names an argument once: its Chinese comes from the argument (a
    ``stratmap.i18n.Text``), not from a ``*_zh`` argument each call site must pass beside it."""
    import re
    import string

    from stratmap.codes import CODES

    names = {
        (c.code, name)
        for c in CODES.values()
        for text in (c.message, c.message_zh, c.hint, c.hint_zh)
        for _, name, _, _ in string.Formatter().parse(text)
        if name and name.endswith("_zh")
    }
    assert names == set()
    keyword = re.compile(r"\b\w+_zh=|[\"']\w+_zh[\"']:")  # a keyword argument or a finding's argument
    sites = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src" / "stratmap").rglob("*.py"))
        if path.parent.name != "codes"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if keyword.search(line)
    ]
    assert sites == []
