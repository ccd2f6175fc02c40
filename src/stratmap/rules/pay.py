"""SM32x: scorecards that would pay someone wrongly although every value is well formed.

Each rule finds a way a scorecard, a bonus rule or a revision is written so that the
evaluator, doing exactly what it says, pays differently from what its author meant:
tables in the wrong order, grades that no row pays, quotas no group can meet, anchors
that score a better result lower, conditions that read a value that is never there,
targets and revisions that never apply.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from stratmap.diagnostics import Location, decimal_text
from stratmap.model import Item, Kpi, Revision, Scorecard
from stratmap.model.revisions import in_force
from stratmap.model.scorecard import DEFAULT_GRADES
from stratmap.periods import Period, from_months, parse_period
from stratmap.rules.registry import Context, Finding

#: Policies with a cap and a floor.
_CAPPED = frozenset({"ratio", "linear", "closeness"})
#: Policies whose scores can run against the KPI's direction.
_DIRECTED = frozenset({"closeness", "linear", "yes_no", "goal", "bands", "formula"})
_ANCHORS = ("target", "threshold", "stretch")
#: Frequencies from the finest to the coarsest.
FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly")
_RANK = {f: i for i, f in enumerate(FREQUENCIES)}
#: The periods a scorecard without a ``frequency`` is evaluated on, by tier.
TIER_FREQUENCIES = {"short_term": ("monthly", "quarterly", "half_yearly"), "annual": ("yearly",)}
_ZH_FREQ = {"monthly": "月度", "quarterly": "季度", "half_yearly": "半年度", "yearly": "年度"}


_grading = {"table": "grading", "table_zh": "等级"}


def _problem(en: str, zh: str, **more: str) -> dict[str, str]:
    return {"problem": en, "problem_zh": zh, **more}


def _n(x: Decimal | None) -> str:
    return "-" if x is None else decimal_text(x)


# ---- SM320 / SM321: tables in their documented order, each grade once ------------------


def table_order(ctx: Context) -> Iterator[Finding]:
    """Grade bands and by-score bonus rows that are not best first, open-ended row last."""
    for card in _graded(ctx):
        bands = card.grading.bands
        rows = [(band.grade, band.min) for band in bands]
        for index, en, zh in _unreachable(rows, "band", "等级区间"):
            yield Finding(card.where.at("grading", "bands", index), card.id, _problem(en, zh, **_grading))
        last = bands[-1]
        if last.min is not None and all(b.min is not None for b in bands):
            yield Finding(
                card.where.at("grading", "bands", len(bands) - 1, "min"),
                card.id,
                _problem(
                    f"the last band, {last.grade}, has a min of {_n(last.min)}, yet every score below it "
                    f"is graded {last.grade} too; write the last band without 'min'",
                    f"最后一个区间 {last.grade} 写有 min {_n(last.min)},但低于它的得分同样评为 {last.grade};"
                    "最后一个区间请不写 min",
                    **_grading,
                ),
            )
    for bonus in ctx.strategy.bonus_rules:
        if bonus.by != "score" or bonus.formula:
            continue
        for i, row in enumerate(bonus.table):
            if row.min is None:
                yield Finding(
                    bonus.where.at("table", i),
                    bonus.id,
                    _problem(
                        "this row has no 'min', so no score reaches it (a by-score row is paid from its min up)",
                        "此行没有 min,任何得分都不会用到它(按得分的行从其 min 起适用)",
                        table=f"bonus rule {bonus.id}",
                        table_zh=f"奖金规则 {bonus.id}",
                    ),
                )
        rows = [(f"factor {_n(row.factor)}", row.min) for row in bonus.table if row.min is not None]
        indexes = [i for i, row in enumerate(bonus.table) if row.min is not None]
        unreachable = list(_unreachable(rows, "row", "行"))
        for index, en, zh in unreachable:
            yield Finding(
                bonus.where.at("table", indexes[index], "min"),
                bonus.id,
                _problem(en, zh, table=f"bonus rule {bonus.id}", table_zh=f"奖金规则 {bonus.id}"),
            )
        if unreachable:
            continue
        scored = [row for row in bonus.table if row.min is not None]
        for upper, lower in itertools.pairwise(scored):  # best first: a higher score never pays less
            if upper.factor < lower.factor:
                yield Finding(
                    bonus.where.at("table", bonus.table.index(upper), "factor"),
                    bonus.id,
                    _problem(
                        f"scores from {_n(upper.min)} up pay a factor of {_n(upper.factor)}, less than the "
                        f"{_n(lower.factor)} of scores from {_n(lower.min)}: a better score is paid less",
                        f"{_n(upper.min)} 分及以上的系数 {_n(upper.factor)} 低于 {_n(lower.min)} 分及以上的系数 "
                        f"{_n(lower.factor)}:得分越高奖金反而越少",
                        table=f"bonus rule {bonus.id}",
                        table_zh=f"奖金规则 {bonus.id}",
                    ),
                )
    yield from _grade_factors_out_of_order(ctx)


def _grade_factors_out_of_order(ctx: Context) -> Iterator[Finding]:
    """A by-grade rule that pays a better grade of a scorecard less than a worse one."""
    rules = {rule.id: rule for rule in ctx.strategy.bonus_rules if rule.by == "grade" and not rule.formula}
    said: set[tuple[str, str, str]] = set()
    for card in ctx.strategy.scorecards:
        bonus = rules.get(card.bonus or "")
        if bonus is None or next(_unreachable([(b.grade, b.min) for b in card.grading.bands], "", ""), None):
            continue  # a grading out of order is reported as such
        factor = {row.grade: (i, row.factor) for i, row in reversed(list(enumerate(bonus.table))) if row.grade}
        paid = [(band.grade, factor[band.grade]) for band in card.grading.bands if band.grade in factor]
        for (better, (i, high)), (worse, (_, low)) in itertools.pairwise(paid):
            if high < low and (bonus.id, better, worse) not in said:
                said.add((bonus.id, better, worse))
                yield Finding(
                    bonus.where.at("table", i, "factor"),
                    bonus.id,
                    _problem(
                        f"grade {better} pays a factor of {_n(high)}, less than the {_n(low)} of grade {worse} "
                        f"below it in the grading of {card.id}: a better grade is paid less",
                        f"等级 {better} 的系数 {_n(high)} 低于 {card.id} 等级中排在其后的 {worse} 的系数 {_n(low)}:"
                        "等级越高奖金反而越少",
                        table=f"bonus rule {bonus.id}",
                        table_zh=f"奖金规则 {bonus.id}",
                    ),
                )


def _graded(ctx: Context) -> list[Scorecard]:
    """Scorecards with a grading of their own (the default one is in order)."""
    return [card for card in ctx.strategy.scorecards if card.grading.bands is not DEFAULT_GRADES]


def _unreachable(rows: Sequence[tuple[str, Decimal | None]], what: str, what_zh: str) -> Iterator[tuple[int, str, str]]:
    """(index, problem) of each row that the first-match rule never reaches: an earlier
    row takes every score it would (its min is as low or lower, or it has none)."""
    for j, (label, low) in enumerate(rows):
        for i in range(j):
            earlier, before = rows[i]
            if before is None:
                yield (
                    j,
                    f"{what} {label} comes after {earlier}, which has no 'min' and takes every score left; "
                    f"{label} is never given. List {what}s best first, the one without 'min' last",
                    f"{what_zh} {label} 排在 {earlier} 之后,而 {earlier} 没有 min,会取走其余所有得分;"
                    f"{label} 永远不会用到。请从高到低排列,没有 min 的放在最后",
                )
                break
            if low is not None and before <= low:
                yield (
                    j,
                    f"{what} {label} (min {_n(low)}) comes after {earlier} (min {_n(before)}), which takes "
                    f"every score from {_n(before)} up; {label} is never given. List {what}s best first "
                    "(highest min first)",
                    f"{what_zh} {label}(min {_n(low)})排在 {earlier}(min {_n(before)})之后,"
                    f"而后者已取走 {_n(before)} 及以上的所有得分;{label} 永远不会用到。请按 min 从高到低排列",
                )
                break


def duplicate_grades(ctx: Context) -> Iterator[Finding]:
    """A grade label given twice in one grading, or paid twice in one by-grade bonus table."""
    for card in _graded(ctx):
        seen: set[str] = set()
        for i, band in enumerate(card.grading.bands):
            if band.grade in seen:
                yield Finding(
                    card.where.at("grading", "bands", i, "grade"),
                    card.id,
                    {"grade": band.grade, "table": f"the grading of {card.id}", "table_zh": f"{card.id} 的等级"},
                )
            seen.add(band.grade)
    for bonus in ctx.strategy.bonus_rules:
        if bonus.by != "grade":
            continue
        seen = set()
        for i, row in enumerate(bonus.table):
            if row.grade is None:
                continue
            if row.grade in seen:
                yield Finding(
                    bonus.where.at("table", i, "grade"),
                    bonus.id,
                    {"grade": row.grade, "table": f"bonus rule {bonus.id}", "table_zh": f"奖金规则 {bonus.id}"},
                )
            seen.add(row.grade)


# ---- SM322 / SM323: quotas and bonus tables that fit the grading ------------------------


def contradictory_quotas(ctx: Context) -> Iterator[Finding]:
    """Distribution quotas that no group can meet, or that name a grade the card does not give."""
    for card in [c for c in ctx.strategy.scorecards if c.distribution is not None]:
        assert card.distribution is not None
        grades = [b.grade for b in card.grading.bands]
        quotas = card.distribution.quotas
        first: dict[str, int] = {}
        for i, quota in enumerate(quotas):
            where = card.where.at("distribution", "quotas", i)
            if quota.grade not in grades:
                yield Finding(
                    card.where.at("distribution", "quotas", i, "grade"),
                    card.id,
                    _problem(
                        f"grade {quota.grade} is not a grade of this scorecard ({', '.join(grades)}); "
                        "the quota would be ignored",
                        f"{quota.grade} 不是本考核表的等级({', '.join(grades)});该配额将被忽略",
                    ),
                )
            elif first.setdefault(quota.grade, i) != i:
                yield Finding(
                    where,
                    card.id,
                    _problem(
                        f"grade {quota.grade} has a second quota; give each grade one quota with both 'min' and 'max'",
                        f"等级 {quota.grade} 有第二个配额;每个等级只写一个配额,同时写 min 与 max",
                    ),
                )
            if quota.min is not None and quota.max is not None and quota.min > quota.max:
                yield Finding(
                    card.where.at("distribution", "quotas", i, "min"),
                    card.id,
                    _problem(
                        f"grade {quota.grade} needs at least {_n(quota.min)}% and at most {_n(quota.max)}%",
                        f"等级 {quota.grade} 要求至少 {_n(quota.min)}% 且至多 {_n(quota.max)}%",
                    ),
                )
        minima = sum((q.min for q in quotas if q.min is not None and q.grade in grades), Decimal(0))
        if minima > 100:
            yield Finding(
                card.where.at("distribution", "quotas"),
                card.id,
                _problem(
                    f"the minimum shares add up to {_n(minima)}% of the people, more than 100%",
                    f"各等级最低比例合计 {_n(minima)}%,超过 100%",
                ),
            )
        capped = {q.grade: q.max for q in quotas if q.max is not None and q.grade in grades}
        if set(grades) <= capped.keys():
            total = sum(capped.values(), Decimal(0))
            if total < 100:
                yield Finding(
                    card.where.at("distribution", "quotas"),
                    card.id,
                    _problem(
                        f"every grade has a maximum and they add up to {_n(total)}%, less than 100%: "
                        "some people could be given no grade",
                        f"每个等级都有最高比例,合计仅 {_n(total)}%,不足 100%:部分人员将无等级可给",
                    ),
                )


def bonus_rule_gaps(ctx: Context) -> Iterator[Finding]:
    """A bonus rule that pays some grade or score nothing by omission."""
    cards_of: dict[str, list[Scorecard]] = {}
    for card in ctx.strategy.scorecards:
        if card.bonus:
            cards_of.setdefault(card.bonus, []).append(card)
    for bonus in ctx.strategy.bonus_rules:
        if not bonus.table and not bonus.formula:
            yield Finding(
                bonus.where.at("id"),
                bonus.id,
                _problem(
                    f"bonus rule {bonus.id} has neither a 'table' nor a 'formula', so it pays a factor of 0",
                    f"奖金规则 {bonus.id} 既没有 table 也没有 formula,系数恒为 0",
                ),
            )
            continue
        if bonus.by == "score" and not bonus.formula and all(row.min is not None for row in bonus.table):
            lowest = min((row.min for row in bonus.table if row.min is not None), default=None)
            if lowest is not None and lowest > 0:  # (a row without 'min' is SM320)
                at = next(i for i, row in enumerate(bonus.table) if row.min == lowest)
                yield Finding(
                    bonus.where.at("table", at, "min"),
                    bonus.id,
                    _problem(
                        f"no row of bonus rule {bonus.id} pays scores below {_n(lowest)}: they get a factor of 0 by "
                        "omission; add a last row with min: 0 (factor: 0 if that is meant)",
                        f"奖金规则 {bonus.id} 没有适用于 {_n(lowest)} 分以下的行:这些得分会因遗漏而系数为 0;"
                        "请在最后增加 min: 0 的一行(确为 0 时写 factor: 0)",
                    ),
                )
        if bonus.by != "grade" or bonus.formula:
            continue
        paid = {row.grade for row in bonus.table if row.grade is not None}
        users = cards_of.get(bonus.id, [])
        for card in users:
            missing = [b.grade for b in card.grading.bands if b.grade not in paid]
            if missing:
                shown = ", ".join(dict.fromkeys(missing))
                yield Finding(
                    card.where.at("bonus"),
                    card.id,
                    _problem(
                        f"bonus rule {bonus.id} has no row for grade {shown} of scorecard {card.id}: people "
                        f"graded {shown} would get a factor of 0 by omission; add the row, with factor 0 if meant",
                        f"奖金规则 {bonus.id} 没有考核表 {card.id} 的等级 {shown} 对应的行:评为 {shown} 的人员"
                        "会因遗漏而系数为 0;请补上该行(若确为 0,请写 factor: 0)",
                    ),
                )
        given = {b.grade for card in users for b in card.grading.bands}
        for i, row in enumerate(bonus.table):
            if row.grade is None:
                yield Finding(
                    bonus.where.at("table", i),
                    bonus.id,
                    _problem(
                        "this row of a by-grade rule names no 'grade', so it is never paid",
                        "按等级的规则中此行没有 grade,永远不会用到",
                    ),
                )
            elif users and row.grade not in given:
                yield Finding(
                    bonus.where.at("table", i, "grade"),
                    bonus.id,
                    _problem(
                        f"grade {row.grade} is not a grade of any scorecard paid by {bonus.id} "
                        f"({', '.join(sorted(given))}), so this row is never paid",
                        f"{row.grade} 不是使用 {bonus.id} 的任何考核表的等级({', '.join(sorted(given))}),"
                        "此行永远不会用到",
                    ),
                )


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
                        **_problem(
                            f"the cap {_n(scoring.cap)} is below the floor {_n(scoring.floor)}",
                            f"上限 cap {_n(scoring.cap)} 低于下限 floor {_n(scoring.floor)}",
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
                        {"kpi": item.kpi, "problem": problem + context, "problem_zh": problem_zh + context},
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
            f"the threshold {_n(threshold)} is {side} the target {_n(target)}, but {kpi.id} is "
            f"{word}-is-better: the threshold is the least acceptable result, short of the target",
            f"门槛值 {_n(threshold)} {side_zh}目标值 {_n(target)},但 {kpi.id} 为{word_zh}:门槛值是最低可接受结果,"
            "应不及目标值",
            "threshold",
        )
    if stretch is not None and (stretch < target if higher else stretch > target):
        side, side_zh = ("below", "低于") if higher else ("above", "高于")
        yield (
            f"the stretch {_n(stretch)} is {side} the target {_n(target)}, but {kpi.id} is "
            f"{word}-is-better: the stretch is a result better than the target",
            f"挑战值 {_n(stretch)} {side_zh}目标值 {_n(target)},但 {kpi.id} 为{word_zh}:挑战值应优于目标值",
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
                    f"the scores do not rise with the result: below threshold {_n(s.below_threshold)}, threshold "
                    f"{_n(s.threshold_score)}, target {_n(s.target_score)}, stretch {_n(s.stretch_score)}",
                    f"得分未随结果上升:门槛以下 {_n(s.below_threshold)}、门槛 {_n(s.threshold_score)}、"
                    f"目标 {_n(s.target_score)}、挑战 {_n(s.stretch_score)}",
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
                    {"kpi": item.kpi, "problem": problem[0], "problem_zh": problem[1]},
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
                    f"results from {_n(high.lower)} score {_n(high.score)}, "
                    f"{'less' if higher else 'more'} than the {_n(low.score)} of the band below, but {item.kpi} is "
                    f"{direction.replace('_', '-')}: a better result scores lower",
                    f"{_n(high.lower)} 及以上的结果得 {_n(high.score)} 分,{'低于' if higher else '高于'}下一区间的 "
                    f"{_n(low.score)} 分,但 {item.kpi} 为{'越高越好' if higher else '越低越好'}:结果越好得分越低",
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
                f"the formula scores {_n(better[0])} at {_n(better[1])} and {_n(worse[0])} at {_n(worse[1])}, "
                f"but {item.kpi} is {direction.replace('_', '-')}: a better result scores lower",
                f"公式对 {_n(better[0])} 给 {_n(better[1])} 分,对 {_n(worse[0])} 给 {_n(worse[1])} 分,但 {item.kpi} 为"
                f"{'越高越好' if higher else '越低越好'}:结果越好得分越低",
                ("scoring", "formula"),
            )
    return None


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
                    {"indicator": ki.id, "name": name, "why": why, "why_zh": why_zh},
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
                    "frequency": kpi.frequency,
                    "frequency_zh": _ZH_FREQ[kpi.frequency],
                    "period": period,
                    "period_zh": _ZH_FREQ[period],
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
                _problem(
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
                _problem(
                    f"the {rev.field} of {rev.kpi} on {card.id} is {_n(before)} already before {rev.effective}, "
                    "so this revision changes nothing",
                    f"{card.id} 上 {rev.kpi} 的 {rev.field} 在 {rev.effective} 之前已是 {_n(before)},此调整不起作用",
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
                    _problem(
                        f"from {last.effective} the weights of {card.id} total {_n(total)}, not 100; revise the "
                        "other items' weights in the same period too",
                        f"自 {last.effective} 起 {card.id} 的权重合计 {_n(total)},不是 100;"
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
                        "kind": period.kind,
                        "kind_zh": _ZH_FREQ[period.kind],
                        "scorecard": card.id,
                        "kinds": ", ".join(kinds),
                        "kinds_zh": "、".join(_ZH_FREQ[k] for k in kinds),
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
                            "what": f"high-voltage line '{line.id}': the outcome",
                            "what_zh": f"高压线“{line.id}”的后果",
                            "action": outcome.action,
                            "why": need[1].format(unit=card.entity),
                            "why_zh": need[2].format(unit=card.entity),
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
                            "what": f"key indicator '{ki.id}': the escalation outcome",
                            "what_zh": f"关键战略指标“{ki.id}”的升级后果",
                            "action": outcome.action,
                            "why": "is not carried out by an escalation, which acts through its bonus_factor, "
                            "lowest_grade and investigate",
                            "why_zh": "不由升级规则执行:升级规则只通过 bonus_factor、lowest_grade 与 investigate 生效",
                        },
                    )
