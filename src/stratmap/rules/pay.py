"""SM32x: scorecards that would pay someone wrongly although every value is well formed.

Each rule finds a way a scorecard, a bonus rule or a revision is written so that the
evaluator, doing exactly what it says, pays differently from what its author meant:
tables in the wrong order, grades that no row pays, quotas no group can meet, anchors
that score a better result lower, conditions that read a value that is never there,
targets and revisions that never apply.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from decimal import Decimal

from stratmap.i18n import Text
from stratmap.model import Scorecard
from stratmap.model.scorecard import DEFAULT_GRADES
from stratmap.rules._problems import number, problem_args
from stratmap.rules.registry import Context, Finding

_grading = {"table": Text("grading", "等级")}


# ---- SM320 / SM321: tables in their documented order, each grade once ------------------


def table_order(ctx: Context) -> Iterator[Finding]:
    """Grade bands and by-score bonus rows that are not best first, open-ended row last."""
    for card in _graded(ctx):
        bands = card.grading.bands
        rows = [(band.grade, band.min) for band in bands]
        for index, en, zh in _unreachable(rows, "band", "等级区间"):
            yield Finding(card.where.at("grading", "bands", index), card.id, problem_args(en, zh, **_grading))
        last = bands[-1]
        if last.min is not None and all(b.min is not None for b in bands):
            yield Finding(
                card.where.at("grading", "bands", len(bands) - 1, "min"),
                card.id,
                problem_args(
                    f"the last band, {last.grade}, has a min of {number(last.min)}, yet every score below it "
                    f"is graded {last.grade} too; write the last band without 'min'",
                    f"最后一个区间 {last.grade} 写有 min {number(last.min)},但低于它的得分同样评为 {last.grade};"
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
                    problem_args(
                        "this row has no 'min', so no score reaches it (a by-score row is paid from its min up)",
                        "此行没有 min,任何得分都不会用到它(按得分的行从其 min 起适用)",
                        table=Text(f"bonus rule {bonus.id}", f"奖金规则 {bonus.id}"),
                    ),
                )
        rows = [(f"factor {number(row.factor)}", row.min) for row in bonus.table if row.min is not None]
        indexes = [i for i, row in enumerate(bonus.table) if row.min is not None]
        unreachable = list(_unreachable(rows, "row", "行"))
        for index, en, zh in unreachable:
            yield Finding(
                bonus.where.at("table", indexes[index], "min"),
                bonus.id,
                problem_args(en, zh, table=Text(f"bonus rule {bonus.id}", f"奖金规则 {bonus.id}")),
            )
        if unreachable:
            continue
        scored = [row for row in bonus.table if row.min is not None]
        for upper, lower in itertools.pairwise(scored):  # best first: a higher score never pays less
            if upper.factor < lower.factor:
                yield Finding(
                    bonus.where.at("table", bonus.table.index(upper), "factor"),
                    bonus.id,
                    problem_args(
                        f"scores from {number(upper.min)} up pay a factor of {number(upper.factor)}, less than the "
                        f"{number(lower.factor)} of scores from {number(lower.min)}: a better score is paid less",
                        f"{number(upper.min)} 分及以上的系数 {number(upper.factor)} 低于 {number(lower.min)} 分及以上"
                        f"的系数 "
                        f"{number(lower.factor)}:得分越高奖金反而越少",
                        table=Text(f"bonus rule {bonus.id}", f"奖金规则 {bonus.id}"),
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
                    problem_args(
                        f"grade {better} pays a factor of {number(high)}, less than the {number(low)} of grade {worse} "
                        f"below it in the grading of {card.id}: a better grade is paid less",
                        f"等级 {better} 的系数 {number(high)} 低于 {card.id} 等级中排在其后的 {worse} 的系数"
                        f" {number(low)}:"
                        "等级越高奖金反而越少",
                        table=Text(f"bonus rule {bonus.id}", f"奖金规则 {bonus.id}"),
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
                    f"{what} {label} (min {number(low)}) comes after {earlier} (min {number(before)}), which takes "
                    f"every score from {number(before)} up; {label} is never given. List {what}s best first "
                    "(highest min first)",
                    f"{what_zh} {label}(min {number(low)})排在 {earlier}(min {number(before)})之后,"
                    f"而后者已取走 {number(before)} 及以上的所有得分;{label} 永远不会用到。请按 min 从高到低排列",
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
                    {"grade": band.grade, "table": Text(f"the grading of {card.id}", f"{card.id} 的等级")},
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
                    {"grade": row.grade, "table": Text(f"bonus rule {bonus.id}", f"奖金规则 {bonus.id}")},
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
                    problem_args(
                        f"grade {quota.grade} is not a grade of this scorecard ({', '.join(grades)}); "
                        "the quota would be ignored",
                        f"{quota.grade} 不是本考核表的等级({', '.join(grades)});该配额将被忽略",
                    ),
                )
            elif first.setdefault(quota.grade, i) != i:
                yield Finding(
                    where,
                    card.id,
                    problem_args(
                        f"grade {quota.grade} has a second quota; give each grade one quota with both 'min' and 'max'",
                        f"等级 {quota.grade} 有第二个配额;每个等级只写一个配额,同时写 min 与 max",
                    ),
                )
            if quota.min is not None and quota.max is not None and quota.min > quota.max:
                yield Finding(
                    card.where.at("distribution", "quotas", i, "min"),
                    card.id,
                    problem_args(
                        f"grade {quota.grade} needs at least {number(quota.min)}% and at most {number(quota.max)}%",
                        f"等级 {quota.grade} 要求至少 {number(quota.min)}% 且至多 {number(quota.max)}%",
                    ),
                )
        minima = sum((q.min for q in quotas if q.min is not None and q.grade in grades), Decimal(0))
        if minima > 100:
            yield Finding(
                card.where.at("distribution", "quotas"),
                card.id,
                problem_args(
                    f"the minimum shares add up to {number(minima)}% of the people, more than 100%",
                    f"各等级最低比例合计 {number(minima)}%,超过 100%",
                ),
            )
        capped = {q.grade: q.max for q in quotas if q.max is not None and q.grade in grades}
        if set(grades) <= capped.keys():
            total = sum(capped.values(), Decimal(0))
            if total < 100:
                yield Finding(
                    card.where.at("distribution", "quotas"),
                    card.id,
                    problem_args(
                        f"every grade has a maximum and they add up to {number(total)}%, less than 100%: "
                        "some people could be given no grade",
                        f"每个等级都有最高比例,合计仅 {number(total)}%,不足 100%:部分人员将无等级可给",
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
                problem_args(
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
                    problem_args(
                        f"no row of bonus rule {bonus.id} pays scores below {number(lowest)}: they get a factor of 0 "
                        f"by "
                        "omission; add a last row with min: 0 (factor: 0 if that is meant)",
                        f"奖金规则 {bonus.id} 没有适用于 {number(lowest)} 分以下的行:这些得分会因遗漏而系数为 0;"
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
                    problem_args(
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
                    problem_args(
                        "this row of a by-grade rule names no 'grade', so it is never paid",
                        "按等级的规则中此行没有 grade,永远不会用到",
                    ),
                )
            elif users and row.grade not in given:
                yield Finding(
                    bonus.where.at("table", i, "grade"),
                    bonus.id,
                    problem_args(
                        f"grade {row.grade} is not a grade of any scorecard paid by {bonus.id} "
                        f"({', '.join(sorted(given))}), so this row is never paid",
                        f"{row.grade} 不是使用 {bonus.id} 的任何考核表的等级({', '.join(sorted(given))}),"
                        "此行永远不会用到",
                    ),
                )
