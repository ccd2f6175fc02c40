"""Property: a random aligned cascade is clean; removing one link or node makes the
matching rule fire, and nothing that does not follow from the removal."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from stratmap.api import run
from stratmap.rules.engine import run_model_rules


@st.composite
def cascades(draw: st.DrawFn) -> dict[str, Any]:
    n_depts = draw(st.integers(1, 4))
    n_drivers = draw(st.integers(1, n_depts))
    drivers = [{"id": f"d{i}", "name": f"驱动力{i}", "rationale": "分析"} for i in range(n_drivers)]
    departments: list[dict[str, Any]] = []
    kpis: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    for dep in range(n_depts):
        purposes = [
            {"id": f"p{dep}_{j}", "statement": "目的", "serves": [f"d{(dep + j) % n_drivers}"]}
            for j in range(draw(st.integers(1, 2)))
        ]
        departments.append({"id": f"dept{dep}", "name": f"部门{dep}", "purposes": purposes})
        count = draw(st.integers(1, 3))
        weights = [100 // count] * count
        weights[0] += 100 - sum(weights)
        items = []
        for k in range(count):
            kid = f"k{dep}_{k}"
            purpose = purposes[draw(st.integers(0, len(purposes) - 1))]["id"]
            kpis.append({"id": kid, "name": f"指标{kid}", "unit": "%", "owner": f"dept{dep}", "serves": [purpose]})
            items.append({"kpi": kid, "weight": weights[k], "target": 90})
        cards.append(
            {
                "id": f"card{dep}",
                "for": f"dept{dep}",
                "tier": "short_term",
                "frequency": "monthly",
                "items": items,
                "key_indicators": [{"id": f"veto{dep}", "kpi": f"k{dep}_0", "veto_when": "actual < 80"}],
            }
        )
    # purposes no KPI serves would leave drivers unmeasured: make every purpose served
    for dep, dept in enumerate(departments):
        for purpose in dept["purposes"]:
            if not any(purpose["id"] in k["serves"] for k in kpis):
                next(k for k in kpis if k["owner"] == f"dept{dep}")["serves"].append(purpose["id"])
    return {
        "stratmap": 1,
        "organisation": {"id": "org", "name": "集团"},
        "analysis": {"industry": {"summary": "行业"}, "company": {"summary": "企业"}},
        "drivers": drivers,
        "departments": departments,
        "kpis": kpis,
        "scorecards": cards,
    }


def _findings(data: dict[str, Any]) -> set[tuple[str, str | None]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strategy.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = run([path], ignore=["SM3"])
        assert result.diagnostics == (), result.diagnostics
        [strategy] = result.strategies
        return {(d.code, subject) for d, subject in run_model_rules(strategy).findings}


def _reach(data: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(drivers some purpose serves, drivers some assessed KPI reaches): an oracle over plain data."""
    purpose_drivers = {p["id"]: set(p["serves"]) for d in data["departments"] for p in d["purposes"]}
    served = set().union(*purpose_drivers.values())
    reached: set[str] = set()
    assessed = {item["kpi"] for card in data["scorecards"] for item in card["items"]}
    for k in data["kpis"]:
        if k["id"] not in assessed:
            continue  # a KPI on no scorecard measures nothing
        for target in k["serves"]:
            reached |= purpose_drivers.get(target, set())
    return served, reached


def _kpis_without_driver(data: dict[str, Any]) -> set[str]:
    purpose_drivers = {p["id"]: p["serves"] for d in data["departments"] for p in d["purposes"]}
    return {k["id"] for k in data["kpis"] if not any(purpose_drivers.get(t) for t in k["serves"])}


@given(cascades(), st.data())
def test_removing_one_link_or_node_fires_exactly_what_follows(data: dict[str, Any], draw: st.DataObject) -> None:
    assert _findings(data) == set()
    driver_ids = {d["id"] for d in data["drivers"]}
    action = draw.draw(st.sampled_from(["kpi_serves", "purpose_serves", "scorecard", "key_indicator"]))
    expected: set[tuple[str, str | None]] = set()
    if action == "kpi_serves":
        kpi = draw.draw(st.sampled_from(data["kpis"]))
        kpi["serves"] = []
    elif action == "purpose_serves":
        dept = draw.draw(st.sampled_from(data["departments"]))
        purpose = draw.draw(st.sampled_from(dept["purposes"]))
        purpose["serves"] = []
        expected.add(("SM302", purpose["id"]))
    elif action == "scorecard":
        card = draw.draw(st.sampled_from(data["scorecards"]))
        data["scorecards"].remove(card)
        expected.add(("SM305", card["for"]))
    else:
        card = draw.draw(st.sampled_from(data["scorecards"]))
        del card["key_indicators"]
        expected.add(("SM307", card["id"]))
    served, reached = _reach(data)
    expected |= {("SM304", k) for k in _kpis_without_driver(data)}
    expected |= {("SM301", d) for d in driver_ids - served}
    expected |= {("SM303", d) for d in driver_ids - reached}
    assert _findings(data) == expected
