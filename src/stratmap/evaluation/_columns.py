"""The batch path: every holder of one scorecard evaluated at once, as NumPy columns.

Each scoring policy is a formula of ``actual`` (:mod:`._policies`); every step that
publishes a figure (item scores, contributions, the total, deductions, bonus factors,
bonuses) runs through the formula language's batch path with the declared places, which
is exact at the published rounding. So each figure here equals the one-entity path's
(:func:`stratmap.evaluation.evaluate`) digit for digit; a property test holds them together.

Columns in: one float array per KPI (NaN: not reported), event counts and amounts per
event type, bonus bases; columns out: scores, grades, ranks, vetoes, high-voltage hits,
bonus factors and bonuses.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmap.evaluation._engine import EvaluationError
from stratmap.evaluation._measures import DERIVED_PLACES
from stratmap.evaluation._numbers import FACTOR_PLACES, publish_factor
from stratmap.evaluation._policies import policy_formula
from stratmap.evaluation._scoring import anchors_for
from stratmap.formula import ITEM_NAMES, Formula, parse_cached
from stratmap.model import Strategy
from stratmap.model.revisions import revisions_in_force
from stratmap.model.scorecard import Scorecard
from stratmap.model.types import Kpi
from stratmap.periods import Period, parse_period

F64 = npt.NDArray[np.float64]
#: Rows per chunk: a few hundred kilobytes per column, so each pass stays in cache.
CHUNK = 1 << 17
WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class BatchResult:
    """One scorecard's results for many entities, as columns (row i is ``entities[i]``).

    Numbers are float64 holding exactly the published decimal (its shortest representation);
    NaN where there is no figure. :meth:`decimal` gives a figure as the one-entity path does.
    """

    scorecard: str
    period: str
    tier: str
    entities: npt.NDArray[np.str_]
    complete: npt.NDArray[np.bool_]
    score: F64
    grade: npt.NDArray[Any]
    rank: npt.NDArray[np.int64]  # 1..n among complete results; 0 for incomplete ones
    vetoed: npt.NDArray[np.bool_]
    high_voltage: npt.NDArray[np.bool_]
    bonus_factor: F64
    bonus: F64
    places: int
    money_places: int
    #: the longest run of vetoed periods a key indicator counted, this one included (0: no veto)
    consecutive: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.entities)

    def decimal(self, column: str, i: int) -> Decimal | None:
        """Row ``i`` of a number column as a Decimal at its published places."""
        value = float(getattr(self, column)[i])
        if value != value:
            return None
        places = {"score": self.places, "bonus": self.money_places}.get(column)
        d = Decimal(repr(value)).copy_abs() if value == 0 else Decimal(repr(value))  # never -0
        return d.quantize(Decimal(1).scaleb(-places)) if places is not None else d

    def to_frame(self, library: str = "pandas") -> Any:
        """The rows as a pandas (default) or polars DataFrame; the library is an optional extra."""
        from stratmap.evaluation._results import frame

        return frame(self.rows(), library)

    def rows(self) -> list[dict[str, Any]]:
        """Plain rows (Decimals as strings), for CSV or JSON."""
        out = []
        for i in range(len(self)):
            score, factor, bonus = self.decimal("score", i), self.decimal("bonus_factor", i), self.decimal("bonus", i)
            out.append(
                {
                    "entity": str(self.entities[i]),
                    "scorecard": self.scorecard,
                    "period": self.period,
                    "tier": self.tier,
                    "status": "complete" if self.complete[i] else "incomplete",
                    "score": None if score is None else str(score),
                    "grade": self.grade[i],
                    "rank": int(self.rank[i]) or None,
                    "vetoed": bool(self.vetoed[i]),
                    "consecutive": int(self.consecutive[i]),
                    "high_voltage": bool(self.high_voltage[i]),
                    "bonus_factor": None if factor is None else str(factor.normalize()),
                    "bonus": None if bonus is None else str(bonus),
                }
            )
        return out


def _fixed(x: F64, places: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """``x`` as integers in units of 10**-places, and where that is exact.

    A float stands for its shortest decimal; when that decimal has at most ``places``
    decimals (and fewer than 15 digits), ``rint(x * 10**places)`` is it, exactly.
    """
    scale = 10.0**places
    with np.errstate(invalid="ignore"):
        scaled = np.rint(x * scale)
        ok = (scaled / scale == x) & (np.abs(scaled) < 1e15)
    return np.where(ok, scaled, 0).astype(np.int64), ok


def _half_up_div(num: npt.NDArray[np.int64], den: Any) -> npt.NDArray[np.int64]:
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


def _weight_units(weights: Sequence[Decimal]) -> tuple[list[int], int]:
    """The weights as integers of a common decimal scale, and that scale's exponent."""
    places = max((max(0, -int(w.as_tuple().exponent)) for w in weights), default=0)
    return [int(w.scaleb(places)) for w in weights], places


