"""The cascade graph of a strategy, built with NetworkX.

``build_graph(strategy)`` is a pure function of the model. It returns a
``networkx.DiGraph``. Nodes are keyed by id (tiers get synthetic keys); every node
carries ``kind``, ``label`` and ``location``, and every node but a tier its model
object's ``where`` (how to find any of its keys). Edges point from the thing that serves
to what it serves (KPI → purpose → driver). Two nodes can be joined by more than one link
(a KPI twice on one scorecard, a derived KPI that also cascades to the KPI it reads), so
an edge carries ``links``: a tuple of read-only mappings, one per link, each with
``relation`` and ``contributes``: whether the source's result adds into the target's score,
or only aligns with it ("alignment is not contribution"). A link written as an entry of a
list (``serves``, ``answers``, ``holds_back``, ``conflicts_with``) has its ``index`` there;
a scorecard item (``measures``) has its ``item`` index and ``weight``.
:func:`edge_location` says where a link is written. The graph attribute ``by_relation``
indexes every link by relation, in the order the build visits the model, as NetworkX was
given it: ``(source, target, attrs)`` with ``attrs["links"] == (link,)`` (``attrs`` is shared
too: read it, do not change it). It is how the rules read the links, so a graph edited after
it is built should have that attribute deleted (the rules then read the edges themselves).

Links that say the same thing are one shared object (every "KPI serves its first purpose"
link is the same mapping), so the build creates almost nothing per link beyond what
NetworkX itself stores: at 50,000 KPIs that is most of the time the build takes besides
NetworkX's own. For the same reason a KPI node carries its ``owner`` (department or
position) as an attribute, and a scorecard item is the ``measures`` link from its scorecard
to its KPI rather than a node of its own (a plain ``DiGraph`` with a tuple of links per edge
is about twice as fast to build as a ``MultiDiGraph`` with one edge per link).

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

import itertools
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping
from operator import itemgetter
from types import MappingProxyType
from typing import Any, Protocol

import networkx as nx

from stratmap.diagnostics import Location
from stratmap.formula import names_in
from stratmap.model import Department, Kpi, Position, Strategy, Where
from stratmap.tiers import TIERS

__all__ = [
    "VALUE_RELATIONS",
    "EdgeAttrs",
    "Link",
    "build_graph",
    "by_relation",
    "edge_location",
    "item_key",
    "links",
    "reached_from",
    "reaches_a_driver",
    "tier_key",
    "value_carriers",
    "value_sources",
]

#: One link between two nodes, read-only: ``relation``, ``contributes`` (and ``index``
#: for an entry of a list, ``item`` and ``weight`` for a scorecard item).
Link = Mapping[str, Any]

#: The relations along which value is traced to a driver.
VALUE_RELATIONS = ("serves", "answers", "holds_back", "cascades_to")


#: Where the source of each relation writes the link (below the source's own keys; a
#: list's entries add their ``index``).
_WRITTEN_AT: dict[str, tuple[str, ...]] = {
    "holds_back": ("holds_back",),
    "part_of": ("parent",),
    "belongs_to": ("department",),
    "reports_to": ("reports_to",),
    "serves": ("serves",),
    "answers": ("answers",),
    "cascades_to": ("parent",),
    "computed_from": ("formula",),
    "conflicts_with": ("conflicts_with",),
    "assesses": ("for",),
    "in_tier": ("tier",),
    "watches": ("kpi",),
}

#: Relations whose target is declared inside its source (a purpose under its department):
#: the link is where the target is.
_DECLARED_INSIDE = frozenset({"has_purpose", "has_veto", "has_line"})


def item_key(scorecard: str, index: int) -> str:
    """The node key of the ``index``-th item of a scorecard."""
    return f"{scorecard}#item{index}"


def tier_key(tier: str) -> str:
    return f"tier:{tier}"


def formula_inputs(kpi: Kpi, kpi_ids: set[str] | frozenset[str]) -> list[str]:
    """The KPI ids a derived KPI's formula reads, in order of first use (read by the formula
    language's own lexer, leniently: a formula with a syntax error still links its inputs)."""
    return [name for name in names_in(kpi.formula or "") if name in kpi_ids]


def edge_location(graph: nx.DiGraph[str], source: str, target: str, link: Link) -> Location:
    """Where the link from ``source`` to ``target`` is written (computed on demand: most
    are never shown)."""
    relation = link["relation"]
    if relation in _DECLARED_INSIDE:
        location: Location = graph.nodes[target]["location"]
        return location
    where = graph.nodes[source]["where"]
    if relation == "measures":
        return where.at("items", link["item"], "kpi")  # type: ignore[no-any-return]
    keys = _WRITTEN_AT[relation]
    return where.at(*keys, link["index"]) if "index" in link else where.at(*keys)  # type: ignore[no-any-return]


