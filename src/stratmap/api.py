"""The pipeline behind the public API: load -> schema -> references and formulas -> model."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from stratmap._collector import collector_paused
from stratmap.diagnostics import CodeFilter, Diagnostic, Location, Severity, StratmapError, sort_diagnostics
from stratmap.i18n import Text
from stratmap.load import Limits, collect
from stratmap.rules import document_rules
from stratmap.rules.documents import Documents
from stratmap.rules.references import declared_problems
from stratmap.schema import validate as validate_schema

if TYPE_CHECKING:
    from stratmap.load import LocatedDocument, StrategyFiles
    from stratmap.model import Strategy
    from stratmap.rules.documents import DocumentRules

Scope = Literal["strategy", "file"]
PathArg = str | os.PathLike[str]


@dataclass(frozen=True)
class CheckResult:
    """What one run found: every diagnostic, and the model of each error-free strategy."""

    diagnostics: tuple[Diagnostic, ...]
    strategies: tuple[Strategy, ...]
    files: tuple[str, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)


def check_strategies(
    *paths: PathArg,
    scope: Scope = "strategy",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    limits: Limits | None = None,
    as_of: datetime.date | None = None,
    strategy_files_only: bool = False,
    models: bool = True,
) -> CheckResult:
    """Check ``paths`` as :func:`check` does, and keep the model of each error-free strategy.

    The result holds every diagnostic (sorted), the :class:`~stratmap.Strategy` of each
    strategy without an error (none with ``models=False``, which saves building them when
    only the diagnostics are wanted) and every file that was read, in the order read.
    ``strategy_files_only`` skips YAML files that do not start with ``stratmap: 1``.

    The model rules (the cascade graph's alignment checks, SM3xx) run on every strategy
    that reads, validates and resolves cleanly. ``select`` and ``ignore`` are code
    prefixes (``SM3``, ``SM301``): only selected codes are reported (all when empty),
    minus the ignored ones; when no SM3xx code can be reported the graph is not built at
    all. Never raises for bad input.
    """
    _check_arguments(paths, scope, limits, select, ignore, as_of)
    with collector_paused():
        diagnostics, strategies, files = _run(
            paths, scope, limits, models, strategy_files_only, CodeFilter(tuple(select), tuple(ignore)), as_of
        )
    return CheckResult(tuple(sort_diagnostics(diagnostics)), tuple(strategies), files)


def _check_arguments(
    paths: Sequence[PathArg],
    scope: str,
    limits: Limits | None,
    select: Sequence[str],
    ignore: Sequence[str],
    as_of: datetime.date | None,
) -> None:
    """A wrong argument type is the caller's mistake: a TypeError naming the argument."""
    for path in paths:
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"paths are file or folder paths (str or os.PathLike), not {type(path).__name__}")
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"limits must be a stratmap.Limits, not {type(limits).__name__}")
    for name, codes in (("select", select), ("ignore", ignore)):
        if isinstance(codes, str) or not isinstance(codes, Iterable) or not all(isinstance(c, str) for c in codes):
            raise TypeError(f'{name} is a list of code prefixes, e.g. ["SM3"], not {codes!r}')
    if as_of is not None and (not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime)):
        raise TypeError(f"as_of must be a datetime.date (a day, not a time), not {type(as_of).__name__}")
    if scope not in ("strategy", "file"):
        raise ValueError(f"scope is 'strategy' or 'file', not {scope!r}")


def _run(
    paths: Sequence[PathArg],
    scope: Scope,
    limits: Limits | None,
    build: bool,
    skip_unmarked: bool,
    keep: CodeFilter,
    as_of: datetime.date | None = None,
) -> tuple[list[Diagnostic], list[Strategy], tuple[str, ...]]:
    fileset = collect(
        paths, limits=limits or Limits(), follow_includes=scope == "strategy", skip_unmarked=skip_unmarked
    )
    diagnostics: list[Diagnostic] = list(fileset.diagnostics)
    rules = document_rules()
    for doc in fileset.documents:
        diagnostics.extend(validate_schema(doc))
    diagnostics.extend(_each_file(rules, fileset.documents))
    unread = any(d.data is None for d in fileset.documents)  # an unreadable file may be the root
    if (
        scope == "strategy"
        and not fileset.strategies
        and not unread
        and any(d.data is not None for d in fileset.orphans)
    ):
        first = next(d for d in fileset.orphans if d.data is not None)
        diagnostics.append(Diagnostic.make("SM206", Location(first.file, 1, 1)))
    model_rules = keep.wants_any("SM3")
    strategies: list[Strategy] = []
    problems_of = [declared_problems(group.documents) for group in fileset.strategies]
    for index, group in enumerate(fileset.strategies):
        foreign = {p: org for i, found in enumerate(problems_of) if i != index for p, org in found.items()}
        diagnostics.extend(_each_strategy(rules, Documents(group.documents, foreign)))
        files = {d.file for d in group.documents}
        clean = all(d.data is not None for d in group.documents) and not any(
            d.severity is Severity.ERROR and d.location.file in files for d in diagnostics
        )
        if clean and (build or model_rules):
            from stratmap.model import build_strategy

            strategy = build_strategy(group.documents)
            if model_rules:
                from stratmap.rules import check_model

                diagnostics.extend(check_model(strategy, as_of=as_of))
            if build:
                strategies.append(strategy)
        elif model_rules:  # every check in one pass: the model checks on the sound parts
            group_errors = [d for d in diagnostics if d.location.file in files]
            diagnostics.extend(_check_sound_parts(group, group_errors, foreign, as_of))
    kept = [d for d in diagnostics if keep.wants(d.code)]
    return kept, strategies, tuple(d.file for d in fileset.documents)


