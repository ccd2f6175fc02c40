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