def links(graph: nx.DiGraph[str]) -> Iterator[tuple[str, str, Link]]:
    """Every link of ``graph`` as ``(source, target, link)``, edge by edge."""
    edge_links: Iterator[tuple[str, str, tuple[Link, ...]]] = iter(graph.edges(data="links"))
    for src, dst, found in edge_links:
        for data in found:
            yield src, dst, data


#: An edge's attributes as handed to NetworkX (which copies them into its own dict).
EdgeAttrs = dict[str, tuple[Link, ...]]


def by_relation(graph: nx.DiGraph[str]) -> dict[str, list[tuple[str, str, EdgeAttrs]]]:
    """Every link by relation, ``(source, target, attrs)`` with ``attrs["links"] == (link,)``:
    the index :func:`build_graph` recorded, or (for a graph edited since and the attribute
    deleted) one read off the edges, edge by edge."""
    built: dict[str, list[tuple[str, str, EdgeAttrs]]] | None = graph.graph.get("by_relation")
    if built is not None:
        return built
    out: dict[str, list[tuple[str, str, EdgeAttrs]]] = {}
    for src, dst, data in links(graph):
        out.setdefault(data["relation"], []).append((src, dst, {"links": (data,)}))
    return out


def value_sources(
    graph: nx.DiGraph[str], index: Mapping[str, list[tuple[str, str, EdgeAttrs]]] | None = None
) -> dict[str, list[str]]:
    """For each node, the nodes whose value flows into it: the sources of its ``serves``,
    ``answers``, ``holds_back`` and ``cascades_to`` links (a KPI that cascades to a parent KPI
    traces through it). The reverse adjacency of the value links, read off the relation index
    (``index``, or :func:`by_relation` of the graph) rather than built as a second graph."""
    ends = by_relation(graph) if index is None else index
    out: dict[str, list[str]] = {}
    for relation in VALUE_RELATIONS:
        for src, dst, _ in ends.get(relation, ()):
            found = out.get(dst)
            if found is None:
                out[dst] = [src]
            else:
                found.append(src)
    return out


def value_carriers(
    graph: nx.DiGraph[str], driver: str, sources: Mapping[str, Collection[str]], entered: set[str]
) -> Iterator[str]:
    """The nodes that carry value to ``driver`` from further upstream: ``driver`` and every
    node on a value path to it that has value sources of its own (``sources``, as
    :func:`value_sources` gives them), nearest first (NetworkX's breadth-first search; the
    order among nodes at one distance is unspecified, which no answer depends on). A node with
    no sources (most KPIs) ends a path: it is one of its carriers' sources, not searched.
    Nodes in ``entered`` are not searched, and each node searched is added to it: one set
    shared by several searches makes them search every node once between them."""
    carrying = sources.keys()

    def upstream(node: str) -> Iterator[str]:
        found = carrying & sources.get(node, ())  # its sources that carry value themselves
        found -= entered
        entered.update(found)
        return iter(found)

    entered.add(driver)
    yield driver
    yield from (node for _, node in nx.generic_bfs_edges(graph, driver, upstream))


def reaches_a_driver(
    graph: nx.DiGraph[str], drivers: Iterable[str], sources: Mapping[str, Collection[str]]
) -> frozenset[str]:
    """The nodes with a value path to one of ``drivers`` (the drivers in the graph included):
    the carriers of every driver, each searched once, and all their sources."""
    carriers = set[str]()
    reached = {d for d in drivers if d in graph}
    for driver in tuple(reached):
        deque(value_carriers(graph, driver, sources, carriers), maxlen=0)  # walk it: the nodes are in ``carriers``
    reached |= carriers
    for node in carriers:
        reached.update(sources.get(node, ()))
    return frozenset(reached)


def reached_from(
    graph: nx.DiGraph[str], driver: str, starts: frozenset[str] | set[str], sources: Mapping[str, Collection[str]]
) -> bool:
    """Whether some node of ``starts`` has a value path to ``driver``. The search walks back
    from the driver and stops at the first carrier fed by one of ``starts``: a measured driver
    costs a few steps, and only an unmeasured one its whole upstream."""
    if driver not in graph:
        return False
    if driver in starts:  # an id declared twice (a reference error): the driver is not its own source
        starts = starts - {driver}
    return any(not starts.isdisjoint(sources.get(node, ())) for node in value_carriers(graph, driver, sources, set()))


def _carrying(relation: str, contributes: bool = False, **extra: object) -> EdgeAttrs:
    """The edge attributes that carry one read-only link alone."""
    link: Link = MappingProxyType({"relation": relation, "contributes": contributes, **extra})
    return {"links": (link,)}


