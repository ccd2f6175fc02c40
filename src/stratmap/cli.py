"""The ``stratmap`` command. Argument parsing and exit codes only: every command
calls the public API and a renderer.

Exit codes: 0 clean, 1 problems found, 2 usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import difflib
import gc
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stratmap.i18n import LANGUAGES, default_lang
from stratmap.model.types import TIERS

if TYPE_CHECKING:
    from stratmap.diagnostics import Diagnostic
    from stratmap.load import Limits
    from stratmap.model import Strategy

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


_CODE_PREFIX = re.compile(r"SM[0-9]{0,3}\Z")


def _codes_arg(text: str) -> list[str]:
    prefixes = [p.strip().upper() for p in text.split(",") if p.strip()]
    bad = [p for p in prefixes if not _CODE_PREFIX.match(p)]
    if bad or not prefixes:
        raise argparse.ArgumentTypeError(f"not a code prefix: {', '.join(bad) or text!r} (e.g. SM3 or SM301)")
    return prefixes


def _default_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _parser() -> argparse.ArgumentParser:
    from stratmap import __version__

    common = _Parser(add_help=False)
    common.add_argument(
        "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="language of messages (default: from the locale)"
    )
    parser = _Parser(
        prog="stratmap", description="The 4232 strategic-performance model as checkable code.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"stratmap {__version__}")
    # what every command that reads a strategy accepts
    reading = _Parser(add_help=False)
    reading.add_argument(
        "--include-root",
        metavar="DIR",
        help="the folder includes must stay in (default: the root file's folder); for monorepos",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    v = sub.add_parser("validate", parents=[common, reading], help="check strategy files and report every problem")
    v.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    v.add_argument("--format", choices=("text", "json", "github", "sarif"), default=None)
    v.add_argument(
        "--scope",
        choices=("strategy", "file"),
        default="strategy",
        help="strategy: follow includes and check references (default); file: check each file on its own",
    )
    v.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    v.add_argument(
        "--select",
        type=_codes_arg,
        default=[],
        metavar="CODES",
        help="report only codes starting with these prefixes, comma-separated (e.g. SM1,SM2)",
    )
    v.add_argument(
        "--ignore",
        type=_codes_arg,
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
        type=_date,
        metavar="DATE",
        help="report plan actions still open after their due date as of DATE (YYYY-MM-DD, or 'today')",
    )

    g = sub.add_parser(
        "graph", parents=[common, reading], help="draw the strategy map: drivers, purposes, KPIs, problems"
    )
    g.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="the strategy's root file or folder")
    g.add_argument("--format", choices=("mermaid", "dot", "json"), default="mermaid")
    g.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    c = sub.add_parser("coverage", parents=[common, reading], help="how much scorecard weight serves each driver")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="the strategy's root file or folder")
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")
    c.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    # what evaluate and review both read: a strategy and a period's data
    data_in = _Parser(add_help=False)
    data_in.add_argument("paths", nargs=1, metavar="STRATEGY", help="the strategy's root file or folder")
    data_in.add_argument(
        "--actuals", metavar="FILE", required=True, help="entity, kpi, period, value (CSV, JSON or YAML)"
    )
    data_in.add_argument("--events", metavar="FILE", help="entity, event, period[, count, amount]")
    data_in.add_argument("--ratings", metavar="FILE", help="entity, kpi, period, rater, rating")
    data_in.add_argument("--people", metavar="FILE", help="entity, holds (the position or department), name")
    data_in.add_argument("--encoding", default="utf-8", help="of CSV files: utf-8 (default, BOM allowed) or gb18030")
    data_in.add_argument("--period", required=True, help="2026-03, 2026Q1, 2026H1 or 2026")
    data_in.add_argument("--quiet", "-q", action="store_true", help="print only errors (warnings, notes counted)")
    data_in.add_argument(
        "--ignore",
        type=_codes_arg,
        default=[],
        metavar="CODES",
        help="do not report codes starting with these prefixes, e.g. SM509 (rows that fed no result)",
    )

    ev = sub.add_parser(
        "evaluate", parents=[common, reading, data_in], help="compute scores, gates, grades, ranks and bonus"
    )
    ev.add_argument("--bonus-base", metavar="FILE", help="entity, period, amount")
    ev.add_argument("--tier", choices=TIERS, default="short_term")
    ev.add_argument("--format", choices=("table", "json", "csv"), default="table")
    ev.add_argument("--explain", metavar="ENTITY", help="print how ENTITY's numbers were reached")
    ev.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    rv = sub.add_parser(
        "review",
        parents=[common, reading, data_in],
        help="the monthly review (述职) report: gaps, plans, overdue actions",
    )
    rv.add_argument("--tier", choices=[t for t in TIERS if t != "major_responsibility"], default="short_term")
    rv.add_argument("--format", choices=("markdown", "json"), default="markdown")
    rv.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    df = sub.add_parser("diff", parents=[common, reading], help="what changed between two versions of a strategy")
    df.add_argument("old", metavar="OLD", help="a root file or folder, or REV:PATH (a git revision of a path)")
    df.add_argument("new", metavar="NEW", help="the same, for the newer version")
    df.add_argument("--format", choices=("text", "json"), default="text")
    df.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    sub.add_parser("schema", parents=[common], help="print the JSON Schema of the format")

    r = sub.add_parser("rules", parents=[common], help="list every diagnostic code")
    r.add_argument("--format", choices=("text", "json"), default="text")

    e = sub.add_parser("explain", parents=[common], help="show a code's documentation with a bad and a fixed example")
    e.add_argument("code", metavar="CODE")
    return parser


def _limits(args: argparse.Namespace) -> Limits | None:
    """The reading limits the command line asks for (only the include root can be set)."""
    from stratmap.load import Limits

    return None if args.include_root is None else Limits(include_root=args.include_root)


def _date(text: str) -> datetime.date:
    if text == "today":
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD or 'today'") from None


def _write(text: str, output: str | None) -> bool:
    """Write the report; False (with a message) when the output file cannot be written."""
    if not output:
        sys.stdout.write(text)
        return True
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        print(f"stratmap: error: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _validate(args: argparse.Namespace, lang: str) -> int:
    from stratmap.api import run
    from stratmap.diagnostics import Severity
    from stratmap.report import renderer
    from stratmap.report.text import render_text

    if (args.actuals is None) != (args.period is None):
        print("stratmap: error: --actuals and --period go together", file=sys.stderr)
        return EXIT_USAGE
    result = run(
        args.paths,
        scope=args.scope,
        build=args.actuals is not None,
        skip_unmarked=args.strategy_files_only,
        select=args.select,
        ignore=args.ignore,
        as_of=args.as_of,
        limits=_limits(args),
    )
    diagnostics = list(result.diagnostics)
    files = result.files
    if args.actuals is not None and len(result.strategies) == 1:
        # the period's data given: also list every KPI below its threshold without an
        # owned, dated improvement action and a 5-Why chain (the review's gap rule, SM364)
        from stratmap.data import read_data
        from stratmap.diagnostics import sort_diagnostics
        from stratmap.evaluation import EvaluationError
        from stratmap.review import review

        data = read_data(actuals=args.actuals, people=args.people, encoding=args.encoding)
        try:
            found = review(result.strategies[0], data, period=args.period)
        except EvaluationError as exc:
            print(f"stratmap: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        select, ignore = tuple(args.select), tuple(args.ignore)
        extra = [
            d
            for d in (*found.evaluation.diagnostics, *found.findings)
            if (not select or d.code.startswith(select)) and not (ignore and d.code.startswith(ignore))
        ]
        diagnostics = sort_diagnostics([*diagnostics, *extra])
        files = tuple(dict.fromkeys([*files, *(d.location.file for d in extra)]))
    fmt = args.format or _default_format()
    if fmt == "text":
        text = render_text(diagnostics, files, lang, hints=not args.no_hints)
    else:
        text = renderer(fmt)(diagnostics, files, lang)
    if not _write(text, args.output):
        return EXIT_USAGE
    failing = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
    return EXIT_PROBLEMS if any(d.severity in failing for d in diagnostics) else EXIT_OK


def _load_one(args: argparse.Namespace, lang: str) -> Strategy | None:
    """The one strategy at the given paths, or None after printing why not.

    Only reading, schema and reference errors stop here: the map and the weight shares
    are how one looks at the cascade's own findings, so those do not block them.
    """
    from stratmap.api import run
    from stratmap.report.text import render_text

    result = run(args.paths, ignore=["SM3"], limits=_limits(args))
    if result.errors or len(result.strategies) != 1:
        if not result.errors:
            count = len(result.strategies)
            print(f"stratmap: error: the paths hold {count} strategies; name one root file or folder", file=sys.stderr)
        else:
            sys.stderr.write(render_text(result.diagnostics, result.files, lang))
        return None
    return result.strategies[0]


def _strategy_report(args: argparse.Namespace, lang: str, fmt: str) -> int:
    """Load one strategy, compute the view ``args.command`` asks for, render it as ``fmt``."""
    strategy = _load_one(args, lang)
    if strategy is None:
        return EXIT_PROBLEMS
    if args.command == "graph":
        from stratmap.report import strategy_map
        from stratmap.rules.engine import run_model_rules

        text = strategy_map.RENDERERS[fmt](run_model_rules(strategy), lang)
    else:
        from stratmap.coverage import coverage
        from stratmap.report import coverage as coverage_report

        text = coverage_report.RENDERERS[fmt](coverage(strategy), lang)
    return EXIT_OK if _write(text, args.output) else EXIT_USAGE


def _evaluate(args: argparse.Namespace, lang: str) -> int:
    from stratmap.api import run
    from stratmap.data import read_data
    from stratmap.diagnostics import Severity
    from stratmap.evaluation import EvaluationError, evaluate
    from stratmap.report.results import RENDERERS, render_explanation
    from stratmap.report.text import render_text

    result = run(args.paths, limits=_limits(args))
    if result.errors or len(result.strategies) != 1:
        sys.stderr.write(render_text(result.diagnostics, result.files, lang))
        if not result.errors:
            print("stratmap: error: the path holds no single strategy", file=sys.stderr)
        return EXIT_PROBLEMS
    data = read_data(
        actuals=args.actuals,
        events=args.events,
        ratings=args.ratings,
        bonus_base=args.bonus_base,
        people=args.people,
        encoding=args.encoding,
    )
    try:
        evaluation = evaluate(result.strategies[0], data, period=args.period, tier=args.tier)
    except EvaluationError as exc:
        print(f"stratmap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = _data_problems(list(evaluation.diagnostics), args, lang)
    evaluation = dataclasses.replace(evaluation, diagnostics=tuple(problems))  # --ignore holds for every format
    if args.explain:
        chosen = [r for r in evaluation.results if r.entity == args.explain]
        if not chosen:
            print(f"stratmap: error: no result for entity {args.explain!r} in {args.period}", file=sys.stderr)
            return EXIT_USAGE
        text = "\n".join(render_explanation(r, lang) for r in chosen)
    else:
        text = RENDERERS[args.format](evaluation, lang)
    if not _write(text, args.output):
        return EXIT_USAGE
    failed = any(d.severity is Severity.ERROR for d in problems)
    incomplete = any(r.status != "complete" for r in evaluation.results)
    return EXIT_PROBLEMS if failed or incomplete else EXIT_OK


def _data_problems(problems: list[Diagnostic], args: argparse.Namespace, lang: str) -> list[Diagnostic]:
    """The problems of a data run that ``--ignore`` keeps, written to standard error:
    briefly (a code found many times: its first few and a count), errors only with ``--quiet``."""
    from stratmap.diagnostics import Severity
    from stratmap.report.text import render_text

    kept = [d for d in problems if not any(d.code.startswith(prefix) for prefix in args.ignore)]
    shown = [d for d in kept if d.severity is Severity.ERROR] if args.quiet else kept
    text = ""
    if shown:
        files = tuple(dict.fromkeys(d.location.file for d in kept))
        text = render_text(shown, files, lang, hints=False, brief=True)
    if len(shown) < len(kept):
        text += f"({len(kept) - len(shown)} warning(s) and note(s) not shown: --quiet)\n"
    sys.stderr.write(text)
    return kept


def _review(args: argparse.Namespace, lang: str) -> int:
    from stratmap.api import run
    from stratmap.data import read_data
    from stratmap.diagnostics import Severity
    from stratmap.evaluation import EvaluationError
    from stratmap.report import review as review_report
    from stratmap.report.text import render_text
    from stratmap.review import review

    result = run(args.paths, limits=_limits(args))
    if result.errors or len(result.strategies) != 1:
        sys.stderr.write(render_text(result.diagnostics, result.files, lang))
        return EXIT_PROBLEMS
    data = read_data(
        actuals=args.actuals, events=args.events, ratings=args.ratings, people=args.people, encoding=args.encoding
    )
    try:
        found = review(result.strategies[0], data, period=args.period, tier=args.tier)
    except EvaluationError as exc:
        print(f"stratmap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    problems = _data_problems([*found.evaluation.diagnostics, *found.findings], args, lang)
    kept = {id(d) for d in problems}  # --ignore holds for the report's body and its JSON too
    found = dataclasses.replace(
        found,
        evaluation=dataclasses.replace(
            found.evaluation, diagnostics=tuple(d for d in found.evaluation.diagnostics if id(d) in kept)
        ),
        entities=tuple(
            dataclasses.replace(e, findings=tuple(d for d in e.findings if id(d) in kept)) for e in found.entities
        ),
        no_data_findings=tuple(d for d in found.no_data_findings if id(d) in kept),
    )
    render = review_report.render_json if args.format == "json" else review_report.render_markdown
    if not _write(render(found, lang), args.output):
        return EXIT_USAGE
    failed = any(d.severity is Severity.ERROR for d in problems)
    incomplete = any(r.status != "complete" for r in found.evaluation.results)
    return EXIT_PROBLEMS if failed or incomplete else EXIT_OK


def _diff(args: argparse.Namespace, lang: str) -> int:
    from stratmap import diff as strategy_diff
    from stratmap.api import run
    from stratmap.load import Limits
    from stratmap.report.text import render_text

    versions = []
    with strategy_diff.temporary_folder() as tmp:
        for n, arg in enumerate((args.old, args.new)):
            path = arg
            if strategy_diff.is_revision(arg):
                try:
                    written, root = strategy_diff.checkout(arg, Path(tmp) / str(n), args.include_root)
                except ValueError as exc:
                    print(f"stratmap: error: {arg}: {exc}", file=sys.stderr)
                    return EXIT_USAGE
                path = str(written)
                limits = None if root is None else Limits(include_root=str(root))
            else:
                limits = _limits(args)
            result = run([path], ignore=["SM3"], limits=limits)
            if result.errors or len(result.strategies) != 1:
                sys.stderr.write(render_text(result.diagnostics, result.files, lang))
                print(f"stratmap: error: {arg} does not hold one strategy without errors", file=sys.stderr)
                return EXIT_USAGE
            versions.append(result.strategies[0])
        found = strategy_diff.diff(versions[0], versions[1])
    if args.format == "json":
        text = json.dumps(found.as_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = strategy_diff.render_text(found)
    if not _write(text, args.output):
        return EXIT_USAGE
    return EXIT_OK if found.empty else EXIT_PROBLEMS


def _rules(args: argparse.Namespace, lang: str) -> int:
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


def _explain(args: argparse.Namespace, lang: str) -> int:
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


def _schema() -> int:
    from stratmap.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    lang = getattr(args, "lang", None) or default_lang()
    if args.command == "validate":
        return _validate(args, lang)
    if args.command in ("graph", "coverage"):
        return _strategy_report(args, lang, args.format)
    if args.command == "evaluate":
        return _evaluate(args, lang)
    if args.command == "diff":
        return _diff(args, lang)
    if args.command == "review":
        return _review(args, lang)
    if args.command == "schema":
        return _schema()
    if args.command == "rules":
        return _rules(args, lang)
    if args.command == "explain":
        return _explain(args, lang)
    parser.print_help(sys.stderr)
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


if __name__ == "__main__":  # pragma: no cover
    entry()
