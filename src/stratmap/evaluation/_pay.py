"""Ranking, distribution quotas and the bonus, over every result of a scorecard."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stratmap.diagnostics import Diagnostic, Location, Severity
from stratmap.evaluation._gates import Gates, Pending
from stratmap.evaluation._measures import plain
from stratmap.evaluation._numbers import HUNDRED, publish_factor, quantize
from stratmap.evaluation._results import Gate, Result
from stratmap.evaluation._scoring import ZERO
from stratmap.evaluation._words import SEMICOLON, Text, label, say
from stratmap.formula import parse_cached
from stratmap.model.scorecard import BonusRule, Scorecard


def _group_key(card: Scorecard, result: Result) -> str:
    by = card.ranking.group_by
    if by == "department":
        return f"department:{result.department}"
    if by == "position":
        return f"position:{result.unit}"
    return f"scorecard:{card.id}"


def rank_and_distribute(
    ev: Gates, results: Sequence[tuple[Result, Pending, Scorecard]]
) -> list[tuple[Result, Pending, Scorecard]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (r, _, card) in enumerate(results):
        if r.score is not None and card.tier != "major_responsibility":
            groups[_group_key(card, r)].append(i)
    out = list(results)
    for key, members in groups.items():
        card = results[members[0]][2]

        def order(i: int, card: Scorecard = card) -> tuple[Any, ...]:
            r = out[i][0]
            assert r.score is not None
            scores = {it.kpi: it.score for it in r.items}
            ties = tuple(-(scores.get(k) or ZERO) for k in card.ranking.tie_break)
            return (-r.score, *ties, r.entity)

        members.sort(key=order)
        n = len(members)
        for rank, i in enumerate(members, start=1):
            r, pending, c = out[i]
            out[i] = (replace(r, rank=rank, group=key, group_size=n), pending, c)
        if card.distribution:
            _distribute(ev, card, key, members, out)
        for rule in card.rank_rules:
            count = int((Decimal(n) * rule.percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            chosen = members[:count] if rule.rank == "top" else members[n - count :] if count else []
            for i in chosen:
                r, pending, c = out[i]
                out[i] = (replace(r, flags=(*r.flags, f"{rule.action}:{rule.rank}_{rule.percent}%")), pending, c)
    return out


def _distribute(
    ev: Gates, card: Scorecard, key: str, members: list[int], out: list[tuple[Result, Pending, Scorecard]]
) -> None:
    assert card.distribution is not None
    n = len(members)
    grades = [b.grade for b in card.grading.bands]
    mode = card.distribution.mode
    for quota in card.distribution.quotas:
        if quota.grade not in grades:
            continue
        level = grades.index(quota.grade)
        holders = [i for i in members if out[i][0].grade == quota.grade]
        if quota.max is not None:
            allowed = int(Decimal(n) * quota.max / HUNDRED)  # rounded down: never more than the share
            if len(holders) > allowed:
                ev.diagnostics.append(
                    _quota(card, key, quota.grade, len(holders), n, say("at_most", percent=quota.max), mode)
                )
                if mode == "enforce" and level + 1 < len(grades):
                    for i in holders[allowed:]:  # the lowest ranked move down one grade
                        _regrade(out, i, grades[level + 1], say("quota_max", percent=quota.max, grade=quota.grade))
        if quota.min is not None:
            needed = math.ceil(Decimal(n) * quota.min / HUNDRED)
            if len(holders) < needed:
                short = needed - len(holders)
                better = [i for i in members if grades.index(out[i][0].grade or grades[-1]) < level]
                action = None
                if mode == "enforce" and short > len(better):  # moving every better grade down would not do
                    action = say("quota_unmet", short=short, better=len(better))
                limit = say("at_least", percent=quota.min)
                ev.diagnostics.append(_quota(card, key, quota.grade, len(holders), n, limit, mode, action))
                if mode == "enforce" and level > 0 and action is None:
                    for i in better[-short:]:  # the lowest ranked of the better grades move to this one
                        _regrade(out, i, quota.grade, say("quota_min", percent=quota.min, grade=quota.grade))


def _regrade(out: list[tuple[Result, Pending, Scorecard]], i: int, grade: str, reason: Text) -> None:
    r, pending, card = out[i]
    gate = Gate("distribution", "distribution", say("lowered_to", grade=grade), r.grade, grade, reason)
    out[i] = (replace(r, grade=grade, gates=(*r.gates, gate)), pending, card)


def _quota(
    card: Scorecard, key: str, grade: str, count: int, n: int, limit: Text, mode: str, action: Text | None = None
) -> Diagnostic:
    severity = {"advise": "info", "warn": "warning", "enforce": "warning"}[mode]
    done = action or (say("quota_adjusted") if mode == "enforce" else say("quota_unchanged", mode=mode))

    return Diagnostic.make(
        "SM520",
        card.where.node,
        severity=Severity(severity),
        group=key,
        grade=grade,
        count=str(count),
        size=str(n),
        limit=limit,
        action=done,
    )


def bonus(ev: Gates, r: Result, pending: Pending, card: Scorecard) -> Result:
    if card.tier == "major_responsibility":
        return r
    if r.score is None:  # nothing to pay on: said, never a blank
        row = ev.index.bonus_base.get((r.entity, r.period))
        if row is not None:
            ev.index.used.add(id(row))  # read: the result it was for has no score
        return replace(r, bonus_missing=say("no_score", status=Text(r.status, label(r.status, "zh"))))
    if pending.unsettled is not None:  # an escalation that cannot be counted (missing_period: error)
        gate = Gate("data", "escalation", say("incomplete"), None, None, pending.unsettled)
        return replace(r, status="incomplete", bonus_missing=pending.unsettled, gates=(*r.gates, gate))
    gates = list(r.gates)
    factor: Decimal | None = None
    rule = ev.rules.get(card.bonus) if card.bonus else None
    if rule is not None:
        found = _factor(rule, r.score, r.grade)
        if found is None:  # missing (e.g. a division by zero) or negative: no bonus is computed
            ev.diagnostics.append(
                Diagnostic.make(
                    "SM511",
                    rule.where.node,
                    entity=r.entity,
                    kpi=rule.id,
                    reason=f"bonus formula {rule.formula} gives no factor of 0 or more at score {r.score}",
                )
            )
            gates.append(
                Gate("bonus_rule", rule.id, say("no_factor"), None, None, say("formula_at_score", score=r.score))
            )
            return replace(r, status="incomplete", gates=tuple(gates))
        factor = publish_factor(found)
        read = say(f"by_{rule.by}_read", grade=r.grade, score=r.score)
        gates.append(Gate("bonus_rule", rule.id, say("factor_is", factor=factor), None, str(factor), read))
    if pending.veto_factor is not None:
        before = factor if factor is not None else Decimal(1)
        factor = publish_factor(before * pending.veto_factor)
        gates.append(
            Gate(
                "veto",
                ",".join(v.id for v in r.vetoes),
                say("factor_times", factor=pending.veto_factor) if before != 0 else say("veto_no_change"),
                str(before),
                str(factor),
                SEMICOLON.join(v.reason for v in r.vetoes),
            )
        )
    forfeit = pending.forfeit_period or (pending.forfeit_annual and card.tier == "annual")
    if forfeit:
        gates.append(
            Gate(
                "forfeit",
                ",".join(h.id for h in r.high_voltage),
                say("forfeited") if factor is None or factor != 0 else say("forfeit_no_change"),
                None if factor is None else str(factor),
                "0",
                say("line_touched"),
            )
        )
        factor = ZERO
    base_row = ev.index.bonus_base.get((r.entity, r.period))
    amount = None
    missing: str | None = None
    if base_row is None and factor is not None:
        table = ev.data.bonus_base
        if "bonus_base" in ev.unread:
            missing = say("base_unread", source=table.source)
        elif table.source:
            missing = say("no_base_row", entity=r.entity, period=r.period)
            at = Location(table.source, 1, 1)
            ev.diagnostics.append(Diagnostic.make("SM518", at, entity=r.entity, period=r.period, scorecard=card.id))
        else:
            missing = say("no_base_table")
    if base_row is not None and factor is not None:
        ev.index.used.add(id(base_row))
        money = ev.strategy.organisation.money_rounding
        amount = base_row.amount * factor
        # each line at the money places, or (point: total) every digit, without trailing zeros
        amount = quantize(amount, money) if money.point == "line" else plain(amount)
        gates.append(
            Gate(
                "bonus",
                "bonus_base",
                say("base_times", base=base_row.amount, factor=factor),
                str(base_row.amount),
                str(amount),
                ev.strategy.organisation.currency,
            )
        )
    return replace(
        r,
        bonus_factor=factor,
        bonus_base=base_row.amount if base_row else None,
        bonus=amount,
        bonus_missing=missing,
        gates=tuple(gates),
    )


def _factor(rule: BonusRule, value: Decimal, grade: str | None) -> Decimal | None:
    """The rule's factor for a score or grade; None when a formula gives no usable factor."""
    if rule.formula:
        f = parse_cached(rule.formula, ("score",)).evaluate({"score": value})
        return f if isinstance(f, Decimal) and f >= 0 else None
    for row in rule.table:
        if rule.by == "grade" and row.grade == grade:
            return row.factor
        if rule.by == "score" and row.min is not None and value >= row.min:
            return row.factor
    return ZERO
