"""The registry of model rules: small functions of the cascade graph, each with a code.

A rule takes a :class:`Context` (the model and its graph) and yields :class:`Finding`s.
The rules are listed, each with its code, in ``stratmap.rules.model_rules()``; the engine
stamps the code and its severity, applies the organisation's overrides and the nodes'
suppressions, and turns findings into diagnostics.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from stratmap.diagnostics import Location, Related
from stratmap.model import Kpi, Revision

if TYPE_CHECKING:
    import networkx as nx

    from stratmap.graph import EdgeAttrs, Link
    from stratmap.model import Strategy


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
        built: dict[str, list[tuple[str, str, EdgeAttrs]]] | None = self.graph.graph.get("by_relation")
        if built is not None:  # recorded by build_graph
            return built
        out: dict[str, list[tuple[str, str, EdgeAttrs]]] = {}
        from stratmap.graph import links

        for src, dst, data in links(self.graph):
            out.setdefault(data["relation"], []).append((src, dst, {"links": (data,)}))
        return out

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
        """For each node, the nodes whose value flows into it: the sources of its
        ``serves``, ``answers``, ``holds_back`` and ``cascades_to`` links (a KPI that
        cascades to a parent KPI traces through it). The reverse adjacency of the value
        links, read off the graph's index rather than built as a second graph."""
        out: dict[str, list[str]] = {}
        for relation in VALUE_RELATIONS:
            for src, dst, _ in self.ends(relation):
                found = out.get(dst)
                if found is None:
                    out[dst] = [src]
                else:
                    found.append(src)
        return out

    def _carriers(self, driver: str, entered: set[str]) -> Iterator[str]:
        """The nodes that carry value to ``driver`` from further upstream: ``driver`` and
        every node on a value path to it that has value sources of its own, nearest first
        (NetworkX's breadth-first search over :attr:`value_sources`; the order among nodes
        at one distance is unspecified, which no answer depends on). A node with no
        sources (most KPIs) ends a path: it is one of its carriers' sources, not searched.
        Nodes in ``entered`` are not searched, and each node searched is added to it: one
        set shared by several searches makes them search every node once between them."""
        import networkx as nx

        sources = self.value_sources
        carrying = sources.keys()

        def upstream(node: str) -> Iterator[str]:
            found = carrying & sources.get(node, ())  # its sources that carry value themselves
            found -= entered
            entered.update(found)
            return iter(found)

        entered.add(driver)
        yield driver
        yield from (node for _, node in nx.generic_bfs_edges(self.graph, driver, upstream))

    @cached_property
    def reaches_a_driver(self) -> frozenset[str]:
        """Nodes with a value path to some driver (drivers included): the carriers of
        every driver, each searched once, and all their sources."""
        sources, carriers = self.value_sources, set[str]()
        reached = {d.id for d in self.strategy.drivers if d.id in self.graph}
        for driver in tuple(reached):
            deque(self._carriers(driver, carriers), maxlen=0)  # walk it: the nodes are in ``carriers``
        reached |= carriers
        for node in carriers:
            reached.update(sources.get(node, ()))
        return frozenset(reached)

    def reached_from(self, driver: str, sources: frozenset[str] | set[str]) -> bool:
        """Whether some node of ``sources`` has a value path to ``driver``. The search walks
        back from the driver and stops at the first carrier fed by one of ``sources``: a
        measured driver costs a few steps, and only an unmeasured one its whole upstream."""
        if driver not in self.graph:
            return False
        if driver in sources:  # an id declared twice (a reference error): the driver is not its own source
            sources = sources - {driver}
        feeding = self.value_sources
        return any(not sources.isdisjoint(feeding.get(node, ())) for node in self._carriers(driver, set()))


#: The relations along which value is traced to a driver.
VALUE_RELATIONS = ("serves", "answers", "holds_back", "cascades_to")


#: A model rule: a plain function of the context that yields what it finds (the list of
#: rules, with the code each reports, is ``stratmap.rules.model_rules()``).
Rule = Callable[[Context], Iterable[Finding]]
