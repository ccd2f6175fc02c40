"""SM30x–SM31x: alignment of the cascade driver → purpose → KPI → scorecard."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from stratmap.diagnostics import Related, decimal_text
from stratmap.graph import edge_location, item_key
from stratmap.i18n import Text
from stratmap.model import Department, HighVoltageLine, KeyIndicator, Kpi, Position, Scorecard
from stratmap.rules.registry import Context, Finding

if TYPE_CHECKING:
    import networkx as nx

#: The two ends of a link as the context lists it (``(source, target, ...)``).
SOURCE, TARGET = itemgetter(0), itemgetter(1)
ID = attrgetter("id")

#: Policies that read the item's target.
TARGET_POLICIES = frozenset({"ratio", "linear", "closeness", "goal"})


def unserved_driver(ctx: Context) -> Iterator[Finding]:
    """A driver that no department or position purpose serves."""
    pred = ctx.graph.pred
    for d in ctx.strategy.drivers:
        if not any(ctx.kind(src) == "purpose" for src in pred[d.id]):  # only a purpose's serves link
            yield Finding(d.where.at("id"), d.id, {"driver": d.id})


def purpose_serves_nothing(ctx: Context) -> Iterator[Finding]:
    """A purpose whose ``serves`` names no driver."""
    for p in ctx.strategy.purposes:
        if not p.serves:
            yield Finding(p.where.at("serves"), p.id, {"purpose": p.id})


def unmeasured_driver(ctx: Context) -> Iterator[Finding]:
    """A driver that no KPI on any scorecard reaches: nobody is assessed on it."""
    assessed = set(map(TARGET, ctx.ends("measures")))
    for d in ctx.strategy.drivers:
        if not ctx.reached_from(d.id, assessed):
            yield Finding(d.where.at("id"), d.id, {"driver": d.id})


def kpi_without_driver(ctx: Context) -> Iterator[Finding]:
    """A KPI with no path to any driver: the value disconnect."""
    reaching, kpis = ctx.reaches_a_driver, ctx.strategy.kpis
    if reaching.issuperset(map(ID, kpis)):
        return  # every KPI traces to a driver: established in C, without a loop per KPI
    for k in [k for k in kpis if k.id not in reaching]:
        where = k.where.at("serves") if k.serves else k.where.at("id")
        yield Finding(where, k.id, {"kpi": k.id})


def entity_without_scorecard(ctx: Context) -> Iterator[Finding]:
    """A department or position that no scorecard assesses."""
    assessed = {card.entity for card in ctx.strategy.scorecards}
    entities: list[Department | Position] = [*ctx.strategy.departments, *ctx.strategy.positions]
    for entity in entities:
        if entity.id not in assessed:
            yield Finding(entity.where.at("id"), entity.id, {"entity": entity.id})


def weights_total(ctx: Context) -> Iterator[Finding]:
    """Scorecard weights that do not total 100 (or nothing to normalise)."""
    for card in ctx.strategy.scorecards:
        if not card.items:
            continue
        total = card.total_weight
        if card.weight_policy == "must_total_100" and total != 100:
            yield Finding(card.where.at("items"), card.id, {"scorecard": card.id, "total": decimal_text(total)})
        elif card.weight_policy == "normalise" and total == 0:
            yield Finding(card.where.at("items"), card.id, {"scorecard": card.id, "total": "0"})


def short_term_without_veto(ctx: Context) -> Iterator[Finding]:
    """A short-term scorecard without a key strategic indicator."""
    for card in ctx.strategy.scorecards:
        if card.tier == "short_term" and not card.key_indicators:
            yield Finding(card.where.at("tier"), card.id, {"scorecard": card.id})


def veto_out_of_scope(ctx: Context) -> Iterator[Finding]:
    """A key indicator or high-voltage line reading a KPI outside its scorecard's scope."""
    cards = ctx.strategy.scorecards
    refs: list[tuple[Scorecard, KeyIndicator | HighVoltageLine, str]] = [
        (card, ki, "key indicator") for card in cards for ki in card.key_indicators
    ]
    refs += [(card, hv, "high-voltage line") for card in cards for hv in card.high_voltage_lines]
    for card, ref, what in refs:
        kpi = ref.kpi
        read = ctx.kpi(kpi) if kpi else None
        if kpi and (read is None or read.owner != card.entity) and all(i.kpi != kpi for i in card.items):
            args = {"what": what, "ref": ref.id, "kpi": kpi, "scorecard": card.id, "entity": card.entity}
            yield Finding(ref.where.at("kpi"), ref.id, args)


