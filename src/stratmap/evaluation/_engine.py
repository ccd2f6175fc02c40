"""The evaluation, one entity at a time on Decimals: data checks, scores, gates, ranks, bonus.

Order of precedence (documented in docs/evaluation.md): the weighted sum of the item
scores, then deductions, then high-voltage lines (cap or zero the score, force the lowest
grade), the grade, the distribution quotas (which only ever lower a grade), the bonus
rule's factor, then vetoes (a factor, default 0) and high-voltage forfeits (0).
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal
from typing import Any

from stratmap.data import Actual, BonusBase, Dataset, Event, Person, Rating, cell
from stratmap.diagnostics import Diagnostic, Location, Severity, StratmapError, sort_diagnostics
from stratmap.evaluation._measures import DERIVED_PLACES, Measure, Measures, plain
from stratmap.evaluation._results import Evaluation, Gate, ItemResult, Result, RowCount, changed
from stratmap.evaluation._scoring import ZERO, Anchors, anchors_for, rated, score, yes_no
from stratmap.evaluation._words import COMMA, SEMICOLON, Text, in_zh, label, say
from stratmap.formula import ITEM_NAMES, parse_cached
from stratmap.model import Strategy
from stratmap.model.revisions import revision_records, revisions_in_force
from stratmap.model.scorecard import BonusRule, HighVoltageLine, Item, KeyIndicator, Scorecard
from stratmap.model.types import Department, Kpi, Position, Rounding
from stratmap.periods import Period, parse_period
from stratmap.tiers import TIERS, Tier

TierName = Tier  # the tiers an evaluation is asked for (stratmap.tiers.TIERS)

_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
HUNDRED = Decimal(100)


#: Room for any quantize of the bounded values the evaluation handles (no InvalidOperation).
WIDE = Context(prec=80)


def quantize(x: Decimal, rounding: Rounding) -> Decimal:
    """``x`` at the declared places and mode (half up unless the model says otherwise); never
    ``-0.00``: a value that rounds to zero is zero."""
    out = x.quantize(Decimal(1).scaleb(-rounding.places), rounding=_MODES[rounding.mode], context=WIDE)
    return out.copy_abs() if out.is_zero() else out


#: What each partial_year policy does to a KPI covering part of its period, for SM521.
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


def kept_at(x: Decimal, rounding: Rounding) -> Decimal:
    """``x`` as an item figure is kept: published (point: line), or at the working places
    without trailing zeros (point: total: 12.5, not 12.5000000000, and never 0E-10)."""
    out = quantize(x, rounding)
    return out if rounding.point == "line" else plain(out)


def item_rounding(score: Rounding) -> Rounding:
    """How item scores and contributions are kept: at the score's places under ``point: line``;
    under ``point: total`` at the working places (10), so that only the total is rounded."""
    return score if score.point == "line" else Rounding(DERIVED_PLACES, score.mode, "total")


class EvaluationError(StratmapError, ValueError):
    """The request itself cannot be evaluated (e.g. a period that is not one).

    A :class:`stratmap.StratmapError` (one ``except`` catches every stratmap refusal) and a
    ``ValueError``; it carries no diagnostics, only its message.
    """

    def __init__(self, message: str) -> None:
        self.diagnostics = ()
        Exception.__init__(self, message)


@dataclass
class _Index:
    """The data, checked against the strategy and indexed for lookups."""

    actuals: dict[tuple[str, str, str], Actual] = field(default_factory=dict)
    ratings: dict[tuple[str, str, str], list[Rating]] = field(default_factory=lambda: defaultdict(list))
    events: dict[tuple[str, str], list[Event]] = field(default_factory=lambda: defaultdict(list))
    bonus_base: dict[tuple[str, str], BonusBase] = field(default_factory=dict)
    holds: dict[str, str] = field(default_factory=dict)  # entity -> unit (department or position)
    entities: dict[str, None] = field(default_factory=dict)  # every entity seen, in first-seen order
    used: set[int] = field(default_factory=set)  # id() of the rows that fed a result
    rejected: set[int] = field(default_factory=set)
    #: id() of a row read as another value (yes/no as 1 or 0) -> id() of the row it became
    became: dict[int, int] = field(default_factory=dict)


class _Evaluator:
    def __init__(self, strategy: Strategy, data: Dataset, period: Period, tier: TierName) -> None:
        self.strategy = strategy
        self.data = data
        self.period = period
        self.tier = tier
        self.kpis: dict[str, Kpi] = {k.id: k for k in strategy.kpis}
        self.units: dict[str, Department | Position] = {d.id: d for d in strategy.departments}
        self.units.update({p.id: p for p in strategy.positions})
        self.rules: dict[str, BonusRule] = {r.id: r for r in strategy.bonus_rules}
        self.events_known = strategy.event_types()
        self.frequencies: dict[str, set[str]] = defaultdict(set)  # kpi -> period kinds it may be reported in
        for k in strategy.kpis:
            self.frequencies[k.id].update({k.frequency, "yearly"})
        for card in strategy.scorecards:
            for item in card.items:
                if card.frequency:
                    self.frequencies[item.kpi].add(card.frequency)
            for ki in card.key_indicators:
                if card.frequency:
                    self.frequencies[ki.kpi].add(card.frequency)
        self._feeding_frequencies(strategy)
        self.index = _Index()
        self._revised: dict[tuple[str, str], dict[str, Decimal]] = {}
        self._history: dict[str, int] = {}  # KPI -> the first month the data report it in
        self.diagnostics: list[Diagnostic] = list(data.problems)
        #: the tables given that could not be read (a whole-table problem): what needs them is incomplete
        self.unread = {
            t.name
            for t in data.tables()
            if t.source and any(d.code in TABLE_PROBLEMS and d.severity is Severity.ERROR for d in t.problems)
        }

    def _feeding_frequencies(self, strategy: Strategy) -> None:
        """A derived KPI's inputs and a rolled-up KPI's contributions may be reported in any
        period kind the KPI they feed may: they are read for it."""
        ids = tuple(self.kpis)
        feeds: list[tuple[str, str]] = []  # (input, the KPI it feeds)
        for k in strategy.kpis:
            if k.formula:
                feeds.extend((name, k.id) for name in parse_cached(k.formula, ids).names)
            if k.parent and k.link == "contributes" and k.parent in self.kpis:
                feeds.append((k.id, k.parent))
        for _ in range(len(feeds)):  # a chain of feeds settles in at most as many rounds
            changed_any = False
            for source, target in feeds:
                missing = self.frequencies[target] - self.frequencies[source]
                if missing:
                    self.frequencies[source] |= missing
                    changed_any = True
            if not changed_any:
                break

    # ---- data against the strategy ---------------------------------------------------
    def reject(self, row: Any, code: str, at: Location, **args: Any) -> None:
        self.index.rejected.add(id(row))
        self.diagnostics.append(Diagnostic.make(code, at, **args))

    def unknown(self, row: Any, what: str, ref: str, options: Iterable[str], at: Location) -> None:
        close = difflib.get_close_matches(ref, list(options), n=1, cutoff=0.6)
        self.reject(row, "SM504", at, what=what, ref=ref, suggestion=f"; did you mean '{close[0]}'?" if close else "")

    def build_index(self) -> None:
        index = self.index
        self._strangers: dict[str, list[Location]] = {}
        for person in self.data.people.rows:
            assert isinstance(person, Person)
            if person.holds not in self.units:
                self.unknown(person, "department or position", person.holds, self.units, cell(person, "holds"))
            elif person.entity in index.holds or person.entity in self.units:
                self.reject(person, "SM506", person.at, what=f"person '{person.entity}'", first="an earlier row")
            else:
                index.holds[person.entity] = person.holds
                index.used.add(id(person))
        for unit in self.units:
            index.holds.setdefault(unit, unit)
        for row in self.data.actuals.rows:
            assert isinstance(row, Actual)
            if self._entity_ok(row) and self._kpi_ok(row, row.kpi) and self._period_ok(row, row.kpi):
                value = self._value_for(row)
                if value is None:
                    continue
                if value is not row.value:
                    read_as = Actual(row.entity, row.kpi, row.period, value, row.at, row.cells)
                    index.became[id(row)] = id(read_as)
                    row = read_as
                key = (row.entity, row.kpi, row.period)
                if key in index.actuals:
                    first = index.actuals[key].at
                    self.reject(
                        row,
                        "SM506",
                        row.at,
                        what=f"actual of {row.kpi} for {row.entity} in {row.period}",
                        first=f"{first.file}:{first.line}",
                    )
                else:
                    index.actuals[key] = row
                    index.entities.setdefault(row.entity)
        seen_ratings: dict[tuple[str, str, str, str, str], Location] = {}
        roles = self._rater_roles()
        for rating in self.data.ratings.rows:
            assert isinstance(rating, Rating)
            if self._entity_ok(rating) and self._kpi_ok(rating, rating.kpi) and self._period_ok(rating, rating.kpi):
                declared = roles.get(rating.kpi)
                if declared is not None and rating.rater not in declared:
                    self.unknown(rating, f"rater role for {rating.kpi}", rating.rater, declared, cell(rating, "rater"))
                    continue
                # several raters of one role (peers) are told apart by rater_id; a repeat is a duplicate
                key5 = (rating.entity, rating.kpi, rating.period, rating.rater, rating.rater_id or "")
                if rating.rater_id is not None and key5 in seen_ratings:
                    first = seen_ratings[key5]
                    self.reject(
                        rating,
                        "SM506",
                        rating.at,
                        what=f"rating by {rating.rater} {rating.rater_id}",
                        first=f"{first.file}:{first.line}",
                    )
                else:
                    seen_ratings.setdefault(key5, rating.at)
                    index.ratings[(rating.entity, rating.kpi, rating.period)].append(rating)
                    index.entities.setdefault(rating.entity)
        for event in self.data.events.rows:
            assert isinstance(event, Event)
            if not self._entity_ok(event):
                continue
            if event.event not in self.events_known:
                self.unknown(event, "event type", event.event, self.events_known, cell(event, "event"))
                continue
            index.events[(event.entity, event.event)].append(event)
            index.entities.setdefault(event.entity)
        for base in self.data.bonus_base.rows:
            assert isinstance(base, BonusBase)
            if self._entity_ok(base):
                if (base.entity, base.period) in index.bonus_base:
                    self.reject(
                        base,
                        "SM506",
                        base.at,
                        what=f"bonus base of {base.entity} in {base.period}",
                        first="an earlier row",
                    )
                else:
                    index.bonus_base[(base.entity, base.period)] = base
        for entity in index.holds:
            if entity not in self.units:
                index.entities.setdefault(entity)
        self._strangers_said()
        self.measures = Measures(self.strategy, index.actuals, index.holds)

    def _value_for(self, row: Actual) -> Decimal | None:
        """The row's value as a number for its KPI: a yes/no KPI takes yes/no (or 1/0)."""
        yes_no_kpi = self.kpis[row.kpi].direction == "yes_no"
        if isinstance(row.value, str):
            answer = yes_no(row.value)
            if yes_no_kpi and answer is not None:
                return Decimal(1) if answer else Decimal(0)
            problem = f"'{row.value}' is a yes/no answer; KPI '{row.kpi}' takes a number"
        elif yes_no_kpi and row.value not in (0, 1):
            problem = f"KPI '{row.kpi}' is yes/no: write yes or no (or 1 or 0), not {row.value}"
        else:
            return row.value
        self.reject(row, "SM503", row.at, column="value", problem=problem)
        return None

    def _rater_roles(self) -> dict[str, set[str]]:
        """KPI -> the rater roles its rated items declare (a KPI without declared raters: any)."""
        roles: dict[str, set[str]] = {}
        for card in self.strategy.scorecards:
            for item in card.items:
                if item.scoring.policy == "rating" and item.scoring.raters:
                    roles.setdefault(item.kpi, set()).update(r.role for r in item.scoring.raters)
        return roles

    def _entity_ok(self, row: Any) -> bool:
        if row.entity in self.index.holds or row.entity in self.units:
            return True
        self.index.rejected.add(id(row))  # said by _strangers_said, once per entity
        self._strangers.setdefault(row.entity, []).append(cell(row, "entity"))
        return False

    def _strangers_said(self) -> None:
        """SM505 for the rows that name unknown entities: once per entity, with the count of
        its rows; without a people table, once in all (the data name people, most likely)."""
        strangers = self._strangers
        if not strangers:
            return
        rows = sum(len(at) for at in strangers.values())
        people = self.data.people
        if not people.rows and (not people.source or any(d.code in TABLE_PROBLEMS for d in people.problems)):
            first, at = next(iter(strangers.items()))
            names = ", ".join(list(strangers)[:5]) + (", ..." if len(strangers) > 5 else "")
            if people.source:  # given, but it could not be read: said above
                why = f"the people table {people.source} could not be read (see above)"
                why_zh = f"人员表 {people.source} 无法读取(见上文)"
            else:
                why = "no people table was given: if these are people, pass it (--people FILE, columns entity, holds)"
                why_zh = "未提供人员表:若这些是人员,请提供人员表(--people FILE,列 entity、holds)"
            more = f" (so are {rows - 1} more rows, naming {len(strangers)} entities: {names}); {why}"
            more_zh = f"(另有 {rows - 1} 行同样如此,共 {len(strangers)} 个对象:{names});{why_zh}"
            self.diagnostics.append(Diagnostic.make("SM505", at[0], entity=first, more=more, more_zh=more_zh))
            return
        for entity, at in strangers.items():
            more = f" (and {len(at) - 1} more rows of it)" if len(at) > 1 else ""
            more_zh = f"(另有 {len(at) - 1} 行)" if len(at) > 1 else ""
            self.diagnostics.append(Diagnostic.make("SM505", at[0], entity=entity, more=more, more_zh=more_zh))

    def _kpi_ok(self, row: Any, kpi: str) -> bool:
        if kpi in self.kpis:
            return True
        self.unknown(row, "KPI", kpi, self.kpis, cell(row, "kpi"))
        return False

    def _period_ok(self, row: Any, kpi: str) -> bool:
        p = parse_period(row.period)
        assert p is not None  # the reader checked the form
        if p.kind in self.frequencies[kpi]:
            return True
        self.reject(
            row,
            "SM507",
            cell(row, "period"),
            period=row.period,
            kpi=kpi,
            kinds=", ".join(sorted(self.frequencies[kpi])),
        )
        return False

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
    def actual(self, entity: str, kpi: str, period: Period) -> tuple[Decimal | str | None, list[Actual]]:
        """The value of ``kpi`` for ``period`` (the measures stage) and the rows it read."""
        m = self.measure(entity, kpi, period)
        return m.value, list(m.rows)

    def measure(self, entity: str, kpi: str, period: Period) -> Measure:
        """The measures stage's value of ``kpi``: reported, aggregated, derived or rolled up.

        A reported row of a computed KPI that disagrees with it, or whose KPI refuses
        reported values, is reported (SM516) and left out, once."""
        m = self.measures.get(entity, kpi, period)
        for row, refused in ((m.conflict, False), (m.refused, True)):
            if row is None or id(row) in self.index.rejected:
                continue
            if refused:
                why = f"KPI '{kpi}' is computed ({m.how}) and refuses reported values (reported: refuse)"
            else:
                computed = _trim(m.value) if isinstance(m.value, Decimal) else m.value
                why = f"it differs from the computed {computed} ({m.how})"
            self.reject(row, "SM516", cell(row, "value"), value=str(row.value), kpi=kpi, why=why)
        return m

    def revised(self, card: Scorecard, kpi: str) -> dict[str, Decimal]:
        key = (card.id, kpi)
        found = self._revised.get(key)
        if found is None:
            found = self._revised[key] = revisions_in_force(self.strategy, card, kpi, self.period)
        return found

    def evaluate_card(self, card: Scorecard, entity: str) -> tuple[Result, _Pending]:
        org = self.strategy.organisation
        unit = self.index.holds.get(entity, entity)
        items: list[ItemResult] = []
        missing: list[str] = []
        incomplete = False
        said: list[Diagnostic] = []
        for item in card.items:
            item_result = self.item(card, item, entity)
            if item_result.status in ("missing", "missing_zero", "skipped"):
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
            if item_result.status in ("missing", "unscorable", "partial"):
                incomplete = True
            items.append(item_result)
        months = [i.months for i in items if i.months is not None]
        whole = len(self.period.months())
        short = sorted((i.kpi, i.months) for i in items if i.months is not None and i.months < whole)
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
                    action_zh=in_zh(_PARTIAL_YEAR[card.partial_year]),
                )
            )
        if card.items and len(missing) == len(card.items):  # nothing at all: said once, not per item
            said = [
                Diagnostic.make("SM517", card.where.node, entity=entity, scorecard=card.id, period=self.period.text)
            ]
        self.diagnostics.extend(said)
        counted = [i for i in items if i.status in ("scored", "missing_zero")]
        total_weight = sum((i.weight for i in counted), ZERO)
        base: Decimal | None = None
        if not incomplete and counted and total_weight > 0:
            shares = []
            # point: line sums the published contributions; point: total sums them exactly
            # and rounds only the total (each is shown at the working places)
            kept = item_rounding(org.score_rounding)
            base = ZERO
            for i in items:
                if i.status in ("scored", "missing_zero"):
                    assert i.score is not None
                    share = i.weight / total_weight * HUNDRED
                    contribution = i.score * i.weight / total_weight
                    if org.score_rounding.point == "line":
                        contribution = quantize(contribution, org.score_rounding)
                    base += contribution
                    shares.append(changed(i, share=_trim(share), contribution=kept_at(contribution, kept)))
                else:
                    shares.append(i)
            items = shares
            base = quantize(base, org.score_rounding)
        elif not card.items:
            base = None
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

    def item(self, card: Scorecard, item: Item, entity: str) -> ItemResult:
        kpi = self.kpis[item.kpi]
        anchors = anchors_for(item, self.period.text, self.revised(card, item.kpi))
        weight = self.revised(card, item.kpi).get("weight", item.weight)
        base = ItemResult(
            kpi=item.kpi,
            weight=weight,
            status="scored",
            policy=item.scoring.policy,
            target=anchors.target,
            threshold=anchors.threshold,
            stretch=anchors.stretch,
        )
        revised = revision_records(self.strategy, card, item.kpi, self.period)
        if revised:  # the original value stays visible beside the one in force
            originals = {
                "target": item.target_for(self.period.text),
                "threshold": item.threshold,
                "stretch": item.stretch,
                "weight": item.weight,
            }
            base = changed(
                base,
                revision=SEMICOLON.join(
                    say(
                        "revision",
                        field=r.field,
                        before=originals[r.field],
                        after=r.value,
                        effective=r.effective,
                        why=f"{r.id}: {r.reason}" if r.reason else r.id,
                    )
                    for r in revised
                ),
            )
        rounding = item_rounding(self.strategy.organisation.score_rounding)
        if item.scoring.policy == "rating":
            rows = self.index.ratings.get((entity, item.kpi, self.period.text), [])
            if not rows:
                return self.missing(item, base)
            scored, detail = rated(item.scoring, [(r.rater, r.rating) for r in rows])
            self.index.used.update(id(r) for r in rows)
            base = changed(base, inputs=tuple(detail))
            actual: Decimal | str | None = None
        else:
            measured = self.measure(entity, item.kpi, self.period)
            actual = measured.value
            if measured.how:
                base = changed(base, measured=measured.how)
            self.index.used.update(id(r) for r in measured.rows)  # read, also when they give no value
            if actual is None:
                return self.missing(item, base)
            if self.period.kind != "monthly":  # a period made of months: say how many it read
                covered = measured.short[0] if measured.short else len(self.period.months())
                base = changed(base, months=covered)
                if measured.short and isinstance(actual, Decimal):
                    actual, note = _partial_period(card, kpi, actual, self.period, covered)
                    base = changed(base, measured=measured.how + SEMICOLON + note)
                    if card.partial_year == "refuse":
                        return changed(base, actual=actual, status="partial", rule=note)
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
            return changed(base, actual=actual, status="unscorable", rule=scored.rule, note=scored.problem)
        return changed(
            base,
            actual=actual,
            rule=scored.rule,
            raw=_trim(scored.raw) if scored.raw is not None else None,
            score=kept_at(scored.score, rounding),
        )

    def missing(self, item: Item, base: ItemResult) -> ItemResult:
        if item.missing == "zero":
            return changed(base, status="missing_zero", score=ZERO, rule=say("missing_zero"))
        if item.missing == "skip":
            return changed(base, status="skipped", rule=say("missing_skip"))
        return changed(base, status="missing", rule=say("missing_fail"))

    # ---- gates --------------------------------------------------------------------------
    def gates(self, card: Scorecard, result: Result) -> tuple[Result, _Pending]:
        gates: list[Gate] = []
        score_now = result.score
        entity = result.entity
        deductions: list[dict[str, str]] = []
        if card.deductions and score_now is not None:
            total = ZERO
            for rule in card.deductions.rules:
                count = sum((e.count for e in self.events_in(entity, rule.event)), ZERO)
                if count == 0:
                    continue
                points = rule.points * count
                applied = min(points, rule.max) if rule.max is not None else points
                shown = say("deduction", event=rule.event, count=count, rate=rule.points, points=points)
                if applied != points:
                    shown = say("deduction_capped", shown=shown, max=rule.max)
                deductions.append(
                    {
                        "event": rule.event,
                        "count": str(count),
                        "rate": str(rule.points),
                        "points": str(points),
                        "applied": str(applied),
                        "shown": shown,
                    }
                )
                total += applied
            capped = Text("")
            if card.deductions.cap is not None and total > card.deductions.cap:
                capped = say("deductions_capped", total=total, cap=card.deductions.cap)
                total = card.deductions.cap
            if total > 0:
                after = max(ZERO, score_now - total)
                gates.append(
                    Gate(
                        "deductions",
                        "deductions",
                        say("minus_points", total=total),
                        str(score_now),
                        str(after),
                        SEMICOLON.join(d["shown"] for d in deductions) + capped,
                    )
                )
                score_now = after
        lowest = False
        lowest_by: list[Text] = []  # what forced the lowest grade, for the explanation
        forfeit_period = forfeit_annual = False
        flags: list[str] = []
        lines: list[dict[str, str]] = []
        for line in self.lines_for(result.unit):
            hit, count, amount = self.line_hit(line, entity)
            if not hit:
                continue
            actions = [o.action for o in line.outcome]
            lines.append(
                {
                    "id": line.id,
                    "name": line.name,
                    "count": str(count),
                    "amount": str(amount),
                    "outcome": ", ".join(actions) or "none",
                }
            )
            for outcome in line.outcome:
                if outcome.action == "cap_score" and score_now is not None and outcome.cap is not None:
                    after = min(score_now, outcome.cap)
                    effect = say("capped_at" if after < score_now else "cap_no_change", cap=outcome.cap)
                    gates.append(Gate("high_voltage", line.id, effect, str(score_now), str(after), line.name))
                    score_now = after
                elif outcome.action == "zero_score" and score_now is not None:
                    zero = str(quantize(ZERO, self.strategy.organisation.score_rounding))
                    gates.append(Gate("high_voltage", line.id, say("set_to_zero"), str(score_now), zero, line.name))
                    score_now = ZERO
                elif outcome.action == "lowest_grade":
                    lowest = True
                    lowest_by.append(say("by_line", id=line.id, name=line.name))
                elif outcome.action == "forfeit_period_bonus":
                    forfeit_period = True
                elif outcome.action == "forfeit_annual_bonus":
                    forfeit_annual = True
                elif outcome.action == "investigate":
                    flags.append(f"investigate:{line.id}")
        vetoes: list[dict[str, str]] = []
        veto_factor: Decimal | None = None
        if card.tier == "short_term":
            for ki in card.key_indicators:
                veto = self.veto(card, ki, entity)
                if veto is not None:
                    factor, record, extra_flags = veto
                    vetoes.append(record)
                    flags.extend(extra_flags)
                    if f"lowest_grade:{ki.id}" in extra_flags:
                        lowest = True
                        lowest_by.append(say("by_escalation", id=ki.id, n=record["consecutive"]))
                    if record["escalated"]:
                        gates.append(
                            Gate(
                                "escalation",
                                ki.id,
                                say("escalated", n=record["consecutive"], what=record["escalated"]),
                                None,
                                None,
                                record["reason"],
                            )
                        )
                    veto_factor = factor if veto_factor is None else min(veto_factor, factor)
        if score_now is not None:
            score_now = quantize(
                score_now, self.strategy.organisation.score_rounding
            )  # published at the declared places
        grade = None
        if score_now is not None and card.tier != "major_responsibility":
            grade = self.grade(card, score_now)
            gates.append(
                Gate("grade", "grading", say("grade_is", grade=grade), str(score_now), grade, say("grade_bands"))
            )
            if lowest:
                worst = card.grading.bands[-1].grade
                if worst != grade:
                    gates.append(
                        Gate(
                            "lowest_grade",
                            "lowest_grade",
                            say("grade_forced", grade=worst),
                            grade,
                            worst,
                            SEMICOLON.join(lowest_by),
                        )
                    )
                grade = worst
        updated = changed(
            result,
            score=score_now,
            grade=grade,
            deductions=tuple(deductions),
            high_voltage=tuple(lines),
            vetoes=tuple(vetoes),
            flags=tuple(flags),
            gates=tuple(gates),
        )
        gaps = [v["gap"] for v in vetoes if "gap" in v]
        return updated, _Pending(veto_factor, forfeit_period, forfeit_annual, gaps[0] if gaps else None)

    def events_in(self, entity: str, event: str) -> list[Event]:
        rows = [e for e in self.index.events.get((entity, event), []) if self._in_period(e.period)]
        self.index.used.update(id(e) for e in rows)
        return rows

    def _in_period(self, text: str) -> bool:
        p = parse_period(text)
        return p is not None and self.period.contains(p)

    def lines_for(self, unit: str) -> list[HighVoltageLine]:
        return [
            line
            for c in self.strategy.scorecards
            if c.entity == unit and c.tier == "major_responsibility"
            for line in c.high_voltage_lines
        ]

    def line_hit(self, line: HighVoltageLine, entity: str) -> tuple[bool, Decimal, Decimal]:
        events = self.events_in(entity, line.event) if line.event else []
        count = sum((e.count for e in events), ZERO)
        amount = sum((e.amount for e in events), ZERO)
        names: dict[str, str] = {"count": "number", "amount": "number"}
        values: dict[str, Decimal | None] = {"count": count, "amount": amount}
        if line.kpi:
            names["actual"] = "number"
            actual, rows = self.actual(entity, line.kpi, self.period)
            self.index.used.update(id(r) for r in rows)
            values["actual"] = actual if isinstance(actual, Decimal) else None
        formula = parse_cached(line.when or "count >= 1", tuple(names))
        hit = formula.evaluate({n: values[n] for n in formula.names})
        return hit is True, count, amount

    def veto(self, card: Scorecard, ki: KeyIndicator, entity: str) -> tuple[Decimal, dict[str, str], list[str]] | None:
        item = next((i for i in card.items if i.kpi == ki.kpi), None)
        formula = parse_cached(ki.veto_when, ITEM_NAMES)

        def vetoed(period: Period) -> tuple[bool, Decimal | str | None]:
            actual, rows = self.actual(entity, ki.kpi, period)
            self.index.used.update(id(r) for r in rows)  # the period's own, or one of the run of misses
            in_force = revisions_in_force(self.strategy, card, ki.kpi, period)  # that period's targets
            anchors = anchors_for(item, period.text, in_force) if item else Anchors(None, None, None)
            if not isinstance(actual, Decimal):
                return True, actual  # no actual: the indicator is not shown to be met
            values = {
                "actual": actual,
                "target": anchors.target,
                "threshold": anchors.threshold,
                "stretch": anchors.stretch,
            }
            return formula.evaluate({n: values[n] for n in formula.names}) is True, actual

        hit, actual = vetoed(self.period)
        if not hit:
            return None
        consecutive, p = 1, self.period
        streak = [
            say("streak_actual", period=p.text, actual=actual)
            if actual is not None
            else say("streak_none", period=p.text)
        ]
        gap: Text | None = None
        while consecutive < 36 and ki.escalation:
            p = p.previous()
            if not self._in_history(ki.kpi, p):
                break  # the data go no further back for this KPI
            if not self._reported(entity, ki.kpi, p):
                if ki.missing_period == "error":
                    gap = say("escalation_gap", indicator=ki.id, kpi=ki.kpi, period=p.text)
                    self.diagnostics.append(
                        Diagnostic.make(
                            "SM519", ki.where.node, entity=entity, kpi=ki.kpi, period=p.text, indicator=ki.id
                        )
                    )
                if ki.missing_period != "miss":
                    break
                streak.append(say("streak_miss", period=p.text))
                consecutive += 1
                continue
            fired, earlier = vetoed(p)
            if not fired:
                break
            streak.append(say("streak_actual", period=p.text, actual=earlier))
            consecutive += 1
        factor = ki.bonus_factor
        flags: list[str] = []
        bounds = anchors_for(item, self.period.text, self.revised(card, ki.kpi)) if item else None
        read = [
            f"{name} {value}"
            for name in formula.names
            if name != "actual" and bounds is not None and (value := getattr(bounds, name)) is not None
        ]
        named = (
            say("key_indicator_named", id=ki.id, name=ki.name, kpi=ki.kpi)
            if ki.name
            else say("key_indicator", id=ki.id, kpi=ki.kpi)
        )
        if actual is None:
            reason = say("veto_no_actual", named=named)
        elif read:
            reason = say("veto_actual_with", named=named, actual=actual, condition=ki.veto_when, read=", ".join(read))
        else:
            reason = say("veto_actual", named=named, actual=actual, condition=ki.veto_when)
        run = COMMA.join(reversed(streak))
        if ki.escalation:  # the run it counted, period by period, is part of the reason
            reason = say("with_run", reason=reason, run=run)
        escalated: list[str] = []
        for step in sorted(ki.escalation, key=lambda s: s.consecutive):
            if consecutive >= step.consecutive:
                if step.bonus_factor is not None:
                    factor = step.bonus_factor
                    escalated.append(say("bonus_factor_is", factor=step.bonus_factor))
                flags.extend(f"{o.action}:{ki.id}" for o in step.outcome)
                escalated.extend(o.action for o in step.outcome)
        record = {
            "id": ki.id,
            "kpi": ki.kpi,
            "actual": "" if actual is None else str(actual),
            "condition": ki.veto_when,
            "consecutive": str(consecutive),
            "streak": run,
            "bonus_factor": str(factor),
            "reason": reason,
            "escalated": COMMA.join(escalated),
        }
        if gap is not None:  # the run cannot be counted past it (missing_period: error)
            record["gap"] = gap
        return factor, record, flags

    def _in_history(self, kpi: str, period: Period) -> bool:
        """Whether ``period`` is not before the first the data report ``kpi`` in (for anyone):
        how far back a run of vetoed periods can be counted."""
        first = self._history.get(kpi)
        if first is None:
            starts = [
                p.year * 12 + p.first for key in self.index.actuals if key[1] == kpi if (p := parse_period(key[2]))
            ]
            first = self._history[kpi] = min(starts, default=10**9)
        return period.year * 12 + period.first >= first

    def _reported(self, entity: str, kpi: str, period: Period) -> bool:
        return (entity, kpi, period.text) in self.index.actuals

    def grade(self, card: Scorecard, value: Decimal) -> str:
        for band in card.grading.bands:
            if band.min is None or value >= band.min:
                return band.grade
        return card.grading.bands[-1].grade


