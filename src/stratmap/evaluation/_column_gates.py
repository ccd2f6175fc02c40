"""The column engine's steps after the items: the total, deductions, high-voltage lines,
vetoes and escalation, grades, ranks, the distribution, bonus factors and bonuses."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from stratmap.evaluation._column_inputs import ColumnInputs, formula, half_up_div, to_fixed, weight_units
from stratmap.evaluation._numbers import FACTOR_PLACES, publish_factor
from stratmap.formula import ITEM_NAMES, Formula
from stratmap.periods import Period, parse_period

F64 = npt.NDArray[np.float64]


class ColumnGates(ColumnInputs):
    """The gates, ranking and bonus of one scorecard's holders, as columns."""

    def bonus(self, base: F64, factor: F64) -> F64:
        """base x factor at the money places: in integers where both are short decimals."""
        money = self.strategy.organisation.money_rounding.places
        b, ok_b = to_fixed(base, 4)
        f, ok_f = to_fixed(factor, FACTOR_PLACES)
        ok = ok_b & ok_f & (np.abs(b) < 2**31) & (np.abs(f) < 2**31)  # the product fits in int64
        shift = 4 + FACTOR_PLACES - money
        out = np.where(ok, half_up_div(b * f, 10**shift) / 10.0**money, np.nan)
        rest = ~ok & ~np.isnan(base) & ~np.isnan(factor)
        if rest.any():
            exact = formula("b * f", ("b", "f")).evaluate_batch({"b": base[rest], "f": factor[rest]}, places=money)
            out[rest] = exact
        return out

    def total(self, scores: list[F64], weights: list[F64], total_w: F64, declared: list[Decimal]) -> F64:
        if not scores:
            return np.full(self.n, np.nan)
        names = [f"s{i}" for i in range(len(scores))]
        if self.point == "line":
            # exact in integers: each published score has `places` decimals and the weights
            # are decimals, so every contribution is a ratio of integers rounded half up
            units, _ = weight_units(declared)
            counted = [np.where(w == 0, 0, u) for w, u in zip(weights, units, strict=True)]
            total_units = np.sum(counted, axis=0)
            safe = np.where(total_units > 0, total_units, 1)
            total_int = np.zeros(self.n, dtype=np.int64)
            complete = total_units > 0
            scale = 10.0**self.places
            for s, u in zip(scores, counted, strict=True):
                complete &= ~np.isnan(s)  # each is a published score: exactly `places` decimals
                fixed = np.rint(np.where(np.isnan(s), 0.0, s) * scale).astype(np.int64)
                total_int += half_up_div(fixed * u, safe)
            return np.where(complete, total_int / 10.0**self.places, np.nan)
        wn = [f"w{i}" for i in range(len(scores))]
        text = " + ".join(f"{s} * {w} / W" for s, w in zip(names, wn, strict=True))
        columns = {**dict(zip(names, scores, strict=True)), **dict(zip(wn, weights, strict=True)), "W": total_w}
        return formula(text, [*names, *wn, "W"]).evaluate_batch(columns, places=self.places)

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
        f = formula(f"max(0, s - ({total}))", list(columns))
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
                cond = formula(line.when or "count >= 1", tuple(names))
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
            f = formula(ki.veto_when, ITEM_NAMES)

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
                fixed, exact = to_fixed(score if whole else score[index], self.places)
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
            f = formula(rule.formula, ("score",))
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
            product = formula("f * v", ("f", "v")).evaluate_batch(
                {"f": factor, "v": np.where(vetoed, veto_factor, 1.0)}, places=FACTOR_PLACES
            )
            factor = np.where(vetoed, product, factor)
        factor = np.where(forfeit, 0.0, factor)
        factor[np.isnan(score)] = np.nan
        return factor
