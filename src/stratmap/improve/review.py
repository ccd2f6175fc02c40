"""The monthly review (月度述职): per entity, actuals against targets and plans, gaps, what went well.

Built on the evaluation: each KPI's result for the period, ranked by what its gap costs the
score (points lost against a full target score, weighted by the item's share); the plans
for the entity's KPIs; the actions past due at the period's end; and the gap rule of the
4232 model's improvement loop: a KPI below its threshold needs an improvement action with an
owner and a due date and a root-cause (5-Why) chain recorded for the period (SM364).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stratmap.data import Dataset, Person
from stratmap.diagnostics import Diagnostic
from stratmap.evaluation import Evaluation, ItemResult, Result, TierName, evaluate, say
from stratmap.model import Strategy
from stratmap.model.types import Plan
from stratmap.periods import Period, parse_period
from stratmap.rules import check_results
from stratmap.rules.registry import Gap

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class KpiLine:
    """One KPI of the entity's scorecard in the period."""

    kpi: str
    name: str
    unit: str | None
    actual: Decimal | str | None
    target: Decimal | None
    threshold: Decimal | None
    score: Decimal | None
    share: Decimal | None
    points_lost: Decimal  # weighted points below a full target score (0 when at or above target)
    below_threshold: bool
    plans: tuple[str, ...]


@dataclass(frozen=True)
class OverdueAction:
    plan: str
    kpi: str
    what: str
    owner: str | None
    due: datetime.date


@dataclass(frozen=True)
class EntityReview:
    entity: str
    name: str | None  # the person's or unit's name, when known
    scorecard: str
    score: Decimal | None
    grade: str | None
    lines: tuple[KpiLine, ...]
    gaps: tuple[KpiLine, ...]  # below target, biggest weighted effect first
    went_well: tuple[KpiLine, ...]  # at or above target
    overdue: tuple[OverdueAction, ...]
    findings: tuple[Diagnostic, ...]  # SM364 for this entity
    gates: tuple[str, ...] = ()  # deductions, vetoes and high-voltage lines of the period, in words


@dataclass(frozen=True)
class Review:
    period: str
    entities: tuple[EntityReview, ...]
    evaluation: Evaluation
    #: units assessed in the period that the data does not mention at all (each item: SM510)
    no_data: tuple[str, ...] = ()
    no_data_findings: tuple[Diagnostic, ...] = ()

    @property
    def findings(self) -> tuple[Diagnostic, ...]:
        return (*(d for e in self.entities for d in e.findings), *self.no_data_findings)

    def as_dict(self) -> dict[str, Any]:
        def num(x: Decimal | None) -> str | None:
            return None if x is None else str(x)

        def line(k: KpiLine) -> dict[str, Any]:
            return {
                "kpi": k.kpi,
                "name": k.name,
                "unit": k.unit,
                "actual": k.actual if isinstance(k.actual, str) else num(k.actual),
                "target": num(k.target),
                "threshold": num(k.threshold),
                "score": num(k.score),
                "share": num(k.share),
                "points_lost": num(k.points_lost),
                "below_threshold": k.below_threshold,
                "plans": list(k.plans),
            }

        return {
            "period": self.period,
            "entities": [
                {
                    "entity": e.entity,
                    "name": e.name,
                    "scorecard": e.scorecard,
                    "gates": list(e.gates),
                    "score": num(e.score),
                    "grade": e.grade,
                    "kpis": [line(k) for k in e.lines],
                    "gaps": [k.kpi for k in e.gaps],
                    "went_well": [k.kpi for k in e.went_well],
                    "overdue_actions": [
                        {"plan": a.plan, "kpi": a.kpi, "what": a.what, "owner": a.owner, "due": a.due.isoformat()}
                        for a in e.overdue
                    ],
                    "findings": [
                        {"code": d.code, "message": d.message(), "location": str(d.location)} for d in e.findings
                    ],
                }
                for e in self.entities
            ],
            "no_data": list(self.no_data),
        }


def _end(period: Period) -> datetime.date:
    """The last day of the period."""
    year, month = period.year + period.last // 12, period.last % 12 + 1
    return datetime.date(year, month, 1) - datetime.timedelta(days=1)


def _covers(plan: Plan, period: Period) -> bool:
    p = parse_period(plan.period)
    return p is not None and p.contains(period)


def _below(item: ItemResult, direction: str) -> bool:
    if not isinstance(item.actual, Decimal) or item.threshold is None:
        return False
    if direction == "lower_is_better":
        return item.actual > item.threshold
    return item.actual < item.threshold