def line_without_outcome(ctx: Context) -> Iterator[Finding]:
    """A high-voltage line with no outcome."""
    for card in ctx.strategy.scorecards:
        for hv in card.high_voltage_lines:
            if not hv.outcome:
                yield Finding(hv.where.at("id"), hv.id, {"line": hv.id})


_CYCLE_RELATIONS = {
    "computed_from": "derived KPIs",
    "cascades_to": "KPI cascade",
    "part_of": "department hierarchy",
    "reports_to": "reporting lines",
}


#: At most this many cycles are listed per group of mutually dependent nodes (a dense group
#: can hold exponentially many); the rest are counted in the last one's message.
MAX_CYCLES = 20


def cycles(ctx: Context) -> Iterator[Finding]:
    """Derived KPIs that depend on themselves, cascades and hierarchies that loop: every
    elementary cycle (up to :data:`MAX_CYCLES` per group of nodes that depend on each other),
    each with the location of every link in it."""
    import networkx as nx

    for relation, what in _CYCLE_RELATIONS.items():
        ends = ctx.ends(relation)
        if not ends:
            continue
        # a node on a cycle has a link in and a link out: only links between such nodes
        # can be on one (in a hierarchy that is all but its top and bottom levels)
        has_in, has_out = set(map(TARGET, ends)), set(map(SOURCE, ends))
        h: nx.DiGraph[str] = nx.DiGraph()
        h.add_edges_from((src, dst) for src, dst, _ in ends if src in has_in and dst in has_out)
        if nx.is_directed_acyclic_graph(h):
            continue  # the usual case, and cheaper to establish than listing the components
        at = {(src, dst): data for src, dst, data in ctx.edges(relation)}
        for component in sorted((c for c in nx.strongly_connected_components(h) if _loops(h, c)), key=min):
            found = sorted(_rotated(c) for c in nx.simple_cycles(h.subgraph(component)))
            for index, loop in enumerate(found[:MAX_CYCLES]):
                links = list(itertools.pairwise([*loop, loop[0]]))
                related = tuple(
                    Related(edge_location(ctx.graph, *link, at[link]), f"{link[0]} -> {link[1]}") for link in links
                )
                text = " -> ".join([*loop, loop[0]])
                if index == MAX_CYCLES - 1 and len(found) > MAX_CYCLES:
                    text += f" (and {len(found) - MAX_CYCLES} more cycles through these nodes)"
                yield Finding(
                    edge_location(ctx.graph, *links[0], at[links[0]]),
                    loop[0],
                    {"what": what, "cycle": text},
                    related,
                    also=tuple(loop[1:]),
                )


def _loops(h: nx.DiGraph[str], component: set[str]) -> bool:
    """Whether a strongly connected component holds a cycle (more than one node, or a self-loop)."""
    if len(component) > 1:
        return True
    (node,) = component
    return h.has_edge(node, node)


def _rotated(cycle: list[str]) -> list[str]:
    """The cycle starting at its smallest node: one spelling per cycle, whatever the search order."""
    start = cycle.index(min(cycle))
    return cycle[start:] + cycle[:start]


def under_cascaded(ctx: Context) -> Iterator[Finding]:
    """Summed, higher-is-better KPIs whose contributing children's targets add up to less
    than the parent's target on a scorecard of the same frequency.

    Each child counts once (its first item on a card of that frequency), a position's
    target ``headcount`` times. When a child has no such item with a plain ``target``, or a
    position's headcount is unknown, the cascade cannot be judged and nothing is reported.
    """
    children: dict[str, list[Kpi]] = defaultdict(list)
    for k in [k for k in ctx.strategy.kpis if k.link == "contributes" and k.parent]:
        parent = ctx.kpi(k.parent or "")
        if parent and parent.aggregation == "sum" and parent.direction == "higher_is_better":
            children[parent.id].append(k)
    if not children:
        return
    # a position's target counts headcount times (None: unknown), a department's once
    headcount = {p.id: p.headcount for p in reversed(ctx.strategy.positions)}  # the first, if declared twice
    kids_of = {kid.id for kids in children.values() for kid in kids}
    wanted = kids_of | children.keys()
    judged: list[tuple[str, Scorecard, int]] = []  # the parents' items, in card order
    first: dict[tuple[str, str | None], Decimal | None] = {}  # (child, frequency) -> its first item's target
    cards = ctx.strategy.scorecards
    for card, i, item in [(c, i, item) for c in cards for i, item in enumerate(c.items) if item.kpi in wanted]:
        if item.kpi in children:
            judged.append((item.kpi, card, i))
        if item.kpi in kids_of:
            first.setdefault((item.kpi, card.frequency), item.target)
    for parent_id, card, i in judged:
        item = card.items[i]
        if item.target is None:
            continue
        kids = children[parent_id]
        total = Decimal(0)
        for kid in kids:
            count = headcount.get(kid.owner, 1)
            target = first.get((kid.id, card.frequency))
            if count is None or target is None:
                break  # a headcount is unknown or a child has no comparable target: cannot judge
            total += target * (count or 1)
        else:
            if total < item.target:
                args = {
                    "kpi": parent_id,
                    "children": decimal_text(total),
                    "target": decimal_text(item.target),
                    "scorecard": card.id,
                }
                yield Finding(item.where.at("target"), item_key(card.id, i), args)


