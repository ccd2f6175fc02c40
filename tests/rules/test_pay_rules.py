"""SM32x: models that would pay wrongly do not validate; sound variants of each stay clean."""

from __future__ import annotations

import copy
from collections.abc import Callable
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
    "kpis": [
        {"id": "volume", "name": "销售量", "unit": "吨", "owner": "sales", "serves": ["grow"]},
        {
            "id": "cost",
            "name": "成本",
            "unit": "元",
            "owner": "sales",
            "serves": ["grow"],
            "direction": "lower_is_better",
        },
    ],
    "scorecards": [
        {
            "id": "sales_m",
            "for": "sales",
            "tier": "short_term",
            "frequency": "monthly",
            "items": [
                {
                    "kpi": "volume",
                    "weight": 60,
                    "target": 100,
                    "threshold": 80,
                    "stretch": 120,
                    "scoring": {"policy": "linear"},
                },
                {
                    "kpi": "cost",
                    "weight": 40,
                    "target": 100,
                    "threshold": 120,
                    "stretch": 90,
                    "scoring": {"policy": "linear"},
                },
            ],
            "key_indicators": [{"id": "v1", "kpi": "volume", "veto_when": "actual < threshold"}],
            "bonus": "by_grade",
        },
    ],
    "bonus_rules": [
        {
            "id": "by_grade",
            "by": "grade",
            "table": [
                {"grade": "A", "factor": 1.5},
                {"grade": "B", "factor": 1.2},
                {"grade": "C", "factor": 1},
                {"grade": "D", "factor": 0},
            ],
        },
        {
            "id": "by_score",
            "by": "score",
            "table": [{"min": 110, "factor": 1.2}, {"min": 95, "factor": 1}, {"min": 0, "factor": 0}],
        },
    ],
}

Edit = Callable[[dict[str, Any]], object]


