"""Plain text: ``file:line:col: severity CODE message``, a hint line, then a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from stratmap.diagnostics import Diagnostic
from stratmap.report.summary import summary_line

#: With ``brief``, a code found more often than this shows its first few and a count.
BRIEF_AFTER, BRIEF_SHOWN = 5, 3


def render_text(
    diagnostics: Sequence[Diagnostic], files: Sequence[str], lang: str, *, hints: bool = True, brief: bool = False
) -> str:
    """One line per problem (and its hint and related places), then the summary.

    With ``brief`` a code found more than five times shows its first three, then one line
    with the count of the rest (the JSON report keeps them all); the summary counts all."""
    lines: list[str] = []
    hint_word = "提示" if lang == "zh" else "hint"
    counts = Counter(d.code for d in diagnostics) if brief else Counter()
    shown: Counter[str] = Counter()
    for d in diagnostics:
        if counts[d.code] > BRIEF_AFTER:
            shown[d.code] += 1
            if shown[d.code] > BRIEF_SHOWN:
                if shown[d.code] == BRIEF_SHOWN + 1:
                    more = counts[d.code] - BRIEF_SHOWN
                    lines.append(
                        f"    ... 另有 {more} 条 {d.code}(--format json 列出全部)"
                        if lang == "zh"
                        else f"    ... and {more} more {d.code} like these (--format json lists them all)"
                    )
                continue
        lines.append(f"{d.location}: {d.severity.value} {d.code} {d.message(lang)}")
        hint = d.hint(lang)
        if hints and hint:
            lines.append(f"    {hint_word}: {hint}")
        if hints:
            for r in d.related:  # e.g. every edge of a cycle, the first of two duplicates
                lines.append(f"    {'相关' if lang == 'zh' else 'see'}: {r.location} ({r.note})")
    lines.append(summary_line(diagnostics, files, lang))
    return "\n".join(lines) + "\n"