#: Bonus factors are published at this many places, rounded half up.
FACTOR_PLACES = 4


def publish_factor(x: Decimal) -> Decimal:
    """A bonus factor as published: 4 places, half up, without trailing zeros (never -0)."""
    out = x.quantize(Decimal(1).scaleb(-FACTOR_PLACES), rounding=ROUND_HALF_UP, context=WIDE)
    return _trim(out.copy_abs() if out.is_zero() else out)


@dataclass(frozen=True)
class _Pending:
    veto_factor: Decimal | None
    forfeit_period: bool
    forfeit_annual: bool
    #: why the bonus cannot be settled (an escalation that cannot be counted), else None
    unsettled: str | None = None


def _trim(x: Decimal) -> Decimal:
    """A readable exact-ish form for explanations (28 digits at most, no exponent noise)."""
    if x == x.to_integral_value():
        return x.quantize(Decimal(1), context=WIDE)
    return x.normalize(WIDE)


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
    results: list[tuple[Result, _Pending, Scorecard]] = []
    for card in ev.cards():
        for entity in ev.entities_on(card):
            result, pending = ev.evaluate_card(card, entity)
            results.append((result, pending, card))
    ranked = _rank_and_distribute(ev, results)
    final = [_unread(ev, _bonus(ev, r, pending, card), card) for r, pending, card in ranked]
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


