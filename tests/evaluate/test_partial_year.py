"""The annual tier on a partial year: refused, annualised or accepted as the scorecard says,
and the result says how many months it used; both evaluation paths agree."""

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
from stratmap.evaluation import EvaluationError, evaluate, evaluate_batch
from stratmap.model import Strategy

D = Decimal

BASE: dict[str, Any] = {
    "stratmap": 1,
    "organisation": {"id": "acme", "name": "连锁零售"},
    "analysis": {"industry": {"summary": "规模"}, "company": {"summary": "门店"}},
    "drivers": [{"id": "growth", "name": "增长", "rationale": "分析"}],
    "departments": [
        {"id": "store", "name": "门店", "purposes": [{"id": "store_grow", "statement": "增长", "serves": ["growth"]}]}
    ],
    "kpis": [
        {
            "id": "sales",
            "name": "销售额",
            "unit": "元",
            "owner": "store",
            "aggregation": "sum",
            "serves": ["store_grow"],
        },
        {
            "id": "nps",
            "name": "满意度",
            "unit": "分",
            "owner": "store",
            "aggregation": "mean",
            "serves": ["store_grow"],
        },
    ],
    "scorecards": [
        {
            "id": "store_year",
            "for": "store",
            "tier": "annual",
            "frequency": "yearly",
            "items": [
                {"kpi": "sales", "weight": 60, "target": 1200},
                {"kpi": "nps", "weight": 40, "target": 80},
            ],
        }
    ],
}
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def load(folder: Path, policy: str | None) -> Strategy:
    data = copy.deepcopy(BASE)
    if policy is not None:
        data["scorecards"][0]["partial_year"] = policy
    path = folder / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert [d for d in stratmap.check(path) if d.severity.value == "error"] == []
    return stratmap.load(path)


_LOADED: dict[str | None, Strategy] = {}


def strategy(factory: pytest.TempPathFactory, policy: str | None) -> Strategy:
    if policy not in _LOADED:
        _LOADED[policy] = load(factory.mktemp("partial"), policy)
    return _LOADED[policy]


def monthly(months: list[str], sales: int = 100, nps: int = 90) -> list[dict[str, str]]:
    rows = [{"entity": "store", "kpi": "sales", "period": m, "value": str(sales)} for m in months]
    return rows + [{"entity": "store", "kpi": "nps", "period": m, "value": str(nps)} for m in months]


def result(s: Strategy, rows: list[dict[str, str]]) -> Any:
    ev = evaluate(s, read_data(actuals=rows), period="2026", tier="annual")
    [r] = ev.results
    return r, ev


def test_a_partial_year_is_refused_by_default(tmp_path_factory: pytest.TempPathFactory) -> None:
    r, ev = result(strategy(tmp_path_factory, None), monthly(MONTHS[:9]))
    assert r.status == "incomplete" and r.score is None and r.months_used == 9
    assert [i.status for i in r.items] == ["partial", "partial"]
    assert r.items[0].rule == "partial year: 9 of 12 months reported (partial_year: refuse)"
    assert r.items[0].months == 9
    [said] = [d for d in ev.diagnostics if d.code == "SM521"]
    assert "months reported of 12: nps 9, sales 9; the items are incomplete" in said.message("en")


def test_a_whole_year_is_scored_and_says_12_months(tmp_path_factory: pytest.TempPathFactory) -> None:
    r, ev = result(strategy(tmp_path_factory, None), monthly(MONTHS))
    assert r.status == "complete" and r.months_used == 12 and r.as_dict()["months_used"] == 12
    assert r.items[0].actual == D(1200) and r.score == D("105.00")  # 100 x 60% + 112.5 x 40%
    assert not [d for d in ev.diagnostics if d.code == "SM521"]


def test_prorate_annualises_a_summed_kpi_only(tmp_path_factory: pytest.TempPathFactory) -> None:
    r, ev = result(strategy(tmp_path_factory, "prorate"), monthly(MONTHS[:9]))
    sales, nps = r.items
    assert sales.actual == D(1200) and "prorated: 900 x 12 / 9 = 1200 (partial_year: prorate)" in sales.measured
    assert nps.actual == D(90) and "the mean of the periods reported, not prorated (only a sum is" in nps.measured
    assert r.status == "complete" and r.months_used == 9
    assert [d.severity.value for d in ev.diagnostics if d.code == "SM521"] == ["warning"]


def test_accept_scores_what_was_reported(tmp_path_factory: pytest.TempPathFactory) -> None:
    r, _ = result(strategy(tmp_path_factory, "accept"), monthly(MONTHS[:9]))
    assert r.items[0].actual == D(900) and r.items[0].score == D("75.00") and r.months_used == 9


