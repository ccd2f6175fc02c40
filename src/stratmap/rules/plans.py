"""SM361-SM365: plans and target revisions, the improvement loop's records.

An action without an owner or a due date is a SMART gap (SM315, in ``cascade.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from stratmap.graph import item_key
from stratmap.i18n import Text
from stratmap.model.types import Plan
from stratmap.periods import parse_period
from stratmap.rules.registry import Context, Finding, Gap, Results


def overdue_action(ctx: Context) -> Iterator[Finding]:
    """An open action whose due date has passed (only with an as-of date: see ``validate --as-of``)."""
    if ctx.as_of is None:
        return
    for plan in ctx.strategy.plans:
        for i, action in enumerate(plan.actions):
            if action.status == "open" and action.due is not None and action.due < ctx.as_of:
                yield Finding(
                    plan.where.at("actions", i, "due"),
                    plan.id,
                    {
                        "plan": plan.id,
                        "what": action.what,
                        "owner": action.owner or "-",
                        "due": action.due.isoformat(),
                        "as_of": ctx.as_of.isoformat(),
                    },
                )


def revision_without_reason_or_approver(ctx: Context) -> Iterator[Finding]:
    """A target revision that says neither why nor who approved it."""
    for rev in ctx.strategy.revisions:
        missing = [name for name, value in (("reason", rev.reason), ("approved_by", rev.approved_by)) if not value]
        if missing:
            yield Finding(rev.where.at("id"), rev.id, {"revision": rev.id, "missing": " and ".join(missing)})


def revision_of_a_closed_period(ctx: Context) -> Iterator[Finding]:
    """A revision decided after a month it applies to had ended: it rewrites a closed period.

    A revision applies from the first month of its effective period, so one effective from
    2026Q3 decided in September changes July and August, which had closed.
    """
    for rev in ctx.strategy.revisions:
        start = parse_period(rev.effective)
        if rev.date is None or start is None:
            continue
        year, month = (start.year + 1, 1) if start.first == 12 else (start.year, start.first + 1)
        closed = datetime.date(year, month, 1)  # the first month applied to has ended
        if rev.date >= closed:
            yield Finding(
                rev.where.at("date"),
                rev.id,
                {"revision": rev.id, "effective": rev.effective, "date": rev.date.isoformat()},
            )


def plan_for_unassessed_kpi(ctx: Context) -> Iterator[Finding]:
    """A plan for a KPI that no scorecard of the plan's department or position holds: the
    monthly review has no target to follow it against, and nobody is paid on it."""
    planned = {plan.entity for plan in ctx.strategy.plans}
    if not planned:
        return
    assessed: dict[str, set[str]] = {}
    for card in ctx.strategy.scorecards:
        if card.entity in planned:
            assessed.setdefault(card.entity, set()).update(item.kpi for item in card.items)
    for plan in ctx.strategy.plans:
        if plan.kpi not in assessed.get(plan.entity, set()):
            yield Finding(plan.where.at("kpi"), plan.id, {"plan": plan.id, "kpi": plan.kpi, "entity": plan.entity})


def gap_without_action(results: Results) -> Iterator[Finding]:
    """A result rule: a KPI below its threshold in the period needs, among the plans of its
    department or position for that KPI covering the period, an action with an owner and a
    due date (not dropped) and a root-cause (5-Why) chain."""
    strategy = results.strategy
    cards = {c.id: c for c in strategy.scorecards}
    plans: dict[tuple[str, str], list[Plan]] = {}
    for plan in strategy.plans:
        plans.setdefault((plan.entity, plan.kpi), []).append(plan)
    for gap in results.gaps:
        covering = [pl for pl in plans.get((gap.unit, gap.kpi), ()) if _covers(pl, gap)]
        missing: list[str] = []
        missing_zh: list[str] = []
        if not any(a.owner and a.due and a.status != "dropped" for pl in covering for a in pl.actions):
            missing.append("an improvement action with an owner and a due date")
            missing_zh.append("带责任人和完成时间的改进措施")
        if not any(pl.root_cause for pl in covering):
            missing.append("a root-cause (5-Why) chain")
            missing_zh.append("根因(五问)分析链")
        if not missing:
            continue
        card = cards[gap.scorecard]
        index = next((i for i, item in enumerate(card.items) if item.kpi == gap.kpi), None)
        yield Finding(
            card.where.node if index is None else card.items[index].where.at("kpi"),
            None if index is None else item_key(card.id, index),
            {
                "entity": gap.entity,
                "kpi": gap.kpi,
                "period": gap.period.text,
                "actual": str(gap.actual),
                "threshold": str(gap.threshold),
                "missing": Text(" and ".join(missing), "和".join(missing_zh)),
            },
            also=(gap.kpi, card.id),
        )


def _covers(plan: Plan, gap: Gap) -> bool:
    period = parse_period(plan.period)
    return period is not None and period.contains(gap.period)
