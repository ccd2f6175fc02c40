"""Hostile formulas are refused at parse time with a typed error.

How quickly is measured by ``python -m benchmarks --only formula`` (goal: under 100 ms
each), not asserted here: CI tests carry no timing assertions.

The cases are our own, one per attack simpleeval's security tests and advisory
GHSA-44vg-5wv2-h2hg describe; the third-party list itself is run from ../shared/peer
when it sits beside the checkout (tests/formula/test_peer_formulas.py).
"""

from __future__ import annotations

import pytest

from stratmap.formula import FormulaError, parse

NAMES = ["actual", "target", "x"]

HOSTILE: list[tuple[str, str, str]] = [
    # (id, expression, expected code)
    ("dunder-attribute", "x.__class__", "SM407"),
    ("dunder-chain", "True.__class__.__base__.__subclasses__()", "SM407"),
    ("dunder-name", "__import__", "SM407"),
    ("globals-via-function", "min.__globals__", "SM407"),
    ("attribute-chain-to-os", "path.os.system('id')", "SM407"),
    ("plain-attribute-call", "x.upper()", "SM407"),
    ("subscript", "x[0]", "SM407"),
    ("subscript-of-call", "max(x, 1)[0]", "SM407"),
    ("format-method", "'{0.__class__}'.format(x)", "SM407"),
    ("f-string", 'f"{x.__class__}"', "SM407"),
    ("format-map", "'{a}'.format_map(x)", "SM407"),
    ("string-literal", "'text' * 50000", "SM407"),
    ("double-quoted", '"a" + "b"', "SM407"),
    ("object-in-names-called", "x(100)", "SM403"),
    ("unknown-function", "exec(x)", "SM403"),
    ("builtin-eval", "eval(x)", "SM403"),
    ("type-conversion", "int(actual)", "SM403"),
    ("random", "rand()", "SM403"),
    ("random-compare", "rand() < 1.0", "SM403"),
    ("callback-keyword", "max(actual, target, key=exec)", "SM407"),
    ("callback-positional", "abs(exec)", "SM402"),
    ("call-of-call", "min(1, 2)(3)", "SM407"),
    ("call-of-group", "(min)(1, 2)", "SM407"),
    ("lambda", "lambda: 1", "SM407"),
    ("lambda-called", "(lambda x: 22)(44)", "SM407"),
    ("list-comprehension", "[a + 1 for a in [1, 2, 3]]", "SM407"),
    ("generator", "max(a for a in x)", "SM407"),
    ("dict-display", "{'a': 1}", "SM407"),
    ("set-display", "{22}", "SM407"),
    ("tuple-subscript", "(1, 2)[1]", "SM407"),
    ("membership", "2 in x", "SM407"),
    ("identity", "x is None", "SM407"),
    ("import", "import os", "SM407"),
    ("assignment", "x = 200", "SM407"),
    ("walrus", "(y := 1)", "SM407"),
    ("augmented-assignment", "x += 1", "SM407"),
    ("two-statements", "11; x + x", "SM407"),
    ("huge-power", "9**9**9", "SM407"),
    ("power", "x ** 2", "SM407"),
    ("left-shift", "1 << 25000", "SM407"),
    ("right-shift", "1 >> 25000", "SM407"),
    ("huge-literal", "1" * 400, "SM406"),
    ("huge-exponent-literal", "1e999999", "SM406"),
    ("minus-chain", "-" * 500 + "1", "SM406"),
    ("not-chain", "not " * 300 + "True", "SM406"),
    ("open-parens", "(" * 5000, "SM406"),
    ("balanced-parens", "(" * 100 + "1" + ")" * 100, "SM406"),
    ("long-sum", " + ".join(["x"] * 600), "SM406"),
    ("100-kB", "x + " * 25_000 + "x", "SM406"),
    ("megabyte", "1" * 1_000_000, "SM406"),
    ("empty", "", "SM401"),
    ("blank", "   ", "SM401"),
    ("unclosed", "min(1, 2", "SM401"),
    ("none", "None", "SM407"),
    ("backslash", "x \\\n + 1", "SM407"),
    ("null-byte", "x\x00", "SM401"),
    ("bidi-override", "x \u202e< 1", "SM401"),
]


@pytest.mark.parametrize(("expression", "code"), [(e, c) for _, e, c in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_hostile_formula_is_refused_with_its_code(expression: str, code: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(expression, names=NAMES)
    assert caught.value.code == code, str(caught.value)
    assert caught.value.diagnostic.code == code
    assert caught.value.column >= 1
