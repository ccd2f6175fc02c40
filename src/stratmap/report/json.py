"""JSON: a stable document other tools can read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stratmap.diagnostics import Diagnostic, Location
from stratmap.report.summary import counts


def _location(loc: Location) -> dict[str, Any]:
    return {
        "file": loc.file,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "path": loc.json_path,
    }


def diagnostic_to_dict(d: Diagnostic, lang: str) -> dict[str, Any]:
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message(lang),
        "hint": d.hint(lang),
        **_location(d.location),
        "related": [{"note": r.note, **_location(r.location)} for r in d.related],
    }


def render_json(diagnostics: Sequence[Diagnostic], files: Sequence[str], lang: str) -> str:
    doc = {
        "version": 1,
        "files": list(files),
        "summary": counts(diagnostics),
        "diagnostics": [diagnostic_to_dict(d, lang) for d in diagnostics],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
