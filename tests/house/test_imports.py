"""The house has no import circles: read from the code's own imports (also those inside
functions, which load late but still tie two modules together; not those only the type
checker reads)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

from tests.helpers import ROOT

SRC = ROOT / "src"


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node that runs: what ``if TYPE_CHECKING:`` holds is for the type checker only."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph() -> nx.DiGraph[str]:
    """Module -> module it imports, for every module of the ``stratmap`` package."""
    modules = {_module(p): p for p in (SRC / "stratmap").rglob("*.py")}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                if target in modules and target != name:
                    graph.add_edge(name, target)
    return graph


def test_the_import_graph_is_read() -> None:
    graph = import_graph()
    assert graph.has_edge("stratmap.diagnostics", "stratmap.severity")
    assert graph.has_edge("stratmap.rules", "stratmap.rules.engine")  # an import inside a function counts


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = import_graph()
    circles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert circles == []


#: The stages, bottom first: a module may import its own stage and those below it, never one above.
STAGES: tuple[tuple[str, ...], ...] = (
    (
        "stratmap.severity",
        "stratmap.codes",
        "stratmap.diagnostics",
        "stratmap.ids",
        "stratmap.periods",
        "stratmap.tiers",
        "stratmap.exact",
        "stratmap.i18n",
        "stratmap._files",
        "stratmap._collector",
        "stratmap._version",
    ),
    ("stratmap.load",),
    ("stratmap.schema",),
    ("stratmap.formula",),
    ("stratmap.model",),
    ("stratmap.graph", "stratmap.coverage"),
    ("stratmap.rules",),
    ("stratmap.api",),
    ("stratmap.data",),
    ("stratmap.evaluation",),
    ("stratmap.improve",),
    ("stratmap.report",),
    ("stratmap",),
    ("stratmap.cli", "stratmap.__main__"),
)


def _stage(module: str) -> int:
    """The stage of the longest name ``module`` is or is inside (``stratmap`` itself: only itself)."""
    found = [
        (len(n), i)
        for i, names in enumerate(STAGES)
        for n in names
        if module == n or (n != "stratmap" and module.startswith(f"{n}."))
    ]
    assert found, f"{module} is in no stage: add it to STAGES and to docs/architecture.md"
    return max(found)[1]


def test_the_stages_are_read() -> None:
    assert _stage("stratmap.formula._tree") == _stage("stratmap.formula") < _stage("stratmap.rules.engine")
    assert _stage("stratmap") == _stage("stratmap.cli") - 1


def test_no_module_imports_a_stage_above_its_own() -> None:
    graph = import_graph()
    upward = [(a, b) for a, b in graph.edges if _stage(b) > _stage(a)]
    assert upward == []


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in (SRC / "stratmap").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
