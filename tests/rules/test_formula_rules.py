"""SM40x at validate time: every formula of a strategy checked where it stands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stratmap.api import check
from tests.helpers import EXAMPLES

PRODUCTION = "departments/production.yaml"


@pytest.fixture
def manufacturing(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "manufacturing", tmp_path / "m")
    return tmp_path / "m"


def _replace(folder: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` once in ``name``; return the 1-based line it is on."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _found(folder: Path) -> list[tuple[str, str, int, int]]:
    return [
        (d.code, Path(d.location.file).name, d.location.line, d.location.column)
        for d in check(folder)
        if d.code.startswith("SM4")
    ]


def test_the_examples_formulas_are_clean() -> None:
    for example in sorted(EXAMPLES.iterdir()):
        assert not [d for d in check(example) if d.code.startswith("SM4")], example.name


@pytest.mark.parametrize(
    ("written", "column_of_problem"),
    [
        ('veto_when: "actual < 9 5"', 32),  # double-quoted: the quote is skipped
        ("veto_when: 'actual < 9 5'", 32),  # single-quoted
        ("veto_when: actual < 9 5", 31),  # plain
    ],
)
def test_problem_is_located_inside_a_one_line_formula(
    manufacturing: Path, written: str, column_of_problem: int
) -> None:
    line = _replace(manufacturing, PRODUCTION, 'veto_when: "actual < 95"', written)
    assert _found(manufacturing) == [("SM401", "production.yaml", line, column_of_problem)]


def test_problem_in_a_multi_line_formula_is_located_at_the_formula(manufacturing: Path) -> None:
    line = _replace(
        manufacturing, PRODUCTION, 'veto_when: "actual < 95"', "veto_when: >-\n          actul\n          < 95"
    )
    [(code, _, at, col)] = _found(manufacturing)
    assert (code, at, col) == ("SM402", line, 20)
    [d] = [d for d in check(manufacturing) if d.code == "SM402"]
    assert "column 1" in d.message() and "did you mean 'actual'" in d.message()


def test_each_place_has_its_own_names(manufacturing: Path) -> None:
    _replace(manufacturing, PRODUCTION, 'when: "count >= 1 or amount >= 50"', 'when: "actual > 1"')
    _replace(manufacturing, "departments/supply.yaml", "100 - (target - actual) * 5", "100 - (target - score) * 5")
    codes = sorted(code for code, *_ in _found(manufacturing))
    assert codes == ["SM402", "SM402"]  # no `actual` on a line without a kpi; no `score` in an item


def test_a_veto_must_be_a_condition(manufacturing: Path) -> None:
    line = _replace(manufacturing, PRODUCTION, 'veto_when: "actual < 95"', 'veto_when: "actual - 95"')
    assert _found(manufacturing) == [("SM405", "production.yaml", line, 21)]


def test_derived_kpi_reads_kpi_ids_of_every_file(manufacturing: Path) -> None:
    good = (
        "kpis:\n  - id: derived_total\n    name: 派生\n    unit: 吨\n    owner: production\n"
        '    formula: "sales_volume + 1"\n'
    )
    (manufacturing / "departments" / "derived.yaml").write_text("stratmap: 1\n" + good, encoding="utf-8")
    assert [c for c in _found(manufacturing) if c[1] == "derived.yaml"] == []
    (manufacturing / "departments" / "derived.yaml").write_text(
        "stratmap: 1\n" + good.replace("sales_volume + 1", "sales_volum + 1"), encoding="utf-8"
    )
    assert ("SM402", "derived.yaml", 7, 15) in _found(manufacturing)


def test_a_percent_sign_after_a_number_says_to_write_the_number(manufacturing: Path) -> None:
    _replace(manufacturing, PRODUCTION, 'veto_when: "actual < 95"', 'veto_when: "actual < 95%"')
    [found] = [d for d in check(manufacturing) if d.code.startswith("SM4")]
    assert found.code == "SM407" and "a percent sign after 95" in found.message("en")
    assert "write the number (95) and put the unit in the KPI's 'unit'" in found.hint("en")
    _replace(manufacturing, PRODUCTION, 'veto_when: "actual < 95%"', 'veto_when: "actual % 2 == 0"')
    [found] = [d for d in check(manufacturing) if d.code.startswith("SM4")]
    assert "the remainder operator" in found.message("en")  # an operator where it stands for one


def test_a_kpi_name_in_a_formula_suggests_its_id(manufacturing: Path) -> None:
    _replace(manufacturing, PRODUCTION, 'veto_when: "actual < 95"', 'veto_when: "重点合同执行率 < 95"')
    [found] = [d for d in check(manufacturing) if d.code.startswith("SM4")]
    assert found.code == "SM401"
    assert "'重点合同执行率' is the name of KPI" in found.message(
        "en"
    ) and "actual is its KPI's value" in found.message("en")