def review(strategy: Strategy, data: Dataset, *, period: str, tier: TierName = "short_term") -> Review:
    """The material for the period's review meeting, for every entity the data names."""
    evaluation = evaluate(strategy, data, period=period, tier=tier)
    p = parse_period(period)
    assert p is not None  # evaluate() has checked it
    end = _end(p)
    kpis = {k.id: k for k in strategy.kpis}
    names: dict[str, str] = {d.id: d.name for d in strategy.departments}
    names.update({p.id: p.name for p in strategy.positions})
    names.update({row.entity: row.name for row in data.people.rows if isinstance(row, Person) and row.name})
    reviewed = [r for r in evaluation.results if r.tier != "major_responsibility"]
    gaps = [gap for r in reviewed for gap in _gaps(r, p, kpis)]
    findings: dict[str, list[Diagnostic]] = {}
    for found in check_results(strategy, gaps):  # the review's gap rule (SM364)
        findings.setdefault(found.arguments["entity"], []).append(found)
    entities = [
        _entity(strategy, r, p, end, kpis, names.get(r.entity), tuple(findings.get(r.entity, ()))) for r in reviewed
    ]
    # a department assessed in the period that the data never mentions is said, not skipped
    seen = {r.entity for r in evaluation.results}
    no_data: list[str] = []
    silent: list[Diagnostic] = []
    kind = p.kind
    for card in strategy.scorecards:
        if card.tier != tier or card.frequency != kind or card.entity in seen or card.entity not in names:
            continue
        if not any(d.id == card.entity for d in strategy.departments):
            continue  # a position's holders are people: only the data can name them
        no_data.append(card.entity)
        silent.extend(
            Diagnostic.make(
                "SM510", item.where.node, entity=card.entity, kpi=item.kpi, period=p.text, policy=item.missing
            )
            for item in card.items
        )
    return Review(p.text, tuple(entities), evaluation, tuple(dict.fromkeys(no_data)), tuple(silent))


def _entity(
    strategy: Strategy,
    result: Result,
    period: Period,
    end: datetime.date,
    kpis: Mapping[str, Any],
    name: str | None,
    findings: tuple[Diagnostic, ...],
) -> EntityReview:
    plans = [pl for pl in strategy.plans if pl.entity == result.unit and _covers(pl, period)]
    by_kpi: dict[str, list[Plan]] = {}
    for pl in plans:
        by_kpi.setdefault(pl.kpi, []).append(pl)
    lines: list[KpiLine] = []
    total_weight = sum((i.weight for i in result.items), Decimal(0)) or Decimal(1)
    for item in result.items:
        kpi = kpis[item.kpi]
        # the share counted in the score; for an incomplete card, the declared weight's share
        share = item.share if item.share is not None else (item.weight / total_weight * HUNDRED).normalize()
        lost = Decimal(0)
        if item.score is not None and share is not None and item.score < HUNDRED:
            lost = ((HUNDRED - item.score) * share / HUNDRED).quantize(Decimal("0.01"))
        below = _below(item, kpi.direction)
        line = KpiLine(
            item.kpi,
            kpi.name,
            kpi.unit,
            item.actual,
            item.target,
            item.threshold,
            item.score,
            share,
            lost,
            below,
            tuple(pl.id for pl in by_kpi.get(item.kpi, [])),
        )
        lines.append(line)
    gaps = sorted((k for k in lines if k.points_lost > 0), key=lambda k: (-k.points_lost, k.kpi))
    went_well = [k for k in lines if k.score is not None and k.score >= HUNDRED]
    overdue = [
        OverdueAction(pl.id, pl.kpi, a.what, a.owner, a.due)
        for pl in strategy.plans
        if pl.entity == result.unit
        for a in pl.actions
        if a.status == "open" and a.due is not None and a.due <= end
    ]
    gates = (
        [say("review_deductions", points=sum((d.applied for d in result.deductions), Decimal(0)))]
        if result.deductions
        else []
    )
    for v in result.vetoes:
        run = "" if v.consecutive == 1 else say("review_run", n=v.consecutive)
        gates.append(say("review_veto", id=v.id, reason=v.reason, factor=v.bonus_factor, run=run))
    gates += [say("review_line", id=h.id, name=h.name, outcome=h.as_dict()["outcome"]) for h in result.high_voltage]
    return EntityReview(
        result.entity,
        name,
        result.scorecard,
        result.score,
        result.grade,
        tuple(lines),
        tuple(gaps),
        tuple(went_well),
        tuple(overdue),
        findings,
        tuple(gates),
    )


def _gaps(result: Result, period: Period, kpis: Mapping[str, Any]) -> list[Gap]:
    """The result's KPIs short of their threshold, for the review's gap rule."""
    return [
        Gap(result.entity, result.unit, result.scorecard, i.kpi, period, i.actual, i.threshold)
        for i in result.items
        if _below(i, kpis[i.kpi].direction) and isinstance(i.actual, Decimal) and i.threshold is not None
    ]