def cascade_mismatch(ctx: Context) -> Iterator[Finding]:
    """A KPI cascading to a parent in the other direction, or contributing to one with a
    different unit (a KPI that only aligns may measure something else: new customers
    support sales volume)."""
    for k in [k for k in ctx.strategy.kpis if k.parent]:
        parent = ctx.kpi(k.parent or "")
        if parent is None:
            continue
        fields = ("unit", "direction") if k.link == "contributes" else ("direction",)
        for field_name in fields:
            mine, theirs = getattr(k, field_name), getattr(parent, field_name)
            if mine != theirs:
                args = {
                    "kpi": k.id,
                    "parent": parent.id,
                    "field": field_name,
                    "mine": mine or "(none)",
                    "theirs": theirs or "(none)",
                }
                yield Finding(k.where.at("parent"), k.id, args, (Related(parent.where.node, "the parent"),))


_OPPOSITE = {"higher_is_better": "lower_is_better", "lower_is_better": "higher_is_better"}


def opposite_directions(ctx: Context) -> Iterator[Finding]:
    """The same measure (same name, ignoring case, and unit) pursued in opposite directions
    by two owners, unless they declare the tension with ``conflicts_with``."""
    kpis = ctx.strategy.kpis
    names = list(map(str.casefold, map(str.strip, map(attrgetter("name"), kpis))))
    if len(set(names)) == len(names):
        return  # no name is used twice
    measures = list(zip(names, map(attrgetter("unit"), kpis), strict=True))
    named = Counter(measures)
    declared = {frozenset((src, dst)) for src, dst, _ in ctx.ends("conflicts_with")}
    # a group per measure named more than once, opened where its second KPI is declared
    opened: dict[tuple[str, str | None], Kpi] = {}
    groups: dict[tuple[str, str | None], list[Kpi]] = {}
    for measure, k in [(measure, k) for measure, k in zip(measures, kpis, strict=True) if named[measure] > 1]:
        earlier = opened.setdefault(measure, k)
        if earlier is not k:
            groups.setdefault(measure, [earlier]).append(k)
    for group in groups.values():
        first: dict[str, Kpi] = {}  # the first KPI of the group in each direction
        for k in group:
            first.setdefault(k.direction, k)
        for k in group:
            other = first.get(_OPPOSITE.get(k.direction, ""))
            if other is None or other.owner == k.owner or other.where.node > k.where.node:
                continue  # reported once, on the later of the two
            if frozenset((k.id, other.id)) in declared:
                continue
            args = {"kpi": k.id, "other": other.id, "name": k.name}
            yield Finding(k.where.at("direction"), k.id, args, (Related(other.where.node, other.id),))


def declared_conflicts(ctx: Context) -> Iterator[Finding]:
    """KPIs declared as pulling against each other, surfaced together for review."""
    for src, dst, data in ctx.edges("conflicts_with"):
        other = ctx.graph.nodes[dst]
        yield Finding(
            edge_location(ctx.graph, src, dst, data),
            src,
            {"kpi": src, "other": dst},
            (Related(other["location"], f"{dst} ({other['label']})"),),
        )


