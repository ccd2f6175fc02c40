"""The gates of one result: deductions, high-voltage lines, vetoes and their escalation, the grade."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from stratmap.data import Event
from stratmap.diagnostics import Diagnostic
from stratmap.evaluation._index import IndexedData
from stratmap.evaluation._numbers import quantize
from stratmap.evaluation._results import Deduction, Gate, LineHit, Result, Veto
from stratmap.evaluation._scoring import ZERO, Anchors, anchors_for
from stratmap.evaluation._words import COMMA, SEMICOLON, Text, say
from stratmap.formula import ITEM_NAMES, parse_cached
from stratmap.model.revisions import revisions_in_force
from stratmap.model.scorecard import HighVoltageLine, KeyIndicator, Scorecard
from stratmap.periods import Period, parse_period


@dataclass(frozen=True)
class Pending:
    veto_factor: Decimal | None
    forfeit_period: bool
    forfeit_annual: bool
    #: why the bonus cannot be settled (an escalation that cannot be counted), else None
    unsettled: str | None = None


class Gates(IndexedData):
    """The gates of a result, over the indexed data."""

    def gates(self, card: Scorecard, result: Result) -> tuple[Result, Pending]:
        gates: list[Gate] = []
        score_now = result.score
        entity = result.entity
        deductions: list[Deduction] = []
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
                deductions.append(Deduction(rule.event, count, rule.points, points, applied, shown))
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
                        SEMICOLON.join(d.shown for d in deductions) + capped,
                    )
                )
                score_now = after
        lowest = False
        lowest_by: list[Text] = []  # what forced the lowest grade, for the explanation
        forfeit_period = forfeit_annual = False
        flags: list[str] = []
        lines: list[LineHit] = []
        for line in self.lines_for(result.unit):
            hit, count, amount = self.line_hit(line, entity)
            if not hit:
                continue
            lines.append(LineHit(line.id, line.name, count, amount, tuple(o.action for o in line.outcome)))
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
        vetoes: list[Veto] = []
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
                        lowest_by.append(say("by_escalation", id=ki.id, n=record.consecutive))
                    if record.escalated:
                        gates.append(
                            Gate(
                                "escalation",
                                ki.id,
                                say("escalated", n=record.consecutive, what=record.escalated),
                                None,
                                None,
                                record.reason,
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
        updated = replace(
            result,
            score=score_now,
            grade=grade,
            deductions=tuple(deductions),
            high_voltage=tuple(lines),
            vetoes=tuple(vetoes),
            flags=tuple(flags),
            gates=tuple(gates),
        )
        gaps = [v.gap for v in vetoes if v.gap is not None]
        return updated, Pending(veto_factor, forfeit_period, forfeit_annual, gaps[0] if gaps else None)

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

    def veto(self, card: Scorecard, ki: KeyIndicator, entity: str) -> tuple[Decimal, Veto, list[str]] | None:
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
        # a gap: the run cannot be counted past it (missing_period: error)
        record = Veto(ki.id, ki.kpi, actual, ki.veto_when, consecutive, run, factor, reason, COMMA.join(escalated), gap)
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
