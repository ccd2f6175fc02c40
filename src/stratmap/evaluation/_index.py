"""The period's data checked against the strategy and indexed for lookups: unknown entities,
KPIs, periods, raters and events rejected and said, duplicates refused, each row located."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stratmap.data import Actual, BonusBase, Dataset, Event, Person, Rating, cell
from stratmap.diagnostics import Diagnostic, Location, Severity
from stratmap.evaluation._measures import Measure, Measures
from stratmap.evaluation._numbers import trim
from stratmap.evaluation._scoring import yes_no
from stratmap.formula import parse_cached
from stratmap.i18n import Text
from stratmap.model import Strategy
from stratmap.model.revisions import revisions_in_force
from stratmap.model.scorecard import BonusRule, Scorecard
from stratmap.model.types import Department, Kpi, Position
from stratmap.periods import Period, parse_period
from stratmap.tiers import Tier

#: Problems of a whole data table (unreadable, ambiguous, read in a doubtful encoding):
#: said before the problems of rows they cause (unknown entities, unused rows...).
TABLE_PROBLEMS = frozenset({"SM501", "SM502", "SM513", "SM515"})


@dataclass
class Index:
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


class IndexedData:
    """The strategy's lookups and the period's data, checked and indexed (:meth:`build_index`)."""

    def __init__(self, strategy: Strategy, data: Dataset, period: Period, tier: Tier) -> None:
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
        self.index = Index()
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
                rating_key = (rating.entity, rating.kpi, rating.period, rating.rater, rating.rater_id or "")
                if rating.rater_id is not None and rating_key in seen_ratings:
                    first = seen_ratings[rating_key]
                    self.reject(
                        rating,
                        "SM506",
                        rating.at,
                        what=f"rating by {rating.rater} {rating.rater_id}",
                        first=f"{first.file}:{first.line}",
                    )
                else:
                    seen_ratings.setdefault(rating_key, rating.at)
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
            self.diagnostics.append(Diagnostic.make("SM505", at[0], entity=first, more=Text(more, more_zh)))
            return
        for entity, at in strangers.items():
            more = f" (and {len(at) - 1} more rows of it)" if len(at) > 1 else ""
            more_zh = f"(另有 {len(at) - 1} 行)" if len(at) > 1 else ""
            self.diagnostics.append(Diagnostic.make("SM505", at[0], entity=entity, more=Text(more, more_zh)))

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

    # ---- lookups ------------------------------------------------------------------------
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
                computed = trim(m.value) if isinstance(m.value, Decimal) else m.value
                why = f"it differs from the computed {computed} ({m.how})"
            self.reject(row, "SM516", cell(row, "value"), value=str(row.value), kpi=kpi, why=why)
        return m

    def revised(self, card: Scorecard, kpi: str) -> dict[str, Decimal]:
        key = (card.id, kpi)
        found = self._revised.get(key)
        if found is None:
            found = self._revised[key] = revisions_in_force(self.strategy, card, kpi, self.period)
        return found
