"""SM35x: the "4" and the "2" of 4232 — analysis, named problems, issue-driven KPIs."""

from __future__ import annotations

from collections.abc import Iterator

from stratmap.diagnostics import Related
from stratmap.model import Problem
from stratmap.rules.registry import Context, Finding, rule


@rule("SM350")
def unanswered_problem(ctx: Context) -> Iterator[Finding]:
    """An open problem that no KPI and no improvement plan answers."""
    answered = {dst for _, dst, _ in ctx.ends("answers")}
    for p in ctx.strategy.problems:
        if p.status == "open" and p.id not in answered:
            yield Finding("SM350", p.where.at("id"), p.id, {"problem": p.id})


@rule("SM351")
def problem_holds_back_nothing(ctx: Context) -> Iterator[Finding]:
    """A problem that holds back no driver."""
    for p in ctx.strategy.problems:
        if not p.holds_back:
            yield Finding("SM351", p.where.at("id"), p.id, {"problem": p.id})


@rule("SM353")
def driver_without_analysis(ctx: Context) -> Iterator[Finding]:
    """A driver with no analysis behind it: no rationale, or no analysis section at all."""
    has_analysis = ctx.strategy.analysis is not None
    for d in ctx.strategy.drivers:
        if d.rationale is None or not has_analysis:
            missing = "its 'rationale'" if d.rationale is None else "an 'analysis' section in the strategy"
            missing_zh = "“rationale”" if d.rationale is None else "战略中的“analysis”部分"
            yield Finding(
                "SM353", d.where.at("id"), d.id, {"driver": d.id, "missing": missing, "missing_zh": missing_zh}
            )


@rule("SM354")
def answers_solved_problem(ctx: Context) -> Iterator[Finding]:
    """An issue-driven KPI whose problem is marked solved."""
    for k in [k for k in ctx.strategy.kpis if k.answers]:
        for i, problem_id in enumerate(k.answers):
            problem = ctx.strategy.get(problem_id)
            if isinstance(problem, Problem) and problem.status == "solved":
                yield Finding(
                    "SM354",
                    k.where.at("answers", i),
                    k.id,
                    {"kpi": k.id, "problem": problem_id},
                    (Related(problem.where.at("status"), "marked solved here"),),
                )
