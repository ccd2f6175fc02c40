"""The formula language's grammar: text -> tokens -> a small typed tree.

A hand-written tokenizer and recursive-descent parser, so that every error has the
column it happened at, nothing outside the language is ever built, and the depth of
nesting is counted before Python's own recursion limit could be reached. Python's
``ast`` module is not used for parsing: it accepts a far larger language and raises
``RecursionError``/``MemoryError`` on hostile input.

Grammar (lowest precedence first, as in Python)::

    formula    := ifelse
    ifelse     := or ["if" or "else" ifelse]
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)*
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | atom
    atom       := NUMBER | "True" | "False" | NAME | NAME "(" [formula ("," formula)*] ")" | "(" formula ")"
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from stratmap.formula._tokens import KEYWORDS, Token, tokenize
from stratmap.formula._tree import (
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_LENGTH,
    MAX_NODES,
    Binary,
    Bool,
    Call,
    Compare,
    IfElse,
    Logic,
    Name,
    Node,
    Num,
    SyntaxProblem,
    Unary,
)
from stratmap.i18n import Text

# ---- parser -------------------------------------------------------------------


class _Parser:
    __slots__ = ("depth", "i", "nodes", "text", "tokens")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.nodes = 0

    # helpers
    def peek(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.tokens[self.i]
        return tok.kind in ("op", "name") and tok.text in texts

    def count(self, node: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SyntaxProblem(
                "SM406",
                node.start,
                node.end,
                detail=Text(f"has more than {MAX_NODES} parts", f"超过 {MAX_NODES} 个组成部分"),
            )
        return node

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SyntaxProblem(
                "SM406",
                tok.start,
                tok.end,
                detail=Text(f"nests deeper than {MAX_DEPTH} levels", f"嵌套超过 {MAX_DEPTH} 层"),
            )

    def expected(self, what: str, what_zh: str) -> SyntaxProblem:
        tok = self.peek()
        if tok.kind == "end":
            found, found_zh = "the end of the formula", "公式结尾"
        else:
            found, found_zh = f"'{tok.text}'", f"“{tok.text}”"
        return SyntaxProblem(
            "SM401",
            tok.start,
            max(tok.end, tok.start + 1),
            detail=Text(f"expected {what}, found {found}", f"此处应为{what_zh},实际为{found_zh}"),
        )

    # grammar
    def formula(self) -> Node:
        node = self.ifelse()
        tok = self.peek()
        if tok.kind != "end":
            if tok.text == ",":
                raise SyntaxProblem(
                    "SM401",
                    tok.start,
                    tok.end,
                    detail=Text("a ',' outside a function call", "函数调用之外出现了“,”"),
                )
            if tok.text == ")":
                raise SyntaxProblem("SM401", tok.start, tok.end, detail=Text("')' without its '('", "“)”没有对应的“(”"))
            raise self.expected("an operator or the end of the formula", "运算符或公式结尾")
        return node

    def ifelse(self) -> Node:
        body = self.or_()
        if not self.at("if"):
            return body
        tok = self.next()
        self.enter(tok)
        test = self.or_()
        if not self.at("else"):
            raise self.expected("'else' (write: x if condition else y)", "“else”(写法:x if 条件 else y)")
        self.next()
        orelse = self.ifelse()
        self.depth -= 1
        return self.count(IfElse(test, body, orelse, body.start, orelse.end))

    def or_(self) -> Node:
        return self.logic("or", self.and_)

    def and_(self) -> Node:
        return self.logic("and", self.not_)

    def logic(self, op: Literal["and", "or"], operand: Callable[[], Node]) -> Node:
        """``operand (op operand)*``: one operand as it is, more as one ``Logic`` node."""
        first = operand()
        if not self.at(op):
            return first
        operands = [first]
        while self.at(op):
            self.next()
            operands.append(operand())
        return self.count(Logic(op, tuple(operands), first.start, operands[-1].end))

    def not_(self) -> Node:
        if self.at("not"):
            tok = self.next()
            self.enter(tok)
            operand = self.not_()
            self.depth -= 1
            return self.count(Unary("not", operand, tok.start, operand.end))
        return self.comparison()

    def comparison(self) -> Node:
        first = self.sum()
        if not self.at("<", "<=", ">", ">=", "==", "!="):
            return first
        operands = [first]
        ops: list[str] = []
        while self.at("<", "<=", ">", ">=", "==", "!="):
            ops.append(self.next().text)
            operands.append(self.sum())
        return self.count(Compare(tuple(operands), tuple(ops), first.start, operands[-1].end))

    def sum(self) -> Node:
        return self.binary(("+", "-"), self.product)

    def product(self) -> Node:
        return self.binary(("*", "/"), self.unary)

    def binary(self, ops: tuple[str, str], operand: Callable[[], Node]) -> Node:
        """``operand (op operand)*`` for the operators ``ops``, left-associative."""
        node = operand()
        while self.at(*ops):
            op = self.next().text
            right = operand()
            node = self.count(Binary(op, node, right, node.start, right.end))  # type: ignore[arg-type]
        return node

    def unary(self) -> Node:
        if self.at("-", "+"):
            tok = self.next()
            self.enter(tok)
            operand = self.unary()
            self.depth -= 1
            return self.count(Unary(tok.text, operand, tok.start, operand.end))  # type: ignore[arg-type]
        return self.atom()

    def atom(self) -> Node:
        tok = self.peek()
        if tok.kind == "number":
            self.next()
            return self.count(Num(_number(tok), tok.start, tok.end))
        if tok.kind == "name" and tok.text in ("True", "False"):
            self.next()
            return self.count(Bool(tok.text == "True", tok.start, tok.end))
        if tok.kind == "name" and tok.text not in KEYWORDS:
            self.next()
            if self.at("("):
                return self.call(tok)
            return self.count(Name(tok.text, tok.start, tok.end))
        if self.at("("):
            self.next()
            self.enter(tok)
            inner = self.ifelse()
            if not self.at(")"):
                if self.peek().kind == "end":
                    raise SyntaxProblem("SM401", tok.start, tok.end, detail=Text("'(' is never closed", "“(”没有闭合"))
                raise self.expected("')'", "“)”")
            self.next()
            self.depth -= 1
            if self.at("("):
                nxt = self.peek()
                raise SyntaxProblem(
                    "SM407",
                    nxt.start,
                    nxt.end,
                    construct=Text("calling the result of an expression", "调用表达式的结果"),
                    advice=Text("only the language's functions can be called, by name", "只能按名称调用公式语言的函数"),
                )
            return inner
        if tok.kind == "end" and not self.tokens[:-1]:
            raise SyntaxProblem("SM401", 0, 0, detail=Text("the formula is empty", "公式为空"))
        raise self.expected("a number, a name or '('", "数字、标识符或“(”")

    def call(self, name: Token) -> Node:
        open_ = self.next()
        self.enter(open_)
        args: list[Node] = []
        if not self.at(")"):
            while True:
                if self.peek().kind == "name" and self.tokens[self.i + 1].text == "=":
                    kw = self.peek()
                    raise SyntaxProblem(
                        "SM407",
                        kw.start,
                        self.tokens[self.i + 1].end,
                        construct=Text("a keyword argument", "关键字参数"),
                        advice=Text("pass arguments by position", "请按位置传参"),
                    )
                args.append(self.ifelse())
                if self.at(","):
                    self.next()
                    continue
                break
        if not self.at(")"):
            if self.peek().kind == "end":
                raise SyntaxProblem("SM401", open_.start, open_.end, detail=Text("'(' is never closed", "“(”没有闭合"))
            raise self.expected("',' or ')'", "“,”或“)”")
        close = self.next()
        self.depth -= 1
        if self.at("("):
            nxt = self.peek()
            raise SyntaxProblem(
                "SM407",
                nxt.start,
                nxt.end,
                construct=Text("calling the result of a call", "调用函数调用的结果"),
                advice=Text("only the language's functions can be called, by name", "只能按名称调用公式语言的函数"),
            )
        return self.count(Call(name.text, tuple(args), name.start, close.end, name.end))


def _number(tok: Token) -> Decimal:
    text = tok.text
    value = Decimal(text)
    digits = value.as_tuple().digits
    significant = len("".join(map(str, digits)).lstrip("0"))
    if significant > MAX_DIGITS:
        raise SyntaxProblem(
            "SM406",
            tok.start,
            tok.end,
            detail=Text(
                f"has a number with more than {MAX_DIGITS} significant digits", f"含有超过 {MAX_DIGITS} 位有效数字的数"
            ),
        )
    magnitude = value.copy_abs()  # exact: abs() would round, and overflow on 1e999999999
    if value != 0 and not Decimal("1e-300") <= magnitude <= Decimal("1e300"):
        raise SyntaxProblem(
            "SM406",
            tok.start,
            tok.end,
            detail=Text("has a number beyond the range 1e-300 to 1e300", "含有超出 1e-300 到 1e300 范围的数"),
        )
    return value


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a tree; raises SyntaxProblem for any problem."""
    if len(text) > MAX_LENGTH:
        raise SyntaxProblem(
            "SM406",
            MAX_LENGTH,
            len(text),
            detail=Text(
                f"is {len(text)} characters long; at most {MAX_LENGTH} are allowed",
                f"长 {len(text)} 个字符,最多允许 {MAX_LENGTH} 个",
            ),
        )
    tokens = tokenize(text)
    return _Parser(text, tokens).formula()