def _full(n: int, value: Decimal | None) -> F64:
    return np.full(n, np.nan if value is None else float(value))


def _formula(text: str, names: Sequence[str]) -> Formula:
    """A parsed formula, shared by every chunk and run (a Formula is immutable)."""
    return parse_cached(text, tuple(names))


def evaluate_batch(
    strategy: Strategy,
    scorecard: str,
    *,
    period: str,
    entities: Sequence[str] | npt.NDArray[Any],
    actuals: Mapping[str, Any],
    events: Mapping[str, Any] | None = None,
    event_amounts: Mapping[str, Any] | None = None,
    bonus_base: Any = None,
    history: Mapping[str, Mapping[str, Any]] | None = None,
    months: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Evaluate every entity of ``entities`` on ``scorecard`` for ``period`` at once.

    ``actuals`` maps a KPI id to a column of the period's actuals (NaN: not reported; a
    yes/no KPI as 1 and 0); ``events`` and ``event_amounts`` map an event type to counts
    and amounts; ``bonus_base`` is a column of base amounts; ``history`` maps an earlier
    period (e.g. ``"2026-02"``) to its actuals, for vetoes that escalate over consecutive
    periods; ``months`` maps a KPI id to a column of how many months of the period its
    actuals cover (1 to the period's months; absent or NaN: all of them), for the
    scorecard's ``partial_year`` policy. Rated items are not evaluated here (use
    :func:`stratmap.evaluation.evaluate`).
    """
    card = strategy.get(scorecard)
    if not isinstance(card, Scorecard):
        raise EvaluationError(f"{scorecard!r} is not a scorecard of this strategy")
    p = parse_period(period)
    if p is None:
        raise EvaluationError(f"{period!r} is not a period: write 2026, 2026H1, 2026Q1 or 2026-03")
    if card.tier == "major_responsibility" or (card.frequency and card.frequency != p.kind):
        raise EvaluationError(f"scorecard {card.id} ({card.tier}, {card.frequency}) is not evaluated for {period}")
    org = strategy.organisation
    if (
        org.score_rounding.mode != "half_up"
        or org.money_rounding.mode != "half_up"
        or org.money_rounding.point != "line"
    ):
        raise EvaluationError(
            "the batch path rounds half up, money per line; this strategy declares otherwise: use evaluate()"
        )
    given = np.asarray(entities)
    if given.dtype.kind not in "iuUS":  # as read_data() takes an id: text or an integer, nothing else
        for row, entity in enumerate(given.tolist()):
            if isinstance(entity, bool) or not isinstance(entity, str | int):
                raise EvaluationError(
                    f"entities row {row + 1} is {entity!r}: an entity id is text or an integer "
                    f"(not {type(entity).__name__})"
                )
    ids = given.astype(str)  # entity ids are text (an integer: its decimal text); C-speed comparisons
    known_events = strategy.event_types()
    for columns, what in ((events or {}, "events"), (event_amounts or {}, "event_amounts")):
        strange = sorted(set(columns) - known_events)
        if strange:  # as the one-entity path refuses a row of an unknown event type (SM504)
            raise EvaluationError(f"{what} has columns of unknown event types: {', '.join(strange)}")
    n = len(ids)
    known = {k.id for k in strategy.kpis}
    for columns, what in (
        (actuals, "actuals"),
        *((cols, f"history[{key!r}]") for key, cols in (history or {}).items()),
    ):
        unknown = sorted(set(columns) - known)
        if unknown:  # as the one-entity path refuses a row of an unknown KPI (SM504)
            raise EvaluationError(f"{what} has columns of unknown KPIs: {', '.join(unknown)}")
    whole = len(p.months())
    for kpi, values in (months or {}).items():
        if kpi not in known:
            raise EvaluationError(f"months has a column of an unknown KPI: {kpi}")
        col = np.asarray(values, dtype=np.float64)
        given = col[~np.isnan(col)]
        if ((given < 1) | (given > whole) | (given != np.round(given))).any():
            raise EvaluationError(
                f"months[{kpi!r}] holds a value that is not a whole number of months from 1 to {whole} ({period})"
            )
    run = _Run(strategy, card, p, n, actuals, events or {}, event_amounts or {}, history or {}, months or {})
    run.check_computed(ids)
    if bonus_base is not None:
        base = run.column(bonus_base, "bonus_base")
        bad = ~np.isnan(base) & (~np.isfinite(base) | (base < 0))
        if bad.any():  # as the one-entity path refuses such a row (SM503)
            row = int(np.flatnonzero(bad)[0])
            raise EvaluationError(
                f"bonus_base row {row + 1} ({ids[row]}) is {base[row]}: a base is a finite amount of 0 or more"
            )
    return run.evaluate(ids, bonus_base)


class _Run:
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
            f = _formula("a * t / m", ("a", "t", "m"))
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
            "target": _full(self.n, a.target),
            "threshold": _full(self.n, a.threshold),
            "stretch": _full(self.n, a.stretch),
        }

    # ---- the steps ------------------------------------------------------------------
    def slice(self, part: slice) -> _Run:
        """The same run on rows ``part`` only (views, no copies)."""
        sub = object.__new__(_Run)
        sub.__dict__.update(self.__dict__)
        sub.n = len(range(*part.indices(self.n)))
        sub.actuals = {k: v[part] for k, v in self.actuals.items()}
        sub.events = {k: v[part] for k, v in self.events.items()}
        sub.amounts = {k: v[part] for k, v in self.amounts.items()}
        sub.months = {k: v[part] for k, v in self.months.items()}
        sub.history = {
            p: {k: np.asarray(v, dtype=np.float64)[part] for k, v in cols.items()} for p, cols in self.history.items()
        }
        return sub

    def per_row(self) -> tuple[F64, list[F64], Any, Any, Any, F64, Any, Any, Any]:
        """Everything that depends on one row only: item scores to vetoes."""
        n, card = self.n, self.card
        # item scores at the published places (point: line) or the working places (point: total)
        item_places = self.places if self.point == "line" else DERIVED_PLACES
        scores: list[F64] = []
        weights: list[F64] = []
        declared: list[Decimal] = []
        incomplete = np.zeros(n, dtype=bool)
        for item in card.items:
            if item.scoring.policy == "rating":
                raise EvaluationError(f"item {item.kpi} is rated: evaluate rated scorecards with evaluate()")
            kpi = self.strategy.kpi(item.kpi)
            rev = revisions_in_force(self.strategy, card, item.kpi, self.period)
            a = anchors_for(item, self.period.text, rev)
            actual, refused = self.partial_period(kpi, self.actual(item.kpi))
            f = _formula(policy_formula(item.scoring, kpi.direction, a), ITEM_NAMES)
            columns = {"actual": actual}
            if set(f.names) - {"actual"}:  # a custom formula reading the anchors
                columns.update(self.anchors(item.kpi))
            s = f.evaluate_batch({k: columns[k] for k in f.names} or {"actual": actual}, places=item_places)
            missing = np.isnan(actual)
            unscorable = ~missing & np.isnan(s)
            declared.append(rev.get("weight", item.weight))
            w = np.full(n, float(declared[-1]))
            if item.missing == "zero":
                s = np.where(missing, 0.0, s)
            elif item.missing == "skip":
                w = np.where(missing, 0.0, w)
                s = np.where(missing, 0.0, s)
            else:
                incomplete |= missing
            incomplete |= unscorable | refused
            s = np.where(refused, np.nan, s)
            scores.append(s)
            weights.append(w)
        total_w = np.sum(weights, axis=0) if weights else np.zeros(n)
        incomplete |= total_w <= 0
        score = self.total(scores, weights, total_w, declared)
        score[incomplete] = np.nan
        score = self.deduct(score)
        score, lowest, forfeit = self.lines(score)
        vetoed, veto_factor, escalated_lowest, streak, unsettled = self.vetoes()
        return score, scores, lowest, forfeit, vetoed, veto_factor, escalated_lowest, streak, unsettled

    def evaluate(self, ids: npt.NDArray[Any], bonus_base: Any) -> BatchResult:
        n, card, places = self.n, self.card, self.places
        # rows are independent until the ranking: in chunks that stay in the processor's
        # cache, on every core (NumPy releases the interpreter lock inside its loops)
        # at least one chunk per core once a batch is big enough to share
        size = min(CHUNK, max(CHUNK // 4, -(-n // WORKERS)))
        bounds = [slice(i, min(i + size, n)) for i in range(0, n, size)] or [slice(0, 0)]
        base = None if bonus_base is None else self.column(bonus_base, "bonus_base")
        # without an enforced distribution a row's grade, factor and bonus are its own too
        local = card.distribution is None or card.distribution.mode != "enforce"

        def chunk(part: slice) -> tuple[Any, ...]:
            run = self if len(bounds) == 1 else self.slice(part)
            row = run.per_row()
            if not local:
                return row
            score, _, lowest, forfeit, vetoed, veto_factor, escalated, _, _ = row
            grade = run.grades(score, lowest | escalated)
            factor = run.factors(score, grade, vetoed, veto_factor, forfeit)
            bonus = run.bonus(base[part], factor) if base is not None else np.full(run.n, np.nan)
            return (*row, grade, factor, bonus)

        if len(bounds) == 1:
            parts = [chunk(bounds[0])]
        else:
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                parts = list(pool.map(chunk, bounds))
        score = np.concatenate([p[0] for p in parts])
        # item scores matter beyond their rows only as tie-breaks in the ranking
        tie_break = set(card.ranking.tie_break)
        scores = [
            np.concatenate([p[1][i] for p in parts]) if item.kpi in tie_break else np.empty(0)
            for i, item in enumerate(card.items)
        ]
        lowest, forfeit, vetoed = (np.concatenate([p[k] for p in parts]) for k in (2, 3, 4))
        veto_factor = np.concatenate([p[5] for p in parts])
        escalated_lowest = np.concatenate([p[6] for p in parts])
        streak = np.concatenate([p[7] for p in parts])
        unsettled = np.concatenate([p[8] for p in parts])
        rank = self.ranks(ids, score, scores)
        if local:
            grade = np.concatenate([p[9] for p in parts])
            factor = np.concatenate([p[10] for p in parts])
            bonus = np.concatenate([p[11] for p in parts])
        else:
            grade = self.grades(score, lowest | escalated_lowest)
            grade = self.distribute(rank, grade)
            factor = self.factors(score, grade, vetoed, veto_factor, forfeit)
            bonus = self.bonus(base, factor) if base is not None else np.full(n, np.nan)
        complete = ~np.isnan(score) & ~unsettled
        factor = np.where(unsettled, np.nan, factor)  # not paid, as the one-entity path
        bonus = np.where(unsettled, np.nan, bonus)
        rule = next((r for r in self.strategy.bonus_rules if r.id == card.bonus), None)
        if rule is not None and rule.formula:
            complete &= ~np.isnan(factor)  # a formula that gives no factor leaves the result incomplete
        return BatchResult(
            card.id,
            self.period.text,
            card.tier,
            ids,
            complete,
            score,
            grade,
            rank,
            vetoed,
            lowest,
            factor,
            bonus,
            places,
            self.strategy.organisation.money_rounding.places,
            streak,
        )

    def bonus(self, base: F64, factor: F64) -> F64:
        """base x factor at the money places: in integers where both are short decimals."""
        money = self.strategy.organisation.money_rounding.places
        b, ok_b = _fixed(base, 4)
        f, ok_f = _fixed(factor, FACTOR_PLACES)
        ok = ok_b & ok_f & (np.abs(b) < 2**31) & (np.abs(f) < 2**31)  # the product fits in int64
        shift = 4 + FACTOR_PLACES - money
        out = np.where(ok, _half_up_div(b * f, 10**shift) / 10.0**money, np.nan)
        rest = ~ok & ~np.isnan(base) & ~np.isnan(factor)
        if rest.any():
            exact = _formula("b * f", ("b", "f")).evaluate_batch({"b": base[rest], "f": factor[rest]}, places=money)
            out[rest] = exact
        return out

    def total(self, scores: list[F64], weights: list[F64], total_w: F64, declared: list[Decimal]) -> F64:
        if not scores:
            return np.full(self.n, np.nan)
        names = [f"s{i}" for i in range(len(scores))]
        if self.point == "line":
            # exact in integers: each published score has `places` decimals and the weights
            # are decimals, so every contribution is a ratio of integers rounded half up
            units, _ = _weight_units(declared)
            counted = [np.where(w == 0, 0, u) for w, u in zip(weights, units, strict=True)]
            total_units = np.sum(counted, axis=0)
            safe = np.where(total_units > 0, total_units, 1)
            total_int = np.zeros(self.n, dtype=np.int64)
            complete = total_units > 0
            scale = 10.0**self.places
            for s, u in zip(scores, counted, strict=True):
                complete &= ~np.isnan(s)  # each is a published score: exactly `places` decimals
                fixed = np.rint(np.where(np.isnan(s), 0.0, s) * scale).astype(np.int64)
                total_int += _half_up_div(fixed * u, safe)
            return np.where(complete, total_int / 10.0**self.places, np.nan)
        wn = [f"w{i}" for i in range(len(scores))]
        text = " + ".join(f"{s} * {w} / W" for s, w in zip(names, wn, strict=True))
        columns = {**dict(zip(names, scores, strict=True)), **dict(zip(wn, weights, strict=True)), "W": total_w}
        return _formula(text, [*names, *wn, "W"]).evaluate_batch(columns, places=self.places)

    def deduct(self, score: F64) -> F64:
        rules = self.card.deductions
        if rules is None:
            return score
        terms, columns = [], {"s": score}
        for i, rule in enumerate(rules.rules):
            term = f"{rule.points} * c{i}"
            if rule.max is not None:
                term = f"min({term}, {rule.max})"
            terms.append(term)
            columns[f"c{i}"] = self.count(rule.event)
        total = " + ".join(terms)
        if rules.cap is not None:
            total = f"min({rules.cap}, {total})"
        f = _formula(f"max(0, s - ({total}))", list(columns))
        return f.evaluate_batch(columns, places=self.places)

    def lines(self, score: F64) -> tuple[F64, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        lowest = np.zeros(self.n, dtype=bool)
        forfeit = np.zeros(self.n, dtype=bool)
        for c in self.strategy.scorecards:
            if c.entity != self.card.entity or c.tier != "major_responsibility":
                continue
            for line in c.high_voltage_lines:
                names: dict[str, str] = {"count": "number", "amount": "number"}
                columns = {
                    "count": self.count(line.event),
                    "amount": self.amounts.get(line.event or "", np.zeros(self.n)),
                }
                if line.kpi:
                    names["actual"] = "number"
                    columns["actual"] = self.actual(line.kpi)
                cond = _formula(line.when or "count >= 1", tuple(names))
                result = cond.evaluate_batch({k: columns[k] for k in cond.names} or columns)
                hit = np.ma.getdata(result) & ~np.ma.getmaskarray(result)
                for outcome in line.outcome:
                    if outcome.action == "cap_score" and outcome.cap is not None:
                        score = np.where(hit, np.minimum(score, float(outcome.cap)), score)
                    elif outcome.action == "zero_score":
                        score = np.where(hit & ~np.isnan(score), 0.0, score)
                    elif outcome.action == "lowest_grade":
                        lowest |= hit
                    elif outcome.action == "forfeit_period_bonus" or (
                        outcome.action == "forfeit_annual_bonus" and self.card.tier == "annual"
                    ):
                        forfeit |= hit
        return score, lowest, forfeit

    def vetoes(self) -> tuple[npt.NDArray[np.bool_], F64, npt.NDArray[np.bool_], npt.NDArray[np.int64], Any]:
        """Where a veto fired, its factor, where an escalation forces the lowest grade, the
        longest run of vetoed periods any key indicator counted (0: no veto), and where a run
        cannot be counted (a gap under ``missing_period: error``: the result is not settled)."""
        vetoed = np.zeros(self.n, dtype=bool)
        factor = np.full(self.n, np.inf)
        lowest = np.zeros(self.n, dtype=bool)
        longest = np.zeros(self.n, dtype=np.int64)
        unsettled = np.zeros(self.n, dtype=bool)
        if self.card.tier != "short_term":
            return vetoed, factor, lowest, longest, unsettled
        for ki in self.card.key_indicators:
            f = _formula(ki.veto_when, ITEM_NAMES)

            def fired(actual: F64, period: Period, f: Formula = f, kpi: str = ki.kpi) -> npt.NDArray[np.bool_]:
                columns = {"actual": actual, **self.anchors(kpi, period)}
                result = f.evaluate_batch({k: columns[k] for k in f.names} or {"actual": actual})
                fires: npt.NDArray[np.bool_] = (np.ma.getdata(result) & ~np.ma.getmaskarray(result)) | np.isnan(actual)
                return fires

            hit = fired(self.actual(ki.kpi), self.period)
            consecutive = np.where(hit, 1, 0)
            running = hit.copy()
            first = self.first_reported(ki.kpi)
            p = self.period
            for _ in range(35):
                p = p.previous()
                if not ki.escalation or first is None or (p.year, p.first) < first:
                    break  # no further back than the first period the data report the KPI in
                earlier = self.history.get(p.text, {}).get(ki.kpi)
                # a period left out of the history is a period nobody reported
                col = np.full(self.n, np.nan) if earlier is None else self.column(earlier, f"history[{p.text!r}]")
                if ki.missing_period == "miss":  # a period not reported counts as a miss (it fires)
                    running &= fired(col, p)
                elif ki.missing_period == "error":  # the one-entity path's SM519: the run cannot be counted
                    unsettled |= running & np.isnan(col)
                    running &= fired(col, p) & ~np.isnan(col)
                else:  # break (and error, which the one-entity path reports): it ends the run
                    running &= fired(col, p) & ~np.isnan(col)
                if not running.any():
                    break
                consecutive += running
            ki_factor = np.full(self.n, float(ki.bonus_factor))
            for step in sorted(ki.escalation, key=lambda s: s.consecutive):
                reached = hit & (consecutive >= step.consecutive)
                if step.bonus_factor is not None:
                    ki_factor = np.where(reached, float(step.bonus_factor), ki_factor)
                if any(o.action == "lowest_grade" for o in step.outcome):
                    lowest |= reached
            vetoed |= hit
            factor = np.where(hit, np.minimum(factor, ki_factor), factor)
            longest = np.maximum(longest, np.where(hit, consecutive, 0))
        return vetoed, factor, lowest, longest, unsettled

    def first_reported(self, kpi: str) -> tuple[int, int] | None:
        """The first period (year, month) any row reports ``kpi`` in, among the period and its
        history (None: never), as the one-entity path bounds a run of vetoed periods."""
        periods = [(self.period, self.actual(kpi))]
        periods += [(q, cols[kpi]) for text, cols in self.history.items() if kpi in cols if (q := parse_period(text))]
        found = [(q.year, q.first) for q, col in periods if (~np.isnan(np.asarray(col, dtype=np.float64))).any()]
        return min(found) if found else None

    def grades(self, score: F64, lowest: npt.NDArray[np.bool_]) -> npt.NDArray[Any]:
        bands = self.card.grading.bands
        conditions = [score >= float(b.min) if b.min is not None else ~np.isnan(score) for b in bands]
        grade = np.select(conditions, [b.grade for b in bands], default=bands[-1].grade).astype(object)
        grade[lowest] = bands[-1].grade
        grade[np.isnan(score)] = None
        return grade

    def ranks(self, ids: npt.NDArray[Any], score: F64, scores: list[F64]) -> npt.NDArray[np.int64]:
        rank = np.zeros(self.n, dtype=np.int64)
        ok = ~np.isnan(score)
        whole = bool(ok.all())
        index = np.arange(self.n) if whole else np.flatnonzero(ok)
        if not self.card.ranking.tie_break and 0 < len(index) < 2**31:
            names = ids if whole else ids[index]
            if len(names) < 2 or bool(np.all(names[:-1] < names[1:])):
                # entities already in order (as HR exports usually are): one integer sort on
                # (score descending, position), the same order as the general case below
                fixed, exact = _fixed(score if whole else score[index], self.places)
                if exact.all():
                    key = fixed.max() - fixed  # score descending; a stable sort keeps ties in order
                    if key.max() < 2**16:  # e.g. scores 0-120.00: NumPy radix-sorts 16-bit keys
                        key = key.astype(np.uint16)
                    order = index[np.argsort(key, kind="stable")]
                    rank[order] = np.arange(1, len(order) + 1)
                    self.order = order
                    return rank
        by_kpi = {item.kpi: s for item, s in zip(self.card.items, scores, strict=True)}
        keys: list[Any] = [ids[index]]
        for kpi in reversed(self.card.ranking.tie_break):
            keys.append(-np.nan_to_num(by_kpi.get(kpi, np.zeros(self.n))[index], nan=0.0))
        keys.append(-score[index])
        order = index[np.lexsort(keys)]
        rank[order] = np.arange(1, len(order) + 1)
        self.order = order
        return rank

    def distribute(self, rank: npt.NDArray[np.int64], grade: npt.NDArray[Any]) -> npt.NDArray[Any]:
        dist = self.card.distribution
        if dist is None or dist.mode != "enforce":
            return grade
        grades = [b.grade for b in self.card.grading.bands]
        members = self.order
        n = len(members)
        for quota in dist.quotas:
            if quota.grade not in grades:
                continue
            level = grades.index(quota.grade)
            holders = [i for i in members if grade[i] == quota.grade]
            if quota.max is not None:
                allowed = int(Decimal(n) * quota.max / 100)
                if len(holders) > allowed and level + 1 < len(grades):
                    for i in holders[allowed:]:
                        grade[i] = grades[level + 1]
            if quota.min is not None:
                needed = math.ceil(Decimal(n) * quota.min / 100)
                if len(holders) < needed and level > 0:
                    better = [i for i in members if grades.index(grade[i]) < level]
                    short = int(needed - len(holders))
                    if short <= len(better):  # else it cannot be met: grades unchanged, as in evaluate
                        for i in better[-short:]:
                            grade[i] = quota.grade
        return grade

    def factors(
        self,
        score: F64,
        grade: npt.NDArray[Any],
        vetoed: npt.NDArray[np.bool_],
        veto_factor: F64,
        forfeit: npt.NDArray[np.bool_],
    ) -> F64:
        n = self.n
        rule = next((r for r in self.strategy.bonus_rules if r.id == self.card.bonus), None)
        if rule is None:
            factor = np.where(vetoed, 1.0, np.nan)
        elif rule.formula:
            f = _formula(rule.formula, ("score",))
            factor = f.evaluate_batch({"score": score}, places=FACTOR_PLACES)
            factor = np.where(factor < 0, np.nan, factor)  # a negative factor is no factor
        elif rule.by == "score":  # table factors are published as the one-entity path publishes them
            conditions = [score >= float(row.min) for row in rule.table if row.min is not None]
            values = [float(publish_factor(row.factor)) for row in rule.table if row.min is not None]
            factor = np.select(conditions, values, 0.0)
        else:
            factor = np.zeros(n)
            for row in reversed(rule.table):
                factor = np.where(grade == row.grade, float(publish_factor(row.factor)), factor)
        if vetoed.any():
            product = _formula("f * v", ("f", "v")).evaluate_batch(
                {"f": factor, "v": np.where(vetoed, veto_factor, 1.0)}, places=FACTOR_PLACES
            )
            factor = np.where(vetoed, product, factor)
        factor = np.where(forfeit, 0.0, factor)
        factor[np.isnan(score)] = np.nan
        return factor