def test_the_batch_path_refuses_months_out_of_range(tmp_path_factory: pytest.TempPathFactory) -> None:
    s = strategy(tmp_path_factory, "prorate")
    with pytest.raises(EvaluationError, match=r"whole number of months from 1 to 12 \(2026\)"):
        evaluate_batch(s, "store_year", period="2026", entities=["store"], actuals={"sales": [1.0]},
                       months={"sales": [13]})  # fmt: skip
    with pytest.raises(EvaluationError, match="unknown KPI: nope"):
        evaluate_batch(s, "store_year", period="2026", entities=["store"], actuals={"sales": [1.0]},
                       months={"nope": [3]})  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    policy=st.sampled_from(("refuse", "prorate", "accept")),
    covered=st.integers(1, 12),
    sales=st.integers(0, 400),
    nps=st.integers(0, 100),
)
def test_both_paths_agree_on_a_partial_year(
    tmp_path_factory: pytest.TempPathFactory, policy: str, covered: int, sales: int, nps: int
) -> None:
    s = strategy(tmp_path_factory, policy)
    r, _ = result(s, monthly(MONTHS[:covered], sales, nps))
    batch = evaluate_batch(
        s,
        "store_year",
        period="2026",
        entities=["store"],
        actuals={"sales": np.array([float(sales * covered)]), "nps": np.array([float(nps)])},
        months={"sales": [covered], "nps": [covered]},
    )
    assert batch.decimal("score", 0) == r.score
    assert bool(batch.complete[0]) == (r.status == "complete")
    if policy == "prorate" and r.score is not None:
        expected = (D(sales * covered) * 12 / covered).quantize(D(1).scaleb(-10), rounding=ROUND_HALF_UP)
        assert r.items[0].actual == expected


def test_a_quarter_short_of_a_month_follows_the_same_policy(tmp_path: Path) -> None:
    def quarterly(policy: str | None) -> Strategy:
        data = copy.deepcopy(BASE)
        card = data["scorecards"][0]
        card.update(id="store_q", tier="short_term", frequency="quarterly")
        card["items"][0]["target"] = 300
        card["key_indicators"] = [{"id": "v", "kpi": "nps", "veto_when": "actual < 10"}]
        if policy:
            card["partial_year"] = policy
        folder = tmp_path / (policy or "default")
        folder.mkdir(exist_ok=True)
        path = folder / "strategy.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return stratmap.load(path)

    rows = monthly(["2026-01", "2026-03"])
    ev = evaluate(quarterly(None), read_data(actuals=rows), period="2026Q1")
    [r] = ev.results
    assert r.status == "incomplete" and r.months_used == 2 and r.items[0].status == "partial"
    assert r.items[0].rule == "partial quarter: 2 of 3 months reported (partial_year: refuse)"
    [said] = [d for d in ev.diagnostics if d.code == "SM521"]
    assert "months reported of 3: nps 2, sales 2" in said.message("en")
    for policy in (None, "prorate", "accept"):
        s = quarterly(policy)
        [r] = evaluate(s, read_data(actuals=rows), period="2026Q1").results
        given = {"sales": [200.0], "nps": [90.0]}
        batch = evaluate_batch(s, "store_q", period="2026Q1", entities=["store"], actuals=given,
                               months={"sales": [2], "nps": [2]})  # fmt: skip
        assert batch.decimal("score", 0) == r.score and bool(batch.complete[0]) == (r.status == "complete")
    assert r.items[0].actual == D(200)  # accept
    [r] = evaluate(quarterly("prorate"), read_data(actuals=rows), period="2026Q1").results
    assert r.items[0].actual == D(300) and "prorated: 200 x 3 / 2 = 300" in (r.items[0].measured or "")
    # a whole quarter is no partial period
    [r] = evaluate(quarterly(None), read_data(actuals=monthly(MONTHS[:3])), period="2026Q1").results
    assert r.status == "complete" and r.months_used == 3


def test_prorate_annualises_a_derived_kpi_that_is_summed(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["kpis"].append({"id": "net", "name": "净销售", "unit": "元", "owner": "store", "aggregation": "sum",
                         "serves": ["store_grow"], "formula": "sales - nps"})  # fmt: skip
    data["scorecards"][0]["items"] = [{"kpi": "net", "weight": 100, "target": 120}]
    data["scorecards"][0]["partial_year"] = "prorate"
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    s = stratmap.load(path)
    [r] = evaluate(s, read_data(actuals=monthly(MONTHS[:6], 100, 90)), period="2026", tier="annual").results
    assert r.items[0].actual == D(1020)  # (600 summed - 90 the mean) x 12 / 6
