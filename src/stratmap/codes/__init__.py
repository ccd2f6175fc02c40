"""The catalogue of diagnostic codes: one place, data only.

Every code stratmap reports is declared once, as keyword data in the module of its family
(``_reading``, ``_references``, ``_cascade``, ``_analysis``, ``_formulas``, ``_data``), with its
slug, default severity, one-line meaning and message templates in English and Chinese. ``stratmap rules``,
``stratmap explain``, ``docs/codes.md`` and the SARIF rule list are all generated from
this table; each code's long documentation (with a bad and a fixed example that the
test-suite runs) lives in ``stratmap/_codedocs/<CODE>.md``.

Codes are never reused. Families: ``SM1xx`` reading and schema, ``SM2xx`` references, ``SM3xx``
the cascade's alignment, ``SM4xx`` formulas, ``SM5xx`` data and evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping

from stratmap.codes import _analysis, _cascade, _data, _formulas, _reading, _references
from stratmap.codes._code import Code

__all__ = ["CODES", "Code"]

#: Every code, by its id, in the order of the families.
CODES: Mapping[str, Code] = {
    c.code: c for family in (_reading, _references, _cascade, _analysis, _formulas, _data) for c in family.FAMILY
}
