"""`stratmap review` on the bundled example: gaps, missing-action findings, overdue actions."""

from __future__ import annotations

import json

from tests.helpers import EXAMPLES, run_cli

MFG = EXAMPLES / "manufacturing"
DATA = MFG / "data"


def _review(*more: str) -> tuple[int, str, str]:
    return run_cli(
        "review",
        str(MFG),
        "--actuals",
        str(DATA / "actuals.csv"),
        "--events",
        str(DATA / "events.csv"),
        "--people",
        str(DATA / "people.csv"),
        "--period",
        "2026-03",
        *more,
    )


def test_review_of_the_bundled_example() -> None:
    code, out, err = _review("--format", "json")
    assert code == 0, err
    doc = {e["entity"]: e for e in json.loads(out)["entities"]}
    # gaps ranked by their weighted effect on the score
    assert doc["production"]["gaps"] == ["key_contract_rate"]
    assert doc["00125"]["gaps"][0] == "rep_mix_volume"
    lost = {k["kpi"]: k["points_lost"] for k in doc["00125"]["kpis"]}
    assert lost["rep_mix_volume"] == "40.00"  # below the threshold: 0 of 100, 40% of the card
    # what went well
    assert "first_grade_rate" in doc["production"]["went_well"]
    # the overdue action of the production plan covering the quarter
    assert [a["plan"] for a in doc["production"]["overdue_actions"]] == ["plan_key_contracts_q1"]
    assert doc["production"]["overdue_actions"][0]["due"] == "2026-03-15"
    # a KPI below its threshold with no plan: the missing-action finding
    assert [f["code"] for f in doc["00125"]["findings"]] == ["SM364"]
    assert "SM364" in err
    assert all(not e["findings"] for name, e in doc.items() if name != "00125")


def test_review_markdown_in_both_languages() -> None:
    _, out, _ = _review()
    assert out.startswith("# Monthly review 2026-03\n")
    assert "| KPI | actual | target | threshold | score | points lost | plan |" in out
    assert "**Actions past due:**" in out and "plan_key_contracts_q1" in out
    _, out, _ = _review("--lang", "zh")
    assert out.startswith("# 月度述职 2026-03\n") and "逾期未完成的措施" in out and "王强 (00125)" in out


def test_validate_with_the_period_data_lists_the_gaps_without_action() -> None:
    args = ["validate", str(MFG), "--actuals", str(DATA / "actuals.csv"), "--people", str(DATA / "people.csv")]
    code, out, _ = run_cli(*args, "--period", "2026-03")
    assert code == 0 and "SM364" in out and "00125: 'rep_mix_volume' is short of its threshold" in out
    code, out, _ = run_cli(*args, "--period", "2026-03", "--ignore", "SM364")
    assert "SM364" not in out
    code, _, err = run_cli(*args)
    assert code == 2 and "--actuals and --period go together" in err


def test_ignored_codes_leave_the_report_and_its_json() -> None:
    _, out, err = _review("--ignore", "SM364")
    assert "SM364" not in out and "SM364" not in err
    _, out, _ = _review("--ignore", "SM364", "--format", "json")
    assert all(not e["findings"] for e in json.loads(out)["entities"])