class _Shared(dict[Any, EdgeAttrs]):
    """Edge attributes carrying one link, made on first use and shared after: keyed by the
    ``index`` of a list entry, or by ``(item, weight)`` for a scorecard item."""

    def __init__(self, relation: str, contributes: bool = False) -> None:
        super().__init__()
        self.relation, self.contributes = relation, contributes

    def __missing__(self, key: Any) -> EdgeAttrs:
        extra = {"item": key[0], "weight": key[1]} if isinstance(key, tuple) else {"index": key}
        made = self[key] = _carrying(self.relation, self.contributes, **extra)
        return made


def build_graph(strategy: Strategy) -> nx.DiGraph[str]:
    """The cascade graph of ``strategy``; see the module documentation for its shape.

    Parameters
    ----------
    strategy : Strategy
        A loaded strategy (references already checked).

    Returns
    -------
    networkx.DiGraph
        A new graph; the model is not changed. Links to ids that are not nodes are left
        out (the reference checks report them). Each edge's ``links`` lists the links
        between its two nodes; :func:`edge_location` says where one is written. When an id
        is declared twice (also a reference finding), its node has the attributes of the
        last declaration, and its links are located there.

    Examples
    --------
    >>> import stratmap
    >>> g = build_graph(stratmap.load("examples/manufacturing"))
    >>> g.nodes["volume_share"]["kind"]
    'driver'
    >>> [link["relation"] for link in g.edges["output", "prod_volume_on_time"]["links"]]
    ['serves']
    """
    kpis, cards, positions, purposes = strategy.kpis, strategy.scorecards, strategy.positions, strategy.purposes
    plans = [plan for plan in strategy.plans if plan.answers]
    g: nx.DiGraph[str] = nx.DiGraph()
    # Every node first, in the order the model declares it, then its attributes, written
    # into the dicts NetworkX made (add_nodes_from((key, attrs)) costs a caught exception
    # per node, and a dict per node copied into NetworkX's own).
    keys = [tier_key(tier) for tier in TIERS]
    for group in (strategy.drivers, strategy.problems, strategy.departments, positions, purposes):
        keys += [obj.id for obj in group]
    first_kpi = len(keys)
    keys += [k.id for k in kpis]
    keys += [plan.id for plan in plans]
    for card in cards:
        keys.append(card.id)
        keys += [ki.id for ki in card.key_indicators]
        keys += [line.id for line in card.high_voltage_lines]
    g.add_nodes_from(keys)
    # each node's attribute dict, in the order of ``keys``: read off the graph in order when
    # every id is there once, looked up by id when one is declared twice (reported elsewhere)
    node = g.nodes
    slots: Iterator[tuple[str, dict[str, Any]]] = (
        iter(g.nodes(data=True)) if len(g) == len(keys) else ((key, node[key]) for key in keys)
    )
    for tier, (_, data) in zip(TIERS, slots, strict=False):  # model object first: zip stops without taking a slot
        data["kind"], data["label"], data["location"] = "tier", tier, Location("")
    for d, (_, data) in zip(strategy.drivers, slots, strict=False):
        _attrs(data, "driver", d.name, d)
    for p, (_, data) in zip(strategy.problems, slots, strict=False):
        _attrs(data, "problem", p.statement, p)["status"] = p.status
    for dept, (_, data) in zip(strategy.departments, slots, strict=False):
        _attrs(data, "department", dept.name, dept)
    for pos, (_, data) in zip(positions, slots, strict=False):
        _attrs(data, "position", pos.name, pos)
    for u, (_, data) in zip(purposes, slots, strict=False):
        _attrs(data, "purpose", u.statement, u)["owner"] = u.owner
    for k, (_, data) in zip(kpis, slots, strict=False):  # the most numerous: written out
        where = k.where
        data["kind"], data["label"], data["location"], data["where"], data["owner"] = (
            "kpi",
            k.name,
            where.node,
            where,
            k.owner,
        )
    for plan, (_, data) in zip(plans, slots, strict=False):
        _attrs(data, "plan", plan.goal or plan.id, plan)
    for card in cards:
        cid = card.id
        _attrs(next(slots)[1], "scorecard", card.name or cid, card)["tier"] = card.tier
        for ki, (_, data) in zip(card.key_indicators, slots, strict=False):
            _attrs(data, "key_indicator", ki.name or ki.id, ki)["scorecard"] = cid
        for line, (_, data) in zip(card.high_voltage_lines, slots, strict=False):
            _attrs(data, "high_voltage_line", line.name, line)["scorecard"] = cid
    placed = len(g)

    # The links, relation by relation, as NetworkX takes them: (source, target, attributes).
    entities: list[Department | Position] = [*strategy.departments, *positions]
    holds_back, serves, answers = _Shared("holds_back"), _Shared("serves"), _Shared("answers")
    conflicts_with, measures = _Shared("conflicts_with"), _Shared("measures", True)
    part_of, belongs_to, reports_to = _carrying("part_of"), _carrying("belongs_to"), _carrying("reports_to")
    cascade = {"aligns": _carrying("cascades_to"), "contributes": _carrying("cascades_to", True)}
    computed_from = _carrying("computed_from", True)
    has_purpose, assesses, in_tier = _carrying("has_purpose"), _carrying("assesses"), _carrying("in_tier")
    has_veto, has_line, watches = _carrying("has_veto"), _carrying("has_line"), _carrying("watches")
    tiers = {tier: tier_key(tier) for tier in TIERS}
    kpi_ids = frozenset(keys[first_kpi : first_kpi + len(kpis)])
    # Relation by relation, in this order: a node's links come in it, and links of one
    # relation in the order the model declares them.
    written: dict[str, list[tuple[str, str, EdgeAttrs]]] = {
        "holds_back": [(p.id, d, holds_back[i]) for p in strategy.problems for i, d in enumerate(p.holds_back)],
        "part_of": [(dept.id, dept.parent, part_of) for dept in strategy.departments if dept.parent],
        "belongs_to": [(pos.id, pos.department, belongs_to) for pos in positions],
        "reports_to": [(pos.id, pos.reports_to, reports_to) for pos in positions if pos.reports_to],
        "has_purpose": [(entity.id, u.id, has_purpose) for entity in entities for u in entity.purposes],
        "serves": [(u.id, d, serves[i]) for u in purposes for i, d in enumerate(u.serves)]
        + [(k.id, t, serves[i]) for k in kpis for i, t in enumerate(k.serves)],
        "answers": [(k.id, problem, answers[i]) for k in kpis if k.answers for i, problem in enumerate(k.answers)]
        + [(plan.id, problem, answers[i]) for plan in plans for i, problem in enumerate(plan.answers)],
        "cascades_to": [(k.id, k.parent, cascade[k.link]) for k in kpis if k.parent],
        "computed_from": [
            (k.id, other, computed_from) for k in kpis if k.formula is not None for other in formula_inputs(k, kpi_ids)
        ],
        "conflicts_with": [
            (k.id, other, conflicts_with[i])
            for k in kpis
            if k.conflicts_with
            for i, other in enumerate(k.conflicts_with)
        ],
        "assesses": [(card.id, card.entity, assesses) for card in cards],
        "in_tier": [(card.id, tiers[card.tier], in_tier) for card in cards if card.tier in tiers],
        # one link per item (a KPI may appear twice on one card), with its index and weight
        "measures": [
            (card.id, item.kpi, measures[i, item.weight]) for card in cards for i, item in enumerate(card.items)
        ],
        "has_veto": [(card.id, ki.id, has_veto) for card in cards for ki in card.key_indicators],
        "watches": [(ki.id, ki.kpi, watches) for card in cards for ki in card.key_indicators]
        + [(line.id, line.kpi, watches) for card in cards for line in card.high_voltage_lines if line.kpi],
        "has_line": [(card.id, line.id, has_line) for card in cards for line in card.high_voltage_lines],
    }
    by_relation = {relation: found for relation, found in written.items() if found}
    for found in by_relation.values():
        g.add_edges_from(found)
    if len(g) > placed:
        # A link to an id that is not a node (the reference checks' finding) made one: take
        # it out again, with its links. Checking every link first would cost a lookup per
        # link in a valid model to save one in a broken one.
        strays = set(itertools.islice(g, placed, None))
        g.remove_nodes_from(strays)
        by_relation = {
            relation: kept
            for relation, found in by_relation.items()
            if (kept := [entry for entry in found if entry[1] not in strays])
        }
    g.graph["by_relation"] = by_relation
    # one edge per pair of nodes; a pair joined twice (rare) gets all its links, in order
    if sum(map(len, map(itemgetter(1), g.adjacency()))) < sum(map(len, by_relation.values())):
        joined: dict[tuple[str, str], list[Link]] = {}
        for entries in by_relation.values():
            for src, dst, attrs in entries:
                joined.setdefault((src, dst), []).extend(attrs["links"])
        for (src, dst), both in joined.items():
            if len(both) > 1:
                g.edges[src, dst]["links"] = tuple(both)
    return g


def _attrs(data: dict[str, object], kind: str, label: str, obj: _Placed) -> dict[str, object]:
    data["kind"], data["label"], data["location"], data["where"] = kind, label, obj.where.node, obj.where
    return data


class _Placed(Protocol):
    @property
    def where(self) -> Where: ...
