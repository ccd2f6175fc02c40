"""Build the immutable model from schema-checked documents.

The documents given here have passed the schema, so shapes are trusted; the model
fills in the format's defaults and turns numbers into exact Decimals.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from stratmap.load.document import LocatedDocument
from stratmap.model import scorecard as sc
from stratmap.model import strategy as st
from stratmap.model import types as t

Path = tuple[str | int, ...]
Raw = Mapping[str, Any]


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(int(value))


def _opt_dec(value: Any) -> Decimal | None:
    return None if value is None else _dec(value)


def _opt_str(value: Any) -> str | None:
    """Periods may be written as bare years (2026); the model always holds text."""
    return None if value is None else str(value)


def _date(value: Any) -> datetime.date | None:
    """A date field; the schema and the calendar check have vouched for its form."""
    return None if value is None else datetime.date.fromisoformat(value)


#: The one empty mapping every object without its own shares (most of them).
_NO_DECIMALS: Mapping[str, Decimal] = MappingProxyType({})


def _decimals(raw: Mapping[str, Any] | None) -> Mapping[str, Decimal]:
    """A read-only mapping of decimals (shared when empty: thousands of objects have none)."""
    return MappingProxyType({k: _dec(v) for k, v in raw.items()}) if raw else _NO_DECIMALS


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


class _Ctx:
    def __init__(self, doc: LocatedDocument) -> None:
        self.doc = doc

    def where(self, path: Path) -> t.Where:
        return t.Where(self.doc.locate_mapping(path), self.doc.locate, path)

    def suppress(self, raw: Raw, path: Path) -> tuple[t.Suppression, ...]:
        if "suppress" not in raw:  # nearly every object: no locations to look up
            return ()
        return tuple(
            t.Suppression(s["code"], s.get("reason"), self.doc.locate((*path, "suppress", i), key=False))
            for i, s in enumerate(raw.get("suppress") or ())
        )

    # -- sections -------------------------------------------------------------------
    def organisation(self, raw: Raw) -> t.Organisation:
        rounding = raw.get("rounding") or {}
        score = rounding.get("score") or {}
        money = rounding.get("money") or {}
        return t.Organisation(
            id=raw["id"],
            name=raw["name"],
            where=self.where(("organisation",)),
            description=raw.get("description"),
            currency=raw.get("currency", "CNY"),
            fiscal_year_start=raw.get("fiscal_year_start", 1),
            score_rounding=t.Rounding(score.get("places", 2), score.get("mode", "half_up"), score.get("point", "line")),
            money_rounding=t.Rounding(money.get("places", 2), money.get("mode", "half_up"), money.get("point", "line")),
            severity=MappingProxyType(dict(raw.get("severity") or {})),
            max_items=raw.get("max_items", 10),
        )

    def analysis(self, raw: Raw) -> t.Analysis:
        def step(s: Raw) -> t.AnalysisStep:
            sources = tuple(t.Source(x["title"], x.get("url"), _date(x.get("date"))) for x in s.get("sources") or ())
            return t.AnalysisStep(s["summary"], sources)

        return t.Analysis(
            step(raw["industry"]),
            step(raw["company"]),
            self.where(("analysis",)),
            _date(raw.get("date")),
            raw.get("notes"),
        )

    def driver(self, raw: Raw, path: Path) -> t.Driver:
        return t.Driver(
            raw["id"],
            raw["name"],
            self.where(path),
            raw.get("description"),
            raw.get("rationale"),
            self.suppress(raw, path),
        )

    def problem(self, raw: Raw, path: Path) -> t.Problem:
        evidence = raw.get("evidence") or {}
        figures = tuple(
            t.Figure(f["label"], _dec(f["value"]), f.get("unit"), _opt_str(f.get("period")))
            for f in evidence.get("figures") or ()
        )
        return t.Problem(
            id=raw["id"],
            statement=raw["statement"],
            where=self.where(path),
            evidence=evidence.get("text"),
            figures=figures,
            holds_back=_ids(raw.get("holds_back")),
            shows_in=_ids(raw.get("shows_in")),
            status=raw.get("status", "open"),
            suppress=self.suppress(raw, path),
        )

    def purposes(self, raw: Raw, path: Path, owner: str) -> tuple[t.Purpose, ...]:
        return tuple(
            t.Purpose(
                p["id"],
                p["statement"],
                owner,
                self.where((*path, "purposes", i)),
                _ids(p.get("serves")),
                self.suppress(p, (*path, "purposes", i)),
            )
            for i, p in enumerate(raw.get("purposes") or ())
        )

    def department(self, raw: Raw, path: Path) -> t.Department:
        return t.Department(
            raw["id"],
            raw["name"],
            self.where(path),
            raw.get("parent"),
            raw.get("description"),
            self.purposes(raw, path, raw["id"]),
            self.suppress(raw, path),
        )

    def position(self, raw: Raw, path: Path) -> t.Position:
        return t.Position(
            raw["id"],
            raw["name"],
            raw["department"],
            self.where(path),
            raw.get("reports_to"),
            raw.get("description"),
            self.purposes(raw, path, raw["id"]),
            headcount=raw.get("headcount"),
            suppress=self.suppress(raw, path),
        )

    def kpi(self, raw: Raw, path: Path) -> t.Kpi:
        return t.Kpi(
            id=raw["id"],
            name=raw["name"],
            owner=raw["owner"],
            where=self.where(path),
            description=raw.get("description"),
            unit=raw.get("unit"),
            direction=raw.get("direction", "higher_is_better"),
            frequency=raw.get("frequency", "monthly"),
            aggregation=raw.get("aggregation", "mean"),
            serves=_ids(raw.get("serves")),
            answers=_ids(raw.get("answers")),
            split=_decimals(raw.get("split")),
            formula=raw.get("formula"),
            parent=raw.get("parent"),
            link=raw.get("link", "aligns"),
            reported=raw.get("reported", "check"),
            roll_up=raw.get("roll_up", "sum"),
            conflicts_with=_ids(raw.get("conflicts_with")),
            suppress=self.suppress(raw, path),
        )

    def scoring(self, raw: Raw | None) -> sc.Scoring:
        if not raw:
            return sc.Scoring()
        kw: dict[str, Any] = {"policy": raw["policy"]}
        for key in ("cap", "floor", "below_threshold", "tolerance", "penalty", "met", "not_met", "yes", "no"):
            if key in raw:
                kw[key] = _dec(raw[key])
        scores = raw.get("scores") or {}
        for anchor in ("threshold", "target", "stretch"):
            if anchor in scores:
                kw[f"{anchor}_score"] = _dec(scores[anchor])
        if "bands" in raw:
            kw["bands"] = tuple(
                sc.ScoreBand(_dec(b["score"]), _opt_dec(b.get("from")), _opt_dec(b.get("to"))) for b in raw["bands"]
            )
        if "scale" in raw:
            kw["scale"] = MappingProxyType({k: _dec(v) for k, v in raw["scale"].items()})
        if "raters" in raw:
            kw["raters"] = tuple(sc.Rater(r["role"], _dec(r["weight"])) for r in raw["raters"])
        if "formula" in raw:
            kw["formula"] = raw["formula"]
        return sc.Scoring(**kw)

    def outcomes(self, raw: Sequence[Raw] | None) -> tuple[sc.Outcome, ...]:
        return tuple(sc.Outcome(o["action"], _opt_dec(o.get("cap")), o.get("note")) for o in raw or ())

    def scorecard(self, raw: Raw, path: Path) -> sc.Scorecard:
        items = tuple(
            sc.Item(
                kpi=it["kpi"],
                weight=_dec(it["weight"]),
                where=self.where((*path, "items", i)),
                target=_opt_dec(it.get("target")),
                threshold=_opt_dec(it.get("threshold")),
                stretch=_opt_dec(it.get("stretch")),
                targets=_decimals(it.get("targets")),
                scoring=self.scoring(it.get("scoring")),
                missing=it.get("missing", "fail"),
                suppress=self.suppress(it, (*path, "items", i)),
            )
            for i, it in enumerate(raw.get("items") or ())
        )
        vetoes = tuple(
            sc.KeyIndicator(
                id=k["id"],
                kpi=k["kpi"],
                veto_when=k["veto_when"],
                where=self.where((*path, "key_indicators", i)),
                name=k.get("name"),
                bonus_factor=_dec(k.get("bonus_factor", 0)),
                escalation=tuple(
                    sc.Escalation(e["consecutive"], _opt_dec(e.get("bonus_factor")), self.outcomes(e.get("outcome")))
                    for e in k.get("escalation") or ()
                ),
                missing_period=k.get("missing_period", "miss"),
                suppress=self.suppress(k, (*path, "key_indicators", i)),
            )
            for i, k in enumerate(raw.get("key_indicators") or ())
        )
        lines = tuple(
            sc.HighVoltageLine(
                id=h["id"],
                name=h["name"],
                where=self.where((*path, "high_voltage_lines", i)),
                description=h.get("description"),
                event=h.get("event"),
                kpi=h.get("kpi"),
                when=h.get("when", "count >= 1" if h.get("event") else None),
                outcome=self.outcomes(h.get("outcome")),
                suppress=self.suppress(h, (*path, "high_voltage_lines", i)),
            )
            for i, h in enumerate(raw.get("high_voltage_lines") or ())
        )
        ded = raw.get("deductions")
        deductions = (
            sc.Deductions(
                tuple(
                    sc.DeductionRule(r["event"], _dec(r["points"]), _opt_dec(r.get("max")), r.get("note"))
                    for r in ded["rules"]
                ),
                _opt_dec(ded.get("cap")),
            )
            if ded
            else None
        )
        grading = (
            sc.Grading(tuple(sc.GradeBand(b["grade"], _opt_dec(b.get("min"))) for b in raw["grading"]["bands"]))
            if raw.get("grading")
            else sc.Grading()
        )
        rk = raw.get("ranking") or {}
        dist = raw.get("distribution")
        distribution = (
            sc.Distribution(
                tuple(sc.Quota(q["grade"], _opt_dec(q.get("max")), _opt_dec(q.get("min"))) for q in dist["quotas"]),
                dist.get("mode", "warn"),
            )
            if dist
            else None
        )
        return sc.Scorecard(
            id=raw["id"],
            entity=raw["for"],
            tier=raw["tier"],
            where=self.where(path),
            name=raw.get("name"),
            frequency=raw.get("frequency"),
            weight_policy=raw.get("weight_policy", "must_total_100"),
            partial_year=raw.get("partial_year", "refuse"),
            items=items,
            key_indicators=vetoes,
            deductions=deductions,
            high_voltage_lines=lines,
            grading=grading,
            ranking=sc.Ranking(rk.get("group_by", "scorecard"), _ids(rk.get("tie_break"))),
            distribution=distribution,
            rank_rules=tuple(
                sc.RankRule(r["rank"], _dec(r["percent"]), r["action"], r.get("note"))
                for r in raw.get("rank_rules") or ()
            ),
            bonus=raw.get("bonus"),
            suppress=self.suppress(raw, path),
        )

    def bonus_rule(self, raw: Raw, path: Path) -> sc.BonusRule:
        return sc.BonusRule(
            id=raw["id"],
            by=raw["by"],
            where=self.where(path),
            name=raw.get("name"),
            table=tuple(
                sc.BonusRow(_dec(r["factor"]), r.get("grade"), _opt_dec(r.get("min"))) for r in raw.get("table") or ()
            ),
            formula=raw.get("formula"),
            suppress=self.suppress(raw, path),
        )

    def plan(self, raw: Raw, path: Path) -> t.Plan:
        return t.Plan(
            id=raw["id"],
            entity=raw["for"],
            kpi=raw["kpi"],
            period=str(raw["period"]),
            where=self.where(path),
            goal=raw.get("goal"),
            actions=tuple(
                t.Action(a["what"], a.get("owner"), _date(a.get("due")), a.get("status", "open"))
                for a in raw.get("actions") or ()
            ),
            root_cause=tuple(raw.get("root_cause") or ()),
            answers=_ids(raw.get("answers")),
            suppress=self.suppress(raw, path),
        )

    def revision(self, raw: Raw, path: Path) -> t.Revision:
        return t.Revision(
            id=raw["id"],
            scorecard=raw["scorecard"],
            kpi=raw["kpi"],
            field=raw["field"],
            value=_dec(raw["value"]),
            effective=str(raw["effective"]),
            where=self.where(path),
            reason=raw.get("reason"),
            approved_by=raw.get("approved_by"),
            date=_date(raw.get("date")),
            suppress=self.suppress(raw, path),
        )


_LISTS = (
    ("drivers", "driver"),
    ("problems", "problem"),
    ("departments", "department"),
    ("positions", "position"),
    ("kpis", "kpi"),
    ("scorecards", "scorecard"),
    ("bonus_rules", "bonus_rule"),
    ("plans", "plan"),
    ("revisions", "revision"),
)


def build_strategy(documents: Sequence[LocatedDocument]) -> st.Strategy:
    """The model of one strategy from its schema-valid documents, root first.

    The caller guarantees the documents are schema-valid and that exactly one declares
    the organisation (``stratmap.check`` reports otherwise).
    """
    organisation: t.Organisation | None = None
    analysis: t.Analysis | None = None
    lists: dict[str, list[Any]] = {name: [] for name, _ in _LISTS}
    for doc in documents:
        data = doc.data
        if data is None:
            continue
        ctx = _Ctx(doc)
        if "organisation" in data and organisation is None:
            organisation = ctx.organisation(data["organisation"])
        if "analysis" in data and analysis is None:
            analysis = ctx.analysis(data["analysis"])
        for name, method in _LISTS:
            make = getattr(ctx, method)
            for i, raw in enumerate(data.get(name) or ()):
                lists[name].append(make(raw, (name, i)))
    if organisation is None:
        raise ValueError("no document declares the organisation")
    return st.Strategy(
        organisation=organisation,
        files=tuple(d.file for d in documents),
        analysis=analysis,
        drivers=tuple(lists["drivers"]),
        problems=tuple(lists["problems"]),
        departments=tuple(lists["departments"]),
        positions=tuple(lists["positions"]),
        kpis=tuple(lists["kpis"]),
        scorecards=tuple(lists["scorecards"]),
        bonus_rules=tuple(lists["bonus_rules"]),
        plans=tuple(lists["plans"]),
        revisions=tuple(lists["revisions"]),
    )
