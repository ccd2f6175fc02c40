"""The column engine's inputs: one float column per KPI (NaN: not reported), event counts and
amounts, the history of earlier periods; derived and partial-period columns; fixed-point helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmap.diagnostics import EvaluationError
from stratmap.evaluation._measures import DERIVED_PLACES
from stratmap.evaluation._scoring import anchors_for
from stratmap.formula import ITEM_NAMES, Formula, parse_cached
from stratmap.model import Strategy
from stratmap.model.revisions import revisions_in_force
from stratmap.model.scorecard import Scorecard
from stratmap.model.types import Kpi
from stratmap.periods import Period

F64 = npt.NDArray[np.float64]


def to_fixed(x: F64, places: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """``x`` as integers in units of 10**-places, and where that is exact.

    A float stands for its shortest decimal; when that decimal has at most ``places``
    decimals (and fewer than 15 digits), ``rint(x * 10**places)`` is it, exactly.
    """
    scale = 10.0**places
    with np.errstate(invalid="ignore"):
        scaled = np.rint(x * scale)
        ok = (scaled / scale == x) & (np.abs(scaled) < 1e15)
    return np.where(ok, scaled, 0).astype(np.int64), ok


def half_up_div(num: npt.NDArray[np.int64], den: Any) -> npt.NDArray[np.int64]:
    """``num / den`` rounded half away from zero, exactly (``den`` > 0).

    In binary64 when |num| < 2**50: the quotient's rounding error is then below half the
    distance 1/(2 den) from any non-tie to the nearest half, and a tie k + 1/2 is exact;
    in integers otherwise.
    """
    size = np.abs(num)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.floor(size / den + 0.5).astype(np.int64)
    large = size >= 2**50
    if large.any():
        qi, r = np.divmod(size[large], den if np.ndim(den) == 0 else den[large])
        q[large] = qi + (2 * r >= (den if np.ndim(den) == 0 else den[large]))
    signed: npt.NDArray[np.int64] = np.where(num < 0, -q, q)
    return signed


def weight_units(weights: Sequence[Decimal]) -> tuple[list[int], int]:
    """The weights as integers of a common decimal scale, and that scale's exponent."""
    places = max((max(0, -int(w.as_tuple().exponent)) for w in weights), default=0)
    return [int(w.scaleb(places)) for w in weights], places


def full(n: int, value: Decimal | None) -> F64:
    return np.full(n, np.nan if value is None else float(value))


def formula(text: str, names: Sequence[str]) -> Formula:
    """A parsed formula, shared by every chunk and run (a Formula is immutable)."""
    return parse_cached(text, tuple(names))


