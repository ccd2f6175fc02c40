"""Stage 6, the rules: run the model rules over the cascade graph (and the result rules over a
period's gaps) and apply the configuration.

Severity overrides come from ``organisation.severity`` (a code -> error, warning, info
or off); suppressions from the ``suppress`` lists on nodes. Both are checked the way
a linter checks its configuration: an unknown code, a code that cannot be configured,
a suppression without a reason and one that silences nothing are findings too.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stratmap.codes import CODES
from stratmap.diagnostics import Diagnostic, Location, Severity
from stratmap.graph import build_graph, item_key
from stratmap.i18n import Text
from stratmap.model import Strategy, Suppression
from stratmap.rules.registry import Context, Finding, Gap, ResultRule, Results, Rule

if TYPE_CHECKING:
    import networkx as nx

#: Codes below this come from reading, the schema and references: they are not configurable.
FIRST_CONFIGURABLE = "SM300"


def _suppressions(strategy: Strategy) -> dict[str, list[Suppression]]:
    out: dict[str, list[Suppression]] = defaultdict(list)
    for obj in strategy.suppressing():
        out[obj.id].extend(obj.suppress)
    silenced = [
        (card.id, i, item) for card in strategy.scorecards for i, item in enumerate(card.items) if item.suppress
    ]
    for card_id, index, item in silenced:
        out[item_key(card_id, index)].extend(item.suppress)
    return out


def _unconfigurable(code: str, location: Location, doing: Text) -> Diagnostic | None:
    """SM342 when ``code`` does not exist or belongs to the reading, schema or reference checks."""
    if code not in CODES:
        return Diagnostic.make("SM342", location, ref=code, problem=Text("no such code", "不存在该代码"))
    if code < FIRST_CONFIGURABLE:
        cannot = Text("reading, schema and reference checks cannot be ", "读取、Schema 与引用检查不能") + doing
        return Diagnostic.make("SM342", location, ref=code, problem=cannot)
    return None


def _configuration_problems(strategy: Strategy, suppressions: dict[str, list[Suppression]]) -> Iterator[Diagnostic]:
    org = strategy.organisation
    found: list[Diagnostic | None] = [
        _unconfigurable(code, org.where.at("severity", code), Text(f"set to {level}", f"设为 {level}"))
        for code, level in org.severity.items()
    ]
    for entries in suppressions.values():
        for s in entries:
            found.append(_unconfigurable(s.code, s.location, Text("suppressed", "豁免")))
            if not s.reason:
                found.append(Diagnostic.make("SM340", s.location, ref=s.code))
    yield from (d for d in found if d is not None)


@dataclass(frozen=True)
class ModelCheck:
    """The cascade graph of a strategy and what its rules found, each with its subject node."""

    graph: nx.DiGraph[str]
    findings: tuple[tuple[Diagnostic, str | None], ...]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for d, _ in self.findings]


class _Emitter:
    """Turns findings into diagnostics: stamps each rule's code and severity, applies the
    organisation's overrides and the nodes' suppressions, and records which were used."""

    def __init__(self, strategy: Strategy) -> None:
        self.suppressions = _suppressions(strategy)
        self.overrides = strategy.organisation.severity
        self.used: set[tuple[str, str, Location]] = set()
        self.out: list[tuple[Diagnostic, str | None]] = []

    def emit(self, diagnostic: Diagnostic, subject: str | None) -> None:
        level = self.overrides.get(diagnostic.code)
        if level == "off":
            return
        if level in ("error", "warning", "info"):
            diagnostic = replace(diagnostic, severity=Severity(level))
        self.out.append((diagnostic, subject))

    def findings(self, code: str, found: Iterable[Finding]) -> None:
        for finding in found:
            silenced = _silencer(code, finding, self.suppressions)
            if silenced is not None:
                subject, suppression = silenced
                self.used.add((subject, code, suppression.location))
                continue
            diagnostic = Diagnostic.make(code, finding.location, related=finding.related, **finding.args)
            self.emit(diagnostic, finding.subject)


def run(
    strategy: Strategy,
    rules: Iterable[tuple[str, Rule]],
    *,
    as_of: datetime.date | None = None,
    later: Iterable[str] = (),
) -> ModelCheck:
    """Build the graph, run ``rules`` (each with its code), apply severities and suppressions.

    ``as_of`` is the date open plan actions are judged overdue against (SM361); without it
    overdue actions are not reported, so that a check gives the same answer every day.
    ``later`` are the codes of the rules that run over a period's results: whether a
    suppression of one silences anything is known only then, so it is not reported here.
    """
    graph = build_graph(strategy)
    ctx = Context(strategy, graph, as_of)
    found = _Emitter(strategy)
    for diagnostic in _configuration_problems(strategy, found.suppressions):
        found.emit(diagnostic, None)
    for code, check in rules:
        found.findings(code, check(ctx))
    deferred = frozenset(later)
    for subject, entries in found.suppressions.items():
        for s in entries:
            configurable = s.code in CODES and s.code >= FIRST_CONFIGURABLE and s.code not in deferred
            if configurable and s.reason and (subject, s.code, s.location) not in found.used:
                found.emit(Diagnostic.make("SM341", s.location, ref=s.code, subject=_readable(subject)), subject)
    return ModelCheck(graph, tuple(found.out))


def run_results(strategy: Strategy, rules: Iterable[tuple[str, ResultRule]], gaps: Iterable[Gap]) -> list[Diagnostic]:
    """Run the result ``rules`` (each with its code) over ``gaps``, with the organisation's
    severities and the nodes' suppressions applied as for the model rules (a problem with the
    configuration itself is the model check's to report)."""
    results = Results(strategy, tuple(gaps))
    found = _Emitter(strategy)
    for code, check in rules:
        found.findings(code, check(results))
    return [d for d, _ in found.out]


def _silencer(
    code: str, finding: Finding, suppressions: dict[str, list[Suppression]]
) -> tuple[str, Suppression] | None:
    """(subject, suppression) that silences ``finding`` of ``code``, if any."""
    subjects = (finding.subject, *finding.also) if finding.subject is not None else finding.also
    for subject in subjects:
        for s in suppressions.get(subject, ()):
            if s.code == code and s.reason:  # without a reason it silences nothing (SM340)
                return subject, s
    return None


def _readable(subject: str) -> str:
    """An item's internal key ``card#item0`` as the user knows it: ``card, item 1``."""
    card, sep, rest = subject.partition("#item")
    return f"{card}, item {int(rest) + 1}" if sep and rest.isdigit() else subject
