"""Evaluation results out: JSON (Decimals as text), CSV for Excel, a terminal table, one explanation."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from stratmap.evaluation import RESULT_COLUMNS, Evaluation, Result, in_lang, label
from stratmap.report.tabular import text_table, to_csv

#: The terminal table's columns (a choice of RESULT_COLUMNS), and those printed as numbers.
_TABLE = (
    "entity",
    "scorecard",
    "status",
    "score",
    "grade",
    "rank",
    "vetoes",
    "deductions",
    "high_voltage",
    "bonus_factor",
    "bonus",
)
_RIGHT = tuple(i for i, name in enumerate(_TABLE) if name in ("score", "rank", "bonus_factor", "bonus"))


def _cell(value: object) -> str:
    return "" if value is None else str(value)


#: Weight shares print at 2 places (the exact share is in the JSON).
_SHARE = Decimal("0.01")


def _dash(value: object) -> str:
    """A figure in a sentence of the explanation: ``-`` when there is none (never a blank)."""
    return "-" if value is None else str(value)


def _published(value: Decimal | None, like: Decimal | None) -> str:
    """``value`` at the places of the published ``like`` (a raw score beside its score):
    the exact value is in the JSON."""
    if value is None:
        return ""
    if like is None:
        return str(value)
    exponent = like.as_tuple().exponent
    assert isinstance(exponent, int)
    shown = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    return str(shown.copy_abs() if shown.is_zero() else shown)


def _table_row(r: Result, lang: str) -> list[str]:
    """One result as the table's cells: deductions as the points each rule took."""
    cells = {
        "entity": r.entity,
        "scorecard": r.scorecard,
        "status": label(r.status, lang),
        "score": _cell(r.score),
        "grade": _cell(r.grade),
        "rank": _cell(r.rank),
        "vetoes": " ".join(v.id for v in r.vetoes),
        "deductions": "-" + "+".join(str(d.applied) for d in r.deductions)
        if any(d.applied for d in r.deductions)
        else "",
        "high_voltage": " ".join(h.id for h in r.high_voltage),
        "bonus_factor": _cell(r.bonus_factor),
        "bonus": label("missing", lang) if r.bonus_missing else _cell(r.bonus),
    }
    return [cells[name] for name in _TABLE]


def render_json(ev: Evaluation, lang: str = "en") -> str:
    """Every result as JSON: ids and English text, whatever ``lang`` (Decimals as text)."""
    return json.dumps(ev.as_dict(), ensure_ascii=False, indent=2) + "\n"


def render_csv(ev: Evaluation, lang: str = "en") -> str:
    """The result rows (``Evaluation.result_rows()``, the DataFrames' columns): numbers as
    plain decimals, blank when absent; ``bonus_missing`` says why a bonus is blank. The
    columns and values are the same in every language, so that a script reads them."""
    rows = ev.result_rows()
    return to_csv(RESULT_COLUMNS, [[_cell(row[c]) for c in RESULT_COLUMNS] for row in rows])


def render_table(ev: Evaluation, lang: str = "en") -> str:
    header = [label(name, lang) for name in _TABLE]
    out = text_table(header, [_table_row(r, lang) for r in ev.results], right=_RIGHT)
    out += "\n" + summary(ev, lang)
    return out


_SUMMARY = {
    "en": {
        "results": "{n} results for {period} ({tier}): {complete} complete",
        "empty": ", {n} without any data (no_data)",
        "total": "bonus total, {card}: {amount}",
        "leaves": " (leaves out {n} result(s) without a bonus: {shown})",
        "rows": "{name}: {read} rows read = {used} used + {unused} unused + {outside} outside the period"
        " + {rejected} rejected",
    },
    "zh": {
        "results": "{period}({tier})共 {n} 个结果:{complete} 个完整",
        "empty": ",{n} 个没有任何数据(no_data)",
        "total": "奖金合计,{card}:{amount}",
        "leaves": "(未计入 {n} 个没有奖金的结果:{shown})",
        "rows": "{name}:读取 {read} 行 = 采用 {used} + 未用 {unused} + 期外 {outside} + 拒收 {rejected}",
    },
}


