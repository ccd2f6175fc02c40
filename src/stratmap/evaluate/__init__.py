"""The evaluator: a validated strategy plus the period's data -> scores, gates, grades, ranks, bonus.

>>> import stratmap
>>> from stratmap.data import read_data
>>> strategy = stratmap.load("examples/manufacturing")                      # doctest: +SKIP
>>> data = read_data(actuals="examples/manufacturing/data/2026-03/actuals.csv")  # doctest: +SKIP
>>> evaluation = stratmap.evaluate(strategy, data, period="2026-03")       # doctest: +SKIP

Every number carries an explanation (:meth:`Result.explanation`) that re-adds to it.
See ``docs/evaluation.md`` for the rules, their order and the rounding.
"""

from __future__ import annotations

from stratmap.evaluate._engine import EvaluationError, TierName, evaluate
from stratmap.evaluate._results import Evaluation, Gate, ItemResult, Result, RowCount

__all__ = ["Evaluation", "EvaluationError", "Gate", "ItemResult", "Result", "RowCount", "TierName", "evaluate"]
