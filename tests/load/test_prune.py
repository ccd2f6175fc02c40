"""Every check in one pass: the model checks run on the sound parts of a strategy with errors."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stratmap.api import check
from stratmap.diagnostics import Diagnostic
from stratmap.load import read_document
from stratmap.load.prune import sound_parts
from stratmap.schema import validate
from tests.helpers import EXAMPLES


def _line(path: Path, text: str, nth: int = 1) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line]
    return hits[nth - 1]


@pytest.fixture
def production(tmp_path: Path) -> Path:
    folder = tmp_path / "manufacturing"
    shutil.copytree(EXAMPLES / "manufacturing", folder)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_weights_error_is_reported_with_the_reading_and_reference_errors(production: Path) -> None:
    prod = production / "departments" / "production.yaml"
    _edit(prod, "direction: higher_is_better", "direction: higher")  # a schema error in one KPI
    _edit(prod, "serves: [prod_volume_on_time]", "serves: [prod_volume_ontime]")  # a reference typo
    _edit(prod, "        weight: 30", "        weight: 35")  # and a card whose weights total 105
    sales = production / "departments" / "sales.yaml"
    _edit(sales, "\n", "\nbogus: [\n", 1)  # a file that cannot be read at all
    found = check(production)
    got = {(d.code, Path(d.location.file).name) for d in found}
    assert {("SM123", "production.yaml"), ("SM201", "production.yaml"), ("SM102", "sales.yaml")} <= got
    [weights] = [d for d in found if d.code == "SM306"]
    assert weights.location.line == _line(prod, "- id: production_monthly") + 5  # at its items
    assert "total 105" in weights.message("en")


def test_findings_about_an_entry_with_an_error_are_left_out(production: Path) -> None:
    sales = production / "departments" / "sales.yaml"
    _edit(sales, "        weight: 40\n", '        weight: "40%"\n')
    found = check(production)
    assert {d.code for d in found} <= {"SM122", "SM343"}  # no SM306 for the card that lost an item
    assert [d.code for d in found].count("SM122") == 1


def test_findings_across_the_cascade_wait_and_say_so(production: Path) -> None:
    sales = production / "departments" / "sales.yaml"
    _edit(sales, "    unit: 吨\n", "    unit: [吨]\n")  # a KPI with an error: its driver looks unmeasured
    _edit(sales, "  - id: sales_volume\n", "  - id: sales_volume\n    bogus: 1\n")
    found = check(production)
    [note] = [d for d in found if d.code == "SM343"]
    assert note.location.file.endswith("strategy.yaml") and (note.location.line, note.location.column) == (1, 1)
    assert "of the checks across the cascade" in note.message("en") and "wait until the errors" in note.message("en")
    assert note.severity.value == "info"
    assert not any(d.code in ("SM301", "SM303", "SM304", "SM350") for d in found)


def test_positions_after_an_entry_taken_out_are_the_files_own(tmp_path: Path) -> None:
    """A card after one that was taken out keeps its own line and its path as written."""
    base = (EXAMPLES / "manufacturing" / "departments" / "sales.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(base)
    data["scorecards"][0].pop("for")  # the first card goes: 'for' is required
    data["scorecards"][1]["items"][0]["weight"] += 1  # the second card's weights total 101
    folder = tmp_path / "s"
    shutil.copytree(EXAMPLES / "manufacturing", folder)
    target = folder / "departments" / "sales.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = check(folder)
    [weights] = [d for d in found if d.code == "SM306"]
    assert weights.location.path == ("scorecards", 1, "items")
    second = data["scorecards"][1]["id"]
    text = target.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text) if line.endswith(f"id: {second}"))
    assert weights.location.line == start + 1 + next(
        j for j, line in enumerate(text[start:]) if line.strip().startswith("items:")
    )


def test_an_error_in_the_organisation_leaves_no_model_to_check(tmp_path: Path) -> None:
    path = tmp_path / "strategy.yaml"
    path.write_text("stratmap: 1\norganisation:\n  id: acme\n  name: 1\n", encoding="utf-8")
    found = check(path)
    assert [d.code for d in found] == ["SM343", "SM122"]
    assert "the model checks (SM3xx)" in found[0].message("en")


def test_a_bad_key_of_the_organisation_is_taken_out_alone(production: Path) -> None:
    root = production / "strategy.yaml"
    # an unknown key, and one bad entry of the severity table beside one in force
    _edit(root, "organisation:\n", "organisation:\n  curency: CNY\n  severity: {SM318: loud, SM306: warning}\n")
    prod = production / "departments" / "production.yaml"
    _edit(prod, "        weight: 30", "        weight: 35")
    found = check(production)
    assert {"SM121", "SM123", "SM306"} <= {d.code for d in found}
    [weights] = [d for d in found if d.code == "SM306"]
    assert weights.severity.value == "warning"  # the override beside the bad entry still holds


def test_sound_parts_take_out_as_little_as_they_can(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "stratmap: 1\norganisation: {id: a, name: b}\n"
        "kpis:\n"
        "  - {id: k1, name: 甲, owner: d, direction: up}\n"  # a bad optional key: the key goes
        "  - {name: 乙, owner: d}\n"  # no id: the entry goes
        "  - {id: k3, name: 丙, owner: d}\n",
        encoding="utf-8",
    )
    doc, _ = read_document(path)
    errors = validate(doc)
    sound = sound_parts([doc], errors, lambda docs: [d for x in docs for d in validate(x)])
    assert sound is not None
    [pruned] = sound.documents
    assert pruned.data is not None
    assert [k.get("id") for k in pruned.data["kpis"]] == ["k1", "k3"]
    assert "direction" not in pruned.data["kpis"][0]
    assert sound.touched == {"k1"}
    assert pruned.locate(("kpis", 1, "id")).line == 6  # k3, as written
    assert pruned.locate(("kpis", 1, "id")).path == ("kpis", 2, "id")
    assert doc.data is not None and len(doc.data["kpis"]) == 3  # the document read is left as it was


JUNK: list[Any] = ["x", 0, -1, 1e20, [], {}, None, True, "2026-13", [1, 2], {"a": 1}, "actual <", "sales_volume"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), example=st.sampled_from(["manufacturing", "bank", "fast_food"]))
def test_no_mangled_strategy_crashes_the_check(tmp_path: Path, seed: int, example: str) -> None:
    """Values replaced by junk or taken out anywhere: every problem is a diagnostic."""
    rnd = random.Random(seed)
    folder = tmp_path / f"{example}-{seed}"
    shutil.copytree(EXAMPLES / example, folder)
    target = rnd.choice(sorted(folder.rglob("*.yaml")))
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    for _ in range(rnd.randint(1, 4)):
        path = rnd.choice(_paths(data))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if rnd.random() < 0.4:
            del parent[path[-1]]
        else:
            parent[path[-1]] = rnd.choice(JUNK)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found: list[Diagnostic] = check(folder)
    assert all(d.location.file for d in found)
    shutil.rmtree(folder)
