"""stratmap: the 4232 strategic-performance model as checkable code.

The public API is small::

    import stratmap
    strategy = stratmap.load("examples/manufacturing")      # raises StratmapError
    problems = stratmap.check("examples/")                  # never raises for bad input
    checked = stratmap.check_strategies("examples/bank")    # diagnostics, strategies, files
    data = stratmap.read_data(actuals="examples/manufacturing/data/actuals.csv")
    results = stratmap.evaluate(strategy, data, period="2026-03")

Everything not named in ``__all__`` is private and may change.
"""

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stratmap.api import CheckResult, check, check_strategies, load
from stratmap.diagnostics import Diagnostic, Location, Severity, StratmapError
from stratmap.load.document import Limits

if TYPE_CHECKING:
    from stratmap.data import Dataset
    from stratmap.evaluation import Evaluation, EvaluationError, TierName
    from stratmap.model import Strategy

from stratmap._version import __version__


def read_data(**tables: Any) -> "Dataset":
    """Read the evaluation's tables: ``actuals=``, ``events=``, ``ratings=``, ``bonus_base=``,
    ``people=`` (each a CSV/JSON/YAML path or an iterable of mappings), ``encoding=``.

    Never raises for bad data: each table carries its problems, located by row and column.
    """
    from stratmap.data import read_data as _read

    return _read(**tables)


def evaluate(
    strategy: "Strategy",
    data: "Dataset | Mapping[str, Any]",
    *,
    period: str,
    tier: "TierName" = "short_term",
) -> "Evaluation":
    """Scores, vetoes, deductions, high-voltage lines, grades, ranks and bonus for ``period``.

    ``data`` is a :class:`stratmap.data.Dataset` or a mapping of table name to source
    (as for :func:`read_data`). Raises :class:`stratmap.evaluation.EvaluationError` for a
    request that cannot be evaluated (a malformed period, a tier that does not fit it), and
    ``TypeError`` naming the argument for an argument of the wrong type.
    """
    from stratmap.data import Dataset
    from stratmap.data import read_data as _read
    from stratmap.evaluation import evaluate as _evaluate
    from stratmap.model import Strategy

    if not isinstance(strategy, Strategy):
        hint = ": load it first, stratmap.load(path)" if isinstance(strategy, str | os.PathLike) else ""
        raise TypeError(f"strategy must be a stratmap.Strategy, not {type(strategy).__name__}{hint}")
    if not isinstance(period, str):
        raise TypeError(f"period is text such as '2026-03', '2026Q1' or '2026', not {type(period).__name__}")
    if not isinstance(tier, str):
        raise TypeError(f"tier is text such as 'short_term' or 'annual', not {type(tier).__name__}")
    if not isinstance(data, Dataset | Mapping):
        raise TypeError(f"data must be a Dataset or a mapping of table name to source, not {type(data).__name__}")
    dataset = data if isinstance(data, Dataset) else _read(**data)
    return _evaluate(strategy, dataset, period=period, tier=tier)


def __getattr__(name: str) -> Any:
    # the model's classes are imported on first use, keeping ``import stratmap`` light
    if name == "Strategy":
        from stratmap.model import Strategy

        return Strategy
    if name == "EvaluationError":
        from stratmap.evaluation import EvaluationError

        return EvaluationError
    raise AttributeError(f"module 'stratmap' has no attribute {name!r}")


__all__ = [
    "CheckResult",
    "Diagnostic",
    "EvaluationError",
    "Limits",
    "Location",
    "Severity",
    "Strategy",
    "StratmapError",
    "__version__",
    "check",
    "check_strategies",
    "evaluate",
    "load",
    "read_data",
]
