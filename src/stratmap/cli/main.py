"""The ``stratmap`` command: the parser and the table of commands. Each command is one
module of this package, over the public API and a renderer.

Exit codes: 0 clean, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence

from stratmap.cli import coverage, diff, evaluate, explain, graph, review, rules, schema, validate
from stratmap.cli._common import EXIT_USAGE, Parser, parents
from stratmap.diagnostics import EvaluationError
from stratmap.i18n import default_lang

#: Every command, in the order ``stratmap --help`` lists them: its module registers its
#: options (``add``) and runs it (``run``).
COMMANDS = {
    "validate": validate,
    "graph": graph,
    "coverage": coverage,
    "evaluate": evaluate,
    "review": review,
    "diff": diff,
    "schema": schema,
    "rules": rules,
    "explain": explain,
}


def parser() -> argparse.ArgumentParser:
    from stratmap._version import __version__

    common, reading, data_in = parents()
    top = Parser(
        prog="stratmap", description="The 4232 strategic-performance model as checkable code.", parents=[common]
    )
    top.add_argument("--version", action="version", version=f"stratmap {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS.values():
        command.add(sub, common, reading, data_in)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    found = parser()
    try:
        args = found.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    lang = getattr(args, "lang", None) or default_lang()
    command = COMMANDS.get(args.command)
    if command is None:
        found.print_help(sys.stderr)
        return EXIT_USAGE
    run: Callable[[argparse.Namespace, str], int] = command.run
    try:
        return run(args, lang)
    except EvaluationError as exc:  # the request itself (a period that is not one...): a usage error
        print(f"stratmap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def entry() -> None:  # pragma: no cover - exercised by the end-to-end tests in a subprocess
    """The console script: run, flush, and leave without tearing down every object.

    A large strategy leaves millions of small objects behind; freeing them one by one at
    interpreter exit costs more than some checks (mypy's ``--fast-exit`` does the same).
    The cyclic collector stays off for the whole process: a command is short-lived, and
    the first collection after a run would otherwise rescan everything the run allocated
    (0.7 s of a 50,000-KPI check) only to free almost nothing.
    """
    gc.disable()
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
