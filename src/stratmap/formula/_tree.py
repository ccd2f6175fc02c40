"""The formula language's typed tree, its limits, and the problem a reader raises."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

#: What a formula or one of its parts yields.
Kind = Literal["number", "condition"]

MAX_LENGTH = 2000
MAX_DEPTH = 32
MAX_NODES = 400
#: Significant digits a number literal may have: every such decimal survives a trip
#: through a binary64 float, so the scalar and batch paths read the same number.
MAX_DIGITS = 15


class SyntaxProblem(Exception):
    """A problem found while reading a formula; turned into a FormulaError by the caller."""

    def __init__(self, code: str, start: int, end: int, **args: str) -> None:
        super().__init__(code)
        self.code = code
        self.start = start
        self.end = end
        self.args_ = args


# ---- tree ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Name:
    id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: Literal["-", "+", "not"]
    operand: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: Literal["+", "-", "*", "/"]
    left: Node
    right: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Logic:
    op: Literal["and", "or"]
    operands: tuple[Node, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Compare:
    operands: tuple[Node, ...]
    ops: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class IfElse:
    test: Node
    body: Node
    orelse: Node
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]
    start: int
    end: int
    name_end: int


Node = Num | Bool | Name | Unary | Binary | Logic | Compare | IfElse | Call


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``, left to right."""
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Logic | Compare):
        return node.operands
    if isinstance(node, IfElse):
        return (node.body, node.test, node.orelse)
    if isinstance(node, Call):
        return node.args
    return ()
