"""SM360-SM363: plans and revisions."""

from __future__ import annotations

import datetime
from pathlib import Path

from stratmap.api import check
from tests.helpers import EXAMPLES, run_cli


def test_overdue_actions_only_with_an_as_of_date() -> None:
    folder = EXAMPLES / "manufacturing"
    assert not [d for d in check(folder) if d.code == "SM361"]  # the same answer every day
    found = [d for d in check(folder, as_of=datetime.date(2026, 5, 1)) if d.code == "SM361"]
    # the open actions due before May (done ones are not reported)
    assert [(d.arguments["plan"], d.arguments["due"]) for d in found] == [
        ("plan_key_contracts_q1", "2026-03-15"),
        ("plan_first_grade", "2026-04-30"),
        ("plan_key_contracts", "2026-04-30"),
    ]
    assert all(d.location.file.endswith("production.yaml") for d in found)
    assert "仍未完成" in found[0].message("zh")


def test_validate_as_of_option(tmp_path: Path) -> None:
    code, out, _ = run_cli("validate", str(EXAMPLES / "manufacturing"), "--as-of", "2026-12-31")
    assert code == 0 and "SM361" in out  # warnings do not fail the run
    code, _, err = run_cli("validate", str(EXAMPLES / "manufacturing"), "--as-of", "31/12/2026")
    assert code == 2 and "YYYY-MM-DD" in err
