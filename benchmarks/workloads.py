"""Deterministic workloads for the benchmarks (and for tests that need a large strategy)."""

from __future__ import annotations

import random
from pathlib import Path


def strategy_yaml(n_kpis: int, *, seed: int = 1, kpis_per_department: int = 10) -> str:
    """A valid single-file strategy with ``n_kpis`` KPIs, their departments, positions and
    scorecards, shaped like a real cascade.

    Departments form a tree (each has the department ``dep // 10`` as its parent). Each
    department of 10 KPIs owns 8 of them and has one position (headcount 3) that owns the
    other 2: the first cascades to the department's first KPI and *contributes* to it (a
    sum, its target times the headcount covers the department's), the second *aligns* with
    the department's second KPI and is derived by a formula from the first. Every fifth
    purpose serves two drivers, and every seventh department KPI also serves a driver
    directly, so that value traces overlap. Every department and position has a short-term
    scorecard whose items total exactly 100, with a key strategic indicator; every tenth
    department's card has a high-voltage line, and every tenth department a named problem
    that its first KPI answers. Every hundredth KPI declares a conflict with the next.
    The file is clean for the whole pipeline (one SM314 note per declared conflict).
    """
    rng = random.Random(seed)
    n_depts = max(1, -(-n_kpis // kpis_per_department))
    n_drivers = max(2, min(8, n_depts))
    per = kpis_per_department
    own = max(1, per - 2)  # the department's own KPIs; the rest are its position's
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
        drivers = [f"driver_{dep % n_drivers}"]
        if dep % 5 == 0:
            drivers.append(f"driver_{(dep + 1) % n_drivers}")
        out += [f"  - id: dept_{dep}", f"    name: 部门 {dep}"]
        if dep:
            out.append(f"    parent: dept_{dep // 10}")
        out += [
            "    purposes:",
            f"      - id: purpose_{dep}",
            f"        statement: 部门 {dep} 的工作目的",
            f"        serves: [{', '.join(drivers)}]",
        ]
    positions = [dep for dep in range(n_depts) if dep * per + own < n_kpis]
    if positions:
        out.append("positions:")
    for dep in positions:
        out += [
            f"  - id: pos_{dep}",
            f"    name: 岗位 {dep}",
            f"    department: dept_{dep}",
            "    headcount: 3",
        ]
    targets: dict[int, int] = {}
    out.append("kpis:")
    for k in range(n_kpis):
        dep, j = divmod(k, per)
        base = dep * per
        aligned = j in (0, 1, own, own + 1)  # a cascade keeps its parent's direction
        direction = "higher_is_better" if aligned else rng.choice(["higher_is_better", "lower_is_better"])
        owner = f"dept_{dep}" if j < own else f"pos_{dep}"
        serves = [f"purpose_{dep}"]
        if j < own and k % 7 == 3:
            serves.append(f"driver_{(dep + 2) % n_drivers}")
        out += [
            f"  - id: kpi_{k}",
            f"    name: 指标 {k}",
            "    unit: '%'",
            f"    owner: {owner}",
            f"    direction: {direction}",
            "    frequency: monthly",
            f"    aggregation: {'sum' if j in (0, own) else 'mean'}",
            f"    serves: [{', '.join(serves)}]",
        ]
        if j == 0 and dep % 10 == 0:
            out.append(f"    answers: [problem_{dep}]")
        if j == own:  # the position's share of the department's first KPI
            out += [f"    parent: kpi_{base}", "    link: contributes"]
        elif j == own + 1:  # aligned with the department's second KPI, derived from the first
            out += [f"    parent: kpi_{base + 1}", "    link: aligns", f'    formula: "kpi_{k - 1} * 1"']
        elif j < own and k % 10 == 7:
            out.append(f'    formula: "kpi_{k - 1} * 1"')
        if k % 100 == 50 and k + 1 < n_kpis:
            out.append(f"    conflicts_with: [kpi_{k + 1}]")
        targets[k] = rng.randint(50, 150)
    out.append("scorecards:")

    def card(ident: str, entity: str, members: list[int], line: bool) -> None:
        weights = [100 // len(members)] * len(members)
        weights[0] += 100 - sum(weights)
        out.extend([f"  - id: {ident}", f"    for: {entity}", "    tier: short_term", "    frequency: monthly"])
        out.append("    items:")
        for k, w in zip(members, weights, strict=True):
            target = targets[k]
            if k % per == own:  # three holders cover the department's target
                target = -(-targets[k - own] // 3)
            out.extend([f"      - kpi: kpi_{k}", f"        weight: {w}", f"        target: {target}"])
            out.append("        missing: zero")
        out.extend(
            [
                "    key_indicators:",
                f"      - id: veto_{ident}",
                f"        kpi: kpi_{members[0]}",
                "        veto_when: actual < target * 0.9",
            ]
        )
        if line:
            out.extend(
                [
                    "    high_voltage_lines:",
                    f"      - id: hvl_{ident}",
                    "        name: 重大安全事故",
                    "        event: major_incident",
                    '        when: "count >= 1"',
                    "        outcome:",
                    "          - action: lowest_grade",
                ]
            )

    for dep in range(n_depts):
        members = list(range(dep * per, min(n_kpis, dep * per + own)))
        card(f"card_{dep}", f"dept_{dep}", members, dep % 10 == 0)
        if dep in positions:
            card(f"card_pos_{dep}", f"pos_{dep}", list(range(dep * per + own, min(n_kpis, (dep + 1) * per))), False)
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
