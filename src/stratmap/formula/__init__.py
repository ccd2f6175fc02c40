"""stratmap's formula language: parse and check once, then evaluate one record or a million.

>>> from decimal import Decimal
>>> f = parse("max(0, min(110, 100 - (target - actual) * 5))", names=["actual", "target"])
>>> f.evaluate({"actual": Decimal("93.5"), "target": Decimal(95)})
Decimal('92.5')
>>> parse("actual < 95", names=["actual"]).kind
'condition'

The language is specified in ``docs/formulas.md``. :func:`parse` raises
:class:`FormulaError` (a :class:`stratmap.StratmapError` with an ``SM4xx`` code and the
column inside the formula) for anything outside it; a :class:`Formula` it returns can
always be evaluated without raising, whatever the values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from stratmap.formula._check import FUNCTIONS, Checker
from stratmap.formula._error import FormulaError
from stratmap.formula._syntax import parse_tree
from stratmap.formula._tokens import names_in
from stratmap.formula._tree import Kind, Node, SyntaxProblem
from stratmap.i18n import Text

if TYPE_CHECKING:
    import ast

    import numpy as np

__all__ = ["FUNCTIONS", "ITEM_NAMES", "Formula", "FormulaError", "Kind", "Value", "names_in", "parse", "parse_cached"]

#: The names a scoring formula and a veto condition read (docs/formulas.md, section 3).
ITEM_NAMES = ("actual", "target", "threshold", "stretch")

#: A value of the scalar path: a number, a condition's truth, or ``None`` for missing.
Value = Decimal | int | bool | None


def _problem(text: str, p: SyntaxProblem) -> FormulaError:
    return FormulaError(p.code, text=text, column=p.start + 1, end_column=max(p.end, p.start + 1) + 1, **p.args_)


@dataclass(frozen=True, eq=False)
class Formula:
    """A checked formula. Immutable; safe to share between threads."""

    text: str
    kind: Kind
    #: The names the formula reads, in order of first use.
    names: tuple[str, ...]
    #: The kind of each name the formula reads.
    scope: Mapping[str, Kind] = field(repr=False)
    _tree: Node = field(repr=False)
    _compiled: dict[str, Any] = field(default_factory=dict, repr=False)

    # ---- one record -----------------------------------------------------------
    def evaluate(self, values: Mapping[str, Value]) -> Decimal | bool | None:
        """Evaluate on one record, exactly, with simpleeval as the interpreter.

        ``values`` maps each name the formula reads to a ``Decimal`` or ``int`` (a
        number), a ``bool`` (a condition) or ``None`` (missing). Floats are refused:
        they are not exact; pass ``Decimal(str(x))``. Returns a ``Decimal``, a ``bool``
        or ``None`` (missing: e.g. a missing input, or a division by zero).
        """
        from stratmap.formula._scalar import evaluate

        return evaluate(self._python_tree(), self._scalar_values(values))

    def _python_tree(self) -> ast.expr:
        tree = self._compiled.get("scalar")
        if tree is None:
            from stratmap.formula._scalar import to_python_ast

            tree = self._compiled["scalar"] = to_python_ast(self._tree)
        return tree

    def _scalar_values(self, values: Mapping[str, Value]) -> dict[str, Decimal | bool | None]:
        out: dict[str, Decimal | bool | None] = {}
        for name in self.names:
            if name not in values:
                raise FormulaError("SM410", text=self.text, name=name)
            value = values[name]
            kind = self.scope[name]
            if value is None:
                out[name] = None
            elif kind == "condition":
                if not isinstance(value, bool):
                    raise _bad_value(self.text, name, value, "condition (True, False or None)")
                out[name] = value
            elif isinstance(value, bool) or not isinstance(value, Decimal | int):
                raise _bad_value(self.text, name, value, "number (Decimal, int or None)")
            else:
                number = Decimal(value)
                if number.is_nan():
                    raise _bad_value(self.text, name, value, "number (use None for missing, not NaN)")
                out[name] = number  # an infinity is a number beyond every bound, as in the batch path
        return out

    # ---- many records -----------------------------------------------------------
    def evaluate_batch(
        self, columns: Mapping[str, Any], *, places: int | np.integer[Any] | None = None
    ) -> np.ndarray[Any, Any]:
        """Evaluate on whole columns at once with NumPy: the tree is compiled once, never run per row.

        ``columns`` maps each name to a 1-D array of equal length: numbers as any
        numeric dtype (NaN for missing), conditions as booleans (a masked array marks
        missing ones). A number formula gives a float64 array with NaN for missing; a
        condition gives a masked boolean array (masked = missing).

        ``places`` rounds a number result half away from zero to that many decimals,
        with the guarantee that every row equals ``evaluate`` on that row rounded the
        same way; without it the result is binary64 arithmetic (see docs/formulas.md).
        Conditions always agree with ``evaluate`` row for row.
        """
        from stratmap.formula._run import evaluate_batch

        result: np.ndarray[Any, Any] = evaluate_batch(self, columns, places)
        return result

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, kind={self.kind!r})"


def _bad_value(text: str, name: str, value: object, expected: str) -> FormulaError:
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return FormulaError("SM411", text=text, name=name, actual=f"{type(value).__name__} {shown}", expected=expected)


def _scope(names: Mapping[str, Kind] | Iterable[str]) -> Mapping[str, Kind]:
    if isinstance(names, str):
        raise TypeError("names must be a collection of names or a mapping of name to kind, not a string")
    if isinstance(names, Mapping):
        return names  # each kind is checked when the formula reads the name
    return dict.fromkeys(names, "number")


def parse(
    text: str,
    *,
    names: Mapping[str, Kind] | Iterable[str],
    expect: Kind | None = None,
) -> Formula:
    """Parse and check ``text``.

    ``names`` are the names the formula may read: a collection of number names, or a
    mapping of name to ``"number"`` or ``"condition"``. ``expect`` requires the
    formula to give a number or a condition. Raises :class:`FormulaError` (SM401-SM407)
    for the first problem, with its column.
    """
    if not isinstance(text, str):
        raise TypeError(f"a formula is a string, not {type(text).__name__}")
    if expect not in (None, "number", "condition"):
        raise ValueError(f"expect must be 'number', 'condition' or None, not {expect!r}")
    scope = _scope(names)
    try:
        tree = parse_tree(text)
        checker = Checker(scope)
        kind = checker.check(tree)
    except SyntaxProblem as p:
        raise _problem(text, p) from None
    if expect is not None and kind != expect:
        if expect == "condition":
            detail = "this formula must be a condition (e.g. actual < 95); it gives a number"
            detail_zh = "此公式必须是条件(如 actual < 95),而它给出的是数字"
        else:
            detail = "this formula must give a number; it is a condition"
            detail_zh = "此公式必须给出数字,而它是条件"
        raise _problem(text, SyntaxProblem("SM405", tree.start, tree.end, detail=Text(detail, detail_zh)))
    used = tuple(checker.used)
    return Formula(text, kind, used, {name: scope[name] for name in used}, tree)


@lru_cache(maxsize=4096)
def parse_cached(text: str, names: tuple[str, ...]) -> Formula:
    """:func:`parse` of number names, remembered: the evaluator parses the same few formulas
    for every entity and chunk (a Formula is immutable, so sharing it is safe)."""
    return parse(text, names=names)
