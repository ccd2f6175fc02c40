"""The checks that run after the schema, one module per family of codes, in two kinds.

``document_rules()`` lists the rules over the loaded files: plain functions of
:class:`~stratmap.rules.documents.Documents` that yield located diagnostics. Those over each
file run on every file read (also files no strategy includes); those over a strategy run on
each strategy's files. Their codes are many per rule (SM2xx, SM4xx), so they make their own.

``model_rules()`` gives the one list of model rules: each is a plain function of the cascade
graph's :class:`~stratmap.rules.registry.Context` that yields findings, paired here with the
code it reports; the engine (:mod:`stratmap.rules.engine`) stamps that code and its severity,
applies the organisation's overrides and the nodes' suppressions. The list's order is the
order the rules run in. ``result_rules()`` lists the rules over a period's results (the
gaps its evaluation found): the review runs them, and ``validate`` given the period's data.
The engine treats them as it treats the model rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterable

    from stratmap.diagnostics import Diagnostic
    from stratmap.model import Strategy
    from stratmap.rules.documents import DocumentRules
    from stratmap.rules.engine import ModelCheck
    from stratmap.rules.registry import Gap, ResultRule, Rule


def document_rules() -> DocumentRules:
    """Every document rule: the codes it reports, what it reads (``file``: each file read;
    ``strategy``: one strategy's files) and the rule, in the order they run. The formula
    language is imported here, when the documents are checked."""
    from stratmap.rules import dates, formulas, references

    return (
        ("SM124", "file", dates.impossible_dates),
        ("SM2xx", "strategy", references.check_references),
        ("SM4xx", "strategy", formulas.check_formulas),
    )


def run_model_rules(strategy: Strategy, *, as_of: datetime.date | None = None) -> ModelCheck:
    """Build the cascade graph of ``strategy`` and run every model rule over it: the graph and
    the findings (each with the entry it is about), as ``stratmap graph`` draws them.

    ``as_of`` is the date open plan actions are judged overdue against (SM361); without it
    overdue actions are not reported, so that a check gives the same answer every day.
    """
    from stratmap.rules import engine

    return engine.run(strategy, model_rules(), as_of=as_of, later=(code for code, _ in result_rules()))


def check_model(strategy: Strategy, *, as_of: datetime.date | None = None) -> list[Diagnostic]:
    """Every finding of the model rules on ``strategy``, configured and suppressed."""
    return run_model_rules(strategy, as_of=as_of).diagnostics


def check_results(strategy: Strategy, gaps: Iterable[Gap]) -> list[Diagnostic]:
    """Every finding of the result rules on the gaps of a period's results, configured and
    suppressed (a suppression on the scorecard item, its KPI or its scorecard silences one)."""
    from stratmap.rules import engine

    return engine.run_results(strategy, result_rules(), gaps)


def result_rules() -> tuple[tuple[str, ResultRule], ...]:
    """Every result rule and the code it reports, in the order they run."""
    from stratmap.rules import plans

    return (("SM364", plans.gap_without_action),)


def model_rules() -> tuple[tuple[str, Rule], ...]:
    """Every model rule and the code it reports, in the order they run (the families are
    imported here, when the model is checked: reading and the schema never load the graph)."""
    from stratmap.rules import analysis, anchors, cascade, gates, pay, plans

    return (
        ("SM350", analysis.unanswered_problem),
        ("SM351", analysis.problem_holds_back_nothing),
        ("SM353", analysis.driver_without_analysis),
        ("SM354", analysis.answers_solved_problem),
        ("SM301", cascade.unserved_driver),
        ("SM302", cascade.purpose_serves_nothing),
        ("SM303", cascade.unmeasured_driver),
        ("SM304", cascade.kpi_without_driver),
        ("SM305", cascade.entity_without_scorecard),
        ("SM306", cascade.weights_total),
        ("SM307", cascade.short_term_without_veto),
        ("SM308", cascade.veto_out_of_scope),
        ("SM309", cascade.line_without_outcome),
        ("SM310", cascade.cycles),
        ("SM311", cascade.under_cascaded),
        ("SM312", cascade.cascade_mismatch),
        ("SM313", cascade.opposite_directions),
        ("SM314", cascade.declared_conflicts),
        ("SM315", cascade.smart_incomplete),
        ("SM316", cascade.too_many_items),
        ("SM317", cascade.bad_split),
        ("SM318", cascade.band_gaps_and_overlaps),
        ("SM320", pay.table_order),
        ("SM321", pay.duplicate_grades),
        ("SM322", pay.contradictory_quotas),
        ("SM323", pay.bonus_rule_gaps),
        ("SM324", anchors.anchor_order),
        ("SM325", anchors.policy_against_direction),
        ("SM326", gates.absent_anchor),
        ("SM327", gates.veto_frequency),
        ("SM328", gates.revision_breaks_card),
        ("SM329", gates.unused_period_targets),
        ("SM330", gates.outcome_cannot_act),
        ("SM361", plans.overdue_action),
        ("SM362", plans.revision_without_reason_or_approver),
        ("SM363", plans.revision_of_a_closed_period),
        ("SM365", plans.plan_for_unassessed_kpi),
    )
