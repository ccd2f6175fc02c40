"""`stratmap graph` and `stratmap coverage` on the examples and on broken copies."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, run_cli

MFG = EXAMPLES / "manufacturing"


@pytest.fixture
def manufacturing(tmp_path: Path) -> Path:
    target = tmp_path / "manufacturing"
    shutil.copytree(MFG, target)
    return target


def _line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text)].count("\n") + 1


def test_mermaid_map_has_the_problem_node_and_its_edges() -> None:
    code, out, _ = run_cli("graph", str(MFG), "--format", "mermaid")
    assert code == 0
    assert out.startswith("flowchart BT\n")
    problem = next(line for line in out.splitlines() if "(yield_not_accepted)" in line)
    node = problem.split("{{")[0].strip()
    assert ":::problem" in problem and "{{" in problem  # a distinct shape and class
    kpi = next(line for line in out.splitlines() if "(first_grade_rate)" in line).split("[")[0].strip()
    driver = next(line for line in out.splitlines() if "(accepted_quality)" in line).split("(")[0].strip()
    assert f"{kpi} -->|answers| {node}" in out
    assert f"{node} -.->|holds back| {driver}" in out
    assert "成品率中包含二等品和让步放行品,客户不接受" in out  # Chinese labels intact


def test_json_graph_is_node_link_data_with_the_problem() -> None:
    code, out, _ = run_cli("graph", str(MFG), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    nodes = {n["id"]: n for n in doc["nodes"]}
    assert nodes["yield_not_accepted"]["kind"] == "problem"
    assert nodes["yield_not_accepted"]["line"] > 0
    edges = {(e["source"], e["target"], e["relation"]) for e in doc["edges"]}
    assert ("first_grade_rate", "yield_not_accepted", "answers") in edges
    assert ("yield_not_accepted", "accepted_quality", "holds_back") in edges
    cascade = [e for e in doc["edges"] if e["relation"] == "cascades_to"]
    assert cascade and all(e["contributes"] for e in cascade)  # the reps' KPIs add into sales'


def test_dot_map_escapes_and_highlights(manufacturing: Path) -> None:
    sales = manufacturing / "departments" / "sales.yaml"
    sales.write_text(
        sales.read_text(encoding="utf-8").replace("name: 销售量\n", 'name: 销售"量\n', 1), encoding="utf-8"
    )
    prod = manufacturing / "departments" / "production.yaml"
    text = prod.read_text(encoding="utf-8")
    prod.write_text(text.replace("    serves: [prod_volume_on_time]\n", "    serves: []\n", 1), encoding="utf-8")
    code, out, _ = run_cli("graph", str(manufacturing), "--format", "dot")
    assert code == 0
    assert 'label="销售\\"量' in out
    output_node = next(line for line in out.splitlines() if line.startswith('  "output" ['))
    assert 'color="#d00000"' in output_node  # SM304: the output KPI now serves nothing


def test_graph_of_a_broken_strategy_reports_instead(manufacturing: Path) -> None:
    (manufacturing / "strategy.yaml").write_text("stratmap: 1\norganisation: {id: Bad}\n", encoding="utf-8")
    code, out, err = run_cli("--lang", "en", "graph", str(manufacturing))
    assert code == 1 and out == ""
    assert "SM124" in err and "SM120" in err


def test_coverage_json_shares_add_up_to_each_total() -> None:
    code, out, _ = run_cli("coverage", str(MFG), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    cards = {c["scorecard"]: c for c in doc["scorecards"]}
    assert set(cards) >= {"production_monthly", "sales_monthly"}
    for card in doc["scorecards"]:
        total = Decimal(card["total_weight"])
        assert sum(Decimal(v) for v in card["by_reason"].values()) == total
        assert sum(Decimal(v) for v in card["by_driver"].values()) == total
    prod = cards["production_monthly"]
    assert Decimal(prod["by_reason"]["issue_driven"]) + Decimal(prod["by_reason"]["both"]) > 0
    assert sum(Decimal(v) for v in doc["company_percent_by_driver"].values()) == 100


def test_coverage_splits_as_declared() -> None:
    # key_contract_rate (weight 30 on production_monthly) declares split 40/60
    _, out, _ = run_cli("coverage", str(MFG), "--format", "json")
    card = next(c for c in json.loads(out)["scorecards"] if c["scorecard"] == "production_monthly")
    assert Decimal(card["by_driver"]["mix_profit"]) >= Decimal("18")


def test_coverage_table_and_csv() -> None:
    code, out, _ = run_cli("coverage", str(MFG))
    assert code == 0 and "volume_share" in out and "company (%)" in out
    code, out, _ = run_cli("coverage", str(MFG), "--format", "csv")
    assert out.startswith("\ufeffscorecard,")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][:4] == ["scorecard", "for", "tier", "total_weight"]
    assert len(rows) == 10  # header, 8 scorecards, the company-wide row
    assert rows[-1][0] == "(company %)" and rows[-1][3] == "100.00"


def test_yield_rate_story_dropping_the_answer_fires_at_the_problem(manufacturing: Path) -> None:
    prod = manufacturing / "departments" / "production.yaml"
    prod.write_text(
        prod.read_text(encoding="utf-8").replace("    answers: [yield_not_accepted]\n", "", 1), encoding="utf-8"
    )
    root = manufacturing / "strategy.yaml"
    line = _line_of(root, "- id: yield_not_accepted")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 1
    assert f"{root}:{line}:5: error SM350 problem 'yield_not_accepted' is answered by no assessed KPI" in out


def test_yield_rate_style_disconnect_is_reported_at_the_kpi(manufacturing: Path) -> None:
    prod = manufacturing / "departments" / "production.yaml"
    text = prod.read_text(encoding="utf-8")
    kpi = (
        '  - id: yield_rate\n    name: 成品率\n    unit: "%"\n    owner: production\n    direction: higher_is_better\n'
    )
    prod.write_text(text.replace("kpis:\n", "kpis:\n" + kpi, 1), encoding="utf-8")
    line = _line_of(prod, "- id: yield_rate")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 1
    assert f"{prod}:{line}:5: error SM304 KPI 'yield_rate' traces to no driver" in out


def test_an_assessed_kpi_that_serves_nothing_is_reported_where_it_is_declared(manufacturing: Path) -> None:
    # the story's shape: a KPI people are paid on (on two scorecards) whose link to the
    # strategy was lost; it still looks fine on every scorecard
    prod = manufacturing / "departments" / "production.yaml"
    text = prod.read_text(encoding="utf-8")
    declared = "  - id: on_time_delivery\n"
    start = text.index(declared)
    cut = text.index("    serves: [prod_volume_on_time]\n", start)
    prod.write_text(text[:cut] + text[cut + len("    serves: [prod_volume_on_time]\n") :], encoding="utf-8")
    line = _line_of(prod, "- id: on_time_delivery")
    code, out, _ = run_cli("--lang", "en", "validate", str(manufacturing))
    assert code == 1
    assert f"{prod}:{line}:5: error SM304 KPI 'on_time_delivery' traces to no driver" in out
    _, shares, _ = run_cli("coverage", str(manufacturing), "--format", "json")
    cards = {c["scorecard"]: c for c in json.loads(shares)["scorecards"]}
    assert Decimal(cards["production_monthly"]["by_driver"]["(none)"]) > 0  # its weight serves nothing


def test_a_kpi_that_only_cascades_takes_its_parents_drivers(tmp_path: Path) -> None:
    import yaml

    import stratmap
    from stratmap.coverage import coverage
    from tests.rules.test_cascade_rules import BASE

    data = json.loads(json.dumps(BASE))
    del data["kpis"][1]["serves"]  # rep_volume: only its parent, volume, serves the driver
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert stratmap.check(path) == []  # SM304 traces it through the parent
    cards = {c.scorecard: c for c in coverage(stratmap.load(path)).cards}
    assert dict(cards["rep_m"].by_driver) == {"share": Decimal("100.00")}


def test_reason_shares_add_up_even_with_awkward_weights(tmp_path: Path) -> None:
    from decimal import Decimal as D

    import yaml

    from stratmap.coverage import coverage
    from stratmap.model.build import build_strategy  # noqa: F401  (the API below builds it)
    from tests.rules.test_cascade_rules import BASE

    data = json.loads(json.dumps(BASE))
    data["problems"] = [{"id": "p1", "statement": "问题", "holds_back": ["share"]}]
    data["kpis"] += [
        {"id": "a", "name": "甲", "unit": "%", "owner": "sales", "answers": ["p1"]},
        {"id": "b", "name": "乙", "unit": "%", "owner": "sales", "serves": ["grow"], "answers": ["p1"]},
    ]
    data["scorecards"][0]["items"] = [
        {"kpi": "volume", "weight": 10.005, "target": 1},
        {"kpi": "a", "weight": 10.025, "target": 1},
        {"kpi": "b", "weight": 79.97, "target": 1},
    ]
    path = tmp_path / "s.yaml"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    import stratmap

    card = coverage(stratmap.load(path)).cards[0]
    assert sum(card.by_reason.values()) == D("100.00")
    assert sum(card.by_driver.values()) == D("100.00")


def test_mermaid_highlights_with_a_class_line_and_escapes_hash(manufacturing: Path) -> None:
    prod = manufacturing / "departments" / "production.yaml"
    text = prod.read_text(encoding="utf-8")
    text = text.replace("    serves: [prod_volume_on_time]\n", "    serves: []\n", 1).replace(
        "name: 产量\n", "name: 产量#1\n", 1
    )
    prod.write_text(text, encoding="utf-8")
    code, out, _ = run_cli("graph", str(manufacturing))
    assert code == 0
    node = next(line for line in out.splitlines() if "(output)" in line)
    ident = node.split("[")[0].strip()
    assert node.endswith(":::kpi") and "产量#35;1" in node
    assert any(line.startswith("  class ") and ident in line.split()[1].split(",") for line in out.splitlines())


def test_json_graph_items_carry_weight_and_index() -> None:
    _, out, _ = run_cli("graph", str(MFG), "--format", "json")
    items = [e for e in json.loads(out)["edges"] if e["relation"] == "measures"]
    assert items and all({"item", "weight"} <= set(e) for e in items)
    assert {e["relation"] for e in json.loads(out)["edges"]} <= {
        "serves",
        "answers",
        "holds_back",
        "has_purpose",
        "part_of",
        "belongs_to",
        "reports_to",
        "cascades_to",
        "computed_from",
        "conflicts_with",
        "measures",
        "assesses",
        "in_tier",
        "has_veto",
        "has_line",
        "watches",
    }
