"""The evaluator: a validated strategy plus the period's data -> scores, gates, grades, ranks, bonus.

>>> import stratmap
>>> from stratmap.data import read_data
>>> strategy = stratmap.load("examples/manufacturing")                      # doctest: +SKIP
>>> data = read_data(actuals="examples/manufacturing/data/actuals.csv")         # doctest: +SKIP
>>> evaluation = stratmap.evaluate(strategy, data, period="2026-03")       # doctest: +SKIP

Every number carries an explanation (:meth:`Result.explanation`) that re-adds to it.
See ``docs/evaluation.md`` for the rules, their order and the rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratmap.diagnostics import EvaluationError
from stratmap.evaluation._evaluate import TierName, evaluate
from stratmap.evaluation._results import (
    RESULT_COLUMNS,
    Deduction,
    Evaluation,
    Gate,
    ItemResult,
    LineHit,
    Result,
    RowCount,
    Veto,
)
from stratmap.evaluation._words import SEMICOLON, Text, in_lang, label, say

if TYPE_CHECKING:
    from stratmap.evaluation._columns import BatchResult, evaluate_batch


def __getattr__(name: str) -> Any:
    # the batch path needs NumPy: imported on first use only
    if name in ("BatchResult", "evaluate_batch"):
        from stratmap.evaluation import _columns

        return getattr(_columns, name)
    raise AttributeError(f"module 'stratmap.evaluation' has no attribute {name!r}")


__all__ = [
    "RESULT_COLUMNS",
    "SEMICOLON",
    "BatchResult",
    "Deduction",
    "Evaluation",
    "EvaluationError",
    "Gate",
    "ItemResult",
    "LineHit",
    "Result",
    "RowCount",
    "Text",
    "TierName",
    "Veto",
    "evaluate",
    "evaluate_batch",
    "in_lang",
    "label",
    "say",
]
