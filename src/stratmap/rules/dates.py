"""SM124 for calendar dates: the schema checks a date's form (YYYY-MM-DD), this document rule
that the day exists."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from stratmap.diagnostics import Diagnostic
from stratmap.i18n import Text
from stratmap.rules.documents import Documents
from stratmap.rules.references import walk

if TYPE_CHECKING:
    from stratmap.load import LocatedDocument

#: Where the format holds calendar dates (YYYY-MM-DD); the schema checks the form only.
DATE_FIELDS: tuple[tuple[str | int, ...], ...] = (
    ("analysis", "date"),
    ("analysis", "industry", "sources", "*", "date"),
    ("analysis", "company", "sources", "*", "date"),
    ("plans", "*", "actions", "*", "due"),
    ("revisions", "*", "date"),
)


def impossible_dates(docs: Documents) -> Iterator[Diagnostic]:
    """Dates of the right form that name no day of the calendar (2026-02-30), in each document."""
    for doc in docs.files:
        if doc.data is not None:
            yield from _in_document(doc)


def _in_document(doc: LocatedDocument) -> Iterator[Diagnostic]:
    for pattern in DATE_FIELDS:
        for path, value, _ in walk(doc.data, pattern):
            if not isinstance(value, str) or len(value) != 10 or doc.is_flagged(path):
                continue
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                yield Diagnostic.make(
                    "SM124",
                    doc.locate(path, key=False),
                    value=repr(value),
                    what="a date",
                    advice=Text("That day does not exist in the calendar.", "日历上没有这一天。"),
                )
