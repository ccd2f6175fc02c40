"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from stratmap.codes import CODES
from stratmap.diagnostics import Diagnostic, Location, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(file: str) -> str:
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    return quote(path.as_posix(), safe="/")


def _physical(loc: Location) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.file)}}
    if loc.line:
        region: dict[str, int] = {"startLine": loc.line, "startColumn": max(loc.column, 1)}
        if loc.end_line and (loc.end_line, loc.end_column) > (loc.line, loc.column):
            region["endLine"] = loc.end_line
            region["endColumn"] = max(loc.end_column, 1)
        phys["region"] = region
    return phys


def render_sarif(diagnostics: Sequence[Diagnostic], files: Sequence[str], lang: str) -> str:
    from stratmap._version import __version__

    rule_ids = sorted(CODES)
    index = {code: i for i, code in enumerate(rule_ids)}
    rules = [
        {
            "id": code,
            "name": CODES[code].slug,
            "shortDescription": {"text": CODES[code].summary_in(lang)},
            "help": {"text": f"Run 'stratmap explain {code}'."},
            "defaultConfiguration": {"level": _LEVEL[CODES[code].severity]},
            "properties": {"since": CODES[code].since, "status": CODES[code].status},
        }
        for code in rule_ids
    ]
    results = []
    for d in diagnostics:
        text = d.message(lang)
        hint = d.hint(lang)
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": f"{text} ({hint})" if hint else text},
            "locations": [{"physicalLocation": _physical(d.location)}],
        }
        if d.related:
            result["relatedLocations"] = [
                {"id": i, "physicalLocation": _physical(r.location), "message": {"text": r.note}}
                for i, r in enumerate(d.related)
            ]
        results.append(result)
    doc = {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stratmap",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": {"uri": _uri(f)}} for f in files],
                "results": results,
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
