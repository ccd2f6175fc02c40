"""What every command shares: exit codes, the parent parsers, reading limits, writing the
report, loading one strategy, and the data problems a run prints."""

from __future__ import annotations

import argparse
import datetime
import os
import re
import sys
from typing import TYPE_CHECKING

from stratmap.i18n import LANGUAGES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from stratmap.data import Dataset
    from stratmap.diagnostics import Diagnostic
    from stratmap.evaluation import Result
    from stratmap.load import Limits
    from stratmap.model import Strategy

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


_CODE_PREFIX = re.compile(r"SM[0-9]{0,3}\Z")


def codes_arg(text: str) -> list[str]:
    prefixes = [p.strip().upper() for p in text.split(",") if p.strip()]
    bad = [p for p in prefixes if not _CODE_PREFIX.match(p)]
    if bad or not prefixes:
        raise argparse.ArgumentTypeError(f"not a code prefix: {', '.join(bad) or text!r} (e.g. SM3 or SM301)")
    return prefixes


def date_arg(text: str) -> datetime.date:
    if text == "today":
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD or 'today'") from None


def default_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def parents() -> tuple[Parser, Parser, Parser]:
    """The parent parsers: every command's ``--lang``; a strategy reader's ``--include-root``;
    what ``evaluate`` and ``review`` both read (a strategy and a period's data)."""
    common = Parser(add_help=False)
    common.add_argument(
        "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="language of messages (default: from the locale)"
    )
    reading = Parser(add_help=False)
    reading.add_argument(
        "--include-root",
        metavar="DIR",
        help="the folder includes must stay in (default: the root file's folder); for monorepos",
    )
    data_in = Parser(add_help=False)
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
        type=codes_arg,
        default=[],
        metavar="CODES",
        help="do not report codes starting with these prefixes, e.g. SM509 (rows that fed no result)",
    )
    return common, reading, data_in


def report_options(parser: argparse.ArgumentParser, command: str) -> None:
    """``--format`` (the formats of ``command``'s renderers, the first the default) and ``--output``."""
    from stratmap.report import FORMATS

    parser.add_argument("--format", choices=FORMATS[command], default=FORMATS[command][0])
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")


def data_of(args: argparse.Namespace) -> Dataset:
    """The period's data the ``data_in`` options name (``evaluate`` also reads a bonus base)."""
    from stratmap.data import read_data

    return read_data(
        actuals=args.actuals,
        events=args.events,
        ratings=args.ratings,
        bonus_base=getattr(args, "bonus_base", None),
        people=args.people,
        encoding=args.encoding,
    )


def data_exit(problems: Iterable[Diagnostic], results: Iterable[Result]) -> int:
    """A data run's exit code: problems when an error was kept or a result is incomplete."""
    from stratmap.diagnostics import Severity

    failed = any(d.severity is Severity.ERROR for d in problems)
    incomplete = any(r.status != "complete" for r in results)
    return EXIT_PROBLEMS if failed or incomplete else EXIT_OK


def limits_of(args: argparse.Namespace) -> Limits | None:
    """The reading limits the command line asks for (only the include root can be set)."""
    from stratmap.load import Limits

    return None if args.include_root is None else Limits(include_root=args.include_root)


def write(text: str, output: str | None) -> bool:
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


def one_strategy(
    paths: list[str], lang: str, *, limits: Limits | None, ignore: tuple[str, ...] = (), label: str = ""
) -> Strategy | None:
    """The one error-free strategy at ``paths``, or None after printing why not: its
    diagnostics, and a line naming ``label`` (the argument it came from) when given."""
    import stratmap
    from stratmap.report.text import render_text

    result = stratmap.check_strategies(*paths, ignore=ignore, limits=limits)
    if not result.errors and len(result.strategies) == 1:
        return result.strategies[0]
    sys.stderr.write(render_text(result.diagnostics, result.files, lang))
    if label:
        print(f"stratmap: error: {label} does not hold one strategy without errors", file=sys.stderr)
    elif not result.errors:
        count = len(result.strategies)
        print(f"stratmap: error: the paths hold {count} strategies; name one root file or folder", file=sys.stderr)
    return None


def load_one(args: argparse.Namespace, lang: str) -> Strategy | None:
    """The one strategy at the given paths, or None after printing why not.

    Only reading, schema and reference errors stop here: the map and the weight shares
    are how one looks at the cascade's own findings, so those do not block them.
    """
    return one_strategy(args.paths, lang, limits=limits_of(args), ignore=("SM3",))


def data_problems(problems: list[Diagnostic], args: argparse.Namespace, lang: str) -> list[Diagnostic]:
    """The problems of a data run that ``--ignore`` keeps, written to standard error:
    briefly (a code found many times: its first few and a count), errors only with ``--quiet``."""
    from stratmap.diagnostics import CodeFilter, Severity
    from stratmap.report.text import render_text

    kept = CodeFilter(ignore=tuple(args.ignore)).kept(problems)
    shown = [d for d in kept if d.severity is Severity.ERROR] if args.quiet else kept
    text = ""
    if shown:
        files = tuple(dict.fromkeys(d.location.file for d in kept))
        text = render_text(shown, files, lang, hints=False, brief=True)
    if len(shown) < len(kept):
        text += f"({len(kept) - len(shown)} warning(s) and note(s) not shown: --quiet)\n"
    sys.stderr.write(text)
    return kept
