"""The formula language against simpleeval's own test inputs (read from ../shared/peer, never copied)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from stratmap.formula import FormulaError, parse
from tests.helpers import SHARED

PEER = SHARED / "peer" / "formulas"
pytestmark = pytest.mark.skipif(not PEER.is_dir(), reason="../shared/peer/formulas is not beside this checkout")


def _cases(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not PEER.is_dir():
        return {}, []
    data = json.loads((PEER / name).read_text(encoding="utf-8"))
    return data["meta"], data["cases"]


HOSTILE_META, HOSTILE = _cases("hostile.json")
_, ARITH = _cases("arith.json")


@pytest.mark.parametrize("case", HOSTILE, ids=[c["id"] for c in HOSTILE])
def test_every_hostile_expression_is_refused(case: dict[str, Any]) -> None:
    expression = case["expression"]
    if expression is None:
        expression = "".join(piece * count for piece, count in case["build"])
    with pytest.raises(FormulaError) as caught:
        parse(expression, names=HOSTILE_META["base_names"])
    assert caught.value.code.startswith("SM40")


def _value(v: Any) -> Any:
    return v if isinstance(v, bool | int) else Decimal(v)


@pytest.mark.parametrize("case", ARITH, ids=[c["id"] for c in ARITH])
def test_arithmetic_gives_the_expected_value_in_both_paths(case: dict[str, Any]) -> None:
    values = {k: _value(v) for k, v in case["values"].items()}
    kinds = {k: "condition" if isinstance(v, bool) else "number" for k, v in values.items()}
    formula = parse(case["expression"], names=kinds)
    expected: Any = case["expected"] == "True" if case["type"] == "bool" else Decimal(case["expected"])
    assert formula.evaluate(values) == expected
    columns: dict[str, Any] = {
        k: np.array([v], dtype=bool) if isinstance(v, bool) else np.array([float(v)]) for k, v in values.items()
    } or {"rows": np.zeros(1)}
    batch = formula.evaluate_batch(columns)
    if case["type"] == "bool":
        assert bool(batch[0]) is expected
    else:
        assert Decimal(repr(float(batch[0]))) == expected
