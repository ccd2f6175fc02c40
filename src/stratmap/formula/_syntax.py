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

import re
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


# ---- tokens -------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n]+)
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<foreign>\*\*|//|<<|>>|&&|\|\||:=|<>)
  | (?P<op><=|>=|==|!=|[-+*/(),<>])
  | (?P<foreign1>[%&|^~@.\[\]{}:;='"`\\!\#$?])
    """,
    re.X,
)

KEYWORDS = frozenset({"and", "or", "not", "if", "else", "True", "False"})

#: Python keywords and constructs that are not part of the language, with what to say.
_FOREIGN_WORDS: dict[str, tuple[str, str]] = {
    "lambda": ("a lambda", "一个 lambda 表达式"),
    "for": ("a comprehension or loop", "推导式或循环"),
    "in": ("the 'in' operator", "“in”运算符"),
    "is": ("the 'is' operator", "“is”运算符"),
    "import": ("an import", "import 语句"),
    "from": ("an import", "import 语句"),
    "def": ("a definition", "定义语句"),
    "class": ("a definition", "定义语句"),
    "return": ("a statement", "语句"),
    "yield": ("a statement", "语句"),
    "await": ("a statement", "语句"),
    "async": ("a statement", "语句"),
    "with": ("a statement", "语句"),
    "while": ("a statement", "语句"),
    "del": ("a statement", "语句"),
    "global": ("a statement", "语句"),
    "nonlocal": ("a statement", "语句"),
    "assert": ("a statement", "语句"),
    "raise": ("a statement", "语句"),
    "try": ("a statement", "语句"),
    "except": ("a statement", "语句"),
    "pass": ("a statement", "语句"),
    "None": ("None", "None"),
    "elif": ("'elif'", "“elif”"),
}

_FOREIGN_SYMBOLS: dict[str, tuple[str, str, str, str]] = {
    # symbol: (what, what_zh, advice, advice_zh)
    "**": ("exponentiation", "乘方", "multiply instead: x * x", "请改用乘法:x * x"),
    "//": ("floor division", "整除", "use floor(a / b)", "请用 floor(a / b)"),
    "%": ("the remainder operator", "取余运算符", "the language has no remainder", "公式语言不支持取余"),
    "<<": ("a bit shift", "位移", "multiply or divide instead", "请改用乘除"),
    ">>": ("a bit shift", "位移", "multiply or divide instead", "请改用乘除"),
    "&": ("a bitwise operator", "位运算符", "use 'and'", "请用 and"),
    "|": ("a bitwise operator", "位运算符", "use 'or'", "请用 or"),
    "&&": ("'&&'", "“&&”", "use 'and'", "请用 and"),
    "||": ("'||'", "“||”", "use 'or'", "请用 or"),
    "^": (
        "a bitwise operator",
        "位运算符",
        "the language has no powers or bitwise operators",
        "公式语言没有乘方或位运算",
    ),
    "~": ("a bitwise operator", "位运算符", "use 'not' or '-'", "请用 not 或负号"),
    "!": ("'!'", "“!”", "use 'not', or '!=' for 'not equal'", "请用 not,或用 != 表示不等于"),
    "@": ("matrix multiplication", "矩阵乘法", "use '*'", "请用 *"),
    ".": (
        "attribute access",
        "属性访问",
        "formulas read values by id only, e.g. actual or sales_volume",
        "公式只能按标识符读取数值,如 actual 或 sales_volume",
    ),
    "[": ("a subscript or list", "下标或列表", "name the value directly by its id", "请直接用标识符引用数值"),
    "]": ("a subscript or list", "下标或列表", "name the value directly by its id", "请直接用标识符引用数值"),
    "{": ("a set or mapping", "集合或映射", "the language has numbers and conditions only", "公式语言只有数字和条件"),
    "}": ("a set or mapping", "集合或映射", "the language has numbers and conditions only", "公式语言只有数字和条件"),
    ":": ("a slice, lambda or annotation", "切片、lambda 或注解", "remove it", "请删除"),
    ":=": ("an assignment", "赋值", "formulas compute a value; they cannot assign", "公式只计算数值,不能赋值"),
    ";": ("a second statement", "第二条语句", "write one expression", "请只写一个表达式"),
    "=": ("an assignment", "赋值", "to compare, write '=='", "比较相等请用 =="),
    "'": ("text", "文本", "formulas work on numbers and conditions; compare numbers instead", "公式只处理数字和条件"),
    '"': ("text", "文本", "formulas work on numbers and conditions; compare numbers instead", "公式只处理数字和条件"),
    "`": ("text", "文本", "remove the backquote", "请删除反引号"),
    "\\": ("a backslash", "反斜杠", "write the formula on one logical line", "请去掉反斜杠"),
    "#": ("a comment", "注释", "put comments in the YAML, outside the formula", "注释请写在 YAML 中公式之外"),
    "<>": ("'<>'", "“<>”", "write '!=' for 'not equal'", "不等于请写 !="),
    "$": ("'$'", "“$”", "remove it", "请删除"),
    "?": ("'?'", "“?”", "write 'x if condition else y'", "请写成 x if 条件 else y"),
}

#: Full-width punctuation a Chinese input method produces, and its ASCII form.
_FULL_WIDTH = {
    "\uff08": "(",
    "\uff09": ")",
    "\uff0c": ",",
    "\u3001": ",",
    "\uff1c": "<",
    "\uff1e": ">",
    "\uff1d": "=",
    "\uff0b": "+",
    "\uff0d": "-",
    "\uff0a": "*",
    "\uff0f": "/",
    "\u3002": ".",
    "\uff0e": ".",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u00d7": "*",
    "\u00f7": "/",
    "\u3000": " ",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: Literal["number", "name", "op", "end"]
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, raising SyntaxProblem at the first character outside the language."""
    tokens: list[Token] = []
    pos = 0
    n = len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in _FULL_WIDTH:
                raise SyntaxProblem(
                    "SM401",
                    pos,
                    pos + 1,
                    detail=f"full-width '{ch}' (U+{ord(ch):04X}); write the ASCII '{_FULL_WIDTH[ch]}'",
                    detail_zh=f"全角字符“{ch}”(U+{ord(ch):04X});请改用半角“{_FULL_WIDTH[ch]}”",
                )
            if ch.isalpha():
                end = pos
                while end < n and (text[end].isalnum() or text[end] == "_"):
                    end += 1
                word = text[pos:end]
                raise SyntaxProblem(
                    "SM401",
                    pos,
                    end,
                    detail=f"'{word}' is not an id; formulas name KPIs and values by their id (a-z, 0-9, _)",
                    detail_zh=f"“{word}”不是标识符;公式用标识符(a-z、0-9、_)引用 KPI 和数值,而不是名称",
                )
            raise SyntaxProblem(
                "SM401",
                pos,
                pos + 1,
                detail=f"unexpected character {ch!r} (U+{ord(ch):04X})",
                detail_zh=f"意外的字符 {ch!r}(U+{ord(ch):04X})",
            )
        kind = m.lastgroup
        start, pos = m.start(), m.end()
        if kind == "space":
            continue
        piece = m.group()
        if kind == "foreign" or kind == "foreign1":
            _foreign_symbol(piece, start, tokens[-1] if tokens else None)
        if kind == "number" and pos < n and (text[pos].isalpha() or text[pos] == "_"):
            end = pos
            while end < n and (text[end].isalnum() or text[end] == "_"):
                end += 1
            raise SyntaxProblem(
                "SM401",
                start,
                end,
                detail=f"'{text[start:end]}' is neither a number nor a name",
                detail_zh=f"“{text[start:end]}”既不是数字也不是标识符",
            )
        if kind == "name":
            _check_word(piece, start, pos)
        tokens.append(Token(kind, piece, start, pos))  # type: ignore[arg-type]
    tokens.append(Token("end", "", n, n))
    return tokens


def _foreign_symbol(piece: str, start: int, before: Token | None) -> None:
    what, what_zh, advice, advice_zh = _FOREIGN_SYMBOLS[piece]
    if piece == "%" and before is not None and before.kind == "number":  # 6.5%: a unit, not an operator
        what, what_zh = f"a percent sign after {before.text}", f"{before.text} 后的百分号"
        advice = f"write the number ({before.text}) and put the unit in the KPI's 'unit' (unit: '%')"
        advice_zh = f"请只写数字({before.text}),单位写在 KPI 的 unit 中(unit: '%')"
    raise SyntaxProblem(
        "SM407", start, start + len(piece), construct=what, construct_zh=what_zh, advice=advice, advice_zh=advice_zh
    )


def _check_word(word: str, start: int, end: int) -> None:
    if word in _FOREIGN_WORDS:
        what, what_zh = _FOREIGN_WORDS[word]
        advice, advice_zh = "write one expression over numbers and conditions", "请只写一个关于数字和条件的表达式"
        if word == "None":
            advice, advice_zh = "test for a missing value with missing(x)", "判断缺失值请用 missing(x)"
        elif word == "in":
            advice, advice_zh = "use between(x, low, high) or comparisons", "请用 between(x, 下限, 上限) 或比较运算"
        elif word == "elif":
            advice, advice_zh = "chain: a if c else b if d else e", "请链式书写:a if c else b if d else e"
        raise SyntaxProblem(
            "SM407", start, end, construct=what, construct_zh=what_zh, advice=advice, advice_zh=advice_zh
        )
    if word.startswith("_"):
        raise SyntaxProblem(
            "SM407",
            start,
            end,
            construct="a name starting with '_'",
            construct_zh="以“_”开头的名称",
            advice="ids start with a letter",
            advice_zh="标识符以字母开头",
        )
    if word in ("true", "false"):
        raise SyntaxProblem(
            "SM401",
            start,
            end,
            detail=f"'{word}': write True or False",
            detail_zh=f"“{word}”:请写 True 或 False",
        )


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
                detail=f"has more than {MAX_NODES} parts",
                detail_zh=f"超过 {MAX_NODES} 个组成部分",
            )
        return node

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SyntaxProblem(
                "SM406",
                tok.start,
                tok.end,
                detail=f"nests deeper than {MAX_DEPTH} levels",
                detail_zh=f"嵌套超过 {MAX_DEPTH} 层",
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
            detail=f"expected {what}, found {found}",
            detail_zh=f"此处应为{what_zh},实际为{found_zh}",
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
                    detail="a ',' outside a function call",
                    detail_zh="函数调用之外出现了“,”",
                )
            if tok.text == ")":
                raise SyntaxProblem(
                    "SM401", tok.start, tok.end, detail="')' without its '('", detail_zh="“)”没有对应的“(”"
                )
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
        first = self.and_()
        if not self.at("or"):
            return first
        operands = [first]
        while self.at("or"):
            self.next()
            operands.append(self.and_())
        return self.count(Logic("or", tuple(operands), first.start, operands[-1].end))

    def and_(self) -> Node:
        first = self.not_()
        if not self.at("and"):
            return first
        operands = [first]
        while self.at("and"):
            self.next()
            operands.append(self.not_())
        return self.count(Logic("and", tuple(operands), first.start, operands[-1].end))

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
        node = self.product()
        while self.at("+", "-"):
            op = self.next().text
            right = self.product()
            node = self.count(Binary(op, node, right, node.start, right.end))  # type: ignore[arg-type]
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            op = self.next().text
            right = self.unary()
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
                    raise SyntaxProblem(
                        "SM401", tok.start, tok.end, detail="'(' is never closed", detail_zh="“(”没有闭合"
                    )
                raise self.expected("')'", "“)”")
            self.next()
            self.depth -= 1
            if self.at("("):
                nxt = self.peek()
                raise SyntaxProblem(
                    "SM407",
                    nxt.start,
                    nxt.end,
                    construct="calling the result of an expression",
                    construct_zh="调用表达式的结果",
                    advice="only the language's functions can be called, by name",
                    advice_zh="只能按名称调用公式语言的函数",
                )
            return inner
        if tok.kind == "end" and not self.tokens[:-1]:
            raise SyntaxProblem("SM401", 0, 0, detail="the formula is empty", detail_zh="公式为空")
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
                        construct="a keyword argument",
                        construct_zh="关键字参数",
                        advice="pass arguments by position",
                        advice_zh="请按位置传参",
                    )
                args.append(self.ifelse())
                if self.at(","):
                    self.next()
                    continue
                break
        if not self.at(")"):
            if self.peek().kind == "end":
                raise SyntaxProblem(
                    "SM401", open_.start, open_.end, detail="'(' is never closed", detail_zh="“(”没有闭合"
                )
            raise self.expected("',' or ')'", "“,”或“)”")
        close = self.next()
        self.depth -= 1
        if self.at("("):
            nxt = self.peek()
            raise SyntaxProblem(
                "SM407",
                nxt.start,
                nxt.end,
                construct="calling the result of a call",
                construct_zh="调用函数调用的结果",
                advice="only the language's functions can be called, by name",
                advice_zh="只能按名称调用公式语言的函数",
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
            detail=f"has a number with more than {MAX_DIGITS} significant digits",
            detail_zh=f"含有超过 {MAX_DIGITS} 位有效数字的数",
        )
    magnitude = value.copy_abs()  # exact: abs() would round, and overflow on 1e999999999
    if value != 0 and not Decimal("1e-300") <= magnitude <= Decimal("1e300"):
        raise SyntaxProblem(
            "SM406",
            tok.start,
            tok.end,
            detail="has a number beyond the range 1e-300 to 1e300",
            detail_zh="含有超出 1e-300 到 1e300 范围的数",
        )
    return value


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a tree; raises SyntaxProblem for any problem."""
    if len(text) > MAX_LENGTH:
        raise SyntaxProblem(
            "SM406",
            MAX_LENGTH,
            len(text),
            detail=f"is {len(text)} characters long; at most {MAX_LENGTH} are allowed",
            detail_zh=f"长 {len(text)} 个字符,最多允许 {MAX_LENGTH} 个",
        )
    tokens = tokenize(text)
    return _Parser(text, tokens).formula()