def summary(ev: Evaluation, lang: str = "en") -> str:
    words = _SUMMARY["zh" if lang == "zh" else "en"]
    complete = sum(1 for r in ev.results if r.status == "complete")
    empty = sum(1 for r in ev.results if r.status == "no_data")
    head = words["results"].format(n=len(ev.results), period=ev.period, tier=label(ev.tier, lang), complete=complete)
    lines = [head + (words["empty"].format(n=empty) if empty else "")]
    for card in sorted({*ev.bonus_totals, *ev.bonus_left_out}):
        left = ev.bonus_left_out.get(card, ())
        shown = ", ".join(left[:5]) + (", ..." if len(left) > 5 else "")
        leaves = words["leaves"].format(n=len(left), shown=shown) if left else ""
        lines.append(words["total"].format(card=card, amount=ev.bonus_totals.get(card, "0")) + leaves)
    for name, c in ev.rows.items():
        lines.append(
            words["rows"].format(
                name=name, read=c.read, used=c.used, unused=c.unused, outside=c.outside, rejected=c.rejected
            )
        )
    return "\n".join(lines) + "\n"


#: The explanation's own words, by language (the rules and reasons it quotes carry their own).
_WORDS = {
    "en": {
        "head": "{entity} on {scorecard} for {period} ({tier}): {status}",
        "columns": ("kpi", "actual", "target", "policy", "rule", "raw", "score", "share %", "contribution"),
        "measured": "measured",
        "revised": "revised",
        "sum": "weighted sum",
        "tail": "score {score}, grade {grade}, rank {rank}, bonus factor {factor}, bonus {bonus}",
        "missing": "missing",
        "bonus_missing": "bonus missing",
    },
    "zh": {
        "head": "{entity} 在 {scorecard} 上的 {period}({tier})结果:{status}",
        "columns": ("指标", "实际值", "目标值", "计分方式", "规则", "原始分", "得分", "权重占比 %", "贡献"),
        "measured": "取值",
        "revised": "目标调整",
        "sum": "加权合计",
        "tail": "得分 {score},等级 {grade},排名 {rank},奖金系数 {factor},奖金 {bonus}",
        "missing": "缺失",
        "bonus_missing": "奖金缺失",
    },
}


def render_explanation(result: Result, lang: str = "en") -> str:
    """One result's arithmetic, step by step, for a terminal, in English or Chinese."""
    words = _WORDS["zh" if lang == "zh" else "en"]
    head = str(words["head"]).format(
        entity=result.entity,
        scorecard=result.scorecard,
        period=result.period,
        tier=label(result.tier, lang),
        status=label(result.status, lang),
    )
    lines = [head]
    rows: list[Sequence[object]] = []
    for i in result.items:
        actual = i.actual if isinstance(i.actual, str) else _cell(i.actual)
        rows.append(
            [
                i.kpi,
                actual,
                _cell(i.target),
                label(i.policy, lang),
                in_lang(i.rule, lang),
                _published(i.raw, i.score),
                _cell(i.score),
                _published(i.share, _SHARE),
                _cell(i.contribution),
            ]
        )
    lines.append(text_table(list(words["columns"]), rows, right=(1, 2, 5, 6, 7, 8)).rstrip())
    for i in result.items:
        if i.measured:
            lines.append(f"{words['measured']}: {i.kpi}: {in_lang(i.measured, lang)}")
        if i.revision:
            lines.append(f"{words['revised']}: {i.kpi}: {in_lang(i.revision, lang)}")
    lines.append(f"{words['sum']}: {_dash(result.base_score)}")
    colon = ":" if lang == "zh" else ": "
    for g in result.gates:
        change = f" ({g.before} -> {g.after})" if g.before is not None and g.after is not None else ""
        reason = f"{colon}{in_lang(g.reason, lang)}" if g.reason else ""
        lines.append(f"{label(g.step, lang)} [{g.source}] {in_lang(g.effect, lang)}{change}{reason}")
    bonus = label("missing", lang) if result.bonus_missing else _dash(result.bonus)
    tail = str(words["tail"]).format(
        score=_dash(result.score),
        grade=_dash(result.grade),
        rank=_dash(result.rank),
        factor=_dash(result.bonus_factor),
        bonus=bonus,
    )
    lines.append(tail)
    if result.bonus_missing:
        lines.append(f"{words['bonus_missing']}: {in_lang(result.bonus_missing, lang)}")
    if result.missing:
        lines.append(f"{words['missing']}: {', '.join(result.missing)}")
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[Evaluation, str], str]] = {"json": render_json, "csv": render_csv, "table": render_table}
