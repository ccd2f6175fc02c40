"""Deterministic workloads for the benchmarks (and for tests that need a large strategy)."""

from __future__ import annotations

import random
from pathlib import Path


def strategy_yaml(n_kpis: int, *, seed: int = 1, kpis_per_department: int = 10) -> str:
    """A valid single-file strategy with ``n_kpis`` KPIs, their departments and scorecards.

    Every department gets one short-term scorecard whose items total exactly 100 and carry
    a key strategic indicator; every tenth department has a named problem that its first KPI
    answers; every tenth KPI is derived by a formula from the one before it; every hundredth
    declares a conflict with the next. The file is clean for the whole pipeline (one SM314
    note per declared conflict).
    """
    rng = random.Random(seed)
    n_depts = max(1, -(-n_kpis // kpis_per_department))
    n_drivers = max(2, min(8, n_depts))
    out: list[str] = [
        "# yaml-language-server: $schema=../schemas/stratmap-1.schema.json",
        "stratmap: 1",
        "organisation:",
        "  id: bench_org",
        "  name: 基准测试集团",
        "analysis:",
        "  industry:",
        "    summary: 规模与成本驱动的行业",
        "  company:",
        "    summary: 依靠结构品种创造价值",
        "drivers:",
    ]
    for d in range(n_drivers):
        out += [f"  - id: driver_{d}", f"    name: 驱动力 {d}", f"    rationale: 分析结论 {d}"]
    out.append("problems:")
    for dep in range(0, n_depts, 10):
        out += [
            f"  - id: problem_{dep}",
            f"    statement: 部门 {dep} 的问题",
            f"    holds_back: [driver_{dep % n_drivers}]",
            f"    shows_in: [dept_{dep}]",
        ]
    out.append("departments:")
    for dep in range(n_depts):
        out += [
            f"  - id: dept_{dep}",
            f"    name: 部门 {dep}",
            "    purposes:",
            f"      - id: purpose_{dep}",
            f"        statement: 部门 {dep} 的工作目的",
            f"        serves: [driver_{dep % n_drivers}]",
        ]
    out.append("kpis:")
    for k in range(n_kpis):
        dep = k // kpis_per_department
        direction = rng.choice(["higher_is_better", "lower_is_better"])
        out += [
            f"  - id: kpi_{k}",
            f"    name: 指标 {k}",
            "    unit: '%'",
            f"    owner: dept_{dep}",
            f"    direction: {direction}",
            "    frequency: monthly",
            "    aggregation: mean",
            f"    serves: [purpose_{dep}]",
        ]
        if k % kpis_per_department == 0 and dep % 10 == 0:
            out.append(f"    answers: [problem_{dep}]")
        if k % 10 == 9:
            out.append(f'    formula: "kpi_{k - 1} * 1"')
        if k % 100 == 50 and k + 1 < n_kpis:
            out.append(f"    conflicts_with: [kpi_{k + 1}]")
    out.append("scorecards:")
    for dep in range(n_depts):
        members = list(range(dep * kpis_per_department, min(n_kpis, (dep + 1) * kpis_per_department)))
        weights = [100 // len(members)] * len(members)
        weights[0] += 100 - sum(weights)
        out += [
            f"  - id: card_{dep}",
            f"    for: dept_{dep}",
            "    tier: short_term",
            "    frequency: monthly",
            "    items:",
        ]
        for k, w in zip(members, weights, strict=True):
            target = rng.randint(50, 150)
            out += [
                f"      - kpi: kpi_{k}",
                f"        weight: {w}",
                f"        target: {target}",
                "        missing: zero",
            ]
        out += [
            "    key_indicators:",
            f"      - id: veto_{dep}",
            f"        kpi: kpi_{members[0]}",
            "        veto_when: actual < target * 0.9",
        ]
    return "\n".join(out) + "\n"


def write_strategy(folder: Path, n_kpis: int, *, seed: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"strategy_{n_kpis}.yaml"
    path.write_text(strategy_yaml(n_kpis, seed=seed), encoding="utf-8")
    return path


#: The evaluation benchmark's scorecard: 8 KPIs of a sales position, each policy once or twice.
EVALUATION_KPIS = (
    ("volume", "ratio", "higher_is_better"),
    ("mix_volume", "linear", "higher_is_better"),
    ("new_customers", "goal", "higher_is_better"),
    ("receivables_days", "linear", "lower_is_better"),
    ("satisfaction", "bands", "higher_is_better"),
    ("returns_rate", "ratio", "lower_is_better"),
    ("inventory", "closeness", "closer_is_better"),
    ("visits", "ratio", "higher_is_better"),
)


def evaluation_strategy_yaml() -> str:
    """A strategy whose sales-representative position is assessed monthly on 8 KPIs, with a key
    strategic indicator (veto) and a high-voltage line: the evaluation benchmark's model."""
    scoring = {
        "ratio": "{policy: ratio, cap: 120}",
        "linear": "{policy: linear}",
        "goal": "{policy: goal, met: 100, not_met: 40}",
        "bands": "{policy: bands, bands: [{to: 80, score: 0}, {from: 80, to: 90, score: 80}, {from: 90, score: 100}]}",
        "closeness": "{policy: closeness, tolerance: 50, penalty: 0.1}",
    }
    anchors = {
        "volume": "target: 500",
        "mix_volume": "target: 150, threshold: 100, stretch: 200",
        "new_customers": "target: 2",
        "receivables_days": "target: 45, threshold: 60, stretch: 30",
        "satisfaction": "target: 90",
        "returns_rate": "target: 2",
        "inventory": "target: 600",
        "visits": "target: 40",
    }
    weights = (20, 20, 10, 10, 10, 10, 10, 10)
    lines = [
        "stratmap: 1",
        "organisation: {id: bench_sales, name: 基准销售公司}",
        "analysis:",
        "  industry: {summary: 规模制胜}",
        "  company: {summary: 依靠销量和结构产品}",
        "drivers:",
        "  - {id: grow_volume, name: 扩大销量, rationale: 规模制胜}",
        "departments:",
        "  - id: sales",
        "    name: 销售部",
        "    purposes:",
        "      - {id: sales_grow, statement: 提高销量, serves: [grow_volume]}",
        "positions:",
        "  - id: sales_rep",
        "    name: 销售代表",
        "    department: sales",
        "    purposes:",
        "      - {id: rep_grow, statement: 完成个人销量, serves: [grow_volume]}",
        "kpis:",
    ]
    for kpi, _, direction in EVALUATION_KPIS:
        lines.append(
            f"  - {{id: {kpi}, name: {kpi}, unit: 个, owner: sales_rep, serves: [rep_grow], direction: {direction}}}"
        )
    lines += [
        "scorecards:",
        "  - id: rep_monthly",
        "    for: sales_rep",
        "    tier: short_term",
        "    frequency: monthly",
        "    items:",
    ]
    for (kpi, policy, _), weight in zip(EVALUATION_KPIS, weights, strict=True):
        lines.append(f"      - {{kpi: {kpi}, weight: {weight}, {anchors[kpi]}, scoring: {scoring[policy]}}}")
    lines += [
        "    key_indicators:",
        "      - {id: ki_mix, kpi: mix_volume, veto_when: 'actual < 0.8 * target'}",
        "    bonus: rep_bonus",
        "  - id: rep_major",
        "    for: sales_rep",
        "    tier: major_responsibility",
        "    frequency: yearly",
        "    high_voltage_lines:",
        "      - id: hvl_fraud",
        "        name: 虚假销售",
        "        event: fake_sale",
        "        when: 'count >= 1 or amount >= 10000'",
        "        outcome: [{action: cap_score, cap: 60}, {action: forfeit_period_bonus}]",
        "bonus_rules:",
        "  - id: rep_bonus",
        "    by: score",
        "    table: [{min: 110, factor: 1.2}, {min: 95, factor: 1}, {min: 80, factor: 0.8}, {min: 60, factor: 0.5},"
        " {min: 0, factor: 0}]",
    ]
    return "\n".join(lines) + "\n"
