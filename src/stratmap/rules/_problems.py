"""What the pay rules (SM32x) say in both languages: a problem, and a number as written."""

from __future__ import annotations

from decimal import Decimal

from stratmap.diagnostics import decimal_text
from stratmap.i18n import Text


def problem_args(en: str, zh: str, **more: str) -> dict[str, str]:
    """A finding's ``problem`` argument in English and Chinese (a :class:`~stratmap.i18n.Text`),
    with any others."""
    return {"problem": Text(en, zh), **more}


def number(x: Decimal | None) -> str:
    """A number as a finding shows it (``-`` for none)."""
    return "-" if x is None else decimal_text(x)
