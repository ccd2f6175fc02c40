"""SM324 / SM325: anchors in the order the KPI's direction needs, and scoring policies that fit
the direction (a better result never scores lower)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal

from stratmap.diagnostics import Location
from stratmap.i18n import Text
from stratmap.model import Item, Kpi, Scorecard
from stratmap.model.revisions import in_force
from stratmap.periods import from_months, parse_period
from stratmap.rules._problems import number, problem_args
from stratmap.rules.registry import Context, Finding

#: Policies with a cap and a floor.
_CAPPED = frozenset({"ratio", "linear", "closeness"})
#: Policies whose scores can run against the KPI's direction.
_DIRECTED = frozenset({"closeness", "linear", "yes_no", "goal", "bands", "formula"})


# ---- SM324 / SM325: anchors and policies that fit the KPI's direction ------------------


def _anchor_sets(ctx: Context, card: Scorecard, item: Item) -> Iterator[tuple[str, dict[str, Decimal | None]]]:
    """(where, anchors) for the item as written, each per-period target, and each revision
    in force from its effective period."""
    base: dict[str, Decimal | None] = {"target": item.target, "threshold": item.threshold, "stretch": item.stretch}
    yield "", base
    for period, target in item.targets.items():
        yield f"targets.{period}", {**base, "target": target}
    revisions = ctx.revisions_of.get((card.id, item.kpi), [])
    for rev in revisions:
        start = parse_period(rev.effective)
        if rev.field == "weight" or start is None:
            continue
        month = from_months(start.year, start.first, start.first)
        anchors = {**base, "target": item.target_for(month.text)}
        anchors.update({r.field: r.value for r in in_force(revisions, month) if r.field != "weight"})
        yield f"revision {rev.id}", anchors


def _where(card: Scorecard, item: Item, ctx: Context, source: str, name: str) -> tuple[Location, str]:
    """The location of anchor ``name`` as ``source`` gives it, and a phrase for the message."""
    if source.startswith("targets."):
        period = source.removeprefix("targets.")
        if name == "target":
            return item.where.at("targets", period), f" (the target for {period})"
        return item.where.at(name), f" (with the target for {period})"
    if source.startswith("revision "):
        rev_id = source.removeprefix("revision ")
        rev = next(r for r in ctx.strategy.revisions if r.id == rev_id)
        return rev.where.at("value"), f" (as revised by {rev_id} from {rev.effective})"
    return item.where.at(name), ""


def anchor_order(ctx: Context) -> Iterator[Finding]:
    """Linear anchors out of order for the KPI's direction, and a cap below the floor."""
    for card in ctx.strategy.scorecards:
        for item in card.items:
            scoring = item.scoring
            if scoring.policy not in _CAPPED:
                continue
            if scoring.cap < scoring.floor:
                yield Finding(
                    item.where.at("scoring", "cap"),
                    card.id,
                    {
                        "kpi": item.kpi,
                        **problem_args(
                            f"the cap {number(scoring.cap)} is below the floor {number(scoring.floor)}",
                            f"上限 cap {number(scoring.cap)} 低于下限 floor {number(scoring.floor)}",
                        ),
                    },
                )
            kpi = ctx.kpi(item.kpi) if scoring.policy == "linear" else None
            if kpi is None or kpi.direction not in ("higher_is_better", "lower_is_better"):
                continue
            reported: set[str] = set()
            for source, a in _anchor_sets(ctx, card, item):
                for problem, problem_zh, at in _order_problems(kpi, a):
                    location, context = _where(card, item, ctx, source, at)
                    key = f"{problem}{context}"
                    if key in reported:
                        continue
                    reported.add(key)
                    yield Finding(
                        location,
                        card.id,
                        {"kpi": item.kpi, "problem": Text(problem + context, problem_zh + context)},
                    )


def _order_problems(kpi: Kpi, a: dict[str, Decimal | None]) -> Iterator[tuple[str, str, str]]:
    higher = kpi.direction == "higher_is_better"
    target, threshold, stretch = a["target"], a["threshold"], a["stretch"]
    if target is None:
        return
    word, word_zh = ("higher", "越高越好") if higher else ("lower", "越低越好")
    if threshold is not None and (threshold > target if higher else threshold < target):
        side, side_zh = ("above", "高于") if higher else ("below", "低于")
        yield (
            f"the threshold {number(threshold)} is {side} the target {number(target)}, but {kpi.id} is "
            f"{word}-is-better: the threshold is the least acceptable result, short of the target",
            f"门槛值 {number(threshold)} {side_zh}目标值 {number(target)},但 {kpi.id} 为{word_zh}:门槛值是最低可接受"
            f"结果,"
            "应不及目标值",
            "threshold",
        )
    if stretch is not None and (stretch < target if higher else stretch > target):
        side, side_zh = ("below", "低于") if higher else ("above", "高于")
        yield (
            f"the stretch {number(stretch)} is {side} the target {number(target)}, but {kpi.id} is "
            f"{word}-is-better: the stretch is a result better than the target",
            f"挑战值 {number(stretch)} {side_zh}目标值 {number(target)},但 {kpi.id} 为{word_zh}:挑战值应优于目标值",
            "stretch",
        )