def _each_file(rules: DocumentRules, files: Sequence[LocatedDocument]) -> list[Diagnostic]:
    return [d for _, reads, rule in rules if reads == "file" for d in rule(Documents(files))]


def _each_strategy(rules: DocumentRules, docs: Documents) -> list[Diagnostic]:
    return [d for _, reads, rule in rules if reads == "strategy" for d in rule(docs)]


#: Model checks that follow links across the cascade: on the sound parts of a model, what
#: they find missing may be missing only because of an error, so they wait for it.
ACROSS_THE_CASCADE = (
    "SM301", "SM302", "SM303", "SM304", "SM305", "SM310", "SM311", "SM312", "SM313", "SM314",
    "SM350", "SM351", "SM353", "SM365",
)  # fmt: skip


_WORDS = re.compile(r"[\w-]+")


def _check_sound_parts(
    group: StrategyFiles, errors: list[Diagnostic], foreign: dict[str, str], as_of: datetime.date | None
) -> list[Diagnostic]:
    """The model checks' findings on the parts of a strategy that have no error.

    Findings about an entry something was taken out of are left out, and so are
    suppressions reported unused (what they silence may be left out); the findings of the
    checks across the cascade wait, and SM343 says how many.
    """
    from stratmap.load.prune import sound_parts
    from stratmap.model import build_strategy
    from stratmap.rules import run_model_rules

    rules = document_rules()

    def recheck(docs: Sequence[LocatedDocument]) -> list[Diagnostic]:
        found = [d for doc in docs for d in validate_schema(doc)]
        return [*found, *_each_file(rules, docs), *_each_strategy(rules, Documents(docs, foreign))]

    sound = sound_parts(group.documents, errors, recheck)
    root = group.root.file
    if sound is None:
        checks, zh = "the model checks (SM3xx)", "模型检查(SM3xx)"
        return [Diagnostic.make("SM343", Location(root, 1, 1), checks=Text(checks, zh))]
    strategy = build_strategy(sound.documents)
    out: list[Diagnostic] = []
    withheld: list[str] = []
    for diagnostic, subject in run_model_rules(strategy, as_of=as_of).findings:
        if diagnostic.code in ACROSS_THE_CASCADE:
            withheld.append(diagnostic.code)
            continue
        if diagnostic.code == "SM341":
            continue
        if subject is not None and subject.partition("#")[0] in sound.touched:
            continue  # an entry that lost a part, or one of its items
        where = diagnostic.location
        if where.path and any(
            where.file == file and where.path[: len(path)] == path for file, path in sound.touched_paths
        ):
            continue  # inside such an entry
        named = {word for value in diagnostic.args for word in _WORDS.findall(str(value[1]))}
        if not named.isdisjoint(sound.touched):
            continue  # about such an entry: a revision of its item, a KPI's direction on a card
        out.append(diagnostic)
    if withheld:
        codes = ", ".join(sorted(set(withheld)))
        count = len(withheld)
        checks = f"{count} finding{'s' if count > 1 else ''} of the checks across the cascade ({codes})"
        zh = f"跨级联检查的 {count} 项发现({codes})"
        out.append(Diagnostic.make("SM343", Location(root, 1, 1), checks=Text(checks, zh)))
    return out


def check(
    *paths: PathArg,
    scope: Scope = "strategy",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    limits: Limits | None = None,
    as_of: datetime.date | None = None,
) -> list[Diagnostic]:
    """Every problem in the strategy files at ``paths`` (files or folders).

    Never raises for bad input: unreadable files, broken YAML and schema errors all come
    back as diagnostics, sorted by file, line and column. ``select`` and ``ignore`` take
    code prefixes, e.g. ``ignore=["SM3"]`` skips the cascade checks.
    """
    result = check_strategies(
        *paths, scope=scope, limits=limits, models=False, select=select, ignore=ignore, as_of=as_of
    )
    return list(result.diagnostics)


def load(*paths: PathArg, limits: Limits | None = None) -> Strategy:
    """Load one strategy from its files (the root, its folder, or all its files).

    Raises :class:`stratmap.StratmapError` carrying every diagnostic when any error is
    found (SM206 when no file declares the organisation), and ``ValueError`` when the
    paths hold more than one strategy.
    """
    if not paths:
        raise ValueError("load() needs at least one path")
    result = check_strategies(*paths, limits=limits)
    if result.errors:
        raise StratmapError(result.diagnostics)
    if not result.strategies:  # e.g. an empty folder
        raise StratmapError([*result.diagnostics, Diagnostic.make("SM206", Location(os.fspath(paths[0])))])
    if len(result.strategies) > 1:
        roots = ", ".join(s.files[0] for s in result.strategies)
        raise ValueError(f"the paths hold {len(result.strategies)} strategies ({roots}); load() reads one")
    return result.strategies[0]
