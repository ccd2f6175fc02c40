"""``stratmap evaluate``: scores, gates, grades, ranks and bonus for a period."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from stratmap.cli import _common
from stratmap.cli._common import Parser
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
    _common.report_options(ev, "evaluate")
    ev.add_argument("--explain", metavar="ENTITY", help="print how ENTITY's numbers were reached")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.evaluation import evaluate
    from stratmap.report.results import RENDERERS, render_explanation

    strategy = _common.one_strategy(args.paths, lang, limits=_common.limits_of(args))
    if strategy is None:
        return _common.EXIT_PROBLEMS
    evaluation = evaluate(strategy, _common.data_of(args), period=args.period, tier=args.tier)
    problems = _common.data_problems(list(evaluation.diagnostics), args, lang)
    evaluation = dataclasses.replace(evaluation, diagnostics=tuple(problems))  # --ignore holds for every format
    if args.explain:
        chosen = [r for r in evaluation.results if r.entity == args.explain]
        if not chosen:
            print(f"stratmap: error: no result for entity {args.explain!r} in {args.period}", file=sys.stderr)
            return _common.EXIT_USAGE
        text = "\n".join(render_explanation(r, lang) for r in chosen)
    else:
        text = RENDERERS[args.format](evaluation, lang)
    if not _common.write(text, args.output):
        return _common.EXIT_USAGE
    return _common.data_exit(problems, evaluation.results)
