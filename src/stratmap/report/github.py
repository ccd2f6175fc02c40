"""GitHub Actions workflow commands: annotations on the pull request's diff."""

from __future__ import annotations

from collections.abc import Sequence

from stratmap.diagnostics import Diagnostic, Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], files: Sequence[str], lang: str) -> str:
    lines = []
    for d in diagnostics:
        loc = d.location
        props = [f"file={_prop(loc.file)}"]
        if loc.line:
            props += [f"line={loc.line}", f"col={loc.column}"]
            if loc.end_line:
                props += [f"endLine={loc.end_line}", f"endColumn={loc.end_column}"]
        props.append(f"title={_prop(d.code)}")
        text = d.message(lang)
        hint = d.hint(lang)
        if hint:
            text += "\n" + hint
        lines.append(f"::{_LEVEL[d.severity]} {','.join(props)}::{_data(text)}")
    return "".join(line + "\n" for line in lines)
