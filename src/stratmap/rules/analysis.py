"""SM35x: the "4" and the "2" of 4232 — analysis, named problems, issue-driven KPIs."""

from __future__ import annotations

from collections.abc import Iterator

from stratmap.diagnostics import Related
from stratmap.i18n import Text
from stratmap.model import Problem
from stratmap.rules.registry import Context, Finding


def unanswered_problem(ctx: Context) -> Iterator[Finding]:
    """An open problem that no assessed KPI and no improvement plan answers.

    A KPI answers a problem only when some scorecard assesses it (as an item, a key
    indicator or a high-voltage line): a KPI nobody is assessed on changes nothing.
    """
    answering: dict[str, list[str]] = {}
    for src, dst, _ in ctx.ends("answers"):
        answering.setdefault(dst, []).append(src)
    unanswered = [
        p
        for p in ctx.strategy.problems
        if p.status == "open" and all(ctx.kind(src) == "kpi" for src in answering.get(p.id, ()))
    ]
    if not unanswered:
        return
    assessed = {
        kpi
        for card in ctx.strategy.scorecards
        for kpi in (
            *(item.kpi for item in card.items),
            *(ki.kpi for ki in card.key_indicators),
            *(line.kpi for line in card.high_voltage_lines if line.kpi),
        )
    }
    for p in unanswered:
        sources = answering.get(p.id, [])
        if any(ctx.kind(src) != "kpi" or src in assessed for src in sources):
            continue
        if sources:
            names = ", ".join(dict.fromkeys(sources))
            detail = f" ({names} answers it, but no scorecard assesses it)"
            detail_zh = f"({names} 针对它,但没有任何考核表考核)"
        else:
            detail = detail_zh = ""
        yield Finding(p.where.at("id"), p.id, {"problem": p.id, "detail": Text(detail, detail_zh)})


def problem_holds_back_nothing(ctx: Context) -> Iterator[Finding]:
    """A problem that holds back no driver."""
    for p in ctx.strategy.problems:
        if not p.holds_back:
            yield Finding(p.where.at("id"), p.id, {"problem": p.id})


def driver_without_analysis(ctx: Context) -> Iterator[Finding]:
    """A driver with no analysis behind it: no rationale, or no analysis section at all."""
    has_analysis = ctx.strategy.analysis is not None
    for d in ctx.strategy.drivers:
        if d.rationale is None or not has_analysis:
            missing = "its 'rationale'" if d.rationale is None else "an 'analysis' section in the strategy"
            missing_zh = "“rationale”" if d.rationale is None else "战略中的“analysis”部分"
            yield Finding(d.where.at("id"), d.id, {"driver": d.id, "missing": Text(missing, missing_zh)})


def answers_solved_problem(ctx: Context) -> Iterator[Finding]:
    """An issue-driven KPI whose problem is marked solved."""
    for k in [k for k in ctx.strategy.kpis if k.answers]:
        for i, problem_id in enumerate(k.answers):
            problem = ctx.strategy.get(problem_id)
            if isinstance(problem, Problem) and problem.status == "solved":
                yield Finding(
                    k.where.at("answers", i),
                    k.id,
                    {"kpi": k.id, "problem": problem_id},
                    (Related(problem.where.at("status"), "marked solved here"),),
                )
