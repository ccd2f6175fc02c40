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

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmap.diagnostics import EvaluationError
from stratmap.evaluation._column_gates import ColumnGates
from stratmap.evaluation._column_inputs import formula
from stratmap.evaluation._measures import DERIVED_PLACES
from stratmap.evaluation._policies import policy_formula
from stratmap.evaluation._scoring import anchors_for
from stratmap.formula import ITEM_NAMES
from stratmap.model import Strategy
from stratmap.model.revisions import revisions_in_force
from stratmap.model.scorecard import Scorecard
from stratmap.periods import parse_period

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


class _Run(ColumnGates):
    """One scorecard's holders evaluated: a chunk at a time, the items, then the gates."""

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
            f = formula(policy_formula(item.scoring, kpi.direction, a), ITEM_NAMES)
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