def _card(data: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = data["scorecards"][0]
    return card


def _item(data: dict[str, Any], n: int = 0) -> dict[str, Any]:
    item: dict[str, Any] = _card(data)["items"][n]
    return item


def run_on(tmp_path: Path, edit: Edit | None = None) -> list[Diagnostic]:
    data = copy.deepcopy(BASE)
    if edit is not None:
        edit(data)
    path = tmp_path / "strategy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return check(path)


def codes(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]


def test_the_base_is_clean(tmp_path: Path) -> None:
    assert run_on(tmp_path) == []


def _grading(*bands: dict[str, Any]) -> Edit:
    return lambda d: _card(d).update(grading={"bands": list(bands)})


def _bonus_table(index: int, *rows: dict[str, Any]) -> Edit:
    return lambda d: d["bonus_rules"][index].update(table=list(rows))


@pytest.mark.parametrize(
    ("edit", "expected", "text"),
    [
        # grade bands listed worst first: everyone is graded D
        (
            _grading({"grade": "D"}, {"grade": "C", "min": 60}, {"grade": "B", "min": 75}, {"grade": "A", "min": 90}),
            ["SM320", "SM320", "SM320"],
            "never given",
        ),
        (
            _grading({"grade": "A", "min": 75}, {"grade": "B", "min": 90}, {"grade": "C", "min": 60}, {"grade": "D"}),
            ["SM320"],
            "B (min 90) comes after A (min 75)",
        ),
        (
            _grading(
                {"grade": "A", "min": 90},
                {"grade": "B", "min": 75},
                {"grade": "C", "min": 60},
                {"grade": "D", "min": 40},
            ),
            ["SM320"],
            "every score below it",
        ),
        # an ascending by-score table pays everyone the first row's factor
        (
            _bonus_table(1, {"min": 0, "factor": 0}, {"min": 95, "factor": 1}, {"min": 110, "factor": 1.2}),
            ["SM320", "SM320"],
            "never given",
        ),
        (_bonus_table(1, {"min": 110, "factor": 1.2}, {"factor": 1}), ["SM320"], "no 'min'"),
    ],
)
def test_tables_out_of_order(tmp_path: Path, edit: Edit, expected: list[str], text: str) -> None:
    found = run_on(tmp_path, edit)
    assert codes(found) == expected
    assert text in found[0].message("en")


def test_duplicate_grade_labels(tmp_path: Path) -> None:
    found = run_on(
        tmp_path,
        _grading({"grade": "A", "min": 90}, {"grade": "A", "min": 75}, {"grade": "C", "min": 60}, {"grade": "D"}),
    )
    assert "SM321" in codes(found)
    found = run_on(
        tmp_path,
        _bonus_table(
            0,
            {"grade": "A", "factor": 1.5},
            {"grade": "A", "factor": 1},
            {"grade": "B", "factor": 1},
            {"grade": "C", "factor": 1},
            {"grade": "D", "factor": 0},
        ),
    )
    assert codes(found) == ["SM321"]
    assert "appears twice in bonus rule by_grade" in found[0].message("en")


@pytest.mark.parametrize(
    ("quotas", "text"),
    [
        ([{"grade": "A", "min": 60}, {"grade": "D", "min": 50}], "add up to 110%"),
        ([{"grade": "A", "min": 30, "max": 20}], "at least 30% and at most 20%"),
        ([{"grade": "S", "max": 10}], "not a grade of this scorecard"),
        ([{"grade": "A", "max": 10}, {"grade": "A", "min": 5}], "second quota"),
        ([{"grade": g, "max": 20} for g in "ABCD"], "add up to 80%, less than 100%"),
    ],
)
def test_contradictory_quotas(tmp_path: Path, quotas: list[dict[str, Any]], text: str) -> None:
    found = run_on(tmp_path, lambda d: _card(d).update(distribution={"mode": "enforce", "quotas": quotas}))
    assert codes(found) == ["SM322"]
    assert text in found[0].message("en")


def test_quotas_that_fit_are_clean(tmp_path: Path) -> None:
    quotas = [{"grade": "A", "max": 20, "min": 5}, {"grade": "D", "min": 5}]
    assert run_on(tmp_path, lambda d: _card(d).update(distribution={"quotas": quotas})) == []


def test_by_grade_table_missing_a_grade_or_naming_an_unknown_one(tmp_path: Path) -> None:
    found = run_on(
        tmp_path,
        _bonus_table(0, {"grade": "A", "factor": 1.5}, {"grade": "B", "factor": 1.2}, {"grade": "C", "factor": 1}),
    )
    assert codes(found) == ["SM323"]
    assert "no row for grade D of scorecard sales_m" in found[0].message("en")
    assert found[0].location.path == ("scorecards", 0, "bonus")
    found = run_on(tmp_path, _bonus_table(0, *BASE["bonus_rules"][0]["table"], {"grade": "S", "factor": 2}))
    assert codes(found) == ["SM323"] and "grade S is not a grade" in found[0].message("en")


def test_a_bonus_rule_with_neither_table_nor_formula(tmp_path: Path) -> None:
    found = run_on(tmp_path, lambda d: d["bonus_rules"][1].pop("table"))
    assert codes(found) == ["SM323"] and "neither a 'table' nor a 'formula'" in found[0].message("en")


@pytest.mark.parametrize(
    ("n", "changes", "text"),
    [
        (0, {"threshold": 110}, "threshold 110 is above the target 100"),
        (0, {"stretch": 90, "threshold": 70}, "stretch 90 is below the target 100"),
        # a lower-is-better KPI with higher-is-better anchors
        (1, {"threshold": 80, "stretch": 120}, "threshold 80 is below the target 100"),
        (0, {"targets": {"2026-03": 130}}, "target for 2026-03)"),
    ],
)
def test_linear_anchors_out_of_order(tmp_path: Path, n: int, changes: dict[str, Any], text: str) -> None:
    found = run_on(tmp_path, lambda d: _item(d, n).update(changes))
    assert "SM324" in codes(found) and set(codes(found)) == {"SM324"}
    assert any(text in d.message("en") for d in found), [d.message("en") for d in found]


def test_a_revision_that_puts_anchors_out_of_order(tmp_path: Path) -> None:
    revision = {
        "id": "r1",
        "scorecard": "sales_m",
        "kpi": "volume",
        "field": "target",
        "value": 70,
        "effective": "2026-04",
        "reason": "市场下滑",
        "approved_by": "总经理",
    }
    found = run_on(tmp_path, lambda d: d.update(revisions=[revision]))
    assert codes(found) == ["SM324"]
    assert "as revised by r1 from 2026-04" in found[0].message("en")
    assert found[0].location.path == ("revisions", 0, "value")


def test_cap_below_floor(tmp_path: Path) -> None:
    found = run_on(tmp_path, lambda d: _item(d).update(scoring={"policy": "ratio", "cap": 50, "floor": 60}))
    assert codes(found) == ["SM324"] and "cap 50 is below the floor 60" in found[0].message("en")


@pytest.mark.parametrize(
    ("edit", "text"),
    [
        (lambda d: _item(d).update(scoring={"policy": "closeness", "tolerance": 5}), "'closeness' scores distance"),
        (
            lambda d: (
                d["kpis"][0].update(direction="closer_is_better"),
                _card(d)["key_indicators"][0].update(veto_when="actual < 50"),
            ),
            "closer-is-better; use 'closeness'",
        ),
        (
            lambda d: _item(d).update(scoring={"policy": "linear", "scores": {"threshold": 100, "target": 80}}),
            "do not rise with the result",
        ),
        (
            lambda d: _item(d).update(scoring={"policy": "goal", "met": 0, "not_met": 100}),
            "meeting the goal scores less",
        ),
    ],
)
def test_scoring_that_contradicts_the_direction(tmp_path: Path, edit: Edit, text: str) -> None:
    def apply(d: dict[str, Any]) -> None:
        edit(d)
        for item in _card(d)["items"]:
            for key in [k for k, v in item.items() if v is None]:
                del item[key]

    found = run_on(tmp_path, apply)
    assert codes(found) == ["SM325"], [d.message("en") for d in found]
    assert text in found[0].message("en")


def test_a_veto_reading_an_absent_anchor(tmp_path: Path) -> None:
    def ratio(d: dict[str, Any]) -> dict[str, Any]:  # scored on the target alone: no threshold needed
        item = _item(d)
        item.pop("threshold"), item.pop("stretch"), item.pop("scoring")
        return item

    found = run_on(tmp_path, ratio)
    assert codes(found) == ["SM326"]
    assert "reads 'threshold', but the item volume has no threshold" in found[0].message("en")
    # a KPI that is not an item of the card has no anchors at all
    margin = {"id": "margin", "name": "毛利", "unit": "%", "owner": "sales", "serves": ["grow"]}
    found = run_on(
        tmp_path,
        lambda d: (
            d["kpis"].append(margin),
            _card(d)["key_indicators"][0].update(kpi="margin", veto_when="actual < target"),
        ),
    )
    assert codes(found) == ["SM326"]
    assert "margin is not an item of sales_m, so it has no target" in found[0].message("en")
    # a revision that sets the threshold gives it one
    revision = {
        "id": "r1",
        "scorecard": "sales_m",
        "kpi": "volume",
        "field": "threshold",
        "value": 80,
        "effective": "2026-01",
        "reason": "补充门槛",
        "approved_by": "总经理",
    }
    assert run_on(tmp_path, lambda d: (ratio(d), d.update(revisions=[revision]))) == []


def test_a_veto_on_a_kpi_reported_less_often_than_the_card(tmp_path: Path) -> None:
    found = run_on(tmp_path, lambda d: d["kpis"][0].update(frequency="yearly"))
    assert codes(found) == ["SM327"]
    assert "reported yearly, but sales_m is assessed monthly" in found[0].message("en")
    assert (
        run_on(tmp_path, lambda d: (d["kpis"][0].update(frequency="quarterly"), _card(d).update(frequency="quarterly")))
        == []
    )


def test_revisions_that_change_nothing_or_break_the_weight_total(tmp_path: Path) -> None:
    def rev(rid: str, kpi: str, field: str, value: int) -> dict[str, Any]:
        return {
            "id": rid,
            "scorecard": "sales_m",
            "kpi": kpi,
            "field": field,
            "value": value,
            "effective": "2026Q2",
            "reason": "调整",
            "approved_by": "总经理",
        }

    d_kpi = {"id": "margin", "name": "毛利", "unit": "%", "owner": "sales", "serves": ["grow"]}
    found = run_on(
        tmp_path, lambda d: (d["kpis"].append(d_kpi), d.update(revisions=[rev("r1", "margin", "target", 5)]))
    )
    assert codes(found) == ["SM328"] and "margin is not an item of scorecard sales_m" in found[0].message("en")
    found = run_on(tmp_path, lambda d: d.update(revisions=[rev("r1", "volume", "weight", 70)]))
    assert codes(found) == ["SM328"] and "from 2026Q2 the weights of sales_m total 110" in found[0].message("en")
    both = [rev("r1", "volume", "weight", 70), rev("r2", "cost", "weight", 30)]
    assert run_on(tmp_path, lambda d: d.update(revisions=both)) == []


def test_targets_keyed_by_a_period_the_card_does_not_use(tmp_path: Path) -> None:
    found = run_on(tmp_path, lambda d: _item(d).update(targets={"2026Q1": 100}))
    assert codes(found) == ["SM329"]
    assert "for a quarterly period, but sales_m is assessed monthly" in found[0].message("en")
    assert run_on(tmp_path, lambda d: _item(d).update(targets={"2026-03": 100})) == []


def test_a_problem_answered_only_by_unassessed_kpis_is_unanswered(tmp_path: Path) -> None:
    problem = {"id": "slow", "statement": "交付慢", "holds_back": ["share"], "status": "open"}
    kpi = {
        "id": "lead",
        "name": "交付周期",
        "unit": "天",
        "owner": "sales",
        "answers": ["slow"],
        "direction": "lower_is_better",
    }

    def add(d: dict[str, Any]) -> None:
        d.update(problems=[problem])
        d["kpis"].append(kpi)

    found = run_on(tmp_path, add)
    assert "SM350" in codes(found)
    assert "lead" in next(d for d in found if d.code == "SM350").message("en")

    def assessed(d: dict[str, Any]) -> None:
        add(d)
        _card(d)["items"][1]["weight"] = 30
        _card(d)["items"].append({"kpi": "lead", "weight": 10, "target": 5})

    assert "SM350" not in codes(run_on(tmp_path, assessed))


def test_a_kpi_name_in_a_derived_formula_suggests_its_id(tmp_path: Path) -> None:
    derived = {
        "id": "half",
        "name": "半量",
        "unit": "吨",
        "owner": "sales",
        "serves": ["grow"],
        "formula": "销售量 / 2",
    }
    found = run_on(tmp_path, lambda d: d["kpis"].append(derived))
    [syntax] = [d for d in found if d.code == "SM401"]
    assert "'销售量' is the name of KPI 'volume'; a formula names it by its id: write volume" in syntax.message("en")
    assert "请写 volume" in syntax.message("zh")


def test_a_comma_in_an_unquoted_flow_value_says_to_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "strategy.yaml"
    text = yaml.safe_dump(BASE, allow_unicode=True, sort_keys=False)
    text = text.replace(
        "  bonus: by_grade\n",
        "  bonus: by_grade\n  rank_rules:\n  - {rank: top, percent: 10, action: reward, note: 年度优秀,优先晋升}\n",
    )
    path.write_text(text, encoding="utf-8")
    found = check(path)
    assert [d.code for d in found] == ["SM115"]
    assert found[0].hint("en").startswith('Quote the whole value: note: "年度优秀,优先晋升"')
    # a key with a value of its own is a key of its own
    path.write_text(text.replace("note: 年度优秀,优先晋升}", "note: 年度优秀, 优先晋升: 1}"), encoding="utf-8")
    assert [d.code for d in check(path)] == ["SM121"]


def test_bonus_rules_that_pay_a_better_result_less(tmp_path: Path) -> None:
    found = run_on(
        tmp_path, _bonus_table(1, {"min": 110, "factor": 0.1}, {"min": 95, "factor": 1}, {"min": 0, "factor": 0})
    )
    assert codes(found) == ["SM320"] and "a better score is paid less" in found[0].message("en")
    found = run_on(
        tmp_path,
        _bonus_table(0, *({**r, "factor": 2} if r["grade"] == "B" else r for r in BASE["bonus_rules"][0]["table"])),
    )
    assert codes(found) == ["SM320"] and "grade A pays a factor of 1.5, less than the 2 of grade B" in found[0].message(
        "en"
    )


def test_a_by_score_table_without_a_bottom_row(tmp_path: Path) -> None:
    found = run_on(tmp_path, _bonus_table(1, {"min": 110, "factor": 1.2}, {"min": 60, "factor": 1}))
    assert codes(found) == ["SM323"] and "pays scores below 60" in found[0].message("en")


def test_bands_and_formulas_against_the_direction(tmp_path: Path) -> None:
    bands = [{"to": 95, "score": 120}, {"from": 95, "score": 100}]
    found = run_on(tmp_path, lambda d: _item(d).update(scoring={"policy": "bands", "bands": bands}))
    assert codes(found) == ["SM325"] and "a better result scores lower" in found[0].message("en")
    formula = {"policy": "formula", "formula": "100 + (target - actual) * 5"}
    found = run_on(tmp_path, lambda d: _item(d).update(scoring=formula))
    assert codes(found) == ["SM325"] and "the formula scores" in found[0].message("en")
    capped = {"policy": "formula", "formula": "max(0, min(110, 100 - (target - actual) * 5))"}
    assert run_on(tmp_path, lambda d: _item(d).update(scoring=capped)) == []


def test_a_revision_to_the_value_in_force_changes_nothing(tmp_path: Path) -> None:
    revision = {
        "id": "r1", "scorecard": "sales_m", "kpi": "volume", "field": "target", "value": 100,
        "effective": "2026Q2", "reason": "确认", "approved_by": "总经理",
    }  # fmt: skip
    found = run_on(tmp_path, lambda d: d.update(revisions=[revision]))
    assert codes(found) == ["SM328"] and "is 100 already before 2026Q2" in found[0].message("en")


def _major(*actions: str) -> Edit:
    line = {"id": "hvl", "name": "虚报", "event": "fraud", "outcome": [{"action": a} for a in actions]}
    card = {"id": "sales_major", "for": "sales", "tier": "major_responsibility", "frequency": "yearly",
            "high_voltage_lines": [line]}  # fmt: skip
    return lambda d: d["scorecards"].append(card)


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (("forfeit_period_bonus", "lowest_grade", "zero_score", "investigate"), []),  # sales_m has a bonus
        (("forfeit_annual_bonus",), ["no annual bonus to forfeit: sales has no annual scorecard with a bonus rule"]),
    ],
)
def test_a_line_outcome_acts_on_what_the_unit_has(
    tmp_path: Path, actions: tuple[str, ...], expected: list[str]
) -> None:
    found = run_on(tmp_path, _major(*actions))
    assert [d.message("en").split(" has ", 1)[1] for d in found if d.code == "SM330"] == expected
    assert set(codes(found)) <= {"SM330"}


