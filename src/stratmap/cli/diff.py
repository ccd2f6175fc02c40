"""``stratmap diff``: what changed between two versions of a strategy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stratmap.cli import _common
from stratmap.cli._common import Parser


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    df = sub.add_parser("diff", parents=[common, reading], help="what changed between two versions of a strategy")
    df.add_argument("old", metavar="OLD", help="a root file or folder, or REV:PATH (a git revision of a path)")
    df.add_argument("new", metavar="NEW", help="the same, for the newer version")
    _common.report_options(df, "diff")


def run(args: argparse.Namespace, lang: str) -> int:
    from stratmap.improve.diff import diff
    from stratmap.load import Limits, git

    versions = []
    with git.temporary_folder() as tmp:
        for n, arg in enumerate((args.old, args.new)):
            path = arg
            if git.is_revision(arg):
                try:
                    written, root = git.checkout(arg, Path(tmp) / str(n), args.include_root)
                except ValueError as exc:
                    print(f"stratmap: error: {arg}: {exc}", file=sys.stderr)
                    return _common.EXIT_USAGE
                path = str(written)
                limits = None if root is None else Limits(include_root=str(root))
            else:
                limits = _common.limits_of(args)
            strategy = _common.one_strategy([path], lang, limits=limits, ignore=("SM3",), label=arg)
            if strategy is None:
                return _common.EXIT_USAGE
            versions.append(strategy)
        found = diff(versions[0], versions[1])
    from stratmap.report.diff import render_diff_json, render_diff_text

    text = render_diff_json(found) if args.format == "json" else render_diff_text(found)
    if not _common.write(text, args.output):
        return _common.EXIT_USAGE
    return _common.EXIT_OK if found.empty else _common.EXIT_PROBLEMS
