"""The public API: load, check, the error type, and what ``import stratmap`` costs."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import stratmap
from stratmap.model import Kpi, Scorecard
from tests.helpers import EXAMPLES, MINIMAL, write_files

EXAMPLE = EXAMPLES / "manufacturing"


def test_public_api_is_small_and_each_name_is_documented() -> None:
    from tests.helpers import ROOT

    assert len(stratmap.__all__) <= 15  # a new public name is a decision: docs/api.md says what it is
    documented = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    undocumented = [name for name in stratmap.__all__ if f"stratmap.{name}" not in documented]
    assert undocumented == []
    for name in stratmap.__all__:
        assert getattr(stratmap, name) is not None


def test_load_returns_an_immutable_typed_model() -> None:
    strategy = stratmap.load(EXAMPLES / "manufacturing")
    assert isinstance(strategy, stratmap.Strategy)
    assert strategy.organisation.name == "华东制造有限公司"
    kpi = strategy.kpi("first_grade_rate")
    assert isinstance(kpi, Kpi) and kpi.issue_driven
    assert "yield_not_accepted" in kpi.answers
    with pytest.raises(AttributeError):
        kpi.name = "x"  # type: ignore[misc]
    card = next(c for c in strategy.scorecards if c.id == "sales_monthly")
    assert isinstance(card, Scorecard)
    assert card.total_weight == Decimal(100)
    assert all(isinstance(i.weight, Decimal) for i in card.items)
    assert card.where.node.file.endswith("sales.yaml") and card.where.node.line > 0


def test_load_accepts_the_root_file_or_the_folder() -> None:
    a = stratmap.load(EXAMPLES / "bank" / "strategy.yaml")
    b = stratmap.load(EXAMPLES / "bank")
    assert [k.id for k in a.kpis] == [k.id for k in b.kpis]


def test_load_raises_with_every_diagnostic(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "strategy.yaml": MINIMAL + "include: [a.yaml, b.yaml]\n",
            "a.yaml": "stratmap: 1\ndrivers:\n  - id: x\n",
            "b.yaml": "stratmap: 1\ndrivers:\n  - id: y\n    name: 乙\n    bogus: 1\n",
        },
    )
    with pytest.raises(stratmap.StratmapError) as info:
        stratmap.load(tmp_path)
    # and the note that the checks across the cascade (a driver no purpose serves) wait for them
    assert sorted(d.code for d in info.value.diagnostics) == ["SM120", "SM121", "SM343"]
    assert "2 error(s)" in str(info.value)


def test_load_of_no_strategy_raises_sm206(tmp_path: Path) -> None:
    with pytest.raises(stratmap.StratmapError) as info:
        stratmap.load(tmp_path)
    assert [d.code for d in info.value.diagnostics] == ["SM206"]


def test_load_of_two_strategies_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="2 strategies"):
        stratmap.load(EXAMPLES / "bank", EXAMPLES / "fast_food")


def test_check_never_raises_for_bad_input(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.yaml": b"\xff\xfe\x00garbage", "b.yaml": "stratmap: 1\n[unclosed\n"})
    found = stratmap.check(tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "c.yaml")
    assert sorted(d.code for d in found) == ["SM100", "SM101", "SM102"]
    assert all(isinstance(d, stratmap.Diagnostic) for d in found)


def test_diagnostics_are_sorted_and_carry_location_and_both_languages(tmp_path: Path) -> None:
    write_files(tmp_path, {"strategy.yaml": MINIMAL + "drivers:\n  - id: x\n    nme: 甲\n  - id: x\n    name: 乙\n"})
    found = stratmap.check(tmp_path)
    assert [(d.code, d.location.line, d.location.column) for d in found] == [
        ("SM120", 6, 5),
        ("SM121", 7, 5),
        ("SM202", 8, 9),
    ]
    for d in found:
        assert d.message("en") != d.message("zh")
        assert d.hint("en") and d.hint("zh")
        assert str(d).startswith(f"{d.location.file}:{d.location.line}:{d.location.column}: error {d.code} ")


def test_import_stratmap_stays_light() -> None:
    heavy = "('numpy', 'pandas', 'networkx', 'jsonschema')"
    probe = f"import stratmap, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_evaluate_is_a_function_however_often_it_is_called() -> None:
    import stratmap.evaluation  # the subpackage must not shadow the function

    strategy = stratmap.load(EXAMPLES / "manufacturing")
    data = {"actuals": EXAMPLES / "manufacturing" / "data" / "actuals.csv"}
    first = stratmap.evaluate(strategy, data, period="2026-03")
    second = stratmap.evaluate(strategy, data, period="2026-03")
    assert callable(stratmap.evaluate) and first.as_dict() == second.as_dict()
    assert stratmap.evaluation.evaluate is not stratmap.evaluate


def test_a_run_restores_the_collector_and_leaves_a_callers_freeze_alone() -> None:
    import gc

    from stratmap.api import check_strategies

    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        gc.freeze()  # a caller preparing to fork (copy-on-write) freezes what it has
        frozen = gc.get_freeze_count()
        try:
            check_strategies(EXAMPLES / "manufacturing")
            assert gc.isenabled() is enabled
            assert gc.get_freeze_count() == frozen
        finally:
            gc.unfreeze()
            gc.enable()


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: stratmap.load(EXAMPLE, limits="x"), "limits"),  # type: ignore[arg-type]
        (lambda: stratmap.check(EXAMPLE, select="SM3"), "select"),
        (lambda: stratmap.check(EXAMPLE, as_of="2026-03-01"), "as_of"),  # type: ignore[arg-type]
        (lambda: stratmap.check(5), "paths"),  # type: ignore[arg-type]
        (lambda: stratmap.evaluate(EXAMPLE, {}, period="2026-03"), "stratmap.load"),  # type: ignore[arg-type]
        (lambda: stratmap.evaluate(stratmap.load(EXAMPLE), {}, period=202603), "period"),  # type: ignore[arg-type]
        (lambda: stratmap.evaluate(stratmap.load(EXAMPLE), [], period="2026-03"), "data"),  # type: ignore[arg-type]
        (lambda: stratmap.read_data(encoding=None), "encoding"),
        (lambda: stratmap.check(EXAMPLE, select=None), "select"),  # type: ignore[arg-type]
        (lambda: stratmap.check(EXAMPLE, as_of=datetime.datetime(2026, 3, 1)), "as_of"),
        (lambda: stratmap.Limits(max_bytes="1"), "max_bytes"),  # type: ignore[arg-type]
        (lambda: stratmap.Limits(max_depth=0), "max_depth"),
        (lambda: stratmap.Limits(include_root=5), "include_root"),  # type: ignore[arg-type]
    ],
)
def test_wrong_argument_types_are_type_errors_naming_the_argument(call: Callable[[], object], names: str) -> None:
    with pytest.raises(TypeError, match=names):
        call()


def test_an_unknown_scope_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="scope is 'strategy' or 'file', not 'x'"):
        stratmap.check(EXAMPLE, scope="x")  # type: ignore[arg-type]


def test_numbers_beyond_exact_arithmetic_never_crash_check(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(EXAMPLE, copy)
    supply = copy / "departments" / "supply.yaml"
    supply.write_text(supply.read_text(encoding="utf-8").replace("* 5))", "* 1e999999999))"), encoding="utf-8")
    production = copy / "departments" / "production.yaml"
    text = production.read_text(encoding="utf-8")
    production.write_text(text.replace("target: 98\n", "target: 98." + "0" * 4999 + "1\n", 1), encoding="utf-8")
    found = {d.code for d in stratmap.check(copy)}
    assert {"SM406", "SM114"} <= found


def test_evaluation_error_is_a_stratmap_error_in_the_public_api() -> None:
    assert "EvaluationError" in stratmap.__all__
    with pytest.raises(stratmap.StratmapError, match="is not a period"):
        stratmap.evaluate(stratmap.load(EXAMPLE), {}, period="2026-13")
    assert issubclass(stratmap.EvaluationError, ValueError)


def test_check_strategies_gives_the_diagnostics_the_models_and_the_files_read(tmp_path: Path) -> None:
    result = stratmap.check_strategies(EXAMPLE)
    assert result.errors == () and [s.organisation.id for s in result.strategies] == [
        stratmap.load(EXAMPLE).organisation.id
    ]
    assert result.files[0].endswith("strategy.yaml") and len(result.files) == 1 + len(
        list((EXAMPLE / "departments").glob("*.yaml"))
    )
    assert list(result.diagnostics) == stratmap.check(EXAMPLE)
    assert stratmap.check_strategies(EXAMPLE, models=False).strategies == ()
    broken = tmp_path / "s.yaml"
    broken.write_text("stratmap: 1\norganisation: {id: x, name: X}\nkpis: [{id: k}]\n", encoding="utf-8")
    found = stratmap.check_strategies(broken, select=["SM1"])
    assert found.strategies == () and found.errors and all(d.code.startswith("SM1") for d in found.diagnostics)
