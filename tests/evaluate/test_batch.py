"""The batch path (columns) gives the one-entity path's published figures, digit for digit."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stratmap
from stratmap.data import read_data
from stratmap.evaluation import EvaluationError, evaluate, evaluate_batch
from stratmap.model import Strategy
from tests.helpers import EXAMPLES

PERIOD = "2026-03"


@cache
def manufacturing(point: str = "line", gap: str = "miss") -> Strategy:
    """The bundled example; ``point="total"`` rounds only each score's total, ``gap`` is the
    production veto's ``missing_period``."""
    if point == "line" and gap == "miss":
        return stratmap.load(EXAMPLES / "manufacturing")
    folder = Path(tempfile.mkdtemp(prefix="stratmap-variant-")) / "manufacturing"
    shutil.copytree(EXAMPLES / "manufacturing", folder)
    root = folder / "strategy.yaml"
    text = root.read_text(encoding="utf-8")
    assert "organisation:\n" in text
    rounding = f"organisation:\n  rounding: {{score: {{places: 2, point: {point}}}}}\n"
    root.write_text(text.replace("organisation:\n", rounding, 1), encoding="utf-8")
    production = folder / "departments" / "production.yaml"
    text = production.read_text(encoding="utf-8")
    veto = '        veto_when: "actual < 95"\n'
    assert text.count(veto) == 1
    production.write_text(text.replace(veto, veto + f"        missing_period: {gap}\n"), encoding="utf-8")
    return stratmap.load(folder)


def _value(kind: str) -> st.SearchStrategy[Decimal | None]:
    scale = {"pct": (50, 110, 2), "big": (0, 20000, 0), "small": (0, 400, 1), "count": (0, 6, 0)}[kind]
    lo, hi, places = scale
    grid = st.integers(lo * 10**places, hi * 10**places).map(lambda k: Decimal(k).scaleb(-places))
    tie = grid.map(lambda d: d + Decimal("0.005"))  # ties at the published places
    # one value in ten is missing: most results are complete, some are not
    return st.integers(0, 9).flatmap(lambda k: st.none() if k == 0 else tie if k < 4 else grid)


CARDS: dict[str, Any] = {
    "production_monthly": {
        "unit": "production",
        "kpis": {"key_contract_rate": "pct", "output": "big", "on_time_delivery": "pct", "first_grade_rate": "pct"},
        "events": ("customer_quality_complaint", "major_quality_incident", "serious_safety_accident"),
    },
    "sales_rep_monthly": {
        "unit": "sales_rep",
        "kpis": {"rep_volume": "small", "rep_mix_volume": "small", "rep_new_customers": "count"},
        "events": (),
    },
    "supply_monthly": {
        "unit": "supply",
        "kpis": {"material_on_time_rate": "pct", "material_fill_rate": "pct", "incoming_pass_rate": "pct"},
        "events": (),
    },
}


