"""``stratmap graph``: draw the strategy map (drivers, purposes, KPIs, problems)."""

from __future__ import annotations

import argparse

from stratmap.cli._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Parser, load_one, report_options, write


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    g = sub.add_parser(
        "graph", parents=[common, reading], help="draw the strategy map: drivers, purposes, KPIs, problems"
    )
    g.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="the strategy's root file or folder")
    report_options(g, "graph")


def run(args: argparse.Namespace, lang: str) -> int:
    """Draw the map of the one strategy at the paths, as ``--format`` says."""
    strategy = load_one(args, lang)
    if strategy is None:
        return EXIT_PROBLEMS
    from stratmap.report import strategy_map
    from stratmap.rules import run_model_rules

    text = strategy_map.RENDERERS[args.format](run_model_rules(strategy), lang)
    return EXIT_OK if write(text, args.output) else EXIT_USAGE
