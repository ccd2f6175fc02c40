"""What changed between two versions of a strategy, for a person (text) or a tool (JSON)."""

from __future__ import annotations

import json

from stratmap.improve.diff import StrategyDiff


def render_diff_text(d: StrategyDiff) -> str:
    """One line per change (+ added, - removed, ~ changed), then the driver shares that moved."""
    lines = []
    for c in d.changes:
        if c.op == "added":
            lines.append(f"+ {c.kind} {c.id}" + (f" ({c.new})" if c.new else ""))
        elif c.op == "removed":
            lines.append(f"- {c.kind} {c.id}" + (f" ({c.old})" if c.old else ""))
        else:
            lines.append(f"~ {c.kind} {c.id}: {c.field} {c.old} -> {c.new}")
    moved = [s for s in d.shares if s.delta != 0]
    if moved:
        lines.append("driver weight shares (company-wide, percent):")
        for s in moved:
            sign = "+" if s.delta > 0 else ""
            lines.append(f"  {s.driver}: {s.old} -> {s.new} ({sign}{s.delta})")
    if not lines:
        lines.append("no differences")
    return "\n".join(lines) + "\n"


def render_diff_json(d: StrategyDiff) -> str:
    """Every change and share as JSON."""
    return json.dumps(d.as_dict(), ensure_ascii=False, indent=2) + "\n"