def smart_incomplete(ctx: Context) -> Iterator[Finding]:
    """SMART gaps: a KPI without a unit, an item without the target its policy reads,
    linear scoring without threshold or stretch, a plan action without owner or deadline."""
    # a yes/no KPI, and one only rated or answered yes or no, has no unit to give
    unitless = [k for k in ctx.strategy.kpis if k.unit is None and k.direction != "yes_no"]
    if unitless:
        policies: dict[str, set[str]] = {}
        for card in ctx.strategy.scorecards:
            for item in card.items:
                policies.setdefault(item.kpi, set()).add(item.scoring.policy)
        unitless = [k for k in unitless if not (policies.get(k.id) and policies[k.id] <= {"rating", "yes_no"})]
    for k in unitless:
        what = (f"KPI '{k.id}' has no unit", f"KPI“{k.id}”没有单位")
        yield Finding(k.where.at("id"), k.id, _smart(*what))
    gaps = [
        (card, index, item)
        for card in ctx.strategy.scorecards
        for index, item in enumerate(card.items)
        if item.target is None or item.scoring.policy == "linear"
    ]
    for card, index, item in gaps:
        if item.scoring.policy in TARGET_POLICIES and item.target is None and not item.targets:
            what = (
                f"item '{item.kpi}' on '{card.id}' has no target for its {item.scoring.policy} scoring",
                f"“{card.id}”上的指标项“{item.kpi}”采用 {item.scoring.policy} 计分,但没有目标值",
            )
            yield Finding(item.where.at("kpi"), item_key(card.id, index), _smart(*what))
        if item.scoring.policy == "linear":
            for anchor in ("threshold", "stretch"):
                if getattr(item, anchor) is None:
                    zh = "门槛值" if anchor == "threshold" else "挑战值"
                    what = (
                        f"item '{item.kpi}' on '{card.id}' scores linearly but has no {anchor}",
                        f"“{card.id}”上的指标项“{item.kpi}”采用线性计分,但没有{zh}",
                    )
                    yield Finding(item.where.at("kpi"), item_key(card.id, index), _smart(*what))
    for plan in ctx.strategy.plans:
        for i, action in enumerate(plan.actions):
            for attr in ("owner", "due"):
                if getattr(action, attr) is None:
                    en, zh = ("owner", "责任人") if attr == "owner" else ("deadline", "完成时间")
                    what = (
                        f"action {i + 1} of plan '{plan.id}' has no {en}",
                        f"计划“{plan.id}”的第 {i + 1} 项行动没有{zh}",
                    )
                    yield Finding(plan.where.at("actions", i), plan.id, _smart(*what))


def too_many_items(ctx: Context) -> Iterator[Finding]:
    """More items on one scorecard than the organisation's ``max_items``."""
    limit = ctx.strategy.organisation.max_items
    for card in ctx.strategy.scorecards:
        if len(card.items) > limit:
            yield Finding(
                card.where.at("items"),
                card.id,
                {"scorecard": card.id, "count": len(card.items), "limit": limit},
            )


def bad_split(ctx: Context) -> Iterator[Finding]:
    """A ``split`` that names a driver the KPI does not serve, or shares not totalling 100."""
    from stratmap.coverage import served_drivers

    for k in ctx.strategy.kpis:
        if not k.split:
            continue
        reached = served_drivers(ctx.strategy, k)
        for driver in k.split:
            if driver not in reached:
                args = {
                    "kpi": k.id,
                    "problem": Text(f"'{driver}' is not a driver it serves", f"“{driver}”不是它所服务的驱动力"),
                }
                yield Finding(k.where.at("split", driver), k.id, args)
        total = sum(k.split.values(), Decimal(0))
        missing = [d for d in reached if d not in k.split]
        if total != 100 or missing:
            shown = decimal_text(total)
            problem = (
                f"its shares total {shown}, not 100" if total != 100 else f"it gives no share to {', '.join(missing)}"
            )
            problem_zh = f"份额合计为 {shown},不是 100" if total != 100 else f"没有给 {'、'.join(missing)} 分配份额"
            yield Finding(k.where.at("split"), k.id, {"kpi": k.id, "problem": Text(problem, problem_zh)})


def _smart(en: str, zh: str) -> dict[str, str]:
    return {"what": Text(en, zh)}


def band_gaps_and_overlaps(ctx: Context) -> Iterator[Finding]:
    """A bands policy whose bands leave a gap between them or overlap."""
    infinity = Decimal("Infinity")
    banded = [(card, item) for card in ctx.strategy.scorecards for item in card.items if item.scoring.policy == "bands"]
    for card, item in banded:
        if len(item.scoring.bands) < 2:
            continue
        ordered = sorted(enumerate(item.scoring.bands), key=lambda t: -infinity if t[1].lower is None else t[1].lower)
        for (_, low), (j, high) in itertools.pairwise(ordered):
            top = infinity if low.upper is None else low.upper
            bottom = -infinity if high.lower is None else high.lower
            if bottom < top:
                problem, problem_zh = f"bands overlap from {bottom} to {top}", f"区间在 {bottom} 到 {top} 之间重叠"
            elif bottom > top:
                problem, problem_zh = (
                    f"no band holds values from {top} up to {bottom}",
                    f"{top} 到 {bottom} 之间的值不属于任何区间",
                )
            else:
                continue
            yield Finding(
                item.where.at("scoring", "bands", j),
                card.id,
                {"kpi": item.kpi, "scorecard": card.id, "problem": Text(problem, problem_zh)},
            )
