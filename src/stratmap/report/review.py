"""The monthly review report: Markdown that reads well pasted into a meeting document, or JSON."""

from __future__ import annotations

import json
from decimal import Decimal

from stratmap.evaluation import SEMICOLON, in_lang
from stratmap.improve.review import EntityReview, KpiLine, Review
from stratmap.periods import parse_period

_TITLES = {
    "en": {
        "monthly": "Monthly review",
        "quarterly": "Quarterly review",
        "half_yearly": "Half-year review",
        "yearly": "Annual review",
    },
    "zh": {"monthly": "月度述职", "quarterly": "季度述职", "half_yearly": "半年度述职", "yearly": "年度述职"},
}

_WORDS = {
    "en": {
        "gates": "Gates applied",
        "no_data": "No data for",
        "kpi": "KPI",
        "actual": "actual",
        "target": "target",
        "threshold": "threshold",
        "score": "score",
        "lost": "points lost",
        "plan": "plan",
        "gaps": "Gaps, biggest effect on the score first",
        "well": "Went well (to summarise and spread)",
        "overdue": "Actions past due",
        "needs": "Below threshold without an improvement action or a 5-Why chain",
        "none": "none",
        "due": "due",
        "no_result": "no score",
    },
    "zh": {
        "gates": "本期扣分、否决与高压线",
        "no_data": "无数据",
        "kpi": "指标",
        "actual": "实际",
        "target": "目标",
        "threshold": "门槛",
        "score": "得分",
        "lost": "失分",
        "plan": "改进计划",
        "gaps": "差距(按对得分的影响从大到小)",
        "well": "做得好的(总结并推广)",
        "overdue": "逾期未完成的措施",
        "needs": "低于门槛但缺少改进措施或五问分析",
        "none": "无",
        "due": "应完成",
        "no_result": "无得分",
    },
}


def _n(x: Decimal | str | None) -> str:
    if x is None:
        return "—"
    if isinstance(x, Decimal) and x.as_tuple().exponent < -4:  # type: ignore[operator]
        return str(x.quantize(Decimal("0.0001")).normalize())  # an aggregated mean: 4 places are plenty
    return str(x)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _entity(e: EntityReview, w: dict[str, str], lang: str) -> list[str]:
    score = f"{e.score} ({e.grade})" if e.score is not None else w["no_result"]
    who = f"{e.name} ({e.entity})" if e.name and e.name != e.entity else e.entity
    out = [f"## {who} — {e.scorecard}: {score}", ""]
    header = [w["kpi"], w["actual"], w["target"], w["threshold"], w["score"], w["lost"], w["plan"]]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    for k in e.lines:
        name = f"{k.name} ({k.kpi})" if k.name != k.kpi else k.kpi
        flag = " ⚠" if k.below_threshold else ""
        cells = [
            _cell(name) + flag,
            _n(k.actual),
            _n(k.target),
            _n(k.threshold),
            _n(k.score),
            _n(k.points_lost) if k.points_lost else "",
            ", ".join(k.plans),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")

    def names(lines: tuple[KpiLine, ...], figure: str) -> str:
        if not lines:
            return w["none"]
        return "; ".join(f"{k.name} ({getattr(k, figure)})" for k in lines)

    if e.gates:
        out.append(f"**{w['gates']}:** " + in_lang(SEMICOLON.join(e.gates), lang))
        out.append("")
    out.append(f"**{w['gaps']}:** {names(e.gaps, 'points_lost')}")
    out.append("")
    out.append(f"**{w['well']}:** {names(e.went_well, 'score')}")
    out.append("")
    out.append(f"**{w['overdue']}:** " + ("" if e.overdue else w["none"]))
    for a in e.overdue:
        owner = f" — {a.owner}" if a.owner else ""
        out.append(f"- {a.plan} / {a.kpi}: {a.what}{owner} ({w['due']} {a.due.isoformat()})")
    out.append("")
    out.append(f"**{w['needs']}:** " + ("" if e.findings else w["none"]))
    for d in e.findings:
        out.append(f"- {d.message(lang)} (`{d.code}`, {d.location})")
    out.append("")
    return out


def render_markdown(r: Review, lang: str = "en") -> str:
    key = "zh" if lang == "zh" else "en"
    w = _WORDS[key]
    period = parse_period(r.period)
    title = _TITLES[key][period.kind if period else "monthly"]
    lines = [f"# {title} {r.period}", ""]
    for e in r.entities:
        lines.extend(_entity(e, w, lang))
    if r.no_data:
        lines.append(f"**{w['no_data']}:** " + ", ".join(r.no_data))
    return "\n".join(lines).rstrip() + "\n"


def render_json(r: Review, lang: str = "en") -> str:
    return json.dumps(r.as_dict(), ensure_ascii=False, indent=2) + "\n"
