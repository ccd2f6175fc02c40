"""docs/architecture.md names every package and module of src/stratmap, and nothing else."""

from __future__ import annotations

import re

from tests.helpers import ROOT


def _named() -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## Packages and modules", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])}


def _present() -> set[str]:
    root = ROOT / "src" / "stratmap"
    modules = {p.name for p in root.glob("*.py")}
    packages = {f"{p.name}/" for p in root.iterdir() if p.is_dir() and p.name != "__pycache__"}
    return modules | packages


def test_every_package_is_on_the_map_and_every_name_on_it_exists() -> None:
    named, present = _named(), _present()
    assert named - present == set(), "named in docs/architecture.md but not in src/stratmap"
    assert present - named == set(), "in src/stratmap but not in docs/architecture.md"
