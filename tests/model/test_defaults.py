"""The model's defaults are the ones the schema (and so the docs and editors) promise."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import stratmap
from stratmap import schema as sm_schema
from tests.helpers import write_files

SPARSE = """stratmap: 1
organisation: {id: acme, name: 示例}
drivers: [{id: d1, name: 驱动, rationale: 依据}]
departments:
  - id: sales
    name: 销售部
    purposes: [{id: p1, statement: 目的, serves: [d1]}]
kpis: [{id: k1, name: 销售量, unit: 吨, owner: sales, serves: [p1]}]
scorecards:
  - id: c1
    for: sales
    tier: short_term
    items: [{kpi: k1, weight: 100, target: 10}]
    key_indicators: [{id: v1, kpi: k1, veto_when: actual < 5}]
    distribution: {quotas: [{grade: A, max: 20}]}
  - id: c2
    for: sales
    tier: major_responsibility
    high_voltage_lines: [{id: h1, name: 事故, event: accident, outcome: [{action: investigate}]}]
"""


def _default(*path: str) -> Any:
    node: Any = sm_schema.schema()
    defs = node["definitions"]
    for part in path:
        if "$ref" in node:
            node = defs[node["$ref"].split("/")[-1]]
        if "allOf" in node and "properties" not in node and len(node["allOf"]) == 1:
            node = defs[node["allOf"][0]["$ref"].split("/")[-1]]
        node = node["items"] if part == "[]" else node["properties"][part]
    if "allOf" in node and "default" not in node:
        node = defs[node["allOf"][0]["$ref"].split("/")[-1]]
    return node["default"]


def test_model_defaults_match_the_schema(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy.yaml": SPARSE})
    s = stratmap.load(tmp_path)
    kpi, card, major = s.kpis[0], s.scorecards[0], s.scorecards[1]
    item, veto, line = card.items[0], card.key_indicators[0], major.high_voltage_lines[0]
    defs = sm_schema.schema()["definitions"]
    assert s.organisation.currency == _default("organisation", "currency")
    assert s.organisation.fiscal_year_start == _default("organisation", "fiscal_year_start")
    assert s.organisation.max_items == _default("organisation", "max_items")
    assert kpi.direction == _default("kpis", "[]", "direction")
    assert kpi.frequency == _default("kpis", "[]", "frequency")
    assert kpi.aggregation == _default("kpis", "[]", "aggregation")
    assert kpi.link == _default("kpis", "[]", "link")
    assert card.weight_policy == defs["scorecard"]["properties"]["weight_policy"]["default"]
    assert item.missing == defs["item"]["properties"]["missing"]["default"]
    assert item.scoring.policy == defs["scoring"]["properties"]["policy"]["default"]
    assert item.scoring.cap == defs["scoring"]["properties"]["cap"]["default"]
    assert item.scoring.floor == defs["scoring"]["properties"]["floor"]["default"]
    assert veto.bonus_factor == defs["key_indicator"]["properties"]["bonus_factor"]["default"]
    assert card.distribution is not None
    assert card.distribution.mode == defs["distribution"]["properties"]["mode"]["default"]
    assert card.ranking.group_by == defs["ranking"]["properties"]["group_by"]["default"]
    assert [(b.grade, b.min) for b in card.grading.bands] == [
        ("A", Decimal(90)),
        ("B", Decimal(75)),
        ("C", Decimal(60)),
        ("D", None),
    ]
    assert line.when == "count >= 1"
    assert s.problems == () and s.analysis is None


def test_model_objects_are_hashable_and_immutable(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy.yaml": SPARSE})
    s = stratmap.load(tmp_path)
    assert len({s.kpis[0], s.kpis[0]}) == 1
    assert hash(s.scorecards[0]) == hash(s.scorecards[0])
    assert isinstance(hash(s), int)
