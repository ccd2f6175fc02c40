"""``stratmap review``: the monthly review (述职) report."""

from __future__ import annotations

import argparse
import dataclasses

from stratmap.cli._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    Parser,
    data_problems,
    limits_of,
    one_strategy,
    write,
)
from stratmap.report import FORMATS
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
    rv.add_argument("--format", choices=FORMATS["review"], default=FORMATS["review"][0])
    rv.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.data import read_data
    from stratmap.diagnostics import Severity
    from stratmap.improve.review import review
    from stratmap.report import review as review_report

    strategy = one_strategy(args.paths, lang, limits=limits_of(args))
    if strategy is None:
        return EXIT_PROBLEMS
    data = read_data(
        actuals=args.actuals, events=args.events, ratings=args.ratings, people=args.people, encoding=args.encoding
    )
    found = review(strategy, data, period=args.period, tier=args.tier)
    problems = data_problems([*found.evaluation.diagnostics, *found.findings], args, lang)
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
    if not write(render(found, lang), args.output):
        return EXIT_USAGE
    failed = any(d.severity is Severity.ERROR for d in problems)
    incomplete = any(r.status != "complete" for r in found.evaluation.results)
    return EXIT_PROBLEMS if failed or incomplete else EXIT_OK