def policy_against_direction(ctx: Context) -> Iterator[Finding]:
    """A scoring policy that scores a better result lower than a worse one."""
    for card in ctx.strategy.scorecards:
        for item in card.items:
            if item.scoring.policy not in _DIRECTED:
                continue
            kpi = ctx.kpi(item.kpi)
            if kpi is None:
                continue
            s = item.scoring
            problem: tuple[str, str, tuple[str | int, ...]] | None = None
            if s.policy == "closeness" and kpi.direction in ("higher_is_better", "lower_is_better"):
                problem = (
                    f"'closeness' scores distance from the target either way, so a result better than the "
                    f"target scores less, but {kpi.id} is {kpi.direction.replace('_', '-')}; use 'ratio' or 'linear'",
                    f"closeness 按与目标值的偏离计分(两侧同样扣分),超过目标反而得分更低,但 {kpi.id} 为"
                    f"{kpi.direction};请改用 ratio 或 linear",
                    ("scoring", "policy"),
                )
            elif s.policy == "linear" and kpi.direction == "closer_is_better":
                problem = (
                    f"'linear' scores a result further past the target higher, but {kpi.id} is "
                    "closer-is-better; use 'closeness' (or 'ratio')",
                    f"linear 对超出目标越多的结果计分越高,但 {kpi.id} 为越接近越好;请改用 closeness(或 ratio)",
                    ("scoring", "policy"),
                )
            elif s.policy == "linear" and not (
                s.below_threshold <= s.threshold_score <= s.target_score <= s.stretch_score
            ):
                problem = (
                    f"the scores do not rise with the result: below threshold {number(s.below_threshold)}, threshold "
                    f"{number(s.threshold_score)}, target {number(s.target_score)}, stretch {number(s.stretch_score)}",
                    f"得分未随结果上升:门槛以下 {number(s.below_threshold)}、门槛 {number(s.threshold_score)}、"
                    f"目标 {number(s.target_score)}、挑战 {number(s.stretch_score)}",
                    ("scoring",),
                )
            elif s.policy in ("yes_no", "goal") and (s.yes < s.no if s.policy == "yes_no" else s.met < s.not_met):
                problem = (
                    "meeting the goal scores less than missing it",
                    "达成得分低于未达成得分",
                    ("scoring",),
                )
            elif kpi.direction in ("higher_is_better", "lower_is_better") and s.policy in ("bands", "formula"):
                problem = _backwards(item, kpi.direction)
            if problem is not None:
                yield Finding(
                    item.where.at(*problem[2]),
                    card.id,
                    {"kpi": item.kpi, "problem": Text(problem[0], problem[1])},
                )


def _backwards(item: Item, direction: str) -> tuple[str, str, tuple[str | int, ...]] | None:
    """Bands or a formula under which a better result of a directed KPI scores lower."""
    higher = direction == "higher_is_better"
    s = item.scoring
    if s.policy == "bands":
        infinity = Decimal("Infinity")
        bands = sorted(s.bands, key=lambda b: -infinity if b.lower is None else b.lower)
        for low, high in itertools.pairwise(bands):  # ordered by result: scores rise with it (or fall)
            if (high.score < low.score) if higher else (high.score > low.score):
                i = s.bands.index(high)
                return (
                    f"results from {number(high.lower)} score {number(high.score)}, "
                    f"{'less' if higher else 'more'} than the {number(low.score)} of the band below, but {item.kpi} is "
                    f"{direction.replace('_', '-')}: a better result scores lower",
                    f"{number(high.lower)} 及以上的结果得 {number(high.score)} 分,{'低于' if higher else '高于'}下一"
                    f"区间的 "
                    f"{number(low.score)} 分,但 {item.kpi} 为{'越高越好' if higher else '越低越好'}:结果越好得分越低",
                    ("scoring", "bands", i, "score"),
                )
        return None
    return _formula_backwards(item, higher, direction)


def _formula_backwards(item: Item, higher: bool, direction: str) -> tuple[str, str, tuple[str | int, ...]] | None:
    """A scoring formula sampled at the anchors and 10% either side of the target: when a
    better result there scores lower, the formula runs against the KPI's direction."""
    from stratmap.formula import ITEM_NAMES, FormulaError, parse_cached

    target = item.target if item.target is not None else next(iter(item.targets.values()), None)
    if item.scoring.formula is None or target is None or target == 0:
        return None
    try:
        formula = parse_cached(item.scoring.formula, ITEM_NAMES)
    except FormulaError:
        return None  # SM40x reports it
    anchors = {"target": target, "threshold": item.threshold, "stretch": item.stretch}
    tenth = abs(target) / 10
    points = sorted({target - tenth, target, target + tenth, *(a for a in anchors.values() if a is not None)})
    scores = []
    for x in points:
        value = formula.evaluate({n: ({"actual": x} | anchors)[n] for n in formula.names})
        if not isinstance(value, Decimal):
            return None  # missing somewhere: no judgement
        scores.append((x, value))
    for (x0, s0), (x1, s1) in itertools.pairwise(scores):
        better, worse = ((x1, s1), (x0, s0)) if higher else ((x0, s0), (x1, s1))
        if better[1] < worse[1]:
            return (
                f"the formula scores {number(better[0])} at {number(better[1])} and {number(worse[0])} at"
                f" {number(worse[1])}, "
                f"but {item.kpi} is {direction.replace('_', '-')}: a better result scores lower",
                f"公式对 {number(better[0])} 给 {number(better[1])} 分,对 {number(worse[0])} 给 {number(worse[1])} 分"
                f",但 {item.kpi} 为"
                f"{'越高越好' if higher else '越低越好'}:结果越好得分越低",
                ("scoring", "formula"),
            )
    return None
