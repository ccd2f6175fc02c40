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
