"""Plain text: ``file:line:col: severity CODE message``, a hint line, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from stratmap.diagnostics import Diagnostic
from stratmap.report.summary import summary_line


def render_text(diagnostics: Sequence[Diagnostic], files: Sequence[str], lang: str, *, hints: bool = True) -> str:
    lines: list[str] = []
    hint_word = "提示" if lang == "zh" else "hint"
    for d in diagnostics:
        lines.append(f"{d.location}: {d.severity.value} {d.code} {d.message(lang)}")
        hint = d.hint(lang)
        if hints and hint:
            lines.append(f"    {hint_word}: {hint}")
        if hints:
            for r in d.related:  # e.g. every edge of a cycle, the first of two duplicates
                lines.append(f"    {'相关' if lang == 'zh' else 'see'}: {r.location} ({r.note})")
    lines.append(summary_line(diagnostics, files, lang))
    return "\n".join(lines) + "\n"
