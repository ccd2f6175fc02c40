"""``stratmap validate``: check strategy files and report every problem."""

from __future__ import annotations

import argparse
import sys

from stratmap.cli import _common
from stratmap.cli._common import Parser
from stratmap.report import FORMATS


def add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Parser, reading: Parser, data_in: Parser
) -> None:
    """Register the command and its options."""
    v = sub.add_parser("validate", parents=[common, reading], help="check strategy files and report every problem")
    v.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    v.add_argument("--format", choices=FORMATS["validate"], default=None)
    v.add_argument(
        "--scope",
        choices=("strategy", "file"),
        default="strategy",
        help="strategy: follow includes and check references (default); file: check each file on its own",
    )
    v.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    v.add_argument(
        "--select",
        type=_common.codes_arg,
        default=[],
        metavar="CODES",
        help="report only codes starting with these prefixes, comma-separated (e.g. SM1,SM2)",
    )
    v.add_argument(
        "--ignore",
        type=_common.codes_arg,
        default=[],
        metavar="CODES",
        help="do not report codes starting with these prefixes (e.g. SM3 skips the cascade checks)",
    )
    v.add_argument(
        "--strategy-files-only",
        action="store_true",
        help="skip named YAML files that have no top-level 'stratmap:' key (for pre-commit hooks)",
    )
    v.add_argument("--no-hints", action="store_true", help="text format: one line per problem, no hint lines")
    v.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    v.add_argument("--actuals", metavar="FILE", help="with --period: also apply the review's gap rule (SM364)")
    v.add_argument("--people", metavar="FILE", help="with --actuals: entity, holds")
    v.add_argument("--period", help="with --actuals: the period of the data, e.g. 2026-03")
    v.add_argument("--encoding", default="utf-8", help="of CSV data files: utf-8 (default) or gb18030")
    v.add_argument(
        "--as-of",
        type=_common.date_arg,
        metavar="DATE",
        help="report plan actions still open after their due date as of DATE (YYYY-MM-DD, or 'today')",
    )


def run(args: argparse.Namespace, lang: str) -> int:
    import stratmap
    from stratmap.diagnostics import CodeFilter, Severity
    from stratmap.report import renderer
    from stratmap.report.text import render_text

    if (args.actuals is None) != (args.period is None):
        print("stratmap: error: --actuals and --period go together", file=sys.stderr)
        return _common.EXIT_USAGE
    result = stratmap.check_strategies(
        *args.paths,
        scope=args.scope,
        models=args.actuals is not None,
        strategy_files_only=args.strategy_files_only,
        select=args.select,
        ignore=args.ignore,
        as_of=args.as_of,
        limits=_common.limits_of(args),
    )
    diagnostics = list(result.diagnostics)
    files = result.files
    if args.actuals is not None and len(result.strategies) == 1:
        # the period's data given: also list every KPI below its threshold without an
        # owned, dated improvement action and a 5-Why chain (the review's gap rule, SM364)
        from stratmap.data import read_data
        from stratmap.diagnostics import sort_diagnostics
        from stratmap.improve.review import review

        data = read_data(actuals=args.actuals, people=args.people, encoding=args.encoding)
        found = review(result.strategies[0], data, period=args.period)
        codes = CodeFilter(tuple(args.select), tuple(args.ignore))
        extra = codes.kept([*found.evaluation.diagnostics, *found.findings])
        diagnostics = sort_diagnostics([*diagnostics, *extra])
        files = tuple(dict.fromkeys([*files, *(d.location.file for d in extra)]))
    fmt = args.format or _common.default_format()
    if fmt == "text":
        text = render_text(diagnostics, files, lang, hints=not args.no_hints)
    else:
        text = renderer(fmt)(diagnostics, files, lang)
    if not _common.write(text, args.output):
        return _common.EXIT_USAGE
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return _common.EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else _common.EXIT_OK
