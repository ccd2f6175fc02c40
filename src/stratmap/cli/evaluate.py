"""``stratmap evaluate``: scores, gates, grades, ranks and bonus for a period."""

from __future__ import annotations

import argparse
import dataclasses
import sys

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
    ev = sub.add_parser(
        "evaluate", parents=[common, reading, data_in], help="compute scores, gates, grades, ranks and bonus"
    )
    ev.add_argument("--bonus-base", metavar="FILE", help="entity, period, amount")
    ev.add_argument("--tier", choices=TIERS, default="short_term")
    ev.add_argument("--format", choices=FORMATS["evaluate"], default=FORMATS["evaluate"][0])
    ev.add_argument("--explain", metavar="ENTITY", help="print how ENTITY's numbers were reached")
    ev.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.data import read_data
    from stratmap.diagnostics import Severity
    from stratmap.evaluation import evaluate
    from stratmap.report.results import RENDERERS, render_explanation

    strategy = one_strategy(args.paths, lang, limits=limits_of(args))
    if strategy is None:
        return EXIT_PROBLEMS
    data = read_data(
        actuals=args.actuals,
        events=args.events,
        ratings=args.ratings,
        bonus_base=args.bonus_base,
        people=args.people,
        encoding=args.encoding,
    )
    evaluation = evaluate(strategy, data, period=args.period, tier=args.tier)
    problems = data_problems(list(evaluation.diagnostics), args, lang)
    evaluation = dataclasses.replace(evaluation, diagnostics=tuple(problems))  # --ignore holds for every format
    if args.explain:
        chosen = [r for r in evaluation.results if r.entity == args.explain]
        if not chosen:
            print(f"stratmap: error: no result for entity {args.explain!r} in {args.period}", file=sys.stderr)
            return EXIT_USAGE
        text = "\n".join(render_explanation(r, lang) for r in chosen)
    else:
        text = RENDERERS[args.format](evaluation, lang)
    if not write(text, args.output):
        return EXIT_USAGE
    failed = any(d.severity is Severity.ERROR for d in problems)
    incomplete = any(r.status != "complete" for r in evaluation.results)
    return EXIT_PROBLEMS if failed or incomplete else EXIT_OK
