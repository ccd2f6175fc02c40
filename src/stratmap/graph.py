"""The cascade graph of a strategy, built with NetworkX.

``build_graph(strategy)`` is a pure function of the model. It returns a
``networkx.DiGraph``. Nodes are keyed by id (tiers get synthetic keys); every node
carries ``kind``, ``label`` and ``location``. Edges point from the thing that serves to
what it serves (KPI → purpose → driver). Two nodes can be joined by more than one link
(a KPI twice on one scorecard, a derived KPI that also cascades to the KPI it reads), so
an edge carries ``links``: a tuple of dicts, one per link, each with ``relation``, ``at``
(where the link is written; see :func:`edge_location`) and ``contributes``: whether the
source's result adds into the target's score, or only aligns with it ("alignment is not
contribution"). The graph attribute ``by_relation`` indexes ``(source, target, link)`` by
relation, in the order the build visits the model; it is how the rules read the links, so a
graph edited after it is built should have that attribute deleted (the rules then read the
edges themselves).

A KPI node carries its ``owner`` (department or position) as an attribute; a scorecard
item is the ``measures`` link from its scorecard to its KPI. Both keep the graph lean:
at 50,000 KPIs every node and edge saved is time NetworkX does not spend inserting it
(a plain ``DiGraph`` with a tuple of links per edge is about twice as fast to build as
a ``MultiDiGraph`` with one edge per link).

Relations:

=============== ============================== ===========================================
relation        from → to                      meaning
=============== ============================== ===========================================
serves          purpose → driver               the purpose serves the driver
serves          KPI → purpose or driver        value-driven reason for the KPI (价值驱动)
answers         KPI or plan → problem          issue-driven reason (问题驱动)
holds_back      problem → driver               the problem holds the driver back
has_purpose     department/position → purpose  the entity pursues the purpose
part_of         department → department        organisational parent
belongs_to      position → department          the position's department
reports_to      position → position            line of report
cascades_to     KPI → KPI                      vertical alignment (``link``: aligns or contributes)
computed_from   KPI → KPI                      a derived KPI's formula reads the other KPI
conflicts_with  KPI → KPI                      declared horizontal conflict
measures        scorecard → KPI                a scorecard item: ``item`` (its index) and ``weight``
assesses        scorecard → department/position whose performance the scorecard measures
in_tier         scorecard → tier               short_term, annual or major_responsibility
has_veto        scorecard → key indicator      the scorecard's bonus veto
has_line        scorecard → high-voltage line  the scorecard's high-voltage line
watches         key indicator/line → KPI       the KPI the veto or line reads
=============== ============================== ===========================================
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

from stratmap.diagnostics import Location
from stratmap.model import Kpi, Strategy, Where

__all__ = ["FORMULA_NAME", "Link", "build_graph", "edge_location", "item_key", "links", "tier_key"]

#: One link between two nodes: ``relation``, ``at``, ``contributes`` (and for a
#: scorecard item, ``item`` and ``weight``).
Link = dict[str, Any]

#: Names in a formula (the formula language's identifiers).
FORMULA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


#: Every relation, in the order the build writes them.
RELATIONS = (
    "holds_back",
    "part_of",
    "has_purpose",
    "belongs_to",
    "reports_to",
    "serves",
    "answers",
    "cascades_to",
    "computed_from",
    "conflicts_with",
    "assesses",
    "in_tier",
    "measures",
    "has_veto",
    "watches",
    "has_line",
)


def item_key(scorecard: str, index: int) -> str:
    """The node key of the ``index``-th item of a scorecard."""
    return f"{scorecard}#item{index}"


def tier_key(tier: str) -> str:
    return f"tier:{tier}"


def formula_inputs(kpi: Kpi, kpi_ids: set[str] | frozenset[str]) -> Iterator[str]:
    """The KPI ids a derived KPI's formula reads, in order of first use."""
    seen: set[str] = set()
    for name in FORMULA_NAME.findall(kpi.formula or ""):
        if name in kpi_ids and name not in seen:
            seen.add(name)
            yield name


def edge_location(data: Mapping[str, Any]) -> Location:
    """Where a link is written (computed on demand: most are never shown)."""
    at: tuple[Where, tuple[str | int, ...]] = data["at"]
    where, parts = at
    return where.at(*parts) if parts else where.node


def links(graph: nx.DiGraph[str]) -> Iterator[tuple[str, str, Link]]:
    """Every link of ``graph`` as ``(source, target, link)``, edge by edge."""
    edge_links: Iterator[tuple[str, str, tuple[Link, ...]]] = iter(graph.edges(data="links"))
    for src, dst, found in edge_links:
        for data in found:
            yield src, dst, data


