"""SM326-SM330: vetoes that can fire, revisions and per-period targets that apply, and outcomes
that act where they are written."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal

from stratmap.i18n import Text
from stratmap.model import Item, Revision, Scorecard
from stratmap.model.revisions import in_force
from stratmap.periods import Period, from_months, parse_period
from stratmap.rules._problems import number, problem_args
from stratmap.rules.registry import Context, Finding

_ANCHORS = ("target", "threshold", "stretch")
#: Frequencies from the finest to the coarsest.
FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly")
_RANK = {f: i for i, f in enumerate(FREQUENCIES)}
#: The periods a scorecard without a ``frequency`` is evaluated on, by tier.
TIER_FREQUENCIES = {"short_term": ("monthly", "quarterly", "half_yearly"), "annual": ("yearly",)}
_ZH_FREQ = {"monthly": "月度", "quarterly": "季度", "half_yearly": "半年度", "yearly": "年度"}


# ---- SM326 / SM327: vetoes that can fire ----------------------------------------------


def absent_anchor(ctx: Context) -> Iterator[Finding]:
    """A veto condition that reads a target, threshold or stretch its item never has."""
    from stratmap.formula import ITEM_NAMES, FormulaError, parse_cached

    read: dict[str, frozenset[str]] = {}  # the anchors each condition reads, parsed once per text
    for card in ctx.strategy.scorecards:
        for ki in card.key_indicators:
            names = read.get(ki.veto_when)
            if names is None:
                names = frozenset()
                if any(anchor in ki.veto_when for anchor in _ANCHORS):
                    with contextlib.suppress(FormulaError):  # SM40x reports it
                        names = frozenset(parse_cached(ki.veto_when, ITEM_NAMES).names) - {"actual"}
                read[ki.veto_when] = names
            if not names:
                continue
            item = next((i for i in card.items if i.kpi == ki.kpi), None)
            revised = {r.field for r in ctx.revisions_of.get((card.id, ki.kpi), [])}
            for name in sorted(names):
                has = item is not None and (
                    getattr(item, name) is not None or name in revised or (name == "target" and bool(item.targets))
                )
                if has:
                    continue
                why = (
                    f"{ki.kpi} is not an item of {card.id}, so it has no {name}"
                    if item is None
                    else f"the item {ki.kpi} has no {name}"
                )
                why_zh = (
                    f"{ki.kpi} 不是 {card.id} 的考核项,没有 {name}" if item is None else f"考核项 {ki.kpi} 没有 {name}"
                )
                yield Finding(
                    ki.where.at("veto_when"),
                    ki.id,
                    {"indicator": ki.id, "name": name, "why": Text(why, why_zh)},
                )


def _finest(card: Scorecard) -> str | None:
    if card.frequency is not None:
        return card.frequency
    kinds = TIER_FREQUENCIES.get(card.tier)
    return kinds[0] if kinds else None


def veto_frequency(ctx: Context) -> Iterator[Finding]:
    """A veto on a KPI reported less often than the scorecard is assessed: it fires on every
    period without a report (no actual is not shown to be met)."""
    for card in ctx.strategy.scorecards:
        period = _finest(card)
        if period is None:
            continue
        for ki in card.key_indicators:
            kpi = ctx.kpi(ki.kpi)
            if kpi is None or _RANK[kpi.frequency] <= _RANK[period]:
                continue
            yield Finding(
                ki.where.at("kpi"),
                ki.id,
                {
                    "indicator": ki.id,
                    "kpi": kpi.id,
                    "frequency": Text(kpi.frequency, _ZH_FREQ[kpi.frequency]),
                    "period": Text(period, _ZH_FREQ[period]),
                    "scorecard": card.id,
                },
            )


# ---- SM328 / SM329: revisions and per-period targets that apply -------------------------


def revision_breaks_card(ctx: Context) -> Iterator[Finding]:
    """A revision for a KPI its scorecard does not assess, or weights that no longer total 100."""
    if not ctx.strategy.revisions:
        return
    cards = {card.id: card for card in ctx.strategy.scorecards}
    assessed = {(card.id, item.kpi) for card in ctx.strategy.scorecards for item in card.items}
    weight_revisions: dict[str, list[tuple[int, str]]] = {}
    for rev in ctx.strategy.revisions:
        card = cards.get(rev.scorecard)
        if card is None:
            continue  # SM201 reports it
        if (card.id, rev.kpi) not in assessed:
            yield Finding(
                rev.where.at("kpi"),
                rev.id,
                problem_args(
                    f"{rev.kpi} is not an item of scorecard {card.id}, so this revision changes nothing",
                    f"{rev.kpi} 不是考核表 {card.id} 的考核项,此调整不起作用",
                ),
            )
            continue
        start = parse_period(rev.effective)
        if start is None:
            continue
        before = _in_force_before(ctx, card, rev, start)
        if before is not None and before == rev.value:
            yield Finding(
                rev.where.at("value"),
                rev.id,
                problem_args(
                    f"the {rev.field} of {rev.kpi} on {card.id} is {number(before)} already before {rev.effective}, "
                    "so this revision changes nothing",
                    f"{card.id} 上 {rev.kpi} 的 {rev.field} 在 {rev.effective} 之前已是 {number(before)},此调整不起作"
                    f"用",
                ),
            )
        if rev.field == "weight":
            weight_revisions.setdefault(card.id, []).append((start.year * 12 + start.first, rev.id))
    by_id = {rev.id: rev for rev in ctx.strategy.revisions}
    for card_id, starts in weight_revisions.items():
        card = cards[card_id]
        if card.weight_policy != "must_total_100":
            continue
        for _, group in itertools.groupby(sorted(starts), key=lambda t: t[0]):
            last = by_id[list(group)[-1][1]]
            start = parse_period(last.effective)
            assert start is not None
            month = from_months(start.year, start.first, start.first)
            total = sum((_weight_in_force(ctx, card, item, month) for item in card.items), Decimal(0))
            if total != 100:
                yield Finding(
                    last.where.at("value"),
                    last.id,
                    problem_args(
                        f"from {last.effective} the weights of {card.id} total {number(total)}, not 100; revise the "
                        "other items' weights in the same period too",
                        f"自 {last.effective} 起 {card.id} 的权重合计 {number(total)},不是 100;"
                        "请在同一期间一并调整其他考核项的权重",
                    ),
                )


def _in_force_before(ctx: Context, card: Scorecard, rev: Revision, start: Period) -> Decimal | None:
    """The value of the revised field in force just before the revision takes effect."""
    item = next((i for i in card.items if i.kpi == rev.kpi), None)
    if item is None:
        return None
    month = from_months(start.year, start.first, start.first)
    earlier = [
        r
        for r in ctx.revisions_of.get((card.id, rev.kpi), [])
        if r.field == rev.field and r is not rev and _starts(r) < start.year * 12 + start.first
    ]
    if earlier:
        return earlier[-1].value
    if rev.field == "target":
        return item.target_for(month.text)
    value: Decimal | None = getattr(item, rev.field)
    return value


def _starts(rev: Revision) -> int:
    p = parse_period(rev.effective)
    return p.year * 12 + p.first if p is not None else 0


def _weight_in_force(ctx: Context, card: Scorecard, item: Item, month: Period) -> Decimal:
    revised = [r for r in in_force(ctx.revisions_of.get((card.id, item.kpi), []), month) if r.field == "weight"]
    return revised[-1].value if revised else item.weight


def unused_period_targets(ctx: Context) -> Iterator[Finding]:
    """A per-period target keyed by a period the scorecard is never assessed on."""
    for card in ctx.strategy.scorecards:
        kinds = (card.frequency,) if card.frequency else TIER_FREQUENCIES.get(card.tier, ())
        if not kinds:
            continue
        for item in card.items:
            for key in item.targets:
                period = parse_period(key)
                if period is None or period.kind in kinds:
                    continue
                yield Finding(
                    item.where.at("targets", key),
                    card.id,
                    {
                        "kpi": item.kpi,
                        "key": key,
                        "kind": Text(period.kind, _ZH_FREQ[period.kind]),
                        "scorecard": card.id,
                        "kinds": Text(", ".join(kinds), "、".join(_ZH_FREQ[k] for k in kinds)),
                    },
                )


# ---- SM330: every outcome acts where it is written ----------------------------------------

#: What a high-voltage line's action needs among the unit's other scorecards, and why not.
_LINE_NEEDS: dict[str, tuple[Callable[[Scorecard], bool], str, str]] = {
    "forfeit_period_bonus": (
        lambda c: c.bonus is not None,
        "has no bonus to forfeit: no scorecard of {unit} has a bonus rule",
        "无奖金可取消:{unit} 的考核表均无奖金规则",
    ),
    "forfeit_annual_bonus": (
        lambda c: c.bonus is not None and c.tier == "annual",
        "has no annual bonus to forfeit: {unit} has no annual scorecard with a bonus rule",
        "无年度奖金可取消:{unit} 没有带奖金规则的年度考核表",
    ),
    "lowest_grade": (
        lambda c: bool(c.items),
        "has no grade to force: {unit} has no scored short-term or annual scorecard",
        "无等级可强制:{unit} 没有计分的短期或年度考核表",
    ),
    "cap_score": (
        lambda c: bool(c.items),
        "has no score to cap: {unit} has no scored short-term or annual scorecard",
        "无得分可封顶:{unit} 没有计分的短期或年度考核表",
    ),
    "zero_score": (
        lambda c: bool(c.items),
        "has no score to set to 0: {unit} has no scored short-term or annual scorecard",
        "无得分可清零:{unit} 没有计分的短期或年度考核表",
    ),
}
#: The actions an escalation step carries out (its bonus is set by its bonus_factor).
_ESCALATION_ACTS = frozenset({"lowest_grade", "investigate"})


def outcome_cannot_act(ctx: Context) -> Iterator[Finding]:
    """A line's outcome with nothing of its unit to act on, and an escalation outcome that
    an escalation does not carry out: each looks in force and changes nothing."""
    cards = ctx.strategy.scorecards
    for card in cards:
        others = [c for c in cards if c.entity == card.entity and c.tier != "major_responsibility"]
        if card.tier == "major_responsibility":
            for line in card.high_voltage_lines:
                for i, outcome in enumerate(line.outcome):
                    need = _LINE_NEEDS.get(outcome.action)
                    if need is None or any(need[0](c) for c in others):
                        continue
                    yield Finding(
                        line.where.at("outcome", i, "action"),
                        line.id,
                        {
                            "what": Text(f"high-voltage line '{line.id}': the outcome", f"高压线“{line.id}”的后果"),
                            "action": outcome.action,
                            "why": Text(need[1].format(unit=card.entity), need[2].format(unit=card.entity)),
                        },
                    )
        for ki in card.key_indicators:
            for j, step in enumerate(ki.escalation):
                for i, outcome in enumerate(step.outcome):
                    if outcome.action in _ESCALATION_ACTS:
                        continue
                    yield Finding(
                        ki.where.at("escalation", j, "outcome", i, "action"),
                        ki.id,
                        {
                            "what": Text(
                                f"key indicator '{ki.id}': the escalation outcome", f"关键战略指标“{ki.id}”的升级后果"
                            ),
                            "action": outcome.action,
                            "why": Text(
                                "is not carried out by an escalation, which acts through its bonus_factor, "
                                "lowest_grade and investigate",
                                "不由升级规则执行:升级规则只通过 bonus_factor、lowest_grade 与 investigate 生效",
                            ),
                        },
                    )
