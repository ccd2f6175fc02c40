"""Property: a random aligned cascade is clean; removing one link or node makes the
matching rule fire, and nothing that does not follow from the removal.

The cascades mix every way value is traced: KPIs serving a purpose or a driver directly,
issue-driven KPIs answering a named problem that holds a driver back, and position KPIs
that serve nothing themselves but cascade to a department KPI (``parent``). The oracle
traces the same links over the plain data, so it states what each rule should report.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from stratmap.api import check_strategies
from stratmap.rules import run_model_rules


@st.composite
def cascades(draw: st.DrawFn) -> dict[str, Any]:
    n_depts = draw(st.integers(1, 4))
    n_drivers = draw(st.integers(1, n_depts))
    drivers = [{"id": f"d{i}", "name": f"驱动力{i}", "rationale": "分析"} for i in range(n_drivers)]
    departments: list[dict[str, Any]] = []
    positions: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    kpis: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []

    def card(owner: str, ids: list[str]) -> None:
        weights = [100 // len(ids)] * len(ids)
        weights[0] += 100 - sum(weights)
        cards.append(
            {
                "id": f"card_{owner}",
                "for": owner,
                "tier": "short_term",
                "frequency": "monthly",
                "items": [{"kpi": k, "weight": w, "target": 90} for k, w in zip(ids, weights, strict=True)],
                "key_indicators": [{"id": f"veto_{owner}", "kpi": ids[0], "veto_when": "actual < 80"}],
            }
        )

    for dep in range(n_depts):
        purposes = [
            {"id": f"p{dep}_{j}", "statement": "目的", "serves": [f"d{(dep + j) % n_drivers}"]}
            for j in range(draw(st.integers(1, 2)))
        ]
        departments.append({"id": f"dept{dep}", "name": f"部门{dep}", "purposes": purposes})
        ids = []
        for k in range(draw(st.integers(1, 3))):
            kid = f"k{dep}_{k}"
            kpi: dict[str, Any] = {"id": kid, "name": f"指标{kid}", "unit": "%", "owner": f"dept{dep}"}
            how = draw(st.sampled_from(["purpose", "driver", "problem"]))
            if how == "problem":
                problem = {"id": f"pr{dep}_{k}", "statement": "问题", "holds_back": [f"d{k % n_drivers}"]}
                problems.append(problem)
                kpi["answers"] = [problem["id"]]
            elif how == "driver":
                kpi["serves"] = [f"d{(dep + k) % n_drivers}"]
            else:
                kpi["serves"] = [purposes[draw(st.integers(0, len(purposes) - 1))]["id"]]
            kpis.append(kpi)
            ids.append(kid)
        card(f"dept{dep}", ids)
        if draw(st.booleans()):  # a position whose KPI only cascades to the department's first KPI
            pos = f"pos{dep}"
            positions.append({"id": pos, "name": f"岗位{dep}", "department": f"dept{dep}"})
            kid = f"k{dep}_pos"
            link = draw(st.sampled_from(["aligns", "contributes"]))
            kpis.append({"id": kid, "name": f"指标{kid}", "unit": "%", "owner": pos, "parent": ids[0], "link": link})
            card(pos, [kid])
    # purposes no KPI serves would leave drivers unmeasured: make every purpose served
    for dep, dept in enumerate(departments):
        for purpose in dept["purposes"]:
            if not any(purpose["id"] in k.get("serves", []) for k in kpis):
                owner = next(k for k in kpis if k["owner"] == f"dept{dep}")
                owner.setdefault("serves", []).append(purpose["id"])
    # every driver is measured: the first department's first KPI serves any driver left over
    reached = _reach_of({"departments": departments, "problems": problems, "kpis": kpis, "scorecards": cards})
    missing = [d["id"] for d in drivers if d["id"] not in reached]
    if missing:
        kpis[0].setdefault("serves", []).extend(missing)
    data: dict[str, Any] = {
        "stratmap": 1,
        "organisation": {"id": "org", "name": "集团"},
        "analysis": {"industry": {"summary": "行业"}, "company": {"summary": "企业"}},
        "drivers": drivers,
        "departments": departments,
        "kpis": kpis,
        "scorecards": cards,
    }
    if positions:
        data["positions"] = positions
    if problems:
        data["problems"] = problems
    return data


def _findings(data: dict[str, Any]) -> set[tuple[str, str | None]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "strategy.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = check_strategies(path, ignore=["SM3"])
        assert result.diagnostics == (), result.diagnostics
        [strategy] = result.strategies
        return {(d.code, subject) for d, subject in run_model_rules(strategy).findings}


def _drivers_of(data: dict[str, Any]) -> dict[str, set[str]]:
    """The drivers each KPI traces to: serves (a purpose's drivers, or a driver), answers
    (the drivers its problems hold back), and its parent's, followed up the cascade."""
    purpose = {p["id"]: set(p["serves"]) for d in data["departments"] for p in d["purposes"]}
    problem = {p["id"]: set(p["holds_back"]) for p in data.get("problems", [])}
    by_id = {k["id"]: k for k in data["kpis"]}

    def trace(k: dict[str, Any], seen: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for target in k.get("serves", []):
            out |= purpose.get(target, {target} if target.startswith("d") and target not in by_id else set())
        for answered in k.get("answers", []):
            out |= problem.get(answered, set())
        parent = k.get("parent")
        if parent in by_id and parent not in seen:
            out |= trace(by_id[parent], seen | {k["id"]})
        return out

    return {k["id"]: trace(k, frozenset()) for k in data["kpis"]}


def _reach_of(data: dict[str, Any]) -> set[str]:
    """The drivers some KPI on a scorecard traces to."""
    assessed = {item["kpi"] for card in data["scorecards"] for item in card["items"]}
    traced = _drivers_of(data)
    return set().union(*(traced[k] for k in assessed if k in traced))


@given(cascades(), st.data())
def test_removing_one_link_or_node_fires_exactly_what_follows(data: dict[str, Any], draw: st.DataObject) -> None:
    assert _findings(data) == set()
    driver_ids = {d["id"] for d in data["drivers"]}
    expected: set[tuple[str, str | None]] = set()
    serving = [k for k in data["kpis"] if k.get("serves")]
    answering = [k for k in data["kpis"] if k.get("answers")]
    cascading = [k for k in data["kpis"] if k.get("parent")]
    actions = ["purpose_serves", "scorecard", "key_indicator"]
    actions += ["kpi_serves"] * bool(serving) + ["kpi_answers"] * bool(answering) + ["kpi_parent"] * bool(cascading)
    action = draw.draw(st.sampled_from(actions))
    if action == "kpi_serves":  # one entry of one KPI's serves
        kpi = draw.draw(st.sampled_from(serving))
        kpi["serves"].pop(draw.draw(st.integers(0, len(kpi["serves"]) - 1)))
    elif action == "kpi_answers":  # one entry of one KPI's answers
        kpi = draw.draw(st.sampled_from(answering))
        kpi["answers"].pop(draw.draw(st.integers(0, len(kpi["answers"]) - 1)))
    elif action == "kpi_parent":  # one cascade link
        kpi = draw.draw(st.sampled_from(cascading))
        del kpi["parent"], kpi["link"]
    elif action == "purpose_serves":  # one entry of one purpose's serves (its only one)
        dept = draw.draw(st.sampled_from(data["departments"]))
        purpose = draw.draw(st.sampled_from(dept["purposes"]))
        purpose["serves"] = []
        expected.add(("SM302", purpose["id"]))
    elif action == "scorecard":  # one node
        card = draw.draw(st.sampled_from(data["scorecards"]))
        data["scorecards"].remove(card)
        expected.add(("SM305", card["for"]))
    else:  # the key indicator of one scorecard
        card = draw.draw(st.sampled_from(data["scorecards"]))
        del card["key_indicators"]
        expected.add(("SM307", card["id"]))
    purpose_drivers = {d for dept in data["departments"] for p in dept["purposes"] for d in p["serves"]}
    traced = _drivers_of(data)
    expected |= {("SM304", k) for k, found in traced.items() if not found}
    expected |= {("SM301", d) for d in driver_ids - purpose_drivers}
    expected |= {("SM303", d) for d in driver_ids - _reach_of(data)}
    # a problem is answered while a KPI that some scorecard assesses answers it (no plans here)
    assessed = {item["kpi"] for card in data["scorecards"] for item in card["items"]}
    assessed |= {ki["kpi"] for card in data["scorecards"] for ki in card.get("key_indicators", [])}
    answered = {p for k in data["kpis"] if k["id"] in assessed for p in k.get("answers", [])}
    expected |= {("SM350", p["id"]) for p in data.get("problems", []) if p["id"] not in answered}
    assert _findings(data) == expected