@st.composite
def teams(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    card = draw(st.sampled_from(sorted(CARDS)))
    spec = CARDS[card]
    size = draw(st.integers(1, 12)) if spec["unit"] == "sales_rep" else 1
    people = []
    for i in range(size):
        row: dict[str, Any] = {"entity": f"{i:05d}" if size > 1 else spec["unit"]}
        for kpi, kind in spec["kpis"].items():
            row[kpi] = draw(_value(kind))
            row[f"{kpi}@prev"] = draw(_value(kind))
            row[f"{kpi}@prev2"] = draw(_value(kind))  # with @prev missing: a gap the escalation counts through
        for event in spec["events"]:
            row[event] = draw(st.integers(0, 3))
            row[f"{event}$"] = draw(st.integers(0, 120)) if row[event] else 0  # no events, no amount
        row["base"] = draw(st.one_of(st.none(), st.integers(0, 9000).map(Decimal)))
        people.append(row)
    return card, people


def _scalar(card: str, team: list[dict[str, Any]], point: str = "line", gap: str = "miss") -> dict[str, Any]:
    spec = CARDS[card]
    actuals, events, bases = [], [], []
    for row in team:
        for kpi in spec["kpis"]:
            for period, key in ((PERIOD, kpi), ("2026-02", f"{kpi}@prev"), ("2026-01", f"{kpi}@prev2")):
                if row[key] is not None:
                    actuals.append({"entity": row["entity"], "kpi": kpi, "period": period, "value": str(row[key])})
        for event in spec["events"]:
            if row[event]:
                events.append(
                    {
                        "entity": row["entity"],
                        "event": event,
                        "period": PERIOD,
                        "count": row[event],
                        "amount": row[f"{event}$"],
                    }
                )
        if row["base"] is not None:
            bases.append({"entity": row["entity"], "period": PERIOD, "amount": str(row["base"])})
    people = [{"entity": r["entity"], "holds": spec["unit"]} for r in team if r["entity"] != spec["unit"]]
    data = read_data(actuals=actuals, events=events, bonus_base=bases, people=people)
    ev = evaluate(manufacturing(point, gap), data, period=PERIOD)
    return {r.entity: r for r in ev.results if r.scorecard == card}


def _column(team: list[dict[str, Any]], key: str) -> Any:
    return np.array([np.nan if r[key] is None else float(r[key]) for r in team])


@settings(max_examples=120, deadline=None)
@given(drawn=teams(), point=st.sampled_from(("line", "line", "total")), gap=st.sampled_from(("miss", "break", "error")))
def test_batch_and_scalar_paths_publish_the_same_figures(
    drawn: tuple[str, list[dict[str, Any]]], point: str, gap: str
) -> None:
    card, team = drawn
    spec = CARDS[card]
    scalar = _scalar(card, team, point, gap)
    batch = evaluate_batch(
        manufacturing(point, gap),
        card,
        period=PERIOD,
        entities=[r["entity"] for r in team],
        actuals={kpi: _column(team, kpi) for kpi in spec["kpis"]},
        events={e: _column(team, e) for e in spec["events"]},
        event_amounts={e: _column(team, f"{e}$") for e in spec["events"]},
        bonus_base=_column(team, "base"),
        history={
            "2026-02": {kpi: _column(team, f"{kpi}@prev") for kpi in spec["kpis"]},
            "2026-01": {kpi: _column(team, f"{kpi}@prev2") for kpi in spec["kpis"]},
        },
    )
    for i, row in enumerate(team):
        r = scalar.get(row["entity"])
        if r is None:  # nothing reported: the one-entity path has no result at all
            assert not batch.complete[i]
            continue
        assert batch.decimal("score", i) == r.score, (row, r.explanation())
        assert bool(batch.complete[i]) == (r.status == "complete")
        assert (batch.grade[i], int(batch.rank[i]) or None) == (r.grade, r.rank)
        assert bool(batch.vetoed[i]) == bool(r.vetoes)
        # the run of vetoed periods, counted through a gap (missing_period: miss) as in the one-entity path
        assert int(batch.consecutive[i]) == max((v.consecutive for v in r.vetoes), default=0)
        assert batch.decimal("bonus_factor", i) == r.bonus_factor
        assert batch.decimal("bonus", i) == r.bonus


def test_batch_rows_and_errors() -> None:
    result = evaluate_batch(
        manufacturing(),
        "supply_monthly",
        period=PERIOD,
        entities=["supply"],
        actuals={"material_on_time_rate": [95.5], "material_fill_rate": [99.1], "incoming_pass_rate": [98.8]},
        bonus_base=[15000],
    )
    assert result.rows() == [
        {
            "entity": "supply",
            "scorecard": "supply_monthly",
            "period": PERIOD,
            "tier": "short_term",
            "status": "complete",
            "score": "97.34",
            "grade": "A",
            "rank": 1,
            "vetoed": False,
            "consecutive": 0,
            "high_voltage": False,
            "bonus_factor": "1",
            "bonus": "15000.00",
        }
    ]
    with pytest.raises(EvaluationError):
        evaluate_batch(manufacturing(), "supply_monthly", period="2026", entities=["x"], actuals={})
    with pytest.raises(EvaluationError):
        evaluate_batch(manufacturing(), "nope", period=PERIOD, entities=["x"], actuals={})
    with pytest.raises(EvaluationError):
        evaluate_batch(
            manufacturing(), "supply_monthly", period=PERIOD, entities=["x"], actuals={"material_fill_rate": [1, 2]}
        )


@pytest.mark.parametrize("card", ["production_monthly", "sales_rep_monthly", "supply_monthly", "sales_monthly"])
def test_the_bundled_example_gives_the_same_figures_in_both_paths(card: str) -> None:
    folder = EXAMPLES / "manufacturing" / "data"
    data = read_data(
        actuals=folder / "actuals.csv",
        events=folder / "events.csv",
        bonus_base=folder / "bonus_base.csv",
        people=folder / "people.csv",
    )
    scalar = [r for r in evaluate(manufacturing(), data, period=PERIOD).results if r.scorecard == card]
    entities = [r.entity for r in scalar]
    cells = {(a.entity, a.kpi, a.period): float(a.value) for a in data.actuals.rows}
    kpis = {a.kpi for a in data.actuals.rows}

    def column(period: str, kpi: str) -> Any:
        return np.array([cells.get((e, kpi, period), np.nan) for e in entities])

    counts: dict[str, list[float]] = {}
    amounts: dict[str, list[float]] = {}
    for event in data.events.rows:
        counts.setdefault(event.event, [0.0] * len(entities))
        amounts.setdefault(event.event, [0.0] * len(entities))
        if event.entity in entities:
            counts[event.event][entities.index(event.entity)] += float(event.count)
            amounts[event.event][entities.index(event.entity)] += float(event.amount)
    bases = {b.entity: float(b.amount) for b in data.bonus_base.rows}
    batch = evaluate_batch(
        manufacturing(),
        card,
        period=PERIOD,
        entities=entities,
        actuals={k: column(PERIOD, k) for k in kpis},
        events=counts,
        event_amounts=amounts,
        bonus_base=[bases.get(e, np.nan) for e in entities],
        history={p: {k: column(p, k) for k in kpis} for p in ("2026-02", "2026-01")},
    )
    for i, r in enumerate(scalar):
        assert batch.decimal("score", i) == r.score
        assert (batch.grade[i], int(batch.rank[i])) == (r.grade, r.rank)
        assert bool(batch.vetoed[i]) == bool(r.vetoes)
        assert bool(batch.high_voltage[i]) == any("lowest_grade" in h.outcome for h in r.high_voltage)
        assert batch.decimal("bonus_factor", i) == r.bonus_factor
        assert batch.decimal("bonus", i) == r.bonus


def test_chunks_and_threads_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from stratmap.evaluation import _columns

    rng = np.random.default_rng(5)
    n = 50
    entities = [f"{i:05d}" for i in range(n)][::-1]  # not in order: the general ranking
    actuals = {
        "rep_volume": np.round(rng.uniform(300, 700, n), 2),
        "rep_mix_volume": np.round(rng.uniform(80, 220, n), 2),
        "rep_new_customers": rng.integers(0, 5, n).astype(float),
    }
    history = {"2026-02": {"rep_mix_volume": np.round(rng.uniform(80, 220, n), 2)}}

    def run() -> Any:
        return evaluate_batch(
            manufacturing(),
            "sales_rep_monthly",
            period=PERIOD,
            entities=entities,
            actuals=actuals,
            bonus_base=np.full(n, 4999.5),
            history=history,
        ).rows()

    whole = run()
    monkeypatch.setattr(_columns, "CHUNK", 7)
    assert run() == whole
    monkeypatch.setattr(_columns, "CHUNK", 1)
    assert run() == whole


@settings(max_examples=60, deadline=None)
@given(
    team=st.lists(
        st.tuples(_value("big"), _value("big"), _value("count")).filter(lambda t: None not in t),
        min_size=1,
        max_size=25,
    )
)
def test_enforced_distribution_agrees_in_both_paths(team: list[tuple[Any, Any, Any]]) -> None:
    """sales_rep_annual enforces A <= 20%, B <= 40%, D >= 5%: grades move by rank in both paths."""
    ids = [f"{i:05d}" for i in range(len(team))]
    rows = []
    for e, (volume, mix, new) in zip(ids, team, strict=True):
        for kpi, value in (("rep_volume", volume / 2), ("rep_mix_volume", mix / 10), ("rep_new_customers", new * 5)):
            rows.append({"entity": e, "kpi": kpi, "period": "2026", "value": str(value)})
    data = read_data(actuals=rows, people=[{"entity": e, "holds": "sales_rep"} for e in ids])
    scalar = {r.entity: r for r in evaluate(manufacturing(), data, period="2026", tier="annual").results}
    columns = {
        kpi: np.array([float(v) for v in values])
        for kpi, values in (
            ("rep_volume", [t[0] / 2 for t in team]),
            ("rep_mix_volume", [t[1] / 10 for t in team]),
            ("rep_new_customers", [t[2] * 5 for t in team]),
        )
    }
    batch = evaluate_batch(manufacturing(), "sales_rep_annual", period="2026", entities=ids, actuals=columns)
    for i, e in enumerate(ids):
        r = scalar[e]
        assert (batch.decimal("score", i), batch.grade[i], int(batch.rank[i])) == (r.score, r.grade, r.rank)
        assert batch.decimal("bonus_factor", i) == r.bonus_factor


def test_the_batch_path_refuses_what_the_one_entity_path_refuses() -> None:
    good = {"material_on_time_rate": [95.0], "material_fill_rate": [99.0], "incoming_pass_rate": [98.0]}
    for base in ([-1.0], [float("inf")]):
        with pytest.raises(EvaluationError, match="a base is a finite amount of 0 or more"):
            evaluate_batch(
                manufacturing(), "supply_monthly", period=PERIOD, entities=["x"], actuals=good, bonus_base=base
            )
    with pytest.raises(EvaluationError, match="unknown KPIs: material_fil"):
        evaluate_batch(
            manufacturing(), "supply_monthly", period=PERIOD, entities=["x"], actuals={"material_fil": [1.0]}
        )
    result = evaluate_batch(manufacturing(), "supply_monthly", period=PERIOD, entities=["x"], actuals=good,
                            bonus_base=[float("nan")])  # fmt: skip
    assert len(result) == 1  # NaN: no base given, as before


def test_a_period_left_out_of_the_history_is_a_gap_not_the_end_of_the_run() -> None:
    cells = {"key_contract_rate": [93.0], "output": [10800.0], "on_time_delivery": [96.2], "first_grade_rate": [96.5]}
    args: dict[str, Any] = {"period": PERIOD, "entities": ["production"], "actuals": cells}
    without = evaluate_batch(
        manufacturing(), "production_monthly", history={"2026-01": {"key_contract_rate": [94.0]}}, **args
    )
    nan = {"2026-02": {"key_contract_rate": [np.nan]}, "2026-01": {"key_contract_rate": [94.0]}}
    given = evaluate_batch(manufacturing(), "production_monthly", history=nan, **args)
    assert int(without.consecutive[0]) == int(given.consecutive[0]) == 3  # missing_period: miss


def test_a_derived_column_is_checked_against_its_inputs_or_refused(tmp_path: Path) -> None:
    from tests.evaluate.test_measures import load

    s = load(tmp_path)
    cols = {"fb_profit": [200.0, np.nan], "fb_sales": [1000.0, np.nan], "fb_volume": [1000.0, 1000.0]}
    with pytest.raises(EvaluationError, match=r"actuals\['fb_margin'\] row 1 \(fb\) is 25.0, but"):
        evaluate_batch(s, "fb_q", period="2026Q1", entities=["fb", "x"], actuals={**cols, "fb_margin": [25.0, 30.0]})
    agreeing = evaluate_batch(s, "fb_q", period="2026Q1", entities=["fb", "x"],
                              actuals={**cols, "fb_margin": [20.0, 30.0]})  # fmt: skip
    computed = evaluate_batch(s, "fb_q", period="2026Q1", entities=["fb", "x"],
                              actuals={**cols, "fb_margin": [np.nan, 30.0]})  # fmt: skip
    assert agreeing.decimal("score", 0) == computed.decimal("score", 0)  # the inputs decide; row 2 falls back
    assert agreeing.decimal("score", 1) == computed.decimal("score", 1) is not None
    (tmp_path / "r").mkdir()
    refusing = load(tmp_path / "r", lambda d: d["kpis"][2].update(reported="refuse"))
    with pytest.raises(EvaluationError, match="refuses reported values"):
        evaluate_batch(refusing, "fb_q", period="2026Q1", entities=["fb"], actuals={"fb_margin": [20.0]})


def test_the_batch_path_refuses_fractional_ids_and_unknown_event_types() -> None:
    cells = {"material_on_time_rate": [95.5], "material_fill_rate": [99.1], "incoming_pass_rate": [97.2]}
    for bad in (np.array([0.5]), np.array([12.0]), [True], [Decimal("1.5")]):
        with pytest.raises(EvaluationError, match=r"entities row 1 is .*: an entity id is text or an integer"):
            evaluate_batch(manufacturing(), "supply_monthly", period=PERIOD, entities=bad, actuals=cells)  # type: ignore[arg-type]
    whole = evaluate_batch(manufacturing(), "supply_monthly", period=PERIOD, entities=np.array([123]), actuals=cells)
    assert str(whole.entities[0]) == "123"
    with pytest.raises(EvaluationError, match="unknown event types: typo"):
        evaluate_batch(manufacturing(), "supply_monthly", period=PERIOD, entities=["supply"], actuals=cells,
                       events={"typo": [1.0]})  # fmt: skip


def test_an_escalation_that_cannot_be_counted_is_unpaid_in_both_paths() -> None:
    strategy = manufacturing("line", "error")
    cells = {"key_contract_rate": [93.0], "output": [10800.0], "on_time_delivery": [96.2], "first_grade_rate": [96.5]}
    batch = evaluate_batch(strategy, "production_monthly", period=PERIOD, entities=["production"], actuals=cells,
                           history={"2026-01": {"key_contract_rate": [94.0]}}, bonus_base=[20000.0])  # fmt: skip
    rows = [{"entity": "production", "kpi": k, "period": PERIOD, "value": str(v[0])} for k, v in cells.items()]
    rows.append({"entity": "production", "kpi": "key_contract_rate", "period": "2026-01", "value": "94"})
    bases = [{"entity": "production", "period": PERIOD, "amount": "20000"}]
    scalar = evaluate(strategy, read_data(actuals=rows, bonus_base=bases), period=PERIOD).result("production")
    assert scalar.status == "incomplete" and scalar.bonus is None
    assert not batch.complete[0] and batch.decimal("bonus", 0) is None and batch.decimal("bonus_factor", 0) is None
