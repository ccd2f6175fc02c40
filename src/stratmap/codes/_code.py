"""One diagnostic code and everything said about it; the Chinese words its templates interpolate."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stratmap.i18n import Text
from stratmap.severity import Severity

#: Chinese renderings of the English words that templates interpolate.
_ZH_TERMS: dict[str, str] = {
    "driver": "驱动力",
    "purpose": "工作目的",
    "problem": "问题",
    "department": "部门",
    "position": "岗位",
    "kpi": "KPI",
    "scorecard": "考核表",
    "key indicator": "关键战略指标",
    "high-voltage line": "高压线",
    "bonus rule": "奖金规则",
    "plan": "改进计划",
    "revision": "目标调整",
    "organisation": "组织",
    "anchor": "锚点",
    "alias": "别名",
    "merge key": "合并键",
    "string": "字符串",
    "number": "数字",
    "integer": "整数",
    "boolean": "布尔值",
    "mapping": "映射",
    "list": "列表",
    "null": "空值",
    "an id": "标识符",
    "a date": "日期",
    "a period": "期间",
    "a code": "诊断代码",
    "a currency code": "币种代码",
    "a grade label": "等级名称",
    "at least": "不小于",
    "at most": "不大于",
    "more than": "大于",
    "less than": "小于",
    "a tab": "制表符",
    "a full-width space (U+3000)": "全角空格(U+3000)",
    "more than 1": "多于 1",
    " (it looks like GB18030/GBK)": "(疑似 GB18030/GBK 编码)",
    " (it looks like UTF-16)": "(疑似 UTF-16 编码)",
    "value": "数值",
    "length": "长度",
    "count": "数量",
    "text or number": "文本或数字",
    "key indicator or high-voltage line": "关键战略指标或高压线",
    "derived KPIs": "派生 KPI",
    "KPI cascade": "KPI 对齐关系",
    "department hierarchy": "部门层级",
    "reporting lines": "汇报关系",
    "unit": "单位",
    "direction": "方向",
}

#: Chinese renderings of the problems libyaml reports most often (SM102).
_ZH_PROBLEMS: dict[str, str] = {
    "could not find expected ':'": "未找到预期的“:”(键后需要半角冒号和空格)",
    "did not find expected key": "未找到预期的键(检查缩进)",
    "did not find expected node content": "未找到预期的内容",
    "did not find expected ',' or ']'": "未找到预期的“,”或“]”",
    "did not find expected ',' or '}'": "未找到预期的“,”或“}”",
    "mapping values are not allowed in this context": "此处不允许映射值(检查缩进或给含“:”的文本加引号)",
    "block sequence entries are not allowed in this context": "此处不允许列表项(检查缩进)",
    "found character that cannot start any token": "出现了不能作为开头的字符",
    "found unexpected end of stream": "文件意外结束(引号或括号未闭合)",
    "found undefined alias": "使用了未定义的别名",
    "did not find expected '-' indicator": "未找到预期的“-”(检查列表缩进)",
    "did not find expected <document start>": "未找到预期的文档开始",
}


def _zh(value: Any) -> Any:
    if isinstance(value, Text):  # it carries its Chinese
        return value.zh
    if isinstance(value, str):
        if value in _ZH_TERMS:
            return _ZH_TERMS[value]
        if value in _ZH_PROBLEMS:
            return _ZH_PROBLEMS[value]
        if value.startswith("character U+") and value.endswith(" is not allowed in YAML"):
            return f"YAML 中不允许字符 {value.split()[1]}"
        if " or " in value:
            return "或".join(_zh(v) for v in value.split(" or "))
    return value


@dataclass(frozen=True, slots=True)
class Code:
    """One diagnostic code and everything said about it."""

    code: str
    slug: str
    severity: Severity
    summary: str
    summary_zh: str
    message: str
    message_zh: str
    hint: str = ""
    hint_zh: str = ""
    since: str = "0.1.0"
    status: str = "active"

    def required_args(self) -> frozenset[str]:
        names = _REQUIRED.get(self.code)
        if names is None:
            names = _REQUIRED[self.code] = _required_args(self)
        return names

    def render_message(self, lang: str, args: Mapping[str, Any]) -> str:
        if lang == "zh":
            return self.message_zh.format(**{k: _zh(v) for k, v in args.items()})
        return self.message.format(**args)

    def render_hint(self, lang: str, args: Mapping[str, Any]) -> str:
        if lang == "zh":
            return self.hint_zh.format(**{k: _zh(v) for k, v in args.items()})
        return self.hint.format(**args)

    def summary_in(self, lang: str) -> str:
        return self.summary_zh if lang == "zh" else self.summary

    def documentation(self) -> str:
        """The long documentation page, with its bad and fixed examples."""
        from importlib import resources

        page = resources.files("stratmap") / "_codedocs" / f"{self.code}.md"
        return page.read_text(encoding="utf-8")


#: Each code's template names, read once per code: diagnostics can be many.
_REQUIRED: dict[str, frozenset[str]] = {}


def _required_args(code: Code) -> frozenset[str]:
    """The names a code's templates interpolate."""
    names: set[str] = set()
    for text in (code.message, code.message_zh, code.hint, code.hint_zh):
        for _, field_name, _, _ in string.Formatter().parse(text):
            if field_name:
                names.add(field_name)
    return frozenset(names)
