"""``stratmap schema``: print the JSON Schema of the format."""

from __future__ import annotations

import argparse
import sys

from stratmap.cli._common import EXIT_OK, Parser


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    sub.add_parser("schema", parents=[common], help="print the JSON Schema of the format")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK
