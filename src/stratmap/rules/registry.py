"""The registry of model rules: small functions of the cascade graph, each with a code.

A rule takes a :class:`Context` (the model and its graph) and yields :class:`Finding`s.
It is registered with :func:`rule` in one visible place per family module; the engine
stamps the code's severity, applies the organisation's overrides and the nodes'
suppressions, and turns findings into diagnostics.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from stratmap.diagnostics import Location, Related

if TYPE_CHECKING:
    import networkx as nx

    from stratmap.model import Strategy


@dataclass(frozen=True)
class Finding:
    """What a rule reports: the code, where, about which node, and the message arguments.

    ``subject`` is the id of the node the finding is about; a ``suppress`` entry on that
    node silences it.
    """

    code: str
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

    def edges(self, relation: str) -> list[tuple[str, str, dict[str, Any]]]:
        return self._by_relation.get(relation, [])

    @cached_property
    def _by_relation(self) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
        built: dict[str, list[tuple[str, str, dict[str, Any]]]] | None = self.graph.graph.get("by_relation")
        if built is not None:  # recorded by build_graph
            return built
        out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        from stratmap.graph import links

        for src, dst, data in links(self.graph):
            out.setdefault(data["relation"], []).append((src, dst, data))
        return out

    def kind(self, node: str) -> str:
        kind: str = self.graph.nodes[node]["kind"]
        return kind

    @cached_property
    def value_graph(self) -> nx.DiGraph[Any]:
        """serves, answers, holds_back and cascades_to edges: the paths along which value is
        traced (a KPI that cascades to a parent KPI traces through it). Every driver leads
        on to :data:`ANY_DRIVER`, a marker node (not a string, so no id can clash), so that
        one traversal finds everything that reaches some driver."""
        import networkx as nx

        h: nx.DiGraph[Any] = nx.DiGraph()
        for relation in ("serves", "answers", "holds_back", "cascades_to"):
            h.add_edges_from((s, d) for s, d, _ in self.edges(relation))
        h.add_edges_from((d.id, ANY_DRIVER) for d in self.strategy.drivers)
        return h

    @cached_property
    def reaches_a_driver(self) -> frozenset[str]:
        """Nodes with a path to some driver (drivers included): one traversal, linear in the graph."""
        import networkx as nx

        h = self.value_graph
        return frozenset(nx.ancestors(h, ANY_DRIVER)) if ANY_DRIVER in h else frozenset()

    def reached_from(self, driver: str, sources: frozenset[str] | set[str]) -> bool:
        """Whether some node of ``sources`` has a path to ``driver``. The search walks back
        from the driver and stops at the first source it meets: a measured driver costs a
        few steps, and only an unmeasured one costs its whole upstream."""
        import networkx as nx

        h = self.value_graph
        if driver not in h:
            return False
        return any(node in sources for _, node in nx.bfs_edges(h, driver, reverse=True))


#: The marker node every driver leads to in :attr:`Context.value_graph`.
ANY_DRIVER = ("any driver",)


Rule = Callable[[Context], Iterable[Finding]]

#: Every model rule, by code, in registration order.
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    """Register ``func`` as the rule that reports ``code``."""

    def register(func: Rule) -> Rule:
        if code in RULES:
            raise ValueError(f"{code} is registered twice")
        RULES[code] = func
        return func

    return register


def findings(ctx: Context) -> Iterator[Finding]:
    """Run every registered rule."""
    from stratmap.rules import analysis, cascade, plans  # noqa: F401  (registers the rules)

    for func in RULES.values():
        yield from func(ctx)
