"""Properties of the evaluation that must hold for any data (Hypothesis)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import stratmap
from stratmap.data import read_data
from stratmap.evaluation import Evaluation, evaluate
from stratmap.model import Strategy
from tests.helpers import EXAMPLES

PERIOD = "2026-03"
# production_monthly: linear, ratio, bands, linear (all higher is better)
PRODUCTION = ("key_contract_rate", "output", "on_time_delivery", "first_grade_rate")


@cache
def manufacturing() -> Strategy:
    return stratmap.load(EXAMPLES / "manufacturing")


amounts = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=50, max_value=100, places=1, allow_nan=False, allow_infinity=False)


def _rows(values: dict[str, Decimal], entity: str = "production") -> list[dict[str, Any]]:
    return [{"entity": entity, "kpi": k, "period": PERIOD, "value": str(v)} for k, v in values.items()]


def _run(actuals: list[dict[str, Any]], events: list[dict[str, Any]] = (), **more: Any) -> Evaluation:  # type: ignore[assignment]
    tables: dict[str, Any] = {"actuals": actuals, "events": list(events), **more}
    return evaluate(manufacturing(), read_data(**tables), period=PERIOD)


production_values = st.fixed_dictionaries(
    {
        "key_contract_rate": percents,
        "output": st.decimals(min_value=0, max_value=20000, places=0, allow_nan=False, allow_infinity=False),
        "on_time_delivery": percents,
        "first_grade_rate": percents,
    }
)


@settings(max_examples=150, deadline=None)
@given(values=production_values, kpi=st.sampled_from(PRODUCTION), more=st.decimals(min_value=0, max_value=50, places=2))
def test_improving_an_actual_never_lowers_the_score(values: dict[str, Decimal], kpi: str, more: Decimal) -> None:
    before = _run(_rows(values)).result("production")
    after = _run(_rows({**values, kpi: values[kpi] + more})).result("production")
    assert before.score is not None and after.score is not None
    assert after.score >= before.score
    i = PRODUCTION.index(kpi)
    assert after.items[i].score >= before.items[i].score  # type: ignore[operator]


@settings(max_examples=100, deadline=None)
@given(values=production_values, base=amounts)
def test_a_fired_veto_always_yields_its_bonus_factor(values: dict[str, Decimal], base: Decimal) -> None:
    ev = _run(_rows(values), bonus_base=[{"entity": "production", "period": PERIOD, "amount": str(base)}])
    r = ev.result("production")
    if values["key_contract_rate"] < 95:  # veto_when: actual < 95, bonus_factor 0
        assert r.vetoes and r.bonus_factor == 0 and r.bonus == 0
    else:
        assert not r.vetoes


@settings(max_examples=100, deadline=None)
@given(values=production_values, count=st.integers(1, 3), amount=st.integers(0, 200), base=amounts)
def test_a_high_voltage_hit_never_raises_a_result(
    values: dict[str, Decimal], count: int, amount: int, base: Decimal
) -> None:
    bonus = [{"entity": "production", "period": PERIOD, "amount": str(base)}]
    clean = _run(_rows(values), bonus_base=bonus).result("production")
    incident = {
        "entity": "production",
        "event": "major_quality_incident",
        "period": PERIOD,
        "count": count,
        "amount": amount,
    }
    hit = _run(_rows(values), [incident], bonus_base=bonus).result("production")
    assert hit.high_voltage
    assert hit.score is not None and clean.score is not None and hit.score <= clean.score
    grades = [b.grade for b in manufacturing().scorecards[0].grading.bands]
    assert grades.index(hit.grade) >= grades.index(clean.grade)  # type: ignore[arg-type]
    assert (hit.bonus or 0) <= (clean.bonus or 0)


reps = st.lists(
    st.tuples(
        st.decimals(min_value=0, max_value=900, places=0),
        st.decimals(min_value=0, max_value=300, places=0),
        st.integers(0, 5),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(team=reps, seed=st.randoms(use_true_random=False))
def test_shuffled_rows_give_byte_identical_json(team: list[tuple[Decimal, Decimal, int]], seed: Any) -> None:
    people = [{"entity": f"{i:05d}", "holds": "sales_rep"} for i in range(len(team))]
    rows = []
    for i, (volume, mix, new) in enumerate(team):
        rows += _rows({"rep_volume": volume, "rep_mix_volume": mix, "rep_new_customers": Decimal(new)}, f"{i:05d}")
    rows.append({"entity": "nobody", "kpi": "rep_volume", "period": PERIOD, "value": "1"})  # a rejected row
    first = json.dumps(_run(rows, people=people).as_dict(), ensure_ascii=False)
    again = json.dumps(_run(rows, people=people).as_dict(), ensure_ascii=False)
    assert first == again
    seed.shuffle(rows)
    seed.shuffle(people)
    shuffled = _run(rows, people=people).as_dict()
    original = json.loads(first)
    # the same results, ranks and figures; only where the rejected row sits (its line) may move
    for doc in (shuffled, original):
        for d in doc["diagnostics"]:
            d.pop("line"), d.pop("path")
    assert json.dumps(shuffled, ensure_ascii=False) == json.dumps(original, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(
    values=st.fixed_dictionaries(
        {
            "sales_volume": st.decimals(min_value=0, max_value=20000, places=0),
            "mix_volume": st.decimals(min_value=0, max_value=6000, places=0),
            "receivables": st.decimals(min_value=0, max_value=12000, places=0),
            "finished_inventory": st.decimals(min_value=0, max_value=12000, places=0),
        }
    ),
    less=st.decimals(min_value=0, max_value=3000, places=0),
)
def test_lowering_a_lower_is_better_actual_never_lowers_the_score(values: dict[str, Decimal], less: Decimal) -> None:
    """receivables is lower-is-better (linear, threshold above target above stretch)."""
    before = _run(_rows(values, "sales")).result("sales")
    lowered = {**values, "receivables": max(Decimal(0), values["receivables"] - less)}
    after = _run(_rows(lowered, "sales")).result("sales")
    assert after.score is not None and before.score is not None and after.score >= before.score
