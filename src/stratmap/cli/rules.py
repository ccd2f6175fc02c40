"""``stratmap rules``: list every diagnostic code."""

from __future__ import annotations

import argparse
import json
import sys

from stratmap.cli._common import EXIT_OK, Parser
from stratmap.report import FORMATS


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    r = sub.add_parser("rules", parents=[common], help="list every diagnostic code")
    r.add_argument("--format", choices=FORMATS["rules"], default=FORMATS["rules"][0])


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.codes import CODES

    if args.format == "json":
        rows = [
            {
                "code": c.code,
                "name": c.slug,
                "severity": c.severity.value,
                "summary": c.summary_in(lang),
                "since": c.since,
            }
            for c in CODES.values()
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    width = max(len(c.slug) for c in CODES.values())
    for c in CODES.values():
        sys.stdout.write(f"{c.code}  {c.slug:<{width}}  {c.severity.value:<7}  {c.summary_in(lang)}\n")
    return EXIT_OK
