"""What a rule sees and what it says: small functions, each with a code.

A model rule takes a :class:`Context` (the model and its graph), a result rule the
:class:`Results` of a period (the model and the gaps its evaluation found); both yield
:class:`Finding`s. The rules are listed, each with its code, in
``stratmap.rules.model_rules()`` and ``result_rules()``; the engine stamps the code and its
severity, applies the organisation's overrides and the nodes' suppressions, and turns
findings into diagnostics.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from stratmap.diagnostics import Location, Related
from stratmap.model import Kpi, Revision

if TYPE_CHECKING:
    from decimal import Decimal

    import networkx as nx

    from stratmap.graph import EdgeAttrs, Link
    from stratmap.model import Strategy
    from stratmap.periods import Period


@dataclass(frozen=True)
class Finding:
    """What a rule reports: where, about which node, and the message arguments (the engine
    stamps the rule's code).

    ``subject`` is the id of the node the finding is about; a ``suppress`` entry on that
    node silences it.
    """

    location: Location
    subject: str | None
    args: dict[str, Any] = field(default_factory=dict)
    related: tuple[Related, ...] = ()
    #: other nodes the finding is equally about (every node of a cycle): a suppression on
    #: any of them silences it
    also: tuple[str, ...] = ()


@dataclass
class Context:
    """What every rule sees. Derived structures are computed once, on first use."""

    strategy: Strategy
    graph: nx.DiGraph[str]
    #: the date open actions are judged overdue against; None: overdue is not checked
    as_of: datetime.date | None = None
    #: the links of each relation asked for so far (see :meth:`edges`)
    _links: dict[str, list[tuple[str, str, Link]]] = field(default_factory=dict, init=False, repr=False)

    def edges(self, relation: str) -> list[tuple[str, str, Link]]:
        """Every link of ``relation`` as ``(source, target, link)``, in the order written."""
        found = self._links.get(relation)
        if found is None:
            found = self._links[relation] = [(src, dst, attrs["links"][0]) for src, dst, attrs in self.ends(relation)]
        return found

    def ends(self, relation: str) -> list[tuple[str, str, EdgeAttrs]]:
        """Every link of ``relation`` as the graph's index holds it, ``(source, target,
        attrs)`` with ``attrs["links"] == (link,)``: for rules that read only the ends of
        many links (no list of links is made for them)."""
        return self._by_relation.get(relation, [])

    @cached_property
    def _by_relation(self) -> dict[str, list[tuple[str, str, EdgeAttrs]]]:
        from stratmap.graph import by_relation

        return by_relation(self.graph)

    def kpi(self, id: str) -> Kpi | None:
        """The KPI declared with ``id`` (the first, if declared twice), or None."""
        found = self.strategy.get(id)
        return found if isinstance(found, Kpi) else None

    @cached_property
    def revisions_of(self) -> dict[tuple[str, str], list[Revision]]:
        """The revisions of each (scorecard, KPI), in the order they take effect."""
        from stratmap.model.revisions import in_order

        out: dict[tuple[str, str], list[Revision]] = {}
        for rev in in_order(self.strategy.revisions):
            out.setdefault((rev.scorecard, rev.kpi), []).append(rev)
        return out

    def kind(self, node: str) -> str:
        kind: str = self.graph.nodes[node]["kind"]
        return kind

    @cached_property
    def value_sources(self) -> dict[str, list[str]]:
        """For each node, the nodes whose value flows into it (:func:`stratmap.graph.value_sources`)."""
        from stratmap.graph import value_sources

        return value_sources(self.graph, self._by_relation)

    @cached_property
    def reaches_a_driver(self) -> frozenset[str]:
        """Nodes with a value path to some driver (:func:`stratmap.graph.reaches_a_driver`)."""
        from stratmap.graph import reaches_a_driver

        return reaches_a_driver(self.graph, (d.id for d in self.strategy.drivers), self.value_sources)

    def reached_from(self, driver: str, sources: frozenset[str] | set[str]) -> bool:
        """Whether some node of ``sources`` has a value path to ``driver``
        (:func:`stratmap.graph.reached_from`)."""
        from stratmap.graph import reached_from

        return reached_from(self.graph, driver, sources, self.value_sources)


@dataclass(frozen=True)
class Gap:
    """A KPI short of its threshold in a period, as the period's evaluation found it."""

    #: who was assessed: a person, or the department or position itself
    entity: str
    #: the department or position whose plans answer for the gap
    unit: str
    scorecard: str
    kpi: str
    period: Period
    actual: Decimal
    threshold: Decimal


@dataclass(frozen=True)
class Results:
    """What every result rule sees: the model and the gaps of one period's results."""

    strategy: Strategy
    gaps: tuple[Gap, ...]


#: A result rule: a plain function of a period's results that yields what it finds (the
#: list is ``stratmap.rules.result_rules()``).
ResultRule = Callable[[Results], Iterable[Finding]]


#: A model rule: a plain function of the context that yields what it finds (the list of
#: rules, with the code each reports, is ``stratmap.rules.model_rules()``).
Rule = Callable[[Context], Iterable[Finding]]
