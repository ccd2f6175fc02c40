"""The evaluation, one entity at a time on Decimals: data checks, scores, gates, ranks, bonus.

Order of precedence (documented in docs/evaluation.md): the weighted sum of the item
scores, then deductions, then high-voltage lines (cap or zero the score, force the lowest
grade), the grade, the distribution quotas (which only ever lower a grade), the bonus
rule's factor, then vetoes (a factor, default 0) and high-voltage forfeits (0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stratmap.data import Dataset, Person
from stratmap.diagnostics import Diagnostic, EvaluationError, sort_diagnostics
from stratmap.evaluation._gates import Gates, Pending
from stratmap.evaluation._index import TABLE_PROBLEMS
from stratmap.evaluation._measures import DERIVED_PLACES, plain
from stratmap.evaluation._numbers import HUNDRED, item_rounding, kept_at, quantize, trim
from stratmap.evaluation._pay import bonus, rank_and_distribute
from stratmap.evaluation._results import Evaluation, Gate, ItemResult, Result, RowCount
from stratmap.evaluation._scoring import ZERO, anchors_for, rated, score
from stratmap.evaluation._words import SEMICOLON, Text, say
from stratmap.formula import ITEM_NAMES, parse_cached
from stratmap.model import Strategy
from stratmap.model.revisions import revision_records
from stratmap.model.scorecard import Item, Scorecard
from stratmap.model.types import Kpi, Position
from stratmap.periods import Period, parse_period
from stratmap.tiers import TIERS, Tier

TierName = Tier  # the tiers an evaluation is asked for (stratmap.tiers.TIERS)


#: What each partial_year policy does to a KPI covering part of its period, for SM521.
#: An item's fields as they are found: made into one :class:`ItemResult` once its share is known.
Fields = dict[str, Any]

_PARTIAL_YEAR = {policy: say(f"partial_action_{policy}") for policy in ("refuse", "prorate", "accept")}
#: A period's kind as the partial-period texts name it.
_SPANS = {"quarterly": "quarter", "half_yearly": "half_year", "yearly": "year"}


def _partial_period(card: Scorecard, kpi: Kpi, actual: Decimal, period: Period, covered: int) -> tuple[Decimal, Text]:
    """An actual that covers ``covered`` of ``period``'s months, under the card's ``partial_year``."""
    total = len(period.months())
    of = say("partial_of", span=say(_SPANS[period.kind]), covered=covered, total=total)
    if card.partial_year == "refuse":
        return actual, say("partial_refuse", of=of)
    if card.partial_year == "prorate" and kpi.aggregation == "sum":
        whole = actual * total / covered
        full = plain(whole.quantize(Decimal(1).scaleb(-DERIVED_PLACES), rounding=ROUND_HALF_UP))
        return full, say("partial_prorate", of=of, actual=actual, covered=covered, total=total, annual=full)
    if card.partial_year == "prorate" and kpi.formula:  # e.g. a ratio: its totals' months cancel out
        return actual, say("partial_kept_derived", of=of)
    if card.partial_year == "prorate":
        return actual, say("partial_kept", of=of, how=say(kpi.aggregation))
    return actual, say("partial_accept", of=of)


class _Evaluator(Gates):
    # ---- which entity is assessed on which scorecard ----------------------------------
    def cards(self) -> list[Scorecard]:
        wanted = {"annual": {"yearly"}, "short_term": {"monthly", "quarterly", "half_yearly"}}
        out = []
        for card in self.strategy.scorecards:
            if card.tier != self.tier:
                continue
            if (
                self.tier == "major_responsibility"
                or card.frequency == self.period.kind
                or (card.frequency is None and self.period.kind in wanted.get(self.tier, set()))
            ):
                out.append(card)
        return out

    def entities_on(self, card: Scorecard) -> list[str]:
        """Every holder of the card's unit: its people, or the unit itself when it has none;
        listed whether or not the data name them (no data at all is a result too)."""
        index = self.index
        named = [e for e in index.entities if index.holds.get(e, e) == card.entity]
        return list(dict.fromkeys([*named, *self.measures.holders_of(card.entity)]))

    def department_of(self, unit: str) -> str | None:
        obj = self.units.get(unit)
        if isinstance(obj, Position):
            return obj.department
        return unit if obj is not None else None

    # ---- one entity -------------------------------------------------------------------
    def evaluate_card(self, card: Scorecard, entity: str) -> tuple[Result, Pending]:
        org = self.strategy.organisation
        unit = self.index.holds.get(entity, entity)
        missing: list[str] = []
        incomplete = False
        said: list[Diagnostic] = []
        found: list[Fields] = []
        for item in card.items:
            fields = self.item(card, item, entity)
            if fields["status"] in ("missing", "missing_zero", "skipped"):
                missing.append(item.kpi)
                said.append(
                    Diagnostic.make(
                        "SM510",
                        item.where.node,
                        entity=entity,
                        kpi=item.kpi,
                        period=self.period.text,
                        policy=item.missing,
                    )
                )
            if fields["status"] in ("missing", "unscorable", "partial"):
                incomplete = True
            found.append(fields)
        months = [f["months"] for f in found if f.get("months") is not None]
        whole = len(self.period.months())
        short = sorted((f["kpi"], f["months"]) for f in found if f.get("months") is not None and f["months"] < whole)
        if short:
            said.append(
                Diagnostic.make(
                    "SM521",
                    card.where.node,
                    entity=entity,
                    scorecard=card.id,
                    period=self.period.text,
                    kpis=", ".join(f"{kpi} {n}" for kpi, n in short),
                    months=str(whole),
                    action=_PARTIAL_YEAR[card.partial_year],
                )
            )
        if card.items and len(missing) == len(card.items):  # nothing at all: said once, not per item
            said = [
                Diagnostic.make("SM517", card.where.node, entity=entity, scorecard=card.id, period=self.period.text)
            ]
        self.diagnostics.extend(said)
        counted = [f for f in found if f["status"] in ("scored", "missing_zero")]
        total_weight = sum((f["weight"] for f in counted), ZERO)
        base: Decimal | None = None
        if not incomplete and counted and total_weight > 0:
            # point: line sums the published contributions; point: total sums them exactly
            # and rounds only the total (each is shown at the working places)
            kept = item_rounding(org.score_rounding)
            base = ZERO
            for f in counted:
                share = f["weight"] / total_weight * HUNDRED
                contribution = f["score"] * f["weight"] / total_weight
                if org.score_rounding.point == "line":
                    contribution = quantize(contribution, org.score_rounding)
                base += contribution
                f["share"], f["contribution"] = trim(share), kept_at(contribution, kept)
            base = quantize(base, org.score_rounding)
        elif not card.items:
            base = None
        items = [ItemResult(**f) for f in found]  # each made once, with its share
        result = Result(
            entity=entity,
            scorecard=card.id,
            period=self.period.text,
            tier=self.tier,
            # a major-responsibility card has no score: its result is the lines it was checked against
            status=(
                "complete"
                if base is not None or card.tier == "major_responsibility"
                else "no_data"
                if items and all(i.status in ("missing", "missing_zero", "skipped") for i in items)
                else "incomplete"
            ),
            unit=unit,
            department=self.department_of(unit),
            base_score=base,
            score=base,
            items=tuple(items),
            missing=tuple(missing),
            months_used=min(months) if months else None,
        )
        return self.gates(card, result)

    def item(self, card: Scorecard, item: Item, entity: str) -> Fields:
        """The item's fields (an :class:`ItemResult`'s), before its share of the score."""
        kpi = self.kpis[item.kpi]
        anchors = anchors_for(item, self.period.text, self.revised(card, item.kpi))
        weight = self.revised(card, item.kpi).get("weight", item.weight)
        base: Fields = {
            "kpi": item.kpi,
            "weight": weight,
            "status": "scored",
            "policy": item.scoring.policy,
            "target": anchors.target,
            "threshold": anchors.threshold,
            "stretch": anchors.stretch,
        }
        revised = revision_records(self.strategy, card, item.kpi, self.period)
        if revised:  # the original value stays visible beside the one in force
            originals = {
                "target": item.target_for(self.period.text),
                "threshold": item.threshold,
                "stretch": item.stretch,
                "weight": item.weight,
            }
            base["revision"] = SEMICOLON.join(
                say(
                    "revision",
                    field=r.field,
                    before=originals[r.field],
                    after=r.value,
                    effective=r.effective,
                    why=f"{r.id}: {r.reason}" if r.reason else r.id,
                )
                for r in revised
            )
        rounding = item_rounding(self.strategy.organisation.score_rounding)
        if item.scoring.policy == "rating":
            rows = self.index.ratings.get((entity, item.kpi, self.period.text), [])
            if not rows:
                return self.missing(item, base)
            scored, detail = rated(item.scoring, [(r.rater, r.rating) for r in rows])
            self.index.used.update(id(r) for r in rows)
            base["inputs"] = tuple(detail)
            actual: Decimal | str | None = None
        else:
            measured = self.measure(entity, item.kpi, self.period)
            actual = measured.value
            if measured.how:
                base["measured"] = measured.how
            self.index.used.update(id(r) for r in measured.rows)  # read, also when they give no value
            if actual is None:
                return self.missing(item, base)
            if self.period.kind != "monthly":  # a period made of months: say how many it read
                covered = measured.short[0] if measured.short else len(self.period.months())
                base["months"] = covered
                if measured.short and isinstance(actual, Decimal):
                    actual, note = _partial_period(card, kpi, actual, self.period, covered)
                    base["measured"] = measured.how + SEMICOLON + note
                    if card.partial_year == "refuse":
                        return {**base, "actual": actual, "status": "partial", "rule": note}
            formula = parse_cached(item.scoring.formula, ITEM_NAMES) if item.scoring.formula else None
            scored = score(item.scoring, kpi.direction, actual, anchors, formula)
        if scored.score is None:
            self.diagnostics.append(
                Diagnostic.make(
                    "SM511",
                    item.where.node,
                    entity=entity,
                    kpi=item.kpi,
                    reason=scored.problem or say("cannot_be_scored"),
                )
            )
            return {**base, "actual": actual, "status": "unscorable", "rule": scored.rule, "note": scored.problem}
        raw = trim(scored.raw) if scored.raw is not None else None
        return {**base, "actual": actual, "rule": scored.rule, "raw": raw, "score": kept_at(scored.score, rounding)}

    def missing(self, item: Item, base: Fields) -> Fields:
        """The item without an actual, as its missing-data policy says."""
        if item.missing == "zero":
            return {**base, "status": "missing_zero", "score": ZERO, "rule": say("missing_zero")}
        if item.missing == "skip":
            return {**base, "status": "skipped", "rule": say("missing_skip")}
        return {**base, "status": "missing", "rule": say("missing_fail")}


def evaluate(
    strategy: Strategy,
    data: Dataset,
    *,
    period: str,
    tier: TierName = "short_term",
) -> Evaluation:
    """Evaluate every entity the data names on the scorecards of ``tier`` for ``period``."""
    p = parse_period(period)
    if p is None:
        raise EvaluationError(f"{period!r} is not a period: write 2026, 2026H1, 2026Q1 or 2026-03")
    if tier not in TIERS:
        raise EvaluationError(f"{tier!r} is not a tier: short_term, annual or major_responsibility")
    if tier == "annual" and p.kind != "yearly":
        raise EvaluationError(f"the annual tier is evaluated for a year (e.g. {p.year}), not {period}")
    if tier == "short_term" and p.kind == "yearly":
        raise EvaluationError(f"the short-term tier is evaluated for a month, quarter or half, not the year {period}")
    if tier == "annual" and strategy.organisation.fiscal_year_start != 1:
        raise EvaluationError(
            f"fiscal years starting in month {strategy.organisation.fiscal_year_start} are not evaluated yet; "
            "this release aggregates calendar years"
        )
    ev = _Evaluator(strategy, data, p, tier)
    ev.build_index()
    results: list[tuple[Result, Pending, Scorecard]] = []
    for card in ev.cards():
        for entity in ev.entities_on(card):
            result, pending = ev.evaluate_card(card, entity)
            results.append((result, pending, card))
    ranked = rank_and_distribute(ev, results)
    final = [_unread(ev, bonus(ev, r, pending, card), card) for r, pending, card in ranked]
    final.sort(key=lambda r: (r.scorecard, r.rank if r.rank is not None else math.inf, r.entity))
    rows = _row_counts(ev)
    money = strategy.organisation.money_rounding
    totals: dict[str, Decimal] = {}
    left_out: dict[str, list[str]] = {}
    for r in final:
        if r.tier != "major_responsibility":
            totals.setdefault(r.scorecard, ZERO)  # every scorecard has a total, at the money places
        if r.bonus is not None:
            totals[r.scorecard] = totals.get(r.scorecard, ZERO) + r.bonus
        elif r.bonus_missing is not None or (r.status != "complete" and r.tier != "major_responsibility"):
            left_out.setdefault(r.scorecard, []).append(r.entity)
    # the total is rounded once; with `point: total` the lines above it are not
    bonus_totals = {card: quantize(amount, money) for card, amount in sorted(totals.items())}
    return Evaluation(
        p.text,
        tier,
        tuple(final),
        tuple(_causes_first(ev.diagnostics)),
        rows,
        bonus_totals,
        {card: tuple(entities) for card, entities in sorted(left_out.items())},
    )


def _causes_first(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    ordered = sort_diagnostics(diagnostics)
    return [d for d in ordered if d.code in TABLE_PROBLEMS] + [d for d in ordered if d.code not in TABLE_PROBLEMS]


def _unread(ev: _Evaluator, r: Result, card: Scorecard) -> Result:
    """A result that needs a table that could not be read is incomplete, never complete
    without its deductions, lines or ratings."""
    needs = []
    if "actuals" in ev.unread and card.items:
        needs.append("actuals")
    if "events" in ev.unread and (card.deductions or ev.lines_for(card.entity)):
        needs.append("events")
    if "ratings" in ev.unread and any(i.scoring.policy == "rating" for i in card.items):
        needs.append("ratings")
    if not needs or (r.status == "no_data" and needs == ["actuals"]):
        return r
    tables = ", ".join(f"{name} ({getattr(ev.data, name).source})" for name in needs)
    gate = Gate("data", ",".join(needs), say("incomplete"), None, None, say("unread", tables=tables))
    return replace(r, status="incomplete", gates=(*r.gates, gate))


def _row_counts(ev: _Evaluator) -> dict[str, RowCount]:
    counts: dict[str, RowCount] = {}
    for table in ev.data.tables():
        if not table.source:
            continue
        rejected = table.read - len(table.rows)  # left out while reading
        used = unused = outside = 0
        for row in table.rows:
            key = id(row)
            key = ev.index.became.get(key, key)  # a yes/no answer counts as the 1 or 0 it was read as
            if key in ev.index.rejected:
                rejected += 1
            elif key in ev.index.used:
                used += 1
            elif isinstance(row, Person) or ev._in_period(row.period):
                unused += 1  # in the period, yet no result needed it: said, never silently dropped
                ev.diagnostics.append(Diagnostic.make("SM509", row.at, table=table.name, period=ev.period.text))
            else:
                outside += 1
        counts[table.name] = RowCount(table.read, used, unused, outside, rejected)
    return counts
