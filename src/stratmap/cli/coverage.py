"""``stratmap coverage``: how much scorecard weight serves each driver."""

from __future__ import annotations

import argparse

from stratmap.cli._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Parser, load_one, report_options, write


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    c = sub.add_parser("coverage", parents=[common, reading], help="how much scorecard weight serves each driver")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="the strategy's root file or folder")
    report_options(c, "coverage")


def run(args: argparse.Namespace, lang: str) -> int:
    """The weight shares of the one strategy at the paths, as ``--format`` says."""
    strategy = load_one(args, lang)
    if strategy is None:
        return EXIT_PROBLEMS
    from stratmap.coverage import coverage
    from stratmap.report import coverage as coverage_report

    text = coverage_report.RENDERERS[args.format](coverage(strategy), lang)
    return EXIT_OK if write(text, args.output) else EXIT_USAGE
