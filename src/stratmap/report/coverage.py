"""Renderers of the strategic weight share (``stratmap coverage``)."""

from __future__ import annotations

import json
from decimal import Decimal

from stratmap.coverage import REASONS, UNATTRIBUTED, Coverage
from stratmap.report.tabular import text_table, to_csv


def _n(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _columns(cov: Coverage) -> list[str]:
    extra = [UNATTRIBUTED] if any(UNATTRIBUTED in c.by_driver for c in cov.cards) else []
    return [*cov.drivers, *extra]


def _rows(cov: Coverage, drivers: list[str]) -> list[list[str]]:
    """One row per scorecard: id, entity, tier, total, a column per driver, then per reason."""
    return [
        [
            c.scorecard,
            c.entity,
            c.tier,
            _n(c.total),
            *(_n(c.by_driver.get(d, Decimal(0))) for d in drivers),
            *(_n(c.by_reason[r]) for r in REASONS),
        ]
        for c in cov.cards
    ]


def render_table(cov: Coverage, lang: str) -> str:
    drivers = _columns(cov)
    header = ["scorecard", "for", "tier", "total", *drivers, *REASONS]
    if lang == "zh":
        header[:4] = ["考核表", "考核对象", "层级", "总权重"]
        header[-4:] = ["价值驱动", "问题驱动", "两者", "都不是"]
    rows = _rows(cov, drivers)
    rows.append(
        [
            "company (%)" if lang != "zh" else "全公司(%)",
            "",
            "",
            "100.00",
            *(_n(cov.company.get(d, Decimal(0))) for d in drivers),
            "",
            "",
            "",
            "",
        ]
    )
    return text_table(header, rows, right=range(3, len(header)))


def render_json(cov: Coverage, lang: str) -> str:
    doc = {
        "drivers": list(cov.drivers),
        "scorecards": [
            {
                "scorecard": c.scorecard,
                "for": c.entity,
                "tier": c.tier,
                "total_weight": _n(c.total),
                "by_driver": {d: _n(w) for d, w in c.by_driver.items()},
                "by_reason": {
                    "value_driven": _n(c.by_reason["value"]),
                    "issue_driven": _n(c.by_reason["issue"]),
                    "both": _n(c.by_reason["both"]),
                    "neither": _n(c.by_reason["neither"]),
                },
            }
            for c in cov.cards
        ],
        "company_percent_by_driver": {d: _n(p) for d, p in cov.company.items()},
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def render_csv(cov: Coverage, lang: str) -> str:
    drivers = _columns(cov)
    header = ["scorecard", "for", "tier", "total_weight", *drivers, "value_driven", "issue_driven", "both", "neither"]
    company = ["(company %)", "", "", "100.00", *(_n(cov.company.get(d, Decimal(0))) for d in drivers), "", "", "", ""]
    return to_csv(header, [*_rows(cov, drivers), company])


#: The renderers by ``--format`` name.
RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv}