class ColumnInputs:
    """One scorecard's holders as columns: the values each step reads."""

    def __init__(
        self,
        strategy: Strategy,
        card: Scorecard,
        period: Period,
        n: int,
        actuals: Mapping[str, Any],
        events: Mapping[str, Any],
        amounts: Mapping[str, Any],
        history: Mapping[str, Mapping[str, Any]],
        months: Mapping[str, Any],
    ) -> None:
        self.strategy, self.card, self.period, self.n = strategy, card, period, n
        self.actuals = {k: self.column(v, f"actuals[{k!r}]") for k, v in actuals.items()}
        self.events = {k: self.column(v, f"events[{k!r}]") for k, v in events.items()}
        self.amounts = {k: self.column(v, f"event_amounts[{k!r}]") for k, v in amounts.items()}
        self.history = history
        self.months = {k: self.column(v, f"months[{k!r}]") for k, v in months.items()}
        self._deriving: set[str] = set()
        self._derived_here: set[str] = set()  # derived KPIs computed here, not given as columns
        self.places = strategy.organisation.score_rounding.places
        self.point = strategy.organisation.score_rounding.point

    def column(self, values: Any, what: str) -> F64:
        col = np.asarray(values, dtype=np.float64)
        if col.shape != (self.n,):
            raise EvaluationError(f"{what} has shape {col.shape}; {self.n} rows are needed")
        return col

    def actual(self, kpi: str) -> F64:
        col = self.actuals.get(kpi)
        if col is None:
            col = self.actuals[kpi] = self._derived(kpi)
            self._derived_here.add(kpi)
        return col

    def check_computed(self, ids: npt.NDArray[Any]) -> None:
        """A column given for a derived KPI is checked against its formula over its inputs
        (``reported: check``: where both are known they must agree; where the inputs are
        missing the column stands) or refused (``reported: refuse``), as the one-entity path
        treats a reported value (SM516)."""
        for k in self.strategy.kpis:
            if k.formula is None or k.id not in self.actuals:
                continue
            if k.reported == "refuse":
                raise EvaluationError(
                    f"actuals[{k.id!r}]: KPI {k.id} is computed ({k.formula}) and refuses reported values "
                    "(reported: refuse): leave its column out and give its inputs"
                )
            given = self.actuals[k.id]
            computed = self._derived(k.id)
            differ = ~np.isnan(given) & ~np.isnan(computed) & (given != computed)
            if differ.any():
                row = int(np.flatnonzero(differ)[0])
                raise EvaluationError(
                    f"actuals[{k.id!r}] row {row + 1} ({ids[row]}) is {float(given[row])}, but {k.formula} over its "
                    f"inputs gives {float(computed[row])}: leave the column out or correct the inputs (reported: check)"
                )
            self.actuals[k.id] = np.where(np.isnan(computed), given, computed)

    def _derived(self, kpi: str) -> F64:
        """A derived KPI not given as a column: its formula over its inputs' columns, at the
        measures stage's places (the one-entity path's value, row for row); else missing."""
        k = next((k for k in self.strategy.kpis if k.id == kpi), None)
        if k is None or k.formula is None or kpi in self._deriving:
            return np.full(self.n, np.nan)
        self._deriving.add(kpi)
        try:
            f = parse_cached(k.formula, tuple(x.id for x in self.strategy.kpis))
            inputs = {name: self.actual(name) for name in f.names}
        finally:
            self._deriving.discard(kpi)
        result: F64 = f.evaluate_batch(inputs, places=DERIVED_PLACES)
        return result

    def covered(self, kpi: str) -> F64 | None:
        """The months of the period ``kpi``'s actuals cover (None: the whole period for every
        row); a derived KPI not given covers its inputs' months, and NaN where they differ
        (a total over a total needs the same months), as in the measures stage."""
        col = self.months.get(kpi)
        if col is not None or (kpi in self.actuals and kpi not in self._derived_here):
            return col
        k = self.strategy.kpi(kpi)
        if k.formula is None:
            return None
        names = parse_cached(k.formula, tuple(x.id for x in self.strategy.kpis)).names
        whole = float(len(self.period.months()))
        found = [self.covered(name) for name in names]
        if all(c is None for c in found):
            return None
        spans = [np.where(np.isnan(c), whole, c) if c is not None else np.full(self.n, whole) for c in found]
        same = np.all([x == spans[0] for x in spans], axis=0)
        return np.where(same, spans[0], np.nan)

    def partial_period(self, kpi: Kpi, actual: F64) -> tuple[F64, npt.NDArray[np.bool_]]:
        """An actual of a period made of months under the card's ``partial_year``: prorated
        (prorate, a summed KPI), where it is refused (refuse); a derived KPI whose inputs
        cover different months has no value."""
        refused = np.zeros(self.n, dtype=bool)
        covered = self.covered(kpi.id) if self.period.kind != "monthly" else None
        if covered is None:
            return actual, refused
        whole = float(len(self.period.months()))
        actual = np.where(np.isnan(covered) & ~np.isnan(actual), np.nan, actual)  # inputs' months differ
        short = ~np.isnan(actual) & (covered < whole)
        if self.card.partial_year == "refuse":
            return actual, short
        if self.card.partial_year == "prorate" and kpi.aggregation == "sum":
            safe = np.where(short, covered, whole)
            f = formula("a * t / m", ("a", "t", "m"))
            full = f.evaluate_batch({"a": actual, "t": np.full(self.n, whole), "m": safe}, places=DERIVED_PLACES)
            return np.where(short, full, actual), refused
        return actual, refused

    def count(self, event: str | None) -> F64:
        col = self.events.get(event) if event else None
        return col if col is not None else np.zeros(self.n)

    def anchors(self, kpi: str, period: Period | None = None) -> dict[str, F64]:
        period = period or self.period
        item = next((i for i in self.card.items if i.kpi == kpi), None)
        if item is None:
            return {name: np.full(self.n, np.nan) for name in ITEM_NAMES[1:]}
        a = anchors_for(item, period.text, revisions_in_force(self.strategy, self.card, kpi, period))
        return {
            "target": full(self.n, a.target),
            "threshold": full(self.n, a.threshold),
            "stretch": full(self.n, a.stretch),
        }
