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


def test_each_row_gives_the_stage_the_import_test_holds_it_to() -> None:
    from tests.house.test_imports import _stage

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("## Packages and modules", 1)[1].split("\n## ", 1)[0]
    checked = 0
    for row in (line for line in table.splitlines() if line.startswith("| `")):
        cells = row.split("|")
        said = re.match(r"\s*(bottom|\d+)", cells[2])
        for name in re.findall(r"`([^`]+)`", cells[1]):
            if name.startswith("_codedocs") or name in ("__init__.py", "__main__.py") or said is None:
                continue  # data, or the public API and its runner, named by their own numbers
            module = "stratmap." + name.removesuffix("/").removesuffix(".py")
            expected = 0 if said.group(1) == "bottom" else int(said.group(1))
            assert _stage(module) == expected, f"{name}: docs/architecture.md says {said.group(1)}"
            checked += 1
    assert checked > 20
