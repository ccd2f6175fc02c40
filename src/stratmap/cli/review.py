"""``stratmap review``: the monthly review (述职) report."""

from __future__ import annotations

import argparse
import dataclasses

from stratmap.cli import _common
from stratmap.cli._common import Parser
from stratmap.tiers import TIERS


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    rv = sub.add_parser(
        "review",
        parents=[common, reading, data_in],
        help="the monthly review (述职) report: gaps, plans, overdue actions",
    )
    rv.add_argument("--tier", choices=[t for t in TIERS if t != "major_responsibility"], default="short_term")
    _common.report_options(rv, "review")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.improve.review import review
    from stratmap.report import review as review_report

    strategy = _common.one_strategy(args.paths, lang, limits=_common.limits_of(args))
    if strategy is None:
        return _common.EXIT_PROBLEMS
    found = review(strategy, _common.data_of(args), period=args.period, tier=args.tier)
    problems = _common.data_problems([*found.evaluation.diagnostics, *found.findings], args, lang)
    kept = {id(d) for d in problems}  # --ignore holds for the report's body and its JSON too
    found = dataclasses.replace(
        found,
        evaluation=dataclasses.replace(
            found.evaluation, diagnostics=tuple(d for d in found.evaluation.diagnostics if id(d) in kept)
        ),
        entities=tuple(
            dataclasses.replace(e, findings=tuple(d for d in e.findings if id(d) in kept)) for e in found.entities
        ),
        no_data_findings=tuple(d for d in found.no_data_findings if id(d) in kept),
    )
    render = review_report.render_json if args.format == "json" else review_report.render_markdown
    if not _common.write(render(found, lang), args.output):
        return _common.EXIT_USAGE
    return _common.data_exit(problems, found.evaluation.results)
