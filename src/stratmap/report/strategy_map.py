"""Renderers of the strategy map (``stratmap graph``): Mermaid, Graphviz DOT, node-link JSON.

The map shows the chain drivers ← purposes ← KPIs with the departments and positions that
pursue the purposes, the named problems (a distinct shape and colour) with their
"holds back" and "answers" links, and vertical cascades. Nodes that a check reported
(errors and warnings) are highlighted in red. The JSON form is the whole cascade graph as
node-link data, with every finding attached to its node.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stratmap.diagnostics import Diagnostic, Location, Severity, decimal_text
from stratmap.graph import edge_location, links

if TYPE_CHECKING:
    from stratmap.rules.engine import ModelCheck


#: Kinds drawn on the map, bottom layer last.
MAP_KINDS = ("driver", "problem", "purpose", "department", "position", "kpi", "plan")
MAP_RELATIONS = {
    "serves": "serves",
    "has_purpose": "pursues",
    "belongs_to": "in",
    "part_of": "part of",
    "answers": "answers",
    "holds_back": "holds back",
    "cascades_to": "cascades to",
    "conflicts_with": "conflicts with",
}
_RELATIONS_ZH = {
    "serves": "服务",
    "has_purpose": "工作目的",
    "belongs_to": "隶属",
    "part_of": "上级",
    "answers": "针对",
    "holds_back": "阻碍",
    "cascades_to": "对齐",
    "conflicts_with": "冲突",
}


def _relation_label(relation: str, lang: str) -> str:
    return _RELATIONS_ZH[relation] if lang == "zh" else MAP_RELATIONS[relation]


_MERMAID_SHAPES = {
    "driver": ('(["', '"])'),
    "problem": ('{{"', '"}}'),
    "purpose": ('("', '")'),
    "department": ('[/"', '"/]'),
    "position": ('[/"', '"/]'),
    "kpi": ('["', '"]'),
    "plan": ('>"', '"]'),
}
_DOT_SHAPES = {
    "driver": "doubleoctagon",
    "problem": "hexagon",
    "purpose": "ellipse",
    "department": "folder",
    "position": "tab",
    "kpi": "box",
    "plan": "note",
}
_COLOURS = {
    "driver": "#f6d365",
    "problem": "#f4a6a6",
    "purpose": "#cfe8fc",
    "department": "#d9f2d9",
    "position": "#e8f5e9",
    "kpi": "#ffffff",
    "plan": "#eeeeee",
}


def _flagged(check: ModelCheck) -> dict[str, list[Diagnostic]]:
    out: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic, subject in check.findings:
        if subject is not None:
            out[subject].append(diagnostic)
    return out


def _serious(found: list[Diagnostic]) -> bool:
    return any(d.severity in (Severity.ERROR, Severity.WARNING) for d in found)


def _map_nodes(check: ModelCheck) -> list[tuple[str, Mapping[str, Any]]]:
    return [(n, data) for n, data in check.graph.nodes(data=True) if data["kind"] in MAP_KINDS]


def _map_edges(check: ModelCheck) -> list[tuple[str, str, str]]:
    g = check.graph
    shown = {n for n, _ in _map_nodes(check)}
    return [
        (src, dst, link["relation"])
        for src, dst, link in links(g)
        if link["relation"] in MAP_RELATIONS and src in shown and dst in shown
    ]


def _mermaid_text(text: str) -> str:
    out = " ".join(str(text).split())
    # '#' first: Mermaid decodes '#...;' entities, so a literal '#' must be one too
    for ch, entity in (("#", "#35;"), ("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        out = out.replace(ch, entity)
    return out


def render_mermaid(check: ModelCheck, lang: str) -> str:
    flagged = _flagged(check)
    ids = {n: f"n_{i}" for i, (n, _) in enumerate(_map_nodes(check))}
    lines = ["flowchart BT"]
    for kind in MAP_KINDS:
        lines.append(f"  classDef {kind} fill:{_COLOURS[kind]},stroke:#555,color:#000")
    lines.append("  classDef finding stroke:#d00000,stroke-width:3px,color:#d00000")
    highlighted = []
    for node, data in _map_nodes(check):
        left, right = _MERMAID_SHAPES[data["kind"]]
        label = _mermaid_text(f"{data['label']} ({node})")
        lines.append(f"  {ids[node]}{left}{label}{right}:::{data['kind']}")
        if _serious(flagged.get(node, [])):
            highlighted.append(ids[node])
    for src, dst, relation in _map_edges(check):
        arrow = "-.->" if relation in ("holds_back", "conflicts_with", "cascades_to") else "-->"
        lines.append(f"  {ids[src]} {arrow}|{_relation_label(relation, lang)}| {ids[dst]}")
    if highlighted:  # a second class goes on its own line: ':::a,b' is one undefined class
        lines.append(f"  class {','.join(highlighted)} finding")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return '"' + " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(check: ModelCheck, lang: str) -> str:
    flagged = _flagged(check)
    lines = [
        "digraph strategy {",
        "  rankdir=BT;",
        '  node [style=filled, fontname="Noto Sans CJK SC,Microsoft YaHei,sans-serif"];',
    ]
    for node, data in _map_nodes(check):
        kind = data["kind"]
        attrs = [
            f'label={_dot_text(data["label"])[:-1]}\\n{node}"',
            f"shape={_DOT_SHAPES[kind]}",
            f'fillcolor="{_COLOURS[kind]}"',
        ]
        if _serious(flagged.get(node, [])):
            attrs += ['color="#d00000"', "penwidth=3", 'fontcolor="#d00000"']
        lines.append(f"  {_dot_text(node)} [{', '.join(attrs)}];")
    for src, dst, relation in _map_edges(check):
        style = ", style=dashed" if relation in ("holds_back", "conflicts_with", "cascades_to") else ""
        lines.append(
            f"  {_dot_text(src)} -> {_dot_text(dst)} [label={_dot_text(_relation_label(relation, lang))}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _loc(location: Location) -> dict[str, Any]:
    return {"file": location.file, "line": location.line, "column": location.column}


def render_json(check: ModelCheck, lang: str) -> str:
    """The whole cascade graph as node-link data (every node and edge, not only the map)."""
    flagged = _flagged(check)
    g = check.graph
    nodes = []
    for node, data in g.nodes(data=True):
        entry: dict[str, Any] = {"id": node, "kind": data["kind"], "label": data["label"], **_loc(data["location"])}
        for key in ("tier", "scorecard", "owner", "status"):
            if key in data:
                entry[key] = data[key]
        entry["findings"] = [
            {"code": d.code, "severity": d.severity.value, "message": d.message(lang)} for d in flagged.get(node, [])
        ]
        nodes.append(entry)
    edges = []
    for src, dst, link in links(g):
        edge: dict[str, Any] = {
            "source": src,
            "target": dst,
            "relation": link["relation"],
            "contributes": bool(link["contributes"]),
            **_loc(edge_location(g, src, dst, link)),
        }
        if link["relation"] == "measures":  # a scorecard item
            edge["item"] = link["item"]
            # links are shared by value, so the map gives the value, not how it was written
            edge["weight"] = decimal_text(link["weight"])
        edges.append(edge)
    doc = {"directed": True, "multigraph": True, "nodes": nodes, "edges": edges}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


#: The renderers by ``--format`` name.
RENDERERS = {"mermaid": render_mermaid, "dot": render_dot, "json": render_json}
