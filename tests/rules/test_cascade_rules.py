"""Unit tests of the model rules beyond their documented examples: edge cases found in review."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stratmap.api import check
from stratmap.diagnostics import Diagnostic

BASE: dict[str, Any] = {
    "stratmap": 1,
    "organisation": {"id": "acme", "name": "华东制造"},
    "analysis": {"industry": {"summary": "规模制胜"}, "company": {"summary": "靠销量"}},
    "drivers": [{"id": "share", "name": "扩大份额", "rationale": "分析"}],
    "departments": [
        {"id": "sales", "name": "销售部", "purposes": [{"id": "grow", "statement": "提高销量", "serves": ["share"]}]}
    ],
    "positions": [{"id": "rep", "name": "销售代表", "department": "sales", "headcount": 2}],
    "kpis": [
        {"id": "volume", "name": "销售量", "unit": "吨", "owner": "sales", "aggregation": "sum", "serves": ["grow"]},
        {
            "id": "rep_volume",
            "name": "代表销量",
            "unit": "吨",
            "owner": "rep",
            "serves": ["grow"],
            "parent": "volume",
            "link": "contributes",
        },
    ],
    "scorecards": [
        {
            "id": "sales_m",
            "for": "sales",
            "tier": "short_term",
            "frequency": "monthly",
            "items": [{"kpi": "volume", "weight": 100, "target": 100}],
            "key_indicators": [{"id": "v1", "kpi": "volume", "veto_when": "actual < 50"}],
        },
        {
            "id": "rep_m",
            "for": "rep",
            "tier": "short_term",
            "frequency": "monthly",
            "items": [{"kpi": "rep_volume", "weight": 100, "target": 50}],
            "key_indicators": [{"id": "v2", "kpi": "rep_volume", "veto_when": "actual < 20"}],
        },
    ],
}


def run_on(tmp_path: Path, data: dict[str, Any], lang_codes: bool = True) -> list[Diagnostic]:
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return check(path)


def codes(found: list[Diagnostic]) -> list[str]:
    """The codes found, without SM343 (the note that checks across the cascade wait for errors)."""
    return [d.code for d in found if d.code != "SM343"]


@pytest.fixture
def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def test_base_is_clean(tmp_path: Path, base: dict[str, Any]) -> None:
    assert run_on(tmp_path, base) == []


def test_sm311_counts_headcount_and_fires_below(tmp_path: Path, base: dict[str, Any]) -> None:
    base["scorecards"][1]["items"][0]["target"] = 40  # 2 x 40 < 100
    found = run_on(tmp_path, base)
    assert codes(found) == ["SM311"]
    assert "add up to 80" in found[0].message()


def test_sm311_skips_lower_is_better_budgets(tmp_path: Path, base: dict[str, Any]) -> None:
    for kpi in base["kpis"]:
        kpi["direction"] = "lower_is_better"
    base["scorecards"][1]["items"][0]["target"] = 10
    base["scorecards"][0]["key_indicators"][0]["veto_when"] = "actual > 150"
    assert "SM311" not in codes(run_on(tmp_path, base))


def test_sm311_skips_children_without_a_comparable_target(tmp_path: Path, base: dict[str, Any]) -> None:
    item = base["scorecards"][1]["items"][0]
    del item["target"]
    item["targets"] = {"2026-01": 10}
    assert "SM311" not in codes(run_on(tmp_path, base))
    base2 = copy.deepcopy(BASE)
    base2["scorecards"][1]["frequency"] = "quarterly"
    base2["scorecards"][1]["items"][0]["target"] = 10
    assert "SM311" not in codes(run_on(tmp_path, base2))


def test_sm311_counts_a_child_once(tmp_path: Path, base: dict[str, Any]) -> None:
    base["scorecards"][1]["items"][0]["target"] = 40
    extra = copy.deepcopy(base["scorecards"][1])
    extra["id"] = "rep_m2"
    extra["key_indicators"][0]["id"] = "v3"
    base["scorecards"].append(extra)  # 40 counted twice would hide the shortfall
    assert "SM311" in codes(run_on(tmp_path, base))


def test_sm312_aligning_kpi_may_use_another_unit(tmp_path: Path, base: dict[str, Any]) -> None:
    rep = base["kpis"][1]
    rep.update(unit="户", link="aligns", name="新客户数")
    assert codes(run_on(tmp_path, base)) == []
    rep["link"] = "contributes"
    assert codes(run_on(tmp_path, base)) == ["SM312"]


def test_sm304_a_kpi_that_cascades_up_traces_through_its_parent(tmp_path: Path, base: dict[str, Any]) -> None:
    del base["kpis"][1]["serves"]
    assert codes(run_on(tmp_path, base)) == []


def test_sm313_declared_conflict_and_case(tmp_path: Path, base: dict[str, Any]) -> None:
    base["kpis"][1].update(name="销售量", parent=None, link="aligns", direction="lower_is_better")
    del base["kpis"][1]["parent"]
    base["scorecards"][1]["key_indicators"][0]["veto_when"] = "actual > 80"
    assert codes(run_on(tmp_path, base)) == ["SM313"]
    base["kpis"][1]["conflicts_with"] = ["volume"]
    assert codes(run_on(tmp_path, base)) == ["SM314"]


def test_sm313_stays_linear_on_shared_names(tmp_path: Path) -> None:

    data = copy.deepcopy(BASE)
    data["kpis"] = data["kpis"][:1] + [
        {"id": f"k{i}", "name": "销售量", "unit": "吨", "owner": "sales", "serves": ["grow"]} for i in range(3000)
    ]
    found = run_on(tmp_path, data)  # quadratic pairs would be 4.5 million comparisons
    assert "SM313" not in codes(found)  # one owner, one direction: nothing opposite among 3,000 namesakes


def test_cycle_can_be_suppressed_on_any_node(tmp_path: Path, base: dict[str, Any]) -> None:
    base["departments"].append({"id": "region", "name": "大区", "parent": "sales", "purposes": []})
    base["departments"][0]["parent"] = "region"
    base["scorecards"].append(
        {"id": "region_y", "for": "region", "tier": "annual", "items": [{"kpi": "volume", "weight": 100, "target": 1}]}
    )
    assert "SM310" in codes(run_on(tmp_path, base))
    base["departments"][0]["suppress"] = [{"code": "SM310", "reason": "过渡期的双重汇报"}]
    assert codes(run_on(tmp_path, base)) == []


def test_configuration_applies_to_suppression_findings(tmp_path: Path, base: dict[str, Any]) -> None:
    base["kpis"][0]["suppress"] = [{"code": "SM315", "reason": "无"}]
    assert codes(run_on(tmp_path, base)) == ["SM341"]
    base["organisation"]["severity"] = {"SM341": "off"}
    assert codes(run_on(tmp_path, base)) == []
    base["organisation"]["severity"] = {"SM209": "off"}
    found = run_on(tmp_path, base)
    assert "SM342" in codes(found)


def test_sm341_names_an_item_readably(tmp_path: Path, base: dict[str, Any]) -> None:
    base["scorecards"][0]["items"][0]["suppress"] = [{"code": "SM315", "reason": "无"}]
    [found] = run_on(tmp_path, base)
    assert found.code == "SM341" and "'sales_m, item 1'" in found.message()


def test_sm315_speaks_chinese(tmp_path: Path, base: dict[str, Any]) -> None:
    del base["kpis"][0]["unit"]
    base["kpis"][1]["link"] = "aligns"  # a contributing child would also differ in unit
    [found] = run_on(tmp_path, base)
    assert found.code == "SM315" and "没有单位" in found.message("zh")


def test_answers_must_name_a_problem(tmp_path: Path, base: dict[str, Any]) -> None:
    base["problems"] = [{"id": "slow_delivery", "statement": "交货慢", "holds_back": ["share"]}]
    base["kpis"][0]["answers"] = ["slow_delivry"]
    found = run_on(tmp_path, base)
    assert codes(found) == ["SM201"] and "did you mean 'slow_delivery'" in found[-1].message()
    base["kpis"][0]["answers"] = ["share"]
    assert codes(run_on(tmp_path, base)) == ["SM203"]
    base["kpis"][0]["answers"] = ["slow_delivery"]
    assert codes(run_on(tmp_path, base)) == []


def test_sm303_a_kpi_on_no_scorecard_measures_nothing(tmp_path: Path, base: dict[str, Any]) -> None:
    base["drivers"].append({"id": "profit", "name": "利润", "rationale": "分析"})
    base["departments"][0]["purposes"].append({"id": "earn", "statement": "确保利润", "serves": ["profit"]})
    base["kpis"].append({"id": "margin", "name": "毛利率", "unit": "%", "owner": "sales", "serves": ["earn"]})
    assert codes(run_on(tmp_path, base)) == ["SM303"]
    base["scorecards"][0]["items"] = [
        {"kpi": "volume", "weight": 70, "target": 100},
        {"kpi": "margin", "weight": 30, "target": 20},
    ]
    assert codes(run_on(tmp_path, base)) == []


def test_map_labels_speak_chinese() -> None:
    from tests.helpers import EXAMPLES, run_cli

    _, out, _ = run_cli("--lang", "zh", "graph", str(EXAMPLES / "manufacturing"))
    assert "|服务|" in out and "|针对|" in out and "|阻碍|" in out


def test_sm317_split_naming_a_driver_not_served(tmp_path: Path, base: dict[str, Any]) -> None:
    base["drivers"].append({"id": "profit", "name": "利润", "rationale": "分析"})
    base["departments"][0]["purposes"].append({"id": "earn", "statement": "确保利润", "serves": ["profit"]})
    base["kpis"].append({"id": "margin", "name": "毛利率", "unit": "%", "owner": "sales", "serves": ["earn"]})
    base["scorecards"][0]["items"].append({"kpi": "margin", "weight": 0, "target": 20})
    base["kpis"][0]["split"] = {"share": 50, "profit": 50}
    [found] = run_on(tmp_path, base)
    assert found.code == "SM317" and "'profit' is not a driver it serves" in found.message()
    base["kpis"][0]["split"] = {"share": 60}
    [found] = run_on(tmp_path, base)
    assert "its shares total 60, not 100" in found.message()
    base["kpis"][0]["split"] = {"share": 100}
    assert codes(run_on(tmp_path, base)) == []


def test_sm318_band_gaps_and_overlaps(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    item = data["scorecards"][0]["items"][0]
    item["scoring"] = {
        "policy": "bands",
        "bands": [{"to": 80, "score": 0}, {"from": 90, "to": 95, "score": 80}, {"from": 94, "score": 100}],
    }
    found = [d for d in run_on(tmp_path, data) if d.code == "SM318"]
    messages = sorted(d.message() for d in found)
    assert len(found) == 2
    assert "no band holds values from 80 up to 90" in messages[1] and "bands overlap from 94 to 95" in messages[0]


def test_sm310_lists_every_cycle_of_a_group(tmp_path: Path, base: dict[str, Any]) -> None:
    # ka reads kb, kc and kd; kb and kd read ka; kc reads kd: three cycles through ka
    extra = [
        ("ka", "kb + kc + kd"),
        ("kb", "ka * 1"),
        ("kc", "kd * 1"),
        ("kd", "ka * 1"),
    ]
    for ident, formula in extra:
        base["kpis"].append(
            {"id": ident, "name": ident, "unit": "吨", "owner": "sales", "serves": ["grow"], "formula": formula}
        )
    found = [d for d in run_on(tmp_path, base) if d.code == "SM310"]
    cycles = sorted(str(d.message()).split("loop: ")[-1] for d in found)
    assert len(found) == 3, [d.message() for d in found]
    assert any("ka -> kb -> ka" in c for c in cycles)
    assert any("ka -> kc -> kd -> ka" in c for c in cycles)
    assert any("ka -> kd -> ka" in c for c in cycles)
    again = [d.message() for d in run_on(tmp_path, base) if d.code == "SM310"]
    assert again == [d.message() for d in found]  # the same order every run


def test_sm310_finds_a_cycle_between_links_that_lead_in_and_out_of_it(tmp_path: Path, base: dict[str, Any]) -> None:
    # top reads ka; ka and kb read each other; kb also reads base_kpi: only ka <-> kb loops
    extra = [("top", "ka * 2"), ("ka", "kb + 1"), ("kb", "ka + base_kpi"), ("base_kpi", None)]
    for ident, formula in extra:
        kpi: dict[str, Any] = {"id": ident, "name": ident, "unit": "吨", "owner": "sales", "serves": ["grow"]}
        if formula:
            kpi["formula"] = formula
        base["kpis"].append(kpi)
    found = [d for d in run_on(tmp_path, base) if d.code == "SM310"]
    assert [str(d.message()).split("loop: ")[-1] for d in found] == ["ka -> kb -> ka"]
    assert len(found[0].related) == 2 and all(r.location.line > 0 for r in found[0].related)


def test_sm311_reads_each_card_s_items_when_two_cards_share_an_id(tmp_path: Path, base: dict[str, Any]) -> None:
    from dataclasses import replace

    import stratmap
    from stratmap.rules import check_model

    path = tmp_path / "strategy.yaml"
    base["scorecards"][0]["items"][0]["target"] = 200  # children give 2 x 50 = 100 < 200
    path.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
    strategy = stratmap.load(path)
    first, second = strategy.scorecards
    twin = replace(second, id=first.id)  # as if duplicate ids were not reported: one item, not the parent's
    found = [d for d in check_model(replace(strategy, scorecards=(first, twin))) if d.code == "SM311"]
    assert len(found) == 1 and "200" in found[0].message()


def test_sm303_a_driver_is_not_its_own_source_when_a_kpi_shares_its_id(tmp_path: Path, base: dict[str, Any]) -> None:
    from dataclasses import replace

    import stratmap
    from stratmap.rules import check_model

    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
    strategy = stratmap.load(path)
    volume = strategy.kpis[0]
    # a KPI named like the driver it serves, on a scorecard (a duplicate id, as if not reported):
    # the driver is still measured only if some other assessed KPI reaches it
    impostor = replace(volume, id="share", serves=("share",), parent=None)
    card = strategy.scorecards[0]
    card = replace(card, items=(replace(card.items[0], kpi="share"),), key_indicators=())
    unreached = replace(strategy, kpis=(impostor,), scorecards=(card,))
    assert "SM303" in [d.code for d in check_model(unreached)]


def test_sm313_findings_come_in_the_order_groups_are_found(tmp_path: Path) -> None:
    from stratmap.rules import check_model

    data = copy.deepcopy(BASE)
    data["departments"].append(
        {"id": "ops", "name": "运营部", "purposes": [{"id": "run", "statement": "运营", "serves": ["share"]}]}
    )

    def kpi(id: str, name: str, owner: str, direction: str) -> dict[str, Any]:
        return {"id": id, "name": name, "unit": "吨", "owner": owner, "direction": direction, "serves": ["grow"]}

    # names interleave A, B, B, A: the group of B is complete first
    data["kpis"] = [
        kpi("a1", "甲", "sales", "higher_is_better"),
        kpi("b1", "乙", "sales", "higher_is_better"),
        kpi("b2", "乙", "ops", "lower_is_better"),
        kpi("a2", "甲", "ops", "lower_is_better"),
    ]
    data["scorecards"] = []
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    import stratmap

    found = [d for d in check_model(stratmap.load(path)) if d.code == "SM313"]
    assert [d.location.line for d in found] == sorted(d.location.line for d in found)
    assert ["b2" in d.message() for d in found] == [True, False]


def test_model_objects_can_be_weakly_referenced() -> None:
    import weakref

    import stratmap

    strategy = stratmap.load(Path(__file__).parents[2] / "examples" / "manufacturing")
    for obj in (strategy, strategy.kpis[0], strategy.kpis[0].where, strategy.scorecards[0].items[0]):
        assert weakref.ref(obj)() is obj
        assert not hasattr(obj, "__dict__")  # slotted: fields live in the object


def test_sm315_no_unit_is_fine_for_yes_no_and_rated_kpis(tmp_path: Path, base: dict[str, Any]) -> None:
    base["kpis"][1].pop("parent"), base["kpis"][1].pop("link")  # no cascade to compare units along
    base["kpis"][0].pop("unit")
    assert codes(run_on(tmp_path, base)) == ["SM315"]
    base["kpis"][0]["direction"] = "yes_no"
    base["scorecards"][0]["items"][0] = {"kpi": "volume", "weight": 100, "scoring": {"policy": "yes_no"}}
    base["scorecards"][0]["key_indicators"][0]["veto_when"] = "actual == 0"
    assert codes(run_on(tmp_path, base)) == []
    base["kpis"][0].pop("direction")
    base["scorecards"][0]["items"][0] = {
        "kpi": "volume",
        "weight": 100,
        "scoring": {"policy": "rating", "scale": {"A": 100, "B": 80}, "raters": [{"role": "superior", "weight": 100}]},
    }
    assert codes(run_on(tmp_path, base)) == []