def test_a_line_outcome_without_a_bonus_or_a_score_to_act_on(tmp_path: Path) -> None:
    def no_bonus(d: dict[str, Any]) -> None:
        _card(d).pop("bonus")
        _major("forfeit_period_bonus", "cap_score")(d)
        d["scorecards"][1]["high_voltage_lines"][0]["outcome"][1]["cap"] = 60

    found = run_on(tmp_path, no_bonus)
    assert [d.code for d in found if d.code == "SM330"] == ["SM330"]
    assert "'forfeit_period_bonus' has no bonus to forfeit: no scorecard of sales has a bonus rule" in found[0].message(
        "en"
    )


def test_an_escalation_outcome_that_an_escalation_does_not_carry_out(tmp_path: Path) -> None:
    def escalate(*actions: str) -> Edit:
        step = {"consecutive": 3, "bonus_factor": 0, "outcome": [{"action": a} for a in actions]}
        return lambda d: _card(d)["key_indicators"][0].update(escalation=[step])

    assert run_on(tmp_path, escalate("lowest_grade", "investigate")) == []
    found = run_on(tmp_path, escalate("investigate", "forfeit_period_bonus"))
    assert codes(found) == ["SM330"]
    assert found[0].location.line > 0 and "is not carried out by an escalation" in found[0].message("en")
