"""`stratmap evaluate` end to end: the bundled example and broken copies of its data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import EXAMPLES, run_cli

MFG = EXAMPLES / "manufacturing"


def _args(data: Path, *more: str, strategy: Path = MFG, period: str = "2026-03") -> list[str]:
    """The evaluate command on ``strategy`` with the four data files in ``data``."""
    return [
        "evaluate",
        str(strategy),
        "--actuals",
        str(data / "actuals.csv"),
        "--events",
        str(data / "events.csv"),
        "--bonus-base",
        str(data / "bonus_base.csv"),
        "--people",
        str(data / "people.csv"),
        "--period",
        period,
        *more,
    ]


def test_table_shows_every_gate_and_the_row_accounting() -> None:
    code, out, err = run_cli(*_args(MFG / "data"))
    assert code == 0, err
    assert "ki_key_contract_rate" in out and "hvl_major_quality_incident" in out and "-4" in out
    assert "actuals: 28 rows read = 28 used + 0 unused + 0 outside the period + 0 rejected" in out
    assert "SM520" in err


def test_json_is_byte_identical_across_runs_and_has_the_documented_keys() -> None:
    first = run_cli(*_args(MFG / "data", "--format", "json"))[1]
    second = run_cli(*_args(MFG / "data", "--format", "json"))[1]
    assert first == second
    doc = json.loads(first)
    keys = {
        "entity",
        "scorecard",
        "period",
        "tier",
        "score",
        "grade",
        "rank",
        "vetoes",
        "deductions",
        "high_voltage",
        "bonus_factor",
        "bonus",
        "explanation",
    }
    for result in doc["results"]:
        assert keys <= result.keys()
        assert result["score"] is None or isinstance(result["score"], str)  # Decimals as text


def test_csv_has_a_bom_and_text_ids() -> None:
    code, out, _ = run_cli(*_args(MFG / "data", "--format", "csv"))
    assert code == 0 and out.startswith("\ufeffentity,scorecard")
    assert "\r\n00123,sales_rep_monthly," in out


def test_explain_shows_the_arithmetic() -> None:
    code, out, _ = run_cli(*_args(MFG / "data", "--explain", "production"))
    assert code == 0
    assert "weighted sum: 96.07" in out and "deductions [deductions] -4 points (96.07 -> 92.07)" in out
    code, _, err = run_cli(*_args(MFG / "data", "--explain", "nobody"))
    assert code == 2 and "no result for entity 'nobody'" in err


def test_broken_data_is_reported_and_the_rest_evaluated(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MFG / "data", data)
    with (data / "actuals.csv").open("a", encoding="utf-8") as fh:
        fh.write("sales,sales_volume,2026-03,lots\n")
    code, out, err = run_cli(*_args(data))
    assert code == 1
    assert f"{data / 'actuals.csv'}:30:4: error SM503" in err
    assert "29 rows read = 28 used + 0 unused + 0 outside the period + 1 rejected" in out
    assert "99.53" in out  # sales still evaluated from its first row


@pytest.mark.parametrize(("extra", "message"), [(["--period", "2026-13"], "not a period")])
def test_bad_request_is_a_usage_error(extra: list[str], message: str) -> None:
    code, _, err = run_cli(*_args(MFG / "data")[:-2], *extra)
    assert code == 2 and message in err


def test_strategy_with_errors_is_not_evaluated(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text("stratmap: 1\norganisation: {id: x}\n", encoding="utf-8")
    code, _, err = run_cli(
        "evaluate", str(tmp_path / "s.yaml"), "--actuals", str(MFG / "data" / "actuals.csv"), "--period", "2026-03"
    )
    assert code == 1 and "SM120" in err


@pytest.mark.parametrize(
    ("example", "period"),
    [("manufacturing", "2026-03"), ("customer_service", "2026-03"), ("bank", "2026Q1"), ("fast_food", "2026-03")],
)
def test_every_example_has_data_that_exercises_every_gate(example: str, period: str) -> None:
    folder = EXAMPLES / example
    code, out, err = run_cli(*_args(folder / "data", "--format", "json", strategy=folder, period=period))
    assert code == 0, err
    results = json.loads(out)["results"]
    assert any(r["vetoes"] for r in results), "a veto"
    assert any(r["deductions"] for r in results), "a deduction"
    assert any(r["high_voltage"] for r in results), "a high-voltage hit"
    assert "SM520" in err, "a distribution warning"
    assert all(r["status"] == "complete" for r in results)


def test_an_incomplete_result_fails_the_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MFG / "data", data)
    lines = (data / "actuals.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "actuals.csv").write_text("".join(x for x in lines if "material_fill_rate" not in x), encoding="utf-8")
    code, out, err = run_cli(*_args(data))
    assert code == 1 and "incomplete" in out and "SM510" in err


def test_reference_problems_point_at_their_own_cell(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MFG / "data", data)
    with (data / "actuals.csv").open("a", encoding="utf-8") as fh:
        fh.write("nobody,sales_volume,2026-03,5\n")  # line 30: the entity (column 1)
        fh.write("sales,sales_volum,2026-03,5\n")  # line 31: the KPI (column 2)
        fh.write("sales,sales_volume,2026Q1,5\n")  # line 32: the period (column 3)
    _, _, err = run_cli(*_args(data))
    actuals = data / "actuals.csv"
    assert f"{actuals}:30:1: error SM505" in err
    assert f"{actuals}:31:2: error SM504" in err
    assert f"{actuals}:32:3: error SM507" in err


def test_forgetting_the_people_table_is_said_once() -> None:
    data = EXAMPLES / "manufacturing" / "data"
    code, out, err = run_cli(
        "--lang", "en", "evaluate", str(EXAMPLES / "manufacturing"),
        "--actuals", str(data / "actuals.csv"), "--bonus-base", str(data / "bonus_base.csv"), "--period", "2026-03",
    )  # fmt: skip
    assert code == 1 and "sales_monthly" in out
    assert err.count("SM505") == 1, err
    assert "no people table was given" in err and "--people FILE" in err
    assert "naming 5 entities" in err


def test_an_unknown_entity_is_said_once_with_its_rows(tmp_path: Path) -> None:
    data = EXAMPLES / "manufacturing" / "data"
    people = tmp_path / "people.csv"
    lines = (data / "people.csv").read_text(encoding="utf-8").splitlines()
    people.write_text("\n".join(line for line in lines if not line.startswith("00123")) + "\n", encoding="utf-8")
    code, _, err = run_cli(
        "--lang", "en", "evaluate", str(EXAMPLES / "manufacturing"), "--actuals", str(data / "actuals.csv"),
        "--people", str(people), "--period", "2026-03",
    )  # fmt: skip
    assert code == 1
    assert [line for line in err.splitlines() if "SM505" in line] == [
        f"{data / 'actuals.csv'}:15:1: error SM505 unknown entity '00123'; the row is left out (and 2 more rows of it)"
    ]


def test_a_missing_bonus_base_is_said_and_the_total_says_what_it_leaves_out(tmp_path: Path) -> None:
    data = EXAMPLES / "manufacturing" / "data"
    bases = tmp_path / "bonus_base.csv"
    lines = (data / "bonus_base.csv").read_text(encoding="utf-8").splitlines()
    bases.write_text("\n".join(line for line in lines if not line.startswith("00124")) + "\n", encoding="utf-8")
    code, out, err = run_cli(
        "--lang", "en", "evaluate", str(EXAMPLES / "manufacturing"), "--actuals", str(data / "actuals.csv"),
        "--people", str(data / "people.csv"), "--bonus-base", str(bases), "--period", "2026-03",
    )  # fmt: skip
    assert code == 0  # a warning: the run completes
    assert "SM518 no bonus base for 00124 in 2026-03 (sales_rep_monthly)" in err
    [row] = [line for line in out.splitlines() if line.startswith("00124")]
    assert row.rstrip().endswith("missing")
    assert "bonus total, sales_rep_monthly:" in out and "leaves out 1 result(s) without a bonus: 00124" in out
    code, out, err = run_cli(
        "--lang", "en", "evaluate", str(EXAMPLES / "manufacturing"), "--actuals", str(data / "actuals.csv"),
        "--people", str(data / "people.csv"), "--period", "2026-03", "--format", "json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and "SM518" not in err  # no table given: not one warning per result, but each bonus says why
    assert {r["bonus_missing"] for r in doc["results"] if r["bonus_factor"]} == {"no bonus base table was given"}


def test_quiet_ignore_and_many_alike_said_briefly(tmp_path: Path) -> None:
    data = EXAMPLES / "manufacturing" / "data"
    actuals = tmp_path / "actuals.csv"
    others = ("output", "on_time_delivery", "first_grade_rate", "sales_volume", "mix_volume", "receivables")
    unused = "".join(f"supply,{kpi},2026-03,1\n" for kpi in others)  # on no scorecard of supply
    actuals.write_text((data / "actuals.csv").read_text(encoding="utf-8") + unused, encoding="utf-8")
    base = ["--lang", "en", "evaluate", str(EXAMPLES / "manufacturing"), "--actuals", str(actuals)]
    base += ["--people", str(data / "people.csv"), "--period", "2026-03"]
    _, _, err = run_cli(*base)
    notes = [line for line in err.splitlines() if ": info SM509 " in line]
    assert len(notes) == 3 and "... and 3 more SM509 like these (--format json lists them all)" in err
    _, out, _ = run_cli(*base, "--format", "json")
    assert sum(1 for d in json.loads(out)["diagnostics"] if d["code"] == "SM509") == 6
    _, _, err = run_cli(*base, "--ignore", "SM509")
    assert "SM509" not in err
    _, out, _ = run_cli(*base, "--ignore", "SM509", "--format", "json")  # ignored in every format
    assert not [d for d in json.loads(out)["diagnostics"] if d["code"] == "SM509"]
    _, _, err = run_cli(*base, "--quiet")
    assert "SM509" not in err and "warning(s) and note(s) not shown: --quiet" in err


def test_results_that_need_an_unread_table_are_incomplete(tmp_path: Path) -> None:
    data = EXAMPLES / "manufacturing" / "data"
    events = tmp_path / "events.csv"
    events.write_bytes((data / "events.csv").read_text(encoding="utf-8").replace("entity", "实体").encode("gb18030"))
    code, out, err = run_cli(
        "--lang", "en", "evaluate", str(EXAMPLES / "manufacturing"), "--actuals", str(data / "actuals.csv"),
        "--people", str(data / "people.csv"), "--events", str(events), "--period", "2026-03", "--format", "json",
    )  # fmt: skip
    assert code == 1 and "SM501" in err
    doc = json.loads(out)
    production = next(r for r in doc["results"] if r["entity"] == "production")  # a card with deductions and lines
    assert production["status"] == "incomplete"
    assert any(
        g["step"] == "data" and "could not be read: events" in g["reason"] for g in production["explanation"]["gates"]
    )


def _english_words(text: str, strategy: Path) -> set[str]:
    """The words of ``text`` in Latin letters that are not ids, names of the format or formulas."""
    import re

    import stratmap

    s = stratmap.load(strategy)
    known = {k.id for k in s.kpis} | {c.id for c in s.scorecards} | {p.id for p in s.plans}
    known |= {d.id for d in s.departments} | {p.id for p in s.positions} | {b.id for b in s.bonus_rules}
    known |= {e.strip() for e in (MFG / "data" / "people.csv").read_text(encoding="utf-8").split()}
    for card in s.scorecards:
        known |= {k.id for k in card.key_indicators} | {h.id for h in card.high_voltage_lines}
        known |= {o.action for h in card.high_voltage_lines for o in h.outcome}
        known |= {o.action for k in card.key_indicators for step in k.escalation for o in step.outcome}
        known |= {d.event for d in (card.deductions.rules if card.deductions else ())}
    # formulas' names, a group's kind, the currency and the table names are the same in both languages
    known |= {"actual", "target", "threshold", "stretch", "scorecard", "department", "position", "CNY"}
    known |= {"actuals", "events", "people", "ratings", "bonus_base", "grading", "deductions", "lowest_grade"}
    known |= {"warn", "enforce", "advise"}  # a distribution's mode, as written
    text = re.sub(r"\S+\.(yaml|csv)\S*|SM\d{3}", "", text)  # locations and codes
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]", text))
    return words - known


def test_lang_zh_translates_the_table_the_explanation_and_the_review() -> None:
    code, table, _ = run_cli("--lang", "zh", *_args(MFG / "data"))
    assert code == 0 and "短期" in table and "完整" in table and "采用" in table
    code, explained, _ = run_cli("--lang", "zh", *_args(MFG / "data", "--explain", "production"))
    assert code == 0 and "介于门槛值与目标值之间" in explained and "等级强制为 D" in explained
    data = MFG / "data"
    review = ["review", str(MFG), "--actuals", str(data / "actuals.csv"), "--events", str(data / "events.csv"),
              "--people", str(data / "people.csv"), "--period", "2026-03"]  # fmt: skip
    code, reviewed, _ = run_cli("--lang", "zh", *review)
    assert code == 0 and "扣分 -4" in reviewed and "连续 3 期" in reviewed
    for text in (table, explained, reviewed):
        assert _english_words(text, MFG) == set()
    # the English output is unchanged, and says the same things
    code, out, _ = run_cli(*_args(MFG / "data", "--explain", "production"))
    assert "between threshold and target" in out and "grade forced to D" in out


@pytest.mark.parametrize("command", ["evaluate", "review", "validate"])
def test_a_request_that_cannot_be_evaluated_is_a_usage_error_of_every_command(command: str) -> None:
    data = MFG / "data"
    code, out, err = run_cli(command, str(MFG), "--actuals", str(data / "actuals.csv"), "--period", "2026-13")
    assert code == 2 and out == ""
    assert err == "stratmap: error: '2026-13' is not a period: write 2026, 2026H1, 2026Q1 or 2026-03\n"
