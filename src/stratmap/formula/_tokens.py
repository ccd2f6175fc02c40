"""The formula language's tokens: text to located tokens; a word, symbol or character from
another language (Excel, full width, Chinese) is named with what to write instead."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from stratmap.formula._tree import SyntaxProblem
from stratmap.i18n import Text

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


def names_in(text: str) -> list[str]:
    """The names ``text`` reads (keywords aside), in order of first use, read leniently:
    anything outside the language is stepped over rather than raised, so a formula with a
    syntax error still names what it reads (the graph links a derived KPI to its inputs
    whatever SM4xx says about its formula)."""
    found: dict[str, None] = {}
    pos, n, match = 0, len(text), _TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            pos += 1
            continue
        if m.lastgroup == "name" and m.group() not in KEYWORDS:
            found[m.group()] = None
        pos = m.end()
    return list(found)


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
                    detail=Text(
                        f"full-width '{ch}' (U+{ord(ch):04X}); write the ASCII '{_FULL_WIDTH[ch]}'",
                        f"全角字符“{ch}”(U+{ord(ch):04X});请改用半角“{_FULL_WIDTH[ch]}”",
                    ),
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
                    detail=Text(
                        f"'{word}' is not an id; formulas name KPIs and values by their id (a-z, 0-9, _)",
                        f"“{word}”不是标识符;公式用标识符(a-z、0-9、_)引用 KPI 和数值,而不是名称",
                    ),
                )
            raise SyntaxProblem(
                "SM401",
                pos,
                pos + 1,
                detail=Text(f"unexpected character {ch!r} (U+{ord(ch):04X})", f"意外的字符 {ch!r}(U+{ord(ch):04X})"),
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
                detail=Text(
                    f"'{text[start:end]}' is neither a number nor a name", f"“{text[start:end]}”既不是数字也不是标识符"
                ),
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
        "SM407", start, start + len(piece), construct=Text(what, what_zh), advice=Text(advice, advice_zh)
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
        raise SyntaxProblem("SM407", start, end, construct=Text(what, what_zh), advice=Text(advice, advice_zh))
    if word.startswith("_"):
        raise SyntaxProblem(
            "SM407",
            start,
            end,
            construct=Text("a name starting with '_'", "以“_”开头的名称"),
            advice=Text("ids start with a letter", "标识符以字母开头"),
        )
    if word in ("true", "false"):
        raise SyntaxProblem(
            "SM401",
            start,
            end,
            detail=Text(f"'{word}': write True or False", f"“{word}”:请写 True 或 False"),
        )