#: Problems of a whole data table (unreadable, ambiguous, read in a doubtful encoding):
#: said before the problems of rows they cause (unknown entities, unused rows...).
TABLE_PROBLEMS = frozenset({"SM501", "SM502", "SM513", "SM515"})


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
    return changed(r, status="incomplete", gates=(*r.gates, gate))


def _group_key(card: Scorecard, result: Result) -> str:
    by = card.ranking.group_by
    if by == "department":
        return f"department:{result.department}"
    if by == "position":
        return f"position:{result.unit}"
    return f"scorecard:{card.id}"


def _rank_and_distribute(
    ev: _Evaluator, results: Sequence[tuple[Result, _Pending, Scorecard]]
) -> list[tuple[Result, _Pending, Scorecard]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, (r, _, card) in enumerate(results):
        if r.score is not None and card.tier != "major_responsibility":
            groups[_group_key(card, r)].append(i)
    out = list(results)
    for key, members in groups.items():
        card = results[members[0]][2]

        def order(i: int, card: Scorecard = card) -> tuple[Any, ...]:
            r = out[i][0]
            assert r.score is not None
            scores = {it.kpi: it.score for it in r.items}
            ties = tuple(-(scores.get(k) or ZERO) for k in card.ranking.tie_break)
            return (-r.score, *ties, r.entity)

        members.sort(key=order)
        n = len(members)
        for rank, i in enumerate(members, start=1):
            r, pending, c = out[i]
            out[i] = (changed(r, rank=rank, group=key, group_size=n), pending, c)
        if card.distribution:
            _distribute(ev, card, key, members, out)
        for rule in card.rank_rules:
            count = int((Decimal(n) * rule.percent / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            chosen = members[:count] if rule.rank == "top" else members[n - count :] if count else []
            for i in chosen:
                r, pending, c = out[i]
                out[i] = (changed(r, flags=(*r.flags, f"{rule.action}:{rule.rank}_{rule.percent}%")), pending, c)
    return out


def _distribute(
    ev: _Evaluator, card: Scorecard, key: str, members: list[int], out: list[tuple[Result, _Pending, Scorecard]]
) -> None:
    assert card.distribution is not None
    n = len(members)
    grades = [b.grade for b in card.grading.bands]
    mode = card.distribution.mode
    for quota in card.distribution.quotas:
        if quota.grade not in grades:
            continue
        level = grades.index(quota.grade)
        holders = [i for i in members if out[i][0].grade == quota.grade]
        if quota.max is not None:
            allowed = int(Decimal(n) * quota.max / HUNDRED)  # rounded down: never more than the share
            if len(holders) > allowed:
                ev.diagnostics.append(
                    _quota(card, key, quota.grade, len(holders), n, say("at_most", percent=quota.max), mode)
                )
                if mode == "enforce" and level + 1 < len(grades):
                    for i in holders[allowed:]:  # the lowest ranked move down one grade
                        _regrade(out, i, grades[level + 1], say("quota_max", percent=quota.max, grade=quota.grade))
        if quota.min is not None:
            needed = math.ceil(Decimal(n) * quota.min / HUNDRED)
            if len(holders) < needed:
                short = needed - len(holders)
                better = [i for i in members if grades.index(out[i][0].grade or grades[-1]) < level]
                action = None
                if mode == "enforce" and short > len(better):  # moving every better grade down would not do
                    action = say("quota_unmet", short=short, better=len(better))
                limit = say("at_least", percent=quota.min)
                ev.diagnostics.append(_quota(card, key, quota.grade, len(holders), n, limit, mode, action))
                if mode == "enforce" and level > 0 and action is None:
                    for i in better[-short:]:  # the lowest ranked of the better grades move to this one
                        _regrade(out, i, quota.grade, say("quota_min", percent=quota.min, grade=quota.grade))


def _regrade(out: list[tuple[Result, _Pending, Scorecard]], i: int, grade: str, reason: Text) -> None:
    r, pending, card = out[i]
    gate = Gate("distribution", "distribution", say("lowered_to", grade=grade), r.grade, grade, reason)
    out[i] = (changed(r, grade=grade, gates=(*r.gates, gate)), pending, card)


def _quota(
    card: Scorecard, key: str, grade: str, count: int, n: int, limit: Text, mode: str, action: Text | None = None
) -> Diagnostic:
    severity = {"advise": "info", "warn": "warning", "enforce": "warning"}[mode]
    done = action or (say("quota_adjusted") if mode == "enforce" else say("quota_unchanged", mode=mode))
    from stratmap.diagnostics import Severity

    return Diagnostic.make(
        "SM520",
        card.where.node,
        severity=Severity(severity),
        group=key,
        grade=grade,
        count=str(count),
        size=str(n),
        limit=limit,
        limit_zh=in_zh(limit),
        action=done,
        action_zh=in_zh(done),
    )


def _bonus(ev: _Evaluator, r: Result, pending: _Pending, card: Scorecard) -> Result:
    if card.tier == "major_responsibility":
        return r
    if r.score is None:  # nothing to pay on: said, never a blank
        row = ev.index.bonus_base.get((r.entity, r.period))
        if row is not None:
            ev.index.used.add(id(row))  # read: the result it was for has no score
        return changed(r, bonus_missing=say("no_score", status=Text(r.status, label(r.status, "zh"))))
    if pending.unsettled is not None:  # an escalation that cannot be counted (missing_period: error)
        gate = Gate("data", "escalation", say("incomplete"), None, None, pending.unsettled)
        return changed(r, status="incomplete", bonus_missing=pending.unsettled, gates=(*r.gates, gate))
    gates = list(r.gates)
    factor: Decimal | None = None
    rule = ev.rules.get(card.bonus) if card.bonus else None
    if rule is not None:
        found = _factor(rule, r.score, r.grade)
        if found is None:  # missing (e.g. a division by zero) or negative: no bonus is computed
            ev.diagnostics.append(
                Diagnostic.make(
                    "SM511",
                    rule.where.node,
                    entity=r.entity,
                    kpi=rule.id,
                    reason=f"bonus formula {rule.formula} gives no factor of 0 or more at score {r.score}",
                )
            )
            gates.append(
                Gate("bonus_rule", rule.id, say("no_factor"), None, None, say("formula_at_score", score=r.score))
            )
            return changed(r, status="incomplete", gates=tuple(gates))
        factor = publish_factor(found)
        read = say(f"by_{rule.by}_read", grade=r.grade, score=r.score)
        gates.append(Gate("bonus_rule", rule.id, say("factor_is", factor=factor), None, str(factor), read))
    if pending.veto_factor is not None:
        before = factor if factor is not None else Decimal(1)
        factor = publish_factor(before * pending.veto_factor)
        gates.append(
            Gate(
                "veto",
                ",".join(v["id"] for v in r.vetoes),
                say("factor_times", factor=pending.veto_factor) if before != 0 else say("veto_no_change"),
                str(before),
                str(factor),
                SEMICOLON.join(v["reason"] for v in r.vetoes),
            )
        )
    forfeit = pending.forfeit_period or (pending.forfeit_annual and card.tier == "annual")
    if forfeit:
        gates.append(
            Gate(
                "forfeit",
                ",".join(h["id"] for h in r.high_voltage),
                say("forfeited") if factor is None or factor != 0 else say("forfeit_no_change"),
                None if factor is None else str(factor),
                "0",
                say("line_touched"),
            )
        )
        factor = ZERO
    base_row = ev.index.bonus_base.get((r.entity, r.period))
    amount = None
    missing: str | None = None
    if base_row is None and factor is not None:
        table = ev.data.bonus_base
        if "bonus_base" in ev.unread:
            missing = say("base_unread", source=table.source)
        elif table.source:
            missing = say("no_base_row", entity=r.entity, period=r.period)
            at = Location(table.source, 1, 1)
            ev.diagnostics.append(Diagnostic.make("SM518", at, entity=r.entity, period=r.period, scorecard=card.id))
        else:
            missing = say("no_base_table")
    if base_row is not None and factor is not None:
        ev.index.used.add(id(base_row))
        money = ev.strategy.organisation.money_rounding
        amount = base_row.amount * factor
        # each line at the money places, or (point: total) every digit, without trailing zeros
        amount = quantize(amount, money) if money.point == "line" else plain(amount)
        gates.append(
            Gate(
                "bonus",
                "bonus_base",
                say("base_times", base=base_row.amount, factor=factor),
                str(base_row.amount),
                str(amount),
                ev.strategy.organisation.currency,
            )
        )
    return changed(
        r,
        bonus_factor=factor,
        bonus_base=base_row.amount if base_row else None,
        bonus=amount,
        bonus_missing=missing,
        gates=tuple(gates),
    )


def _factor(rule: BonusRule, value: Decimal, grade: str | None) -> Decimal | None:
    """The rule's factor for a score or grade; None when a formula gives no usable factor."""
    if rule.formula:
        f = parse_cached(rule.formula, ("score",)).evaluate({"score": value})
        return f if isinstance(f, Decimal) and f >= 0 else None
    for row in rule.table:
        if rule.by == "grade" and row.grade == grade:
            return row.factor
        if rule.by == "score" and row.min is not None and value >= row.min:
            return row.factor
    return ZERO


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
