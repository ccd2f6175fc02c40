"""Assessment periods: ``2026``, ``2026H1``, ``2026Q1``, ``2026-03``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Kind = Literal["monthly", "quarterly", "half_yearly", "yearly"]

#: A period as the schema writes it (the shipped schema is held to this by a test).
PERIOD_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?$"
_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])|H(?P<half>[12]))?\Z")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar period: the months ``first`` to ``last`` (1-12) of ``year``."""

    year: int
    first: int
    last: int
    text: str

    @property
    def kind(self) -> Kind:
        span = self.last - self.first + 1
        return {1: "monthly", 3: "quarterly", 6: "half_yearly"}.get(span, "yearly")  # type: ignore[return-value]

    def contains(self, other: Period) -> bool:
        return self.year == other.year and self.first <= other.first and other.last <= self.last

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        span = self.last - self.first + 1
        first, year = self.first - span, self.year
        if first < 1:
            first += 12
            year -= 1
        return from_months(year, first, first + span - 1)

    def months(self) -> range:
        return range(self.first, self.last + 1)


def from_months(year: int, first: int, last: int) -> Period:
    span = last - first + 1
    if span == 1:
        text = f"{year}-{first:02d}"
    elif span == 3:
        text = f"{year}Q{(first - 1) // 3 + 1}"
    elif span == 6:
        text = f"{year}H{(first - 1) // 6 + 1}"
    else:
        text = str(year)
    return Period(year, first, last, text)


@lru_cache(maxsize=4096)
def parse_period(text: str) -> Period | None:
    """The period ``text`` names, or None when it is not one."""
    m = _PERIOD.match(text)
    if m is None:
        return None
    year = int(m["year"])
    if m["month"]:
        month = int(m["month"])
        return Period(year, month, month, text)
    if m["quarter"]:
        q = int(m["quarter"])
        return Period(year, 3 * q - 2, 3 * q, text)
    if m["half"]:
        h = int(m["half"])
        return Period(year, 6 * h - 5, 6 * h, text)
    return Period(year, 1, 12, text)


def periods_within(outer: Period, kind: Kind) -> list[Period]:
    """The periods of ``kind`` that make up ``outer``, in order."""
    span = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[kind]
    return [from_months(outer.year, m, m + span - 1) for m in range(outer.first, outer.last + 1, span)]
