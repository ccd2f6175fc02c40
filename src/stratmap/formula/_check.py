"""Static checks on a parsed formula: names, functions, arity, kinds and size."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from stratmap.formula._tree import (
    MAX_DEPTH,
    Binary,
    Bool,
    Call,
    Compare,
    IfElse,
    Kind,
    Logic,
    Name,
    Node,
    Num,
    SyntaxProblem,
    Unary,
    children,
)
from stratmap.i18n import Text

#: The tallest tree a formula may build: long chains like ``a + b + c + ...`` count too.
MAX_HEIGHT = 3 * MAX_DEPTH
#: Places ``round`` may round to.
MAX_PLACES = 10


@dataclass(frozen=True, slots=True)
class Signature:
    """A whitelisted function: how many arguments, of which kind, and what it gives."""

    min_args: int
    max_args: int  # -1: any number
    args: Kind | None  # None: numbers and conditions alike (``missing``)
    result: Kind
    summary: str


FUNCTIONS: dict[str, Signature] = {
    "min": Signature(2, -1, "number", "number", "the smallest of its arguments"),
    "max": Signature(2, -1, "number", "number", "the largest of its arguments"),
    "abs": Signature(1, 1, "number", "number", "the absolute value"),
    "round": Signature(1, 2, "number", "number", "rounded half away from zero to 0-10 places (四舍五入)"),
    "floor": Signature(1, 1, "number", "number", "the largest whole number not above x"),
    "ceil": Signature(1, 1, "number", "number", "the smallest whole number not below x"),
    "clamp": Signature(3, 3, "number", "number", "x kept between low and high: min(max(x, low), high)"),
    "between": Signature(3, 3, "number", "condition", "low <= x <= high"),
    "coalesce": Signature(2, -1, "number", "number", "the first argument that is not missing"),
    "missing": Signature(1, 1, None, "condition", "whether the value is missing"),
}


def _arity(sig: Signature) -> tuple[str, str]:
    if sig.max_args == -1:
        return f"at least {sig.min_args} arguments", f"至少 {sig.min_args} 个参数"
    if sig.min_args == sig.max_args:
        word = "argument" if sig.min_args == 1 else "arguments"
        return f"{sig.min_args} {word}", f"{sig.min_args} 个参数"
    return f"{sig.min_args} or {sig.max_args} arguments", f"{sig.min_args} 或 {sig.max_args} 个参数"


_KIND_ZH = {"number": "数字", "condition": "条件"}


def _kind_problem(node: Node, needed: Kind, got: Kind, where: str, where_zh: str) -> SyntaxProblem:
    if needed == "condition":
        detail = f"{where} needs a condition (e.g. actual < 95); this is a number"
        detail_zh = f"{where_zh}需要条件(如 actual < 95),此处是数字"
    else:
        detail = f"{where} needs a number; this is a condition"
        detail_zh = f"{where_zh}需要数字,此处是条件"
    return SyntaxProblem("SM405", node.start, node.end, detail=Text(detail, detail_zh))


def height(root: Node) -> int:
    """The height of the tree, computed without recursion."""
    best = 0
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, h = stack.pop()
        best = max(best, h)
        stack.extend((child, h + 1) for child in children(node))
    return best


class Checker:
    """Infers the kind of every node, reporting the first problem in reading order."""

    def __init__(self, names: Mapping[str, Kind]) -> None:
        self.names = names
        self.used: dict[str, None] = {}

    def check(self, root: Node) -> Kind:
        if height(root) > MAX_HEIGHT:
            raise SyntaxProblem(
                "SM406",
                root.start,
                root.end,
                detail=Text(f"is more than {MAX_HEIGHT} operations deep", f"运算层级超过 {MAX_HEIGHT} 层"),
            )
        return self.kind(root)

    def need(self, node: Node, needed: Kind, where: str, where_zh: str) -> None:
        got = self.kind(node)
        if got != needed:
            raise _kind_problem(node, needed, got, where, where_zh)

    def kind(self, node: Node) -> Kind:
        if isinstance(node, Num):
            return "number"
        if isinstance(node, Bool):
            return "condition"
        if isinstance(node, Name):
            kind = self.names.get(node.id)
            if kind is None:
                raise self.unknown_name(node)
            if kind != "number" and kind != "condition":
                raise ValueError(f"the kind of {node.id!r} must be 'number' or 'condition', not {kind!r}")
            self.used[node.id] = None
            return kind
        if isinstance(node, Unary):
            if node.op == "not":
                self.need(node.operand, "condition", "'not'", "“not”")
                return "condition"
            self.need(node.operand, "number", f"'{node.op}'", f"“{node.op}”")
            return "number"
        if isinstance(node, Binary):
            self.need(node.left, "number", f"'{node.op}'", f"“{node.op}”")
            self.need(node.right, "number", f"'{node.op}'", f"“{node.op}”")
            return "number"
        if isinstance(node, Logic):
            for operand in node.operands:
                self.need(operand, "condition", f"'{node.op}'", f"“{node.op}”")
            return "condition"
        if isinstance(node, Compare):
            kinds = [self.kind(operand) for operand in node.operands]
            for i, op in enumerate(node.ops):
                left, right = kinds[i], kinds[i + 1]
                if op in ("==", "!="):
                    if left != right:
                        raise SyntaxProblem(
                            "SM405",
                            node.operands[i].start,
                            node.operands[i + 1].end,
                            detail=Text(
                                f"'{op}' compares a {left} with a {right}",
                                f"“{op}”两侧分别是{_KIND_ZH[left]}和{_KIND_ZH[right]}",
                            ),
                        )
                else:
                    for side, kind in ((node.operands[i], left), (node.operands[i + 1], right)):
                        if kind != "number":
                            raise _kind_problem(side, "number", kind, f"'{op}'", f"“{op}”")
            return "condition"
        if isinstance(node, IfElse):
            self.need(node.test, "condition", "the test after 'if'", "“if”之后的判断")
            body = self.kind(node.body)
            orelse = self.kind(node.orelse)
            if body != orelse:
                raise SyntaxProblem(
                    "SM405",
                    node.start,
                    node.end,
                    detail=Text(
                        f"'if' gives a {body} on one side and a {orelse} on the other",
                        f"“if”的两个分支分别是{_KIND_ZH[body]}和{_KIND_ZH[orelse]}",
                    ),
                )
            return body
        return self.call(node)

    def call(self, node: Call) -> Kind:
        sig = FUNCTIONS.get(node.func)
        if sig is None:
            raise self.unknown_function(node)
        count = len(node.args)
        if count < sig.min_args or (sig.max_args != -1 and count > sig.max_args):
            expected, expected_zh = _arity(sig)
            raise SyntaxProblem(
                "SM404",
                node.start,
                node.end,
                name=node.func,
                expected=Text(expected, expected_zh),
                given=str(count),
            )
        if node.func == "round" and count == 2:
            self.need(node.args[0], "number", "round()", "round()")
            places = node.args[1]
            if not (isinstance(places, Num) and places.value.as_tuple().exponent == 0) or not (
                0 <= places.value <= MAX_PLACES
            ):
                raise SyntaxProblem(
                    "SM405",
                    places.start,
                    places.end,
                    detail=Text(
                        f"round()'s places must be a whole number from 0 to {MAX_PLACES}, written as is",
                        f"round() 的位数必须是直接写出的 0 到 {MAX_PLACES} 的整数",
                    ),
                )
            return "number"
        for arg in node.args:
            if sig.args is None:
                self.kind(arg)
            else:
                self.need(arg, sig.args, f"{node.func}()", f"{node.func}()")
        return sig.result

    def unknown_name(self, node: Name) -> SyntaxProblem:
        close = difflib.get_close_matches(node.id, list(self.names), n=1, cutoff=0.6)
        available = ", ".join(sorted(self.names)[:12]) + (", ..." if len(self.names) > 12 else "")
        hint_extra = ""
        if node.id in FUNCTIONS:
            hint_extra = f" ('{node.id}' is a function: call it, e.g. {node.id}(...))"
        return SyntaxProblem(
            "SM402",
            node.start,
            node.end,
            name=node.id,
            suggestion=Text(
                (f"; did you mean '{close[0]}'?" if close else "") + hint_extra,
                (f";是否应为“{close[0]}”?" if close else ""),
            ),
            available=available or "none",
        )

    def unknown_function(self, node: Call) -> SyntaxProblem:
        close = difflib.get_close_matches(node.func, list(FUNCTIONS), n=1, cutoff=0.6)
        return SyntaxProblem(
            "SM403",
            node.start,
            node.name_end,
            name=node.func,
            suggestion=Text(
                f"; did you mean '{close[0]}'?" if close else "", f";是否应为“{close[0]}”?" if close else ""
            ),
        )
