"""Golden tests: hand-computed expectations for each policy and each gate."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import stratmap
from stratmap.data import read_data
from stratmap.evaluation import Evaluation, EvaluationError, ItemResult, evaluate
from stratmap.model import Strategy
from stratmap.report.results import render_explanation
from tests.helpers import EXAMPLES

D = Decimal


@cache
def strategy(name: str) -> Strategy:
    return stratmap.load(EXAMPLES / name)


def run(name: str, period: str, tier: Any = "short_term", **tables: Any) -> Evaluation:
    return evaluate(strategy(name), read_data(**tables), period=period, tier=tier)


def actuals(entity: str, period: str, **values: Any) -> list[dict[str, Any]]:
    return [{"entity": entity, "kpi": k, "period": period, "value": str(v)} for k, v in values.items()]


def with_rounding(tmp_path: Path, rounding: str) -> Path:
    """A copy of the manufacturing example whose organisation declares ``rounding`` (YAML)."""
    import shutil

    folder = tmp_path / "m"
    shutil.copytree(EXAMPLES / "manufacturing", folder)
    root = folder / "strategy.yaml"
    text = root.read_text(encoding="utf-8")
    assert "organisation:\n" in text
    root.write_text(text.replace("organisation:\n", f"organisation:\n  rounding: {rounding}\n", 1), encoding="utf-8")
    return folder


CR = {
    "cust_satisfaction": 92,
    "cust_loyalty": 42,
    "complaint_response_rate": 93,
    "customer_growth": 16,
    "churn_rate": 5,
}
CR_RATINGS = [
    {
        "entity": "customer_relations",
        "kpi": "aftersales_feedback",
        "period": "2026Q1",
        "rater": "customer",
        "rating": "B",
    },
    {
        "entity": "customer_relations",
        "kpi": "aftersales_feedback",
        "period": "2026Q1",
        "rater": "superior",
        "rating": "A",
    },
]


def test_seed_customer_management_scorecard_30_25_20_15_5_5() -> None:
    ev = run("customer_service", "2026Q1", actuals=actuals("customer_relations", "2026Q1", **CR), ratings=CR_RATINGS)
    r = ev.result("customer_relations")
    items = {i.kpi: i for i in r.items}
    # ratio 92/90 = 102.222.. -> 102.22, x 30% = 30.67 (rounded per line, half up)
    assert (items["cust_satisfaction"].score, items["cust_satisfaction"].contribution) == (D("102.22"), D("30.67"))
    # linear between target 40 (100) and stretch 45 (120): 100 + 2/5 x 20 = 108 -> 27.00
    assert (items["cust_loyalty"].score, items["cust_loyalty"].contribution) == (D("108.00"), D("27.00"))
    # rating: 60% customer B (80) + 40% superior A (100) = 88 -> 17.60
    assert (items["aftersales_feedback"].score, items["aftersales_feedback"].contribution) == (D("88.00"), D("17.60"))
    # bands: 93 in [90, 95) -> 80 -> 12.00
    assert items["complaint_response_rate"].contribution == D("12.00")
    # goal: 16 >= 15 -> 100 -> 5.00
    assert items["customer_growth"].contribution == D("5.00")
    # linear, lower is better: 5 between target 6 (100) and stretch 4 (120) -> 110 -> 5.50
    assert (items["churn_rate"].score, items["churn_rate"].contribution) == (D("110.00"), D("5.50"))
    assert r.score == D("97.77") == sum(i.contribution for i in r.items)  # type: ignore[misc]
    assert r.grade == "A" and r.vetoes == ()
    # bonus formula: 0 if score < 60 else min(1.3, score / 100)
    assert r.bonus_factor == D("0.9777")


def test_revision_changes_the_target_from_its_effective_period() -> None:
    values = {**CR, "customer_growth": 10}
    before = run("customer_service", "2026Q2", actuals=actuals("customer_relations", "2026Q2", **values))
    after = run("customer_service", "2026Q3", actuals=actuals("customer_relations", "2026Q3", **values))

    def growth(ev: Evaluation) -> ItemResult:
        return next(i for i in ev.result("customer_relations").items if i.kpi == "customer_growth")

    assert (growth(before).target, growth(before).score) == (D(15), D("0.00"))  # goal not met: not_met 0
    assert (growth(after).target, growth(after).score) == (D(8), D("100.00"))
    assert growth(before).revision is None
    note = growth(after).revision
    assert note is not None and note.startswith("target 15 -> 8 from 2026Q3 (rev_customer_growth: 家电以旧换新补贴退坡")
    assert "revision" in growth(after).as_dict()


def test_rated_item_without_ratings_fails_the_result() -> None:
    ev = run("customer_service", "2026Q1", actuals=actuals("customer_relations", "2026Q1", **CR))
    r = ev.result("customer_relations")
    assert r.status == "incomplete" and r.score is None and r.missing == ("aftersales_feedback",)
    assert [d.code for d in ev.diagnostics] == ["SM510"]


MFG = EXAMPLES / "manufacturing" / "data"


def manufacturing(**extra: Any) -> Evaluation:
    tables = {
        "actuals": MFG / "actuals.csv",
        "events": MFG / "events.csv",
        "bonus_base": MFG / "bonus_base.csv",
        "people": MFG / "people.csv",
    }
    tables.update(extra)
    return run("manufacturing", "2026-03", **tables)


def test_manufacturing_example_exercises_every_gate() -> None:
    ev = manufacturing()
    p = ev.result("production")
    # items: linear 93 between threshold 90 (60) and target 98 (100) = 75; ratio 10800/10500 = 102.86;
    # band [95, 98) = 100; linear 96.5 between target 95 (100) and stretch 98 (120) = 110
    assert [i.score for i in p.items] == [D("75.00"), D("102.86"), D("100.00"), D("110.00")]
    assert p.base_score == D("96.07")  # 22.50 + 20.57 + 20.00 + 33.00
    assert p.deductions[0].applied == 4 and p.score == D("92.07")  # 2 complaints x 2 points
    assert p.high_voltage[0].id == "hvl_major_quality_incident" and p.grade == "D"  # lowest grade forced
    assert p.vetoes[0].consecutive == 3  # January, February, March below 95
    assert "investigate:ki_key_contract_rate" in p.flags  # escalation after 3 in a row
    assert (p.bonus_factor, p.bonus) == (D(0), D("0.00"))
    assert [g.step for g in p.gates] == [
        "deductions",
        "escalation",
        "grade",
        "lowest_grade",
        "bonus_rule",
        "veto",
        "bonus",
    ]
    rep = ev.result("00125")
    assert rep.vetoes and rep.bonus == D("0.00")  # 110 < 0.8 x 150
    top = ev.result("00123")
    assert (top.rank, top.bonus_factor, top.bonus) == (1, D("1.2"), D("6000.00"))
    assert [d.code for d in ev.diagnostics] == ["SM520"]  # 4 of 5 reps graded A, at most 20%
    assert ev.rows["actuals"].read == ev.rows["actuals"].used + ev.rows["actuals"].outside + ev.rows["actuals"].rejected


def test_bad_rows_are_rejected_and_the_rest_evaluated() -> None:
    rows = [
        *actuals("sales", "2026-03", sales_volume=10400, mix_volume=2900, receivables=6500, finished_inventory=6150),
        {"entity": "sales", "kpi": "sales_volum", "period": "2026-03", "value": "1"},  # unknown KPI
        {"entity": "nobody", "kpi": "sales_volume", "period": "2026-03", "value": "1"},  # unknown entity
        {"entity": "sales", "kpi": "sales_volume", "period": "2026-03", "value": "2"},  # duplicate
        {"entity": "sales", "kpi": "sales_volume", "period": "2026Q1", "value": "2"},  # not a monthly period
    ]
    ev = run("manufacturing", "2026-03", actuals=rows)
    found = [d for d in ev.diagnostics if d.code != "SM517"]  # the other holders, without data (below)
    assert [d.code for d in found] == ["SM504", "SM505", "SM506", "SM507"]
    assert "did you mean 'sales_volume'" in found[0].message()
    no_data = sorted(r.entity for r in ev.results if r.status == "no_data")
    assert no_data == ["production", "sales_rep", "supply"]  # every holder of a card is listed
    assert sorted(d.arguments["entity"] for d in ev.diagnostics if d.code == "SM517") == no_data
    assert ev.result("sales").score == D("99.53")
    c = ev.rows["actuals"]
    assert (c.read, c.used, c.outside, c.rejected) == (8, 4, 0, 4)


def test_missing_zero_and_skip_policies() -> None:
    # finished_inventory is declared missing: zero in sales_monthly
    ev = run(
        "manufacturing",
        "2026-03",
        actuals=actuals("sales", "2026-03", sales_volume=10000, mix_volume=3000, receivables=7000),
    )
    r = ev.result("sales")
    assert r.status == "complete" and r.missing == ("finished_inventory",)
    assert next(i for i in r.items if i.kpi == "finished_inventory").score == D(0)


@pytest.mark.parametrize(
    ("period", "tier"), [("2026-13", "short_term"), ("2026", "short_term"), ("2026-03", "annual"), ("x", "annual")]
)
def test_bad_requests(period: str, tier: Any) -> None:
    with pytest.raises(EvaluationError):
        run("manufacturing", period, tier)


def test_annual_tier_aggregates_the_months_and_grades_by_table() -> None:
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    rows = []
    for m in months:
        rows += actuals("supply", m, material_on_time_rate=97, material_fill_rate=98, incoming_pass_rate=98.5)
    rows += actuals("supply", "2026", supplier_audit_done="yes")
    ev = run("manufacturing", "2026", "annual", actuals=rows)
    r = ev.result("supply")
    assert r.score == D("100.00") and r.grade == "A" and r.bonus_factor == D("1.5")


def test_unscorable_rating_is_reported() -> None:
    ratings = [dict(r, rating="E") if r["rater"] == "superior" else r for r in CR_RATINGS]
    ev = run("customer_service", "2026Q1", actuals=actuals("customer_relations", "2026Q1", **CR), ratings=ratings)
    assert [d.code for d in ev.diagnostics] == ["SM511"]
    assert "'E' is not on the scale" in ev.diagnostics[0].message()
    assert ev.result("customer_relations").status == "incomplete"


def test_results_as_dataframes() -> None:
    pd = pytest.importorskip("pandas")
    ev = manufacturing()
    df = ev.to_frame()
    assert isinstance(df, pd.DataFrame) and len(df) == len(ev.results)
    assert df.loc[df.entity == "production", "score"].item() == D("92.07")  # a number, exact
    assert list(df.columns) == list(ev.result_rows()[0]) and list(df.columns)[-1] == "bonus_missing"
    assert df["score"].sum() == sum((r.score for r in ev.results if r.score is not None), D(0))
    assert str(df["rank"].dtype) == "Int64"
    from stratmap.report.results import render_csv

    assert render_csv(ev).splitlines()[0].lstrip("\ufeff").split(",") == list(df.columns)  # the CSV's columns
    pl = pytest.importorskip("polars")
    frame = ev.to_frame("polars")
    assert frame.height == len(ev.results) and frame.schema["score"] == pl.Decimal(38, 2)
    assert frame["bonus"].sum() == sum((r.bonus for r in ev.results if r.bonus is not None), D(0))
    with pytest.raises(ValueError, match="library"):
        ev.to_frame("excel")


def test_unused_rows_are_reported() -> None:
    rows = [
        *actuals("sales", "2026-03", sales_volume=10400, mix_volume=2900, receivables=6500, finished_inventory=6150),
        {"entity": "sales", "kpi": "output", "period": "2026-03", "value": "100"},  # on no scorecard of sales
        {"entity": "sales", "kpi": "sales_volume", "period": "2026-02", "value": "9000"},  # another month
    ]
    ev = run("manufacturing", "2026-03", actuals=rows)
    assert [(d.code, d.severity.value) for d in ev.diagnostics if d.code != "SM517"] == [("SM509", "info")]
    c = ev.rows["actuals"]
    assert (c.read, c.used, c.unused, c.outside, c.rejected) == (6, 4, 1, 1, 0)


def test_several_peers_and_unknown_roles() -> None:
    ratings = [
        *CR_RATINGS[:1],
        {
            "entity": "customer_relations",
            "kpi": "aftersales_feedback",
            "period": "2026Q1",
            "rater": "superior",
            "rating": "A",
            "rater_id": "mgr1",
        },
        {
            "entity": "customer_relations",
            "kpi": "aftersales_feedback",
            "period": "2026Q1",
            "rater": "superior",
            "rating": "C",
            "rater_id": "mgr2",
        },
        {
            "entity": "customer_relations",
            "kpi": "aftersales_feedback",
            "period": "2026Q1",
            "rater": "boss",
            "rating": "A",
        },
    ]
    ev = run("customer_service", "2026Q1", actuals=actuals("customer_relations", "2026Q1", **CR), ratings=ratings)
    assert [d.code for d in ev.diagnostics] == ["SM504"]  # 'boss' is not a declared rater role
    item = next(i for i in ev.result("customer_relations").items if i.kpi == "aftersales_feedback")
    assert item.score == D("80.00")  # 60% customer B (80) + 40% mean of superiors A (100) and C (60)


def test_money_rounded_on_the_total(tmp_path: Path) -> None:
    folder = with_rounding(tmp_path, "{money: {places: 2, point: total}}")
    bases = [{"entity": f"{i:05d}", "period": "2026-03", "amount": "3333.335"} for i in range(3)]
    people = [{"entity": f"{i:05d}", "holds": "sales_rep"} for i in range(3)]
    rows = []
    for i in range(3):
        rows += actuals(f"{i:05d}", "2026-03", rep_volume="531.7", rep_mix_volume=170, rep_new_customers=2)
    ev = evaluate(stratmap.load(folder), read_data(actuals=rows, people=people, bonus_base=bases), period="2026-03")
    lines = [r.bonus for r in ev.results if r.bonus is not None]
    assert len(lines) == 3
    assert all(int(b.as_tuple().exponent) < -2 for b in lines)  # the lines keep every digit
    total = sum(lines, D(0)).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert ev.bonus_totals["sales_rep_monthly"] == total == D("10000.01")  # rounded once, half up


def test_formula_ratio_bands_linear_and_closeness_by_hand() -> None:
    ev = run(
        "manufacturing",
        "2026-03",
        actuals=[
            *actuals(
                "supply", "2026-03", material_on_time_rate="95.5", material_fill_rate="99.1", incoming_pass_rate="97.2"
            ),
            *actuals(
                "sales", "2026-03", sales_volume=10400, mix_volume=2900, receivables=6500, finished_inventory=6700
            ),
        ],
    )
    supply = {i.kpi: i for i in ev.result("supply").items}
    assert supply["material_on_time_rate"].score == D("92.50")  # formula: 100 - (97 - 95.5) x 5
    assert supply["material_fill_rate"].score == D("101.12")  # ratio: 99.1 / 98 x 100 = 101.122..
    assert supply["incoming_pass_rate"].score == D("85.00")  # band [97, 98.5)
    # 37.00 + 30.34 + 25.50
    assert ev.result("supply").score == D("92.84")
    sales = {i.kpi: i for i in ev.result("sales").items}
    assert sales["mix_volume"].score == D("93.33")  # linear: 60 + (2900 - 2400) / (3000 - 2400) x 40
    assert sales["receivables"].score == D("106.67")  # lower is better: 100 + (6500 - 7000) / (5500 - 7000) x 20
    assert sales["finished_inventory"].score == D("96.00")  # closeness: 100 - 0.02 x (700 - 500)


def test_yes_no_answers_count_as_used() -> None:
    folder = EXAMPLES / "bank" / "data"
    ev = run("bank", "2026Q1", actuals=folder / "actuals.csv", people=folder / "people.csv")
    assert not [d for d in ev.diagnostics if d.code == "SM509"]  # 是 was "fed no result"
    c = ev.rows["actuals"]
    assert c.used == c.read and c.unused == 0


def test_a_cap_that_changes_nothing_says_so() -> None:
    folder = EXAMPLES / "bank" / "data"
    rows = [
        r if not r.startswith("strategic_clients,sc_npl_ratio,") else "strategic_clients,sc_npl_ratio,2026Q1,3.5"
        for r in (folder / "actuals.csv").read_text(encoding="utf-8").splitlines()
    ]
    header = rows[0].split(",")
    table = [dict(zip(header, r.split(","), strict=True)) for r in rows[1:]]
    ev = run("bank", "2026Q1", actuals=table, people=folder / "people.csv", events=folder / "events.csv")
    gates = [g for g in ev.result("strategic_clients").gates if g.source == "hvl_npl_breach"]
    assert [g.effect for g in gates] == ["no change: the score is at or below the cap of 60"]
    assert gates[0].before == gates[0].after  # the compliance line had already set it to 0


def test_an_enforced_minimum_that_cannot_be_met_is_reported_not_applied(tmp_path: Path) -> None:
    import yaml

    base = EXAMPLES / "manufacturing"
    import shutil

    shutil.copytree(base, tmp_path / "m")
    sales = tmp_path / "m" / "departments" / "sales.yaml"
    data = yaml.safe_load(sales.read_text(encoding="utf-8"))
    card = next(c for c in data["scorecards"] if c["id"] == "sales_rep_monthly")
    card["distribution"] = {"mode": "enforce", "quotas": [{"grade": "C", "min": 100}]}
    sales.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    folder = base / "data"
    before = {r.entity: r.grade for r in run("manufacturing", "2026-03", actuals=folder / "actuals.csv",
                                             people=folder / "people.csv").results}  # fmt: skip
    ev = evaluate(
        stratmap.load(tmp_path / "m"),
        read_data(actuals=folder / "actuals.csv", people=folder / "people.csv"),
        period="2026-03",
    )
    [said] = [d for d in ev.diagnostics if d.code == "SM520"]
    assert "it cannot be met: 5 more are needed and only 4 hold a better grade" in said.message("en")
    assert {r.entity: r.grade for r in ev.results} == before  # nobody moved through a wrapped slice


def test_no_negative_zero_is_published() -> None:
    from stratmap.evaluation._numbers import publish_factor, quantize
    from stratmap.model.types import Rounding

    assert str(quantize(D("-0.001"), Rounding())) == "0.00"
    assert str(publish_factor(D("-0.00001"))) == "0"


def test_a_veto_names_its_indicator_kpi_actual_and_bound() -> None:
    folder = EXAMPLES / "bank" / "data"
    ev = run("bank", "2026Q1", actuals=folder / "actuals.csv", people=folder / "people.csv")
    [veto] = ev.result("M2005").vetoes
    assert veto.reason == (
        "key indicator ki_am_deposits (管户日均存款不足目标85%时否决当季绩效工资) on am_deposits: "
        "actual 15.5, actual < 0.85 * target with target 20"
    )


def _gap_run(tmp_path: Path, policy: str | None) -> Evaluation:
    import shutil

    import yaml

    shutil.copytree(EXAMPLES / "manufacturing", tmp_path / policy_name(policy))
    folder = tmp_path / policy_name(policy)
    prod = folder / "departments" / "production.yaml"
    data = yaml.safe_load(prod.read_text(encoding="utf-8"))
    card = next(c for c in data["scorecards"] if c["id"] == "production_monthly")
    if policy is not None:
        card["key_indicators"][0]["missing_period"] = policy
    prod.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rows = (EXAMPLES / "manufacturing" / "data" / "actuals.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    table = [dict(zip(header, r.split(","), strict=True)) for r in rows[1:] if "key_contract_rate,2026-02" not in r]
    return evaluate(stratmap.load(folder), read_data(actuals=table), period="2026-03")


def policy_name(policy: str | None) -> str:
    return policy or "default"


def test_a_skipped_report_does_not_reset_escalation(tmp_path: Path) -> None:
    ev = _gap_run(tmp_path, None)  # missing_period: miss, the default
    p = ev.result("production")
    [veto] = p.vetoes
    assert veto.consecutive == 3 and "investigate:ki_key_contract_rate" in p.flags
    assert veto.streak == "2026-01 (actual 94), 2026-02 (not reported: counted as a miss), 2026-03 (actual 93)"
    assert ev.rows["actuals"].unused == 0
    broken = _gap_run(tmp_path, "break").result("production")
    assert broken.vetoes[0].consecutive == 1 and "investigate:ki_key_contract_rate" not in broken.flags
    errors = _gap_run(tmp_path, "error")
    [gap] = [d for d in errors.diagnostics if d.code == "SM519"]
    assert "has no actual of key_contract_rate in 2026-02" in gap.message("en")


def test_escalation_gaps_agree_in_both_paths(tmp_path: Path) -> None:
    import numpy as np

    from stratmap.evaluation import evaluate_batch

    for policy in (None, "break"):
        ev = _gap_run(tmp_path / f"b{policy_name(policy)}", policy)
        scalar = ev.result("production")
        strategy = stratmap.load(tmp_path / f"b{policy_name(policy)}" / policy_name(policy))
        cells = {r.kpi: float(r.value) for r in read_data(actuals=EXAMPLES / "manufacturing" / "data" / "actuals.csv")
                 .actuals.rows if r.entity == "production" and r.period == "2026-03"}  # fmt: skip
        batch = evaluate_batch(
            strategy,
            "production_monthly",
            period="2026-03",
            entities=["production"],
            actuals={k: np.array([v]) for k, v in cells.items()},
            history={
                "2026-02": {"key_contract_rate": np.array([np.nan])},
                "2026-01": {"key_contract_rate": np.array([94.0])},
            },
        )
        assert batch.decimal("bonus_factor", 0) == scalar.bonus_factor


def test_deductions_and_bonus_rules_show_what_they_read() -> None:
    p = manufacturing().result("production")
    [deduction] = [g for g in p.gates if g.step == "deductions"]
    assert "customer_quality_complaint x" in deduction.reason and " at 2 = " in deduction.reason
    [rule] = [g for g in p.gates if g.step == "bonus_rule"]
    assert rule.reason == f"by score: the published score {p.score}"  # mfg_monthly_bonus is by score


def test_a_result_explains_itself_as_text_in_english_and_chinese() -> None:
    p = manufacturing().result("production")
    en, zh = render_explanation(p), render_explanation(p, "zh")
    assert en.startswith("production on production_monthly for 2026-03 (short_term): complete\n")
    assert "weighted sum: " in en and f"score {p.score}, grade {p.grade}" in en
    assert zh.startswith("production 在 production_monthly 上的 2026-03(短期)结果:完整\n")
    assert "扣分 [deductions] 扣 4 分 (96.07 -> 92.07):customer_quality_complaint 2 次,每次 2 分 = 4" in zh
    assert "加权合计: " in zh and f"得分 {p.score},等级 {p.grade}" in zh


def test_point_total_rounds_only_the_total(tmp_path: Path) -> None:
    folder = with_rounding(tmp_path, "{score: {places: 2, point: total}}")
    values = {"key_contract_rate": 96, "output": 10800, "on_time_delivery": "96.2", "first_grade_rate": "96.5"}
    rows = actuals("production", "2026-03", **values)
    total = evaluate(stratmap.load(folder), read_data(actuals=rows), period="2026-03").result("production")
    line = run("manufacturing", "2026-03", actuals=rows).result("production")
    output_total = next(i for i in total.items if i.kpi == "output")
    output_line = next(i for i in line.items if i.kpi == "output")
    assert output_line.score == D("102.86")  # 10800 / 10500 x 100 at the published places
    assert output_total.score == D("102.8571428571")  # kept at the working places, not rounded first
    exact = sum(
        (i.score * i.weight / sum((j.weight for j in total.items), D(0)) for i in total.items if i.score is not None),
        D(0),
    )
    assert total.score == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert line.score == sum((i.contribution for i in line.items if i.contribution is not None), D(0))


def test_values_beyond_exact_arithmetic_are_refused_never_double_rounded() -> None:
    from decimal import localcontext

    wide = "10000.49999999999999999999999999"  # 31 significant digits: 28-digit Decimal would round it
    for value in (wide, D(wide)):
        rows = actuals("production", "2026-03", output=value)
        ev = run("manufacturing", "2026-03", actuals=rows)
        [refused] = [d for d in ev.diagnostics if d.code == "SM503"]
        assert "more than 12 decimal places" in refused.message("en")
        assert next(i for i in ev.result("production").items if i.kpi == "output").status == "missing"
    # at the bound, the score is the exact one: 10000.499999999999 / 10500 x 100 at 2 places
    exact = "10000.499999999999"
    item = next(
        i
        for i in run("manufacturing", "2026-03", actuals=actuals("production", "2026-03", output=exact))
        .result("production")
        .items
        if i.kpi == "output"
    )
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (D(exact) / 10500 * 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert item.score == expected == D("95.24")


def test_no_blank_where_a_figure_is_missing_and_no_gate_that_changes_nothing() -> None:
    # an incomplete result says why it has no bonus; its explanation prints '-', never blanks
    ev = run("manufacturing", "2026-03", actuals=actuals("production", "2026-03", output=10800))
    p = ev.result("production")
    assert p.status == "incomplete" and p.bonus is None
    assert p.bonus_missing == "no score to pay on: the result is incomplete"
    assert "score -, grade -, rank -, bonus factor -, bonus missing" in render_explanation(p)
    assert "weighted sum: -" in render_explanation(p)
    # every scorecard has a bonus total at the money places, also when it leaves everyone out
    assert all(int(t.as_tuple().exponent) == -2 for t in ev.bonus_totals.values())
    assert ev.bonus_totals["production_monthly"] == D("0.00")


def test_a_forfeit_of_a_factor_already_0_changes_nothing() -> None:
    data = EXAMPLES / "bank" / "data"
    tables = {t: data / f"{t}.csv" for t in ("actuals", "events", "people")}
    ev = run("bank", "2026", tier="annual", **tables)
    [p] = [r for r in ev.results if r.scorecard == "scd_annual"]
    [forfeit] = [g for g in p.gates if g.step == "forfeit"]  # the grade's factor is 0 already
    assert forfeit.effect == "no change: the bonus factor is already 0" and p.bonus_factor == 0


def test_point_total_never_prints_an_exponent(tmp_path: Path) -> None:
    folder = with_rounding(tmp_path, "{score: {places: 2, point: total}}")
    rows = actuals("production", "2026-03", key_contract_rate=50, output=0, on_time_delivery="96.2",
                   first_grade_rate="96.5")  # fmt: skip
    p = evaluate(stratmap.load(folder), read_data(actuals=rows), period="2026-03").result("production")
    assert "E-" not in render_explanation(p) and "E-" not in str(p.explanation())
    assert next(i for i in p.items if i.kpi == "output").score == 0


def test_an_escalation_that_cannot_be_counted_leaves_the_result_unpaid(tmp_path: Path) -> None:
    ev = _gap_run(tmp_path, "error")
    p = ev.result("production")
    assert p.status == "incomplete" and p.bonus is None
    assert "cannot be counted: no actual of key_contract_rate in 2026-02 (missing_period: error)" in (
        p.bonus_missing or ""
    )


def test_a_veto_on_a_factor_already_0_changes_nothing() -> None:
    r = manufacturing().result("00125")
    [veto] = [g for g in r.gates if g.step == "veto"]
    assert veto.effect == "no change: the bonus factor is already 0" and (veto.before, veto.after) == ("0", "0")
