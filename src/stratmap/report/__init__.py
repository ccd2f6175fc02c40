"""Stage 11, the report: the renderers. Each output format is one function registered here by name.

Renderers are imported when their format is asked for, so that a run pays only for
the format it prints.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from stratmap.diagnostics import Diagnostic

Renderer = Callable[[Sequence[Diagnostic], Sequence[str], str], str]

#: ``--format`` name -> "module:function" of the renderer of a list of diagnostics.
DIAGNOSTIC_FORMATS: dict[str, str] = {
    "text": "stratmap.report.text:render_text",
    "json": "stratmap.report.json:render_json",
    "github": "stratmap.report.github:render_github",
    "sarif": "stratmap.report.sarif:render_sarif",
}


#: Every command's ``--format`` choices, the first its default (``validate`` defaults to
#: ``github`` under GitHub Actions): the one table the CLI reads. A test holds each
#: renderer registry to it.
FORMATS: dict[str, tuple[str, ...]] = {
    "validate": tuple(DIAGNOSTIC_FORMATS),
    "graph": ("mermaid", "dot", "json"),
    "coverage": ("table", "json", "csv"),
    "evaluate": ("table", "json", "csv"),
    "review": ("markdown", "json"),
    "diff": ("text", "json"),
    "rules": ("text", "json"),
}


def renderer(fmt: str) -> Renderer:
    """The renderer registered for ``fmt``."""
    module, _, func = DIAGNOSTIC_FORMATS[fmt].partition(":")
    found: Renderer = getattr(importlib.import_module(module), func)
    return found


__all__ = ["DIAGNOSTIC_FORMATS", "FORMATS", "Renderer", "renderer"]
