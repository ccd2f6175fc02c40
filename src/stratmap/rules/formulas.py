"""SM40x: every formula in a strategy's files, parsed and checked where it stands.

Runs on the located documents, beside the reference checks, so that a formula's
problem is reported at its ``file:line:col`` (pointing inside the formula when it is
written on one line) together with every other problem of the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from stratmap.diagnostics import Diagnostic, Location
from stratmap.formula import ITEM_NAMES, FormulaError, Kind, parse
from stratmap.formula._tree import MAX_LENGTH
from stratmap.i18n import Text
from stratmap.load.document import LocatedDocument, Path
from stratmap.rules.documents import Documents
from stratmap.rules.references import walk

Names = Sequence[str] | Mapping[str, Kind]


def _formulas(data: dict[str, Any], kpi_ids: Names) -> Iterator[tuple[Path, str, Names, Kind]]:
    """(path, text, names, kind) of every formula in one document."""
    for path, kpi, _ in walk(data, ("kpis", "*")):
        if isinstance(kpi, dict) and isinstance(kpi.get("formula"), str):
            # its own id too: reading it is a cycle, reported as such by the cascade (SM310)
            yield (*path, "formula"), kpi["formula"], kpi_ids, "number"
    for path, card, _ in walk(data, ("scorecards", "*")):
        if not isinstance(card, dict):
            continue
        for ipath, item, _ in walk(card, ("items", "*"), path):
            scoring = item.get("scoring") if isinstance(item, dict) else None
            if isinstance(scoring, dict) and isinstance(scoring.get("formula"), str):
                yield (*ipath, "scoring", "formula"), scoring["formula"], ITEM_NAMES, "number"
        for kpath, ki, _ in walk(card, ("key_indicators", "*"), path):
            if isinstance(ki, dict) and isinstance(ki.get("veto_when"), str):
                yield (*kpath, "veto_when"), ki["veto_when"], ITEM_NAMES, "condition"
        for hpath, line, _ in walk(card, ("high_voltage_lines", "*"), path):
            if isinstance(line, dict) and isinstance(line.get("when"), str):
                names = ("count", "amount", "actual") if "kpi" in line else ("count", "amount")
                yield (*hpath, "when"), line["when"], names, "condition"
    for path, rule, _ in walk(data, ("bonus_rules", "*")):
        if isinstance(rule, dict) and isinstance(rule.get("formula"), str):
            yield (*path, "formula"), rule["formula"], ("score",), "number"


def _named_by_name(
    args: tuple[tuple[str, Any], ...], word: str, kpi: str | None, names: Names
) -> tuple[tuple[str, Any], ...]:
    """A KPI's name written where a formula names it: say its id, or what this formula reads."""
    if kpi is None:
        return args
    if kpi in names:
        detail = f"'{word}' is the name of KPI '{kpi}'; a formula names it by its id: write {kpi}"
        detail_zh = f"“{word}”是 KPI“{kpi}”的名称;公式用标识符引用它:请写 {kpi}"
    else:
        reads = ", ".join(names)
        detail = f"'{word}' is the name of KPI '{kpi}'; this formula reads {reads}, where actual is its KPI's value"
        detail_zh = f"“{word}”是 KPI“{kpi}”的名称;此处公式读取 {reads},其中 actual 即其 KPI 的实际值"
    return tuple(sorted({**dict(args), "detail": Text(detail, detail_zh)}.items()))


def _inside(doc: LocatedDocument, path: Path, text: str, column: int, end_column: int) -> Location:
    """The file position of a column inside a formula: exact when the scalar is on one
    line without escapes (plain or quoted), else the start of the scalar."""
    span = doc.span(path)
    if span is None:
        return doc.locate(path, key=False)
    line, col, end_line, end_col = span
    if line == end_line and column:
        width = end_col - col
        offset = 0 if width == len(text) else 1 if width == len(text) + 2 else None
        if offset is not None:
            return Location(doc.file, line, col + offset + column - 1, line, col + offset + end_column - 1, path)
    return Location(doc.file, line, col, end_line, end_col, path)


def check_formulas(docs: Documents) -> list[Diagnostic]:
    """Parse every formula of one strategy against the names available where it stands."""
    documents = docs.files
    kpi_ids: dict[str, Kind] = {}
    by_name: dict[str, str] = {}  # a KPI's name -> its id, for a name written where its id belongs
    for doc in documents:
        for _, kpi, _ in walk(doc.data or {}, ("kpis", "*")):
            if isinstance(kpi, dict) and isinstance(kpi.get("id"), str):
                kpi_ids[kpi["id"]] = "number"
                if isinstance(kpi.get("name"), str):
                    by_name.setdefault(kpi["name"], kpi["id"])
    out: list[Diagnostic] = []
    for doc in documents:
        if doc.data is None:
            continue
        for path, text, names, kind in _formulas(doc.data, kpi_ids):
            if doc.is_flagged(path) or len(text) > MAX_LENGTH:
                continue  # the schema reports a formula that is too long (SM125)
            try:
                parse(text, names=names, expect=kind)
            except FormulaError as err:
                d = err.diagnostic
                word = text[err.column - 1 : err.end_column - 1] if err.column else ""
                args = _named_by_name(d.args, word, by_name.get(word), names) if d.code == "SM401" else d.args
                out.append(Diagnostic(d.code, _inside(doc, path, text, err.column, err.end_column), args, d.severity))
    return out
