"""``stratmap explain``: a code's documentation with a bad and a fixed example."""

from __future__ import annotations

import argparse
import difflib
import sys

from stratmap.cli._common import EXIT_OK, EXIT_USAGE, Parser


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    e = sub.add_parser("explain", parents=[common], help="show a code's documentation with a bad and a fixed example")
    e.add_argument("code", metavar="CODE")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.codes import CODES

    code = args.code.upper()
    spec = CODES.get(code)
    if spec is None:
        # a letter typed for a digit (O for 0, I or l for 1) first, then the closest code of
        # the same family (SM1O3 is SM103, not SM513), then any close code
        digits = code[:2] + code[2:].translate(str.maketrans("OIL", "011"))
        family = [c for c in CODES if c[:3] == digits[:3]]
        close = (
            [digits]
            if digits in CODES
            else difflib.get_close_matches(digits, family, n=1) or difflib.get_close_matches(code, list(CODES), n=1)
        )
        hint = f"; did you mean {close[0]}?" if close else "; run 'stratmap rules' for the list"
        print(f"stratmap: error: unknown code {args.code!r}{hint}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(spec.documentation())
    return EXIT_OK