def build_graph(strategy: Strategy) -> nx.DiGraph[str]:
    """The cascade graph of ``strategy``; see the module documentation for its shape.

    Parameters
    ----------
    strategy : Strategy
        A loaded strategy (references already checked).

    Returns
    -------
    networkx.DiGraph
        A new graph; the model is not changed. Links to ids that do not exist are left
        out (the reference checks report them). Each edge's ``links`` lists the links
        between its two nodes; a link's ``at`` holds the model object and the keys where
        it is written, for :func:`edge_location`.

    Examples
    --------
    >>> import stratmap
    >>> g = build_graph(stratmap.load("examples/manufacturing"))
    >>> g.nodes["volume_share"]["kind"]
    'driver'
    >>> [link["relation"] for link in g.edges["output", "prod_volume_on_time"]["links"]]
    ['serves']
    """
    nodes: list[tuple[str, dict[str, object]]] = []
    by_relation: dict[str, list[tuple[str, str, Link]]] = {}
    every: list[tuple[str, str, Link]] = []  # every link, in the order written

    def node(key: str, kind: str, label: str, location: Location, **attrs: object) -> None:
        attrs.update(kind=kind, label=label, location=location)
        nodes.append((key, attrs))

    def edge(src: str, dst: str, relation: str, where: Where, *parts: str | int, contributes: bool = False) -> None:
        if dst in known:  # a link to an unknown id is the reference checks' finding
            entry = (src, dst, {"relation": relation, "at": (where, parts), "contributes": contributes})
            every.append(entry)
            by_relation[relation].append(entry)

    for tier in ("short_term", "annual", "major_responsibility"):
        node(tier_key(tier), "tier", tier, Location(""))
    for d in strategy.drivers:
        node(d.id, "driver", d.name, d.where.node)
    for p in strategy.problems:
        node(p.id, "problem", p.statement, p.where.node, status=p.status)
    for dept in strategy.departments:
        node(dept.id, "department", dept.name, dept.where.node)
    for pos in strategy.positions:
        node(pos.id, "position", pos.name, pos.where.node)
    for purpose in strategy.purposes:
        node(purpose.id, "purpose", purpose.statement, purpose.where.node, owner=purpose.owner)
    nodes.extend(
        (k.id, {"kind": "kpi", "label": k.name, "location": k.where.node, "owner": k.owner}) for k in strategy.kpis
    )
    for plan in strategy.plans:
        if plan.answers:
            node(plan.id, "plan", plan.goal or plan.id, plan.where.node)
    for card in strategy.scorecards:
        node(card.id, "scorecard", card.name or card.id, card.where.node, tier=card.tier)
        for ki in card.key_indicators:
            node(ki.id, "key_indicator", ki.name or ki.id, ki.where.node, scorecard=card.id)
        for line in card.high_voltage_lines:
            node(line.id, "high_voltage_line", line.name, line.where.node, scorecard=card.id)

    known = {key for key, _ in nodes}
    for relation in RELATIONS:
        by_relation[relation] = []
    serves, measures = by_relation["serves"], by_relation["measures"]
    for p in strategy.problems:
        for i, driver in enumerate(p.holds_back):
            edge(p.id, driver, "holds_back", p.where, "holds_back", i)
    for dept in strategy.departments:
        if dept.parent:
            edge(dept.id, dept.parent, "part_of", dept.where, "parent")
        for purpose in dept.purposes:
            edge(dept.id, purpose.id, "has_purpose", purpose.where)
    for pos in strategy.positions:
        edge(pos.id, pos.department, "belongs_to", pos.where, "department")
        if pos.reports_to:
            edge(pos.id, pos.reports_to, "reports_to", pos.where, "reports_to")
        for purpose in pos.purposes:
            edge(pos.id, purpose.id, "has_purpose", purpose.where)
    for purpose in strategy.purposes:
        for i, driver in enumerate(purpose.serves):
            edge(purpose.id, driver, "serves", purpose.where, "serves", i)
    kpi_ids = frozenset(k.id for k in strategy.kpis)
    for k in strategy.kpis:
        kid, where = k.id, k.where
        for i, target in enumerate(k.serves):  # inlined link(): the hottest loop
            if target in known:
                entry = (kid, target, {"relation": "serves", "at": (where, ("serves", i)), "contributes": False})
                every.append(entry)
                serves.append(entry)
        for i, problem in enumerate(k.answers):
            edge(kid, problem, "answers", where, "answers", i)
        if k.parent:
            edge(kid, k.parent, "cascades_to", where, "parent", contributes=k.link == "contributes")
        if k.formula is not None:
            for other in formula_inputs(k, kpi_ids):
                edge(kid, other, "computed_from", where, "formula", contributes=True)
        for i, other in enumerate(k.conflicts_with):
            edge(kid, other, "conflicts_with", where, "conflicts_with", i)
    for plan in strategy.plans:
        for i, problem in enumerate(plan.answers):
            edge(plan.id, problem, "answers", plan.where, "answers", i)
    for card in strategy.scorecards:
        cid = card.id
        edge(cid, card.entity, "assesses", card.where, "for")
        edge(cid, tier_key(card.tier), "in_tier", card.where, "tier")
        for i, item in enumerate(card.items):
            # a KPI may appear twice on one card: one link per item, with its index
            if item.kpi in known:  # inlined link()
                data = {"relation": "measures", "at": (item.where, ("kpi",)), "contributes": True}
                data["item"], data["weight"] = i, item.weight
                entry = (cid, item.kpi, data)
                every.append(entry)
                measures.append(entry)
        for ki in card.key_indicators:
            edge(cid, ki.id, "has_veto", ki.where)
            edge(ki.id, ki.kpi, "watches", ki.where, "kpi")
        for line in card.high_voltage_lines:
            edge(cid, line.id, "has_line", line.where)
            if line.kpi:
                edge(line.id, line.kpi, "watches", line.where, "kpi")

    by_relation = {relation: found for relation, found in by_relation.items() if found}
    g: nx.DiGraph[str] = nx.DiGraph(by_relation=by_relation)
    g.add_nodes_from(nodes)
    # one edge per pair of nodes; a pair joined twice (rare) gets all its links below
    g.add_edges_from((src, dst, {"links": (data,)}) for src, dst, data in every)
    if len(g.edges) < len(every):
        joined: dict[tuple[str, str], list[Link]] = {}
        for src, dst, data in every:
            joined.setdefault((src, dst), []).append(data)
        for (src, dst), both in joined.items():
            if len(both) > 1:
                g.edges[src, dst]["links"] = tuple(both)
    return g
