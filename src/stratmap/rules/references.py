"""SM2xx: ids and references across all files of one strategy.

Runs on the located documents (not the model) so that it can report every unknown or
duplicated id in one run, even in files the schema found other problems in: it only
looks at values that have the right shape and leaves the rest to the schema.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from stratmap.diagnostics import Diagnostic, Location, Related
from stratmap.i18n import Text
from stratmap.ids import ID
from stratmap.load.document import LocatedDocument, Path
from stratmap.rules.documents import Documents

# (pattern, kind): "*" matches every index of a list.
DECLARATIONS: tuple[tuple[Path, str], ...] = (
    (("organisation",), "organisation"),
    (("drivers", "*"), "driver"),
    (("problems", "*"), "problem"),
    (("departments", "*"), "department"),
    (("departments", "*", "purposes", "*"), "purpose"),
    (("positions", "*"), "position"),
    (("positions", "*", "purposes", "*"), "purpose"),
    (("kpis", "*"), "kpi"),
    (("scorecards", "*"), "scorecard"),
    (("scorecards", "*", "key_indicators", "*"), "key indicator"),
    (("scorecards", "*", "high_voltage_lines", "*"), "high-voltage line"),
    (("bonus_rules", "*"), "bonus rule"),
    (("plans", "*"), "plan"),
    (("revisions", "*"), "revision"),
)

# (pattern of the referring value, allowed kinds); "~" matches every key of a mapping.
REFERENCES: tuple[tuple[Path, tuple[str, ...]], ...] = (
    (("departments", "*", "parent"), ("department",)),
    (("departments", "*", "purposes", "*", "serves", "*"), ("driver",)),
    (("positions", "*", "department"), ("department",)),
    (("positions", "*", "reports_to"), ("position",)),
    (("positions", "*", "purposes", "*", "serves", "*"), ("driver",)),
    (("problems", "*", "holds_back", "*"), ("driver",)),
    (("problems", "*", "shows_in", "*"), ("department",)),
    (("kpis", "*", "owner"), ("department", "position")),
    (("kpis", "*", "serves", "*"), ("purpose", "driver")),
    (("kpis", "*", "answers", "*"), ("problem",)),
    (("kpis", "*", "split", "~"), ("driver",)),
    (("kpis", "*", "parent"), ("kpi",)),
    (("kpis", "*", "conflicts_with", "*"), ("kpi",)),
    (("scorecards", "*", "for"), ("department", "position")),
    (("scorecards", "*", "items", "*", "kpi"), ("kpi",)),
    (("scorecards", "*", "key_indicators", "*", "kpi"), ("kpi",)),
    (("scorecards", "*", "high_voltage_lines", "*", "kpi"), ("kpi",)),
    (("scorecards", "*", "ranking", "tie_break", "*"), ("kpi",)),
    (("scorecards", "*", "bonus"), ("bonus rule",)),
    (("plans", "*", "for"), ("department", "position")),
    (("plans", "*", "kpi"), ("kpi",)),
    (("plans", "*", "answers", "*"), ("problem",)),
    (("revisions", "*", "scorecard"), ("scorecard",)),
    (("revisions", "*", "kpi"), ("kpi",)),
)

ONCE_ONLY = ("organisation", "analysis")

#: The form of an id (the schema's ``id`` pattern).


def walk(data: Any, pattern: Path, prefix: Path = ()) -> Iterator[tuple[Path, Any, bool]]:
    """Yield (path, value, is_key) for every node matching ``pattern``."""
    if not pattern:
        yield prefix, data, False
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from walk(item, rest, (*prefix, i))
    elif head == "~":
        if isinstance(data, dict):
            for key in data:
                yield (*prefix, key), key, True
    elif isinstance(data, dict) and head in data:
        yield from walk(data[head], rest, (*prefix, head))


@dataclass(frozen=True, slots=True)
class _Decl:
    kind: str
    doc: LocatedDocument
    path: Path

    @property
    def location(self) -> Location:
        return self.doc.locate(self.path, key=False)


def _field_name(path: Path, is_key: bool = False) -> str:
    """The key a reference stands under, e.g. ``serves`` for ``kpis[2].serves[0]``
    (``split`` for a key of ``kpis[2].split``)."""
    names = [str(p) for p in path if isinstance(p, str)]
    return names[-2] if is_key else names[-1]


def _article(kinds: Sequence[str]) -> str:
    return " or ".join(kinds)


def declared_problems(documents: Sequence[LocatedDocument]) -> dict[str, str]:
    """Problem id -> organisation id, for the problems a strategy's files declare."""
    org = "?"
    problems: list[str] = []
    for doc in documents:
        data = doc.data or {}
        if isinstance(data.get("organisation"), dict) and isinstance(data["organisation"].get("id"), str):
            org = data["organisation"]["id"]
        for _, node, _ in walk(data, ("problems", "*")):
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                problems.append(node["id"])
    return dict.fromkeys(problems, org)


def check_references(docs: Documents) -> list[Diagnostic]:
    """Duplicate ids, unknown and wrong-kind references, once-only sections; a reference to
    a problem of another strategy checked in the same run is reported as such (SM209)."""
    documents, foreign_problems = docs.files, docs.foreign_problems
    out: list[Diagnostic] = []
    declared: dict[str, _Decl] = {}
    first_once: dict[str, Location] = {}
    for doc in documents:
        if doc.data is None:
            continue
        for key in ONCE_ONLY:
            if key in doc.data:
                loc = doc.locate((key,))
                if key in first_once:
                    out.append(Diagnostic.make("SM207", loc, key=key, first=str(first_once[key])))
                else:
                    first_once[key] = loc
        for pattern, kind in DECLARATIONS:
            for path, node, _ in walk(doc.data, pattern):
                ident = node.get("id") if isinstance(node, dict) else None
                if not isinstance(ident, str):
                    continue
                if ident in declared:
                    first = declared[ident]
                    out.append(
                        Diagnostic.make(
                            "SM202",
                            doc.locate((*path, "id"), key=False),
                            ref=ident,
                            kind=first.kind,
                            first=str(first.location),
                            related=[Related(first.location, "first declared here")],
                        )
                    )
                else:
                    declared[ident] = _Decl(kind, doc, (*path, "id"))
    for doc in documents:
        if doc.data is None:
            continue
        for pattern, kinds in REFERENCES:
            for path, value, is_key in walk(doc.data, pattern):
                if not isinstance(value, str) or not ID.match(value) or doc.is_flagged(path):
                    continue  # not an id at all: the schema reports it (SM124)
                decl = declared.get(value)
                if decl is not None and decl.kind in kinds:
                    continue
                loc = doc.locate(path, key=is_key)
                if decl is None and kinds == ("problem",) and foreign_problems and value in foreign_problems:
                    out.append(Diagnostic.make("SM209", loc, ref=value, org=foreign_problems[value]))
                elif decl is None:
                    import difflib

                    options = [i for i, d in declared.items() if d.kind in kinds]
                    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
                    out.append(
                        Diagnostic.make(
                            "SM201",
                            loc,
                            field=_field_name(path, is_key),
                            kinds=_article(kinds),
                            ref=value,
                            suggestion=Text(
                                f"; did you mean '{close[0]}'?" if close else "",
                                f";是否应为“{close[0]}”?" if close else "",
                            ),
                        )
                    )
                else:
                    out.append(
                        Diagnostic.make(
                            "SM203",
                            loc,
                            field=_field_name(path, is_key),
                            expected=_article(kinds),
                            ref=value,
                            actual=decl.kind,
                            related=[Related(decl.location, f"'{value}' is declared here")],
                        )
                    )
    return out
