"""Counting diagnostics for summaries."""

from __future__ import annotations

from collections.abc import Sequence

from stratmap.diagnostics import Diagnostic, Severity


def counts(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    out = {s.value: 0 for s in Severity}
    for d in diagnostics:
        out[d.severity.value] += 1
    return out


def summary_line(diagnostics: Sequence[Diagnostic], files: Sequence[str], lang: str) -> str:
    c = counts(diagnostics)
    n_files = len(files)
    affected = len({d.location.file for d in diagnostics})
    if lang == "zh":
        if not n_files:
            return f"发现 {c['error']} 个错误;没有可读取的文件。"
        if not c["error"] and not c["warning"]:
            notes = f";{c['info']} 条提示" if c["info"] else ""
            return f"检查通过:{n_files} 个文件,未发现问题{notes}。"
        return (
            f"发现 {c['error']} 个错误、{c['warning']} 个警告、{c['info']} 条提示,"
            f"涉及 {affected} 个文件(共检查 {n_files} 个文件)。"
        )
    if not c["error"] and not c["warning"]:
        notes = f"; {c['info']} note{'s' if c['info'] != 1 else ''}" if c["info"] else ""
        return f"All checks passed: {n_files} file{'s' if n_files != 1 else ''}, no problems{notes}."
    if not n_files:
        return f"Found {c['error']} error{'s' if c['error'] != 1 else ''}; no file could be read."
    parts = [
        f"{c['error']} error{'s' if c['error'] != 1 else ''}",
        f"{c['warning']} warning{'s' if c['warning'] != 1 else ''}",
    ]
    if c["info"]:
        parts.append(f"{c['info']} note{'s' if c['info'] != 1 else ''}")
    return f"Found {', '.join(parts)} in {affected} of {n_files} file{'s' if n_files != 1 else ''}."
