"""The formula language's one error type, below the modules that raise it."""

from __future__ import annotations

from typing import Any

from stratmap.diagnostics import Diagnostic, Location, StratmapError


class FormulaError(StratmapError):
    """A formula that is not in the language, or values it cannot be evaluated on.

    ``code`` is the diagnostic code (``SM401``...), ``column`` and ``end_column`` the
    1-based span inside the formula's text (0 when the problem is not in the text).
    """

    def __init__(
        self, code: str, *, text: str = "", column: int = 0, end_column: int = 0, source: str = "<formula>", **args: str
    ) -> None:
        self.code = code
        self.text = text
        self.column = column
        self.end_column = end_column
        message_args: dict[str, Any] = {"column": str(column), **args} if column else dict(args)
        self.diagnostic = Diagnostic.make(
            code, Location(source, 1 if column else 0, column, 1 if column else 0, end_column), **message_args
        )
        super().__init__([self.diagnostic])

    def __str__(self) -> str:
        return f"{self.code} {self.diagnostic.message()}"

    def message(self, lang: str = "en") -> str:
        """What is wrong, in ``lang`` (``"en"`` or ``"zh"``)."""
        return self.diagnostic.message(lang)

    def hint(self, lang: str = "en") -> str:
        """How to fix it, in ``lang``."""
        return self.diagnostic.hint(lang)
