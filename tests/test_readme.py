"""The README starts with the two commands a new user runs, and CI runs the second."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```\n(.*?)^```", text, re.S | re.M)
    return [b.strip() for b in blocks[:2]]


def test_readme_starts_with_install_and_run_then_install_and_test() -> None:
    run, test = _commands()
    assert "pip install" in run and "stratmap validate examples/" in run and "stratmap evaluate examples/" in run
    assert "pip install" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_as_written() -> None:
    _, test = _commands()
    assert test in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_explanation_the_readme_shows_is_what_the_main_job_prints() -> None:
    from tests.helpers import EXAMPLES, run_cli

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M) if "--explain production" in b)
    shown = [line for line in block.splitlines() if not line.startswith("$ ")]
    data = EXAMPLES / "manufacturing" / "data"
    tables = [f"--{t.replace('_', '-')}={data / (t + '.csv')}" for t in ("actuals", "events", "bonus_base", "people")]
    code, out, _ = run_cli("evaluate", str(EXAMPLES / "manufacturing"), *tables, "--period", "2026-03",
                           "--explain", "production")  # fmt: skip
    assert code == 0 and shown and all(line in out.splitlines() for line in shown)


def test_the_examples_the_readme_names_do_what_it_says() -> None:
    from tests.helpers import EXAMPLES, run_cli

    food = EXAMPLES / "fast_food" / "data"
    tables = [f"--actuals={food / 'actuals.csv'}", f"--people={food / 'people.csv'}"]
    code, out, _ = run_cli("evaluate", str(EXAMPLES / "fast_food"), *tables, "--period", "2026-03",
                           "--explain", "service_dept")  # fmt: skip
    assert code == 0 and "measured: complaint_rate: derived: complaints / orders * 10000 = 1.6" in out
    bank = EXAMPLES / "bank" / "data"
    args = [
        f"--actuals={bank / 'actuals.csv'}",
        f"--people={bank / 'people.csv'}",
        "--period",
        "2026",
        "--tier",
        "annual",
    ]
    code, out, err = run_cli("evaluate", str(EXAMPLES / "bank"), *args, "--explain", "strategic_clients")
    assert code == 1  # the account managers' annual results are incomplete: a partial year refused
    assert "rolled up: M2001 2 (am_new_clients)" in out and "prorated: 6 x 12 / 3 = 24" in out
    assert "M2001 on am_annual for 2026: months reported of 12: am_deposits 3, am_new_clients 3" in err
