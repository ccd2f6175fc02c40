"""The measures stage: derived and rolled-up KPIs are computed, in both evaluation paths."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import stratmap
from stratmap.data import read_data
from stratmap.evaluation import evaluate, evaluate_batch
from stratmap.model import Strategy
from tests.helpers import EXAMPLES

D = Decimal

BASE: dict[str, Any] = {
    "stratmap": 1,
    "organisation": {"id": "acme", "name": "连锁零售"},
    "analysis": {"industry": {"summary": "规模"}, "company": {"summary": "品类"}},
    "drivers": [{"id": "margin", "name": "提高毛利", "rationale": "分析"}],
    "departments": [
        {
            "id": "fb",
            "name": "餐饮品类部",
            "purposes": [{"id": "fb_grow", "statement": "提高毛利", "serves": ["margin"]}],
        }
    ],
    "positions": [
        {
            "id": "buyer",
            "name": "采购员",
            "department": "fb",
            "headcount": 2,
            "purposes": [{"id": "buyer_grow", "statement": "提高采购毛利", "serves": ["margin"]}],
        }
    ],
    "kpis": [
        {
            "id": "fb_profit",
            "name": "品类毛利",
            "unit": "元",
            "owner": "fb",
            "aggregation": "sum",
            "serves": ["fb_grow"],
        },
        {
            "id": "fb_sales",
            "name": "品类销售额",
            "unit": "元",
            "owner": "fb",
            "aggregation": "sum",
            "serves": ["fb_grow"],
        },
        {
            "id": "fb_margin",
            "name": "品类毛利率",
            "unit": "%",
            "owner": "fb",
            "serves": ["fb_grow"],
            "formula": "fb_profit / fb_sales * 100",
        },
        {
            "id": "fb_volume",
            "name": "品类采购量",
            "unit": "件",
            "owner": "fb",
            "aggregation": "sum",
            "serves": ["fb_grow"],
        },
        {
            "id": "buyer_volume",
            "name": "采购员采购量",
            "unit": "件",
            "owner": "buyer",
            "aggregation": "sum",
            "serves": ["buyer_grow"],
            "parent": "fb_volume",
            "link": "contributes",
        },
    ],
    "scorecards": [
        {
            "id": "fb_q",
            "for": "fb",
            "tier": "short_term",
            "frequency": "quarterly",
            "items": [
                {"kpi": "fb_margin", "weight": 50, "target": 20},
                {"kpi": "fb_volume", "weight": 50, "target": 1000},
            ],
            "key_indicators": [{"id": "v", "kpi": "fb_margin", "veto_when": "actual < 10"}],
        },
        {
            "id": "buyer_q",
            "for": "buyer",
            "tier": "short_term",
            "frequency": "quarterly",
            "items": [{"kpi": "buyer_volume", "weight": 100, "target": 500}],
            "key_indicators": [{"id": "vb", "kpi": "buyer_volume", "veto_when": "actual < 100"}],
        },
    ],
}
PEOPLE = [{"entity": "b1", "holds": "buyer"}, {"entity": "b2", "holds": "buyer"}]


def load(tmp_path: Path, edit: Any = None) -> Strategy:
    data = copy.deepcopy(BASE)
    if edit is not None:
        edit(data)
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [d for d in stratmap.check(path) if d.severity.value == "error"] == []
    return stratmap.load(path)


def rows(entity: str, kpi: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"entity": entity, "kpi": kpi, "period": p, "value": str(v)} for p, v in values.items()]


def item(evaluation: Any, entity: str, kpi: str) -> Any:
    [result] = [r for r in evaluation.results if r.entity == entity and r.scorecard.startswith(("fb", "buyer"))]
    return next(i for i in result.items if i.kpi == kpi)


MONTHS = ("2026-01", "2026-02", "2026-03")


def test_a_derived_ratio_over_a_quarter_is_total_over_total(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("fb", "fb_profit", dict(zip(MONTHS, (100, 300, 200), strict=True)))
    actuals += rows("fb", "fb_sales", dict(zip(MONTHS, (1000, 1000, 2000), strict=True)))
    actuals += rows("fb", "fb_volume", {"2026Q1": 1000})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    margin = item(ev, "fb", "fb_margin")
    assert margin.actual == D(15)  # 600 / 4000, not the mean of 10%, 30% and 10%
    assert "derived: fb_profit / fb_sales * 100 = 15 over 2026Q1" in margin.measured
    assert "sum of 3 of 3 monthly values" in margin.measured
    assert all(c.unused == 0 and c.rejected == 0 for c in ev.rows.values())


def test_a_department_kpi_is_summed_from_its_positions(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("b1", "buyer_volume", {"2026Q1": 600}) + rows("b2", "buyer_volume", {"2026Q1": 450})
    actuals += rows("fb", "fb_profit", {"2026Q1": 1}) + rows("fb", "fb_sales", {"2026Q1": 5})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    volume = item(ev, "fb", "fb_volume")
    assert volume.actual == D(1050)
    assert volume.measured == "rolled up: b1 600 (buyer_volume) + b2 450 (buyer_volume) = 1050"
    # a holder without data: the department's value is missing, never short
    ev = evaluate(s, read_data(actuals=actuals[1:], people=PEOPLE), period="2026Q1")
    assert item(ev, "fb", "fb_volume").status == "missing"
    assert "contributions missing from b1 (buyer_volume)" in item(ev, "fb", "fb_volume").measured


def test_fewer_holders_than_the_headcount_is_no_roll_up(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("b1", "buyer_volume", {"2026Q1": 600}) + rows("fb", "fb_volume", {"2026Q1": 900})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE[:1]), period="2026Q1")
    volume = item(ev, "fb", "fb_volume")
    assert volume.actual == D(900)  # the reported value stands: 1 of 2 buyers cannot make the total
    assert "1 of the 2 holders of buyer are not in the data" in volume.measured


def test_a_reported_value_of_a_computed_kpi_is_checked_or_refused(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("fb", "fb_profit", {"2026Q1": 300}) + rows("fb", "fb_sales", {"2026Q1": 1000})
    actuals += rows("fb", "fb_margin", {"2026Q1": 25}) + rows("fb", "fb_volume", {"2026Q1": 1000})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    assert item(ev, "fb", "fb_margin").actual == D(30)
    [conflict] = [d for d in ev.diagnostics if d.code == "SM516"]
    assert "the reported value 25 of fb_margin is left out: it differs from the computed 30" in conflict.message("en")
    agreeing = [*actuals[:2], *rows("fb", "fb_margin", {"2026Q1": 30}), actuals[3]]
    ev = evaluate(s, read_data(actuals=agreeing, people=PEOPLE), period="2026Q1")
    assert not [d for d in ev.diagnostics if d.code == "SM516"] and ev.rows["actuals"].used == 4
    refusing = load(tmp_path, lambda d: d["kpis"][2].update(reported="refuse"))
    ev = evaluate(refusing, read_data(actuals=agreeing, people=PEOPLE), period="2026Q1")
    [refused] = [d for d in ev.diagnostics if d.code == "SM516"]
    assert "refuses reported values (reported: refuse)" in refused.message("en")


def test_inputs_missing_fall_back_to_the_reported_value(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("fb", "fb_margin", {"2026Q1": 25}) + rows("fb", "fb_volume", {"2026Q1": 1000})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    margin = item(ev, "fb", "fb_margin")
    assert margin.actual == D(25)
    assert margin.measured == "reported (it cannot be computed: fb_profit, fb_sales missing)"


@settings(max_examples=60, deadline=None)
@given(
    profit=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    sales=st.lists(st.integers(1, 10**6), min_size=3, max_size=3),
)
def test_a_derived_ratio_of_a_period_is_the_formula_over_the_aggregated_inputs(
    tmp_path_factory: pytest.TempPathFactory, profit: list[int], sales: list[int]
) -> None:
    s = _shared(tmp_path_factory)
    actuals = rows("fb", "fb_profit", dict(zip(MONTHS, profit, strict=True)))
    actuals += rows("fb", "fb_sales", dict(zip(MONTHS, sales, strict=True)))
    actuals += rows("fb", "fb_volume", {"2026Q1": 1000})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    expected = (D(sum(profit)) / D(sum(sales)) * 100).quantize(D(1).scaleb(-10), rounding=ROUND_HALF_UP)
    assert item(ev, "fb", "fb_margin").actual == expected
    # and the batch path computes the same value from the same (aggregated) columns
    batch = evaluate_batch(
        s,
        "fb_q",
        period="2026Q1",
        entities=["fb"],
        actuals={"fb_profit": np.array([float(sum(profit))]), "fb_sales": np.array([float(sum(sales))]),
                 "fb_volume": np.array([1000.0])},
    )  # fmt: skip
    [scalar] = [r for r in ev.results if r.scorecard == "fb_q"]
    assert batch.decimal("score", 0) == scalar.score


_SHARED: dict[str, Strategy] = {}


def _shared(factory: pytest.TempPathFactory) -> Strategy:
    if "s" not in _SHARED:
        _SHARED["s"] = load(factory.mktemp("measures"))
    return _SHARED["s"]


def test_the_fast_food_example_derives_its_complaint_rate_in_both_paths() -> None:
    folder = EXAMPLES / "fast_food"
    s = stratmap.load(folder)
    data = read_data(actuals=folder / "data" / "actuals.csv", people=folder / "data" / "people.csv")
    ev = evaluate(s, data, period="2026-03")
    [scalar] = [r for r in ev.results if r.scorecard == "sd_monthly"]
    rate = next(i for i in scalar.items if i.kpi == "complaint_rate")
    assert rate.actual == D("1.6") and (rate.measured or "").startswith("derived: complaints / orders * 10000")
    cells = {a.kpi: float(a.value) for a in data.actuals.rows if a.entity == "service_dept"}
    batch = evaluate_batch(s, "sd_monthly", period="2026-03", entities=["service_dept"],
                           actuals={k: np.array([v]) for k, v in cells.items()})  # fmt: skip
    assert batch.decimal("score", 0) == scalar.score


@pytest.mark.parametrize(("how", "expected", "shown"), [("mean", D("525"), "mean of b1 600"), ("min", D(450), "min of"),
                                                        ("max", D(600), "max of")])  # fmt: skip
def test_a_roll_up_combines_its_holders_as_the_kpi_declares(tmp_path: Path, how: str, expected: D, shown: str) -> None:
    s = load(tmp_path, lambda d: d["kpis"][3].update(roll_up=how))
    actuals = rows("b1", "buyer_volume", {"2026Q1": 600}) + rows("b2", "buyer_volume", {"2026Q1": 450})
    actuals += rows("fb", "fb_profit", {"2026Q1": 1}) + rows("fb", "fb_sales", {"2026Q1": 5})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    volume = item(ev, "fb", "fb_volume")
    assert volume.actual == expected
    assert volume.measured.startswith(f"rolled up: {shown}")
    # the batch path takes the rolled-up column as given: the same total gives the same score
    batch = evaluate_batch(s, "fb_q", period="2026Q1", entities=["fb"],
                           actuals={"fb_profit": np.array([1.0]), "fb_sales": np.array([5.0]),
                                    "fb_volume": np.array([float(expected)])})  # fmt: skip
    [scalar] = [r for r in ev.results if r.scorecard == "fb_q"]
    assert batch.decimal("score", 0) == scalar.score


def test_a_mean_roll_up_is_rounded_like_a_derived_value(tmp_path: Path) -> None:
    s = load(tmp_path, lambda d: d["kpis"][3].update(roll_up="mean"))
    people = [*PEOPLE, {"entity": "b3", "holds": "buyer"}]
    actuals = [*rows("b1", "buyer_volume", {"2026Q1": 1}), *rows("b2", "buyer_volume", {"2026Q1": 1})]
    actuals += rows("b3", "buyer_volume", {"2026Q1": 0})
    ev = evaluate(s, read_data(actuals=actuals, people=people), period="2026Q1")
    assert item(ev, "fb", "fb_volume").actual == D("0.6666666667")


def test_read_data_names_the_tables_it_knows() -> None:
    with pytest.raises(TypeError, match="no table called actual: the tables are actuals, events, ratings"):
        stratmap.read_data(actual=[])


def test_a_derived_ratio_over_totals_of_different_months_is_not_computed(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("fb", "fb_profit", dict(zip(MONTHS, (100, 300, 200), strict=True)))
    actuals += rows("fb", "fb_sales", {"2026-01": 1000, "2026-03": 2000})  # February missing
    actuals += rows("fb", "fb_volume", {"2026Q1": 1000})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    margin = item(ev, "fb", "fb_margin")
    assert margin.actual is None and margin.status == "missing"
    assert "its inputs cover different months of 3 (fb_profit 3, fb_sales 2)" in margin.measured


def test_rows_read_by_a_value_that_cannot_be_computed_are_not_called_unused(tmp_path: Path) -> None:
    s = load(tmp_path)
    actuals = rows("fb", "fb_profit", dict(zip(MONTHS, (100, 300, 200), strict=True)))
    actuals += rows("fb", "fb_sales", {"2026-01": 1000, "2026-03": 2000})
    ev = evaluate(s, read_data(actuals=actuals, people=PEOPLE), period="2026Q1")
    assert ev.rows["actuals"].unused == 0 and not [d for d in ev.diagnostics if d.code == "SM509"]
