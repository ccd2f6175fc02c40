"""The one diagnostic type every stage of stratmap reports with.

A :class:`Diagnostic` is immutable. It carries a code from the catalogue in
:mod:`stratmap.codes`, the arguments its message template needs, and a
:class:`Location`. The text of the message and of the hint is rendered on demand
in English or Chinese, so the same diagnostic can be printed in either language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stratmap.severity import Severity

if TYPE_CHECKING:
    from stratmap.codes import Code

__all__ = [
    "CodeFilter",
    "Diagnostic",
    "EvaluationError",
    "Location",
    "Related",
    "Severity",
    "StratmapError",
    "decimal_text",
    "sort_diagnostics",
]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file: 1-based line and column, with an optional end.

    ``path`` is the JSON path of the node inside its document, e.g.
    ``("kpis", 3, "weight")``; it is empty for whole-file problems.
    """

    file: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    path: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file

    @property
    def json_path(self) -> str:
        """The node's path as a JSONPath string, e.g. ``$.kpis[3].weight``."""
        out = "$"
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out


@dataclass(frozen=True, slots=True)
class Related:
    """Another location that explains a finding (the first of two duplicates, a cycle's edge)."""

    location: Location
    note: str


_CATALOGUE: list[Mapping[str, Code]] = []


def _codes() -> Mapping[str, Code]:
    """The code catalogue, imported on first use (it is large; ``import stratmap`` stays light)."""
    if not _CATALOGUE:
        from stratmap.codes import CODES

        _CATALOGUE.append(CODES)
    return _CATALOGUE[0]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a strategy or its data.

    Use :meth:`message` and :meth:`hint` for the text, in ``"en"`` or ``"zh"``.
    """

    code: str
    location: Location
    args: tuple[tuple[str, Any], ...] = ()
    severity: Severity = Severity.ERROR
    related: tuple[Related, ...] = field(default=())

    @classmethod
    def make(
        cls,
        code: str,
        location: Location,
        *,
        related: Iterable[Related] = (),
        severity: Severity | None = None,
        **args: Any,
    ) -> Diagnostic:
        """Build a diagnostic with the code's default severity unless one is given."""
        spec = _codes()[code]
        if not spec.required_args() <= args.keys():
            missing = spec.required_args() - args.keys()
            raise TypeError(f"{code} needs message arguments {sorted(missing)}")
        return cls(
            code,
            location,
            tuple(sorted(args.items())),
            severity if severity is not None else spec.severity,
            tuple(related) if related else (),
        )

    @property
    def arguments(self) -> Mapping[str, Any]:
        return dict(self.args)

    def message(self, lang: str = "en") -> str:
        """What is wrong, in ``lang`` (``"en"`` or ``"zh"``)."""
        from stratmap.codes import CODES

        return CODES[self.code].render_message(lang, self.arguments)

    def hint(self, lang: str = "en") -> str:
        """How to fix it, in ``lang``; may be empty."""
        from stratmap.codes import CODES

        return CODES[self.code].render_hint(lang, self.arguments)

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value} {self.code} {self.message()}"


class StratmapError(Exception):
    """Raised by :func:`stratmap.load` when a strategy has errors.

    ``diagnostics`` holds every problem found, not only the first.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        errors = [d for d in self.diagnostics if d.severity is Severity.ERROR]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = f"{len(errors)} error(s)"
        super().__init__(f"{summary}; first: {first}" if first else summary)


class EvaluationError(StratmapError, ValueError):
    """The request itself cannot be evaluated (e.g. a period that is not one).

    It lives here, beside :class:`StratmapError`, so that the CLI can catch it without importing
    the evaluation; :mod:`stratmap.evaluation` exports it.

    A :class:`stratmap.StratmapError` (one ``except`` catches every stratmap refusal) and a
    ``ValueError``; it carries no diagnostics, only its message.
    """

    def __init__(self, message: str) -> None:
        self.diagnostics = ()
        Exception.__init__(self, message)


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text without trailing zeros: ``50.0`` and ``50`` are both ``50``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file, line, column and code, dropping repeats (same code, place and message)."""
    seen: set[tuple[str, str, int, int, str]] = set()
    out: list[Diagnostic] = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        loc = d.location
        key = (d.code, loc.file, loc.line, loc.column, repr(d.args))  # the same arguments: the same message
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


@dataclass(frozen=True, slots=True)
class CodeFilter:
    """Which codes a run reports: those starting with a ``select`` prefix (all when there is
    none), minus those starting with an ``ignore`` prefix. Prefixes are e.g. ``SM3``, ``SM301``."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        selected = not self.select or code.startswith(self.select)
        return selected and not (self.ignore and code.startswith(self.ignore))

    def wants_any(self, family: str) -> bool:
        """Whether any code of ``family`` (e.g. ``SM3``) can be reported."""
        return any(self.wants(code) for code in _codes() if code.startswith(family))

    def kept(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diagnostics if self.wants(d.code)]
