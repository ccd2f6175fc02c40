"""The catalogue of diagnostic codes: one place, data only.

Every code stratmap reports is declared here once, with its slug, default severity,
one-line meaning and message templates in English and Chinese. ``stratmap rules``,
``stratmap explain``, ``docs/codes.md`` and the SARIF rule list are all generated from
this table; each code's long documentation (with a bad and a fixed example that the
test-suite runs) lives in ``stratmap/_codedocs/<CODE>.md``.

Codes are never reused. Families: ``SM1xx`` reading and schema, ``SM2xx`` references.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stratmap.diagnostics import Severity

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
    aliases: tuple[str, ...] = ()

    def required_args(self) -> set[str]:
        names: set[str] = set()
        for text in (self.message, self.message_zh, self.hint, self.hint_zh):
            for _, field_name, _, _ in string.Formatter().parse(text):
                if field_name:
                    names.add(field_name)
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


E, W = Severity.ERROR, Severity.WARNING

_ALL = (
    # ---- SM1xx: reading files -------------------------------------------------
    Code(
        "SM100",
        "file-unreadable",
        E,
        "A path cannot be read.",
        "路径无法读取。",
        "cannot read {path}: {reason}",
        "无法读取 {path}:{reason}",
        "Check that the path exists and is a readable file or folder.",
        "请确认路径存在,且是可读的文件或文件夹。",
    ),
    Code(
        "SM101",
        "not-utf8",
        E,
        "The file is not UTF-8 text.",
        "文件不是 UTF-8 文本。",
        "the file is not UTF-8: byte 0x{byte} cannot be decoded{guess}",
        "文件不是 UTF-8 编码:字节 0x{byte} 无法解码{guess}",
        "Save the file as UTF-8 (most editors: File > Save with Encoding > UTF-8).",
        "请将文件另存为 UTF-8 编码(多数编辑器:文件 > 以指定编码保存 > UTF-8)。",
    ),
    Code(
        "SM102",
        "yaml-syntax",
        E,
        "The file is not valid YAML.",
        "文件不是合法的 YAML。",
        "YAML syntax error: {problem}",
        "YAML 语法错误:{problem}",
        "Fix the YAML at this position; check indentation and that every key is followed by ': '.",
        "请修正此处的 YAML:检查缩进,以及每个键后是否有半角“: ”。",
    ),
    Code(
        "SM103",
        "duplicate-key",
        E,
        "A key appears twice in the same mapping.",
        "同一映射中出现重复的键。",
        "duplicate key '{key}' (first at line {first_line}); the second value is ignored",
        "重复的键“{key}”(首次出现在第 {first_line} 行);第二个值被忽略",
        "Remove one of the two keys or merge their values.",
        "请删除其中一个键,或合并两者的值。",
    ),
    Code(
        "SM104",
        "alias",
        E,
        "Anchors, aliases and merge keys are not allowed.",
        "不允许使用锚点、别名和合并键。",
        "{what} '{name}' is not allowed in a strategy file",
        "战略文件中不允许使用{what}“{name}”",
        "Write the value out in full; aliases hide what a reviewer needs to see.",
        "请完整写出该值;别名会让审阅者看不到实际内容。",
    ),
    Code(
        "SM105",
        "tag",
        E,
        "A YAML tag other than !!str is used.",
        "使用了 !!str 以外的 YAML 标签。",
        "tag '{tag}' is not allowed",
        "不允许使用标签“{tag}”",
        "Remove the tag; write numbers plainly and quote text that should stay text.",
        "请删除标签;数字直接书写,需保持为文本的内容请加引号。",
    ),
    Code(
        "SM106",
        "file-too-large",
        E,
        "The file is larger than the size limit.",
        "文件超过大小上限。",
        "the file is {size} bytes; the limit is {limit} bytes",
        "文件大小为 {size} 字节,上限为 {limit} 字节",
        "Split the strategy into several files joined with 'include:'.",
        "请将战略拆分为多个文件,并用 include: 引入。",
    ),
    Code(
        "SM107",
        "too-deep",
        E,
        "Nesting is deeper than the limit.",
        "嵌套层级超过上限。",
        "nesting is deeper than {limit} levels",
        "嵌套层级超过 {limit} 层",
        "Flatten the structure; a strategy file needs no more than a few levels.",
        "请减少嵌套;战略文件只需少数几层结构。",
    ),
    Code(
        "SM108",
        "fullwidth-punctuation",
        E,
        "Full-width punctuation is used where YAML needs ASCII.",
        "在 YAML 需要半角符号处使用了全角标点。",
        "full-width '{char}' where YAML expects '{ascii}'",
        "此处使用了全角“{char}”,YAML 需要半角“{ascii}”",
        "Replace '{char}' with '{ascii}' (switch the input method to half-width).",
        "请将全角“{char}”改为半角“{ascii}”(切换输入法到半角/英文标点)。",
    ),
    Code(
        "SM109",
        "bad-indentation-char",
        E,
        "Indentation uses a full-width space or a tab.",
        "缩进中使用了全角空格或制表符。",
        "indentation contains {what}",
        "缩进中含有{what}",
        "Indent with ordinary spaces (U+0020) only.",
        "请只用半角空格(U+0020)缩进。",
    ),
    Code(
        "SM110",
        "document-count",
        E,
        "A file holds no document or more than one.",
        "文件中没有文档或有多个文档。",
        "the file holds {count} YAML documents; a strategy file holds exactly one",
        "文件中有 {count} 个 YAML 文档;战略文件必须恰好包含一个",
        "Put each document in its own file, joined by 'include:'.",
        "请将每个文档放入单独的文件,并用 include: 引入。",
    ),
    Code(
        "SM111",
        "not-a-mapping",
        E,
        "The top level of the file is not a mapping.",
        "文件顶层不是映射。",
        "the top level is a {found}; a strategy file is a mapping that starts with 'stratmap: 1'",
        "文件顶层是{found};战略文件应为以“stratmap: 1”开头的映射",
        "Start the file with 'stratmap: 1' and write sections as keys.",
        "请以“stratmap: 1”开头,并以键的形式书写各部分。",
    ),
    Code(
        "SM112",
        "format-version",
        E,
        "The format version is missing or unsupported.",
        "缺少格式版本或版本不受支持。",
        "{problem}",
        "{problem_zh}",
        "Put 'stratmap: 1' at the top of every strategy file.",
        "请在每个战略文件开头写上“stratmap: 1”。",
    ),
    Code(
        "SM113",
        "bad-key",
        E,
        "A mapping key is not plain text.",
        "映射的键不是普通文本。",
        "a key must be text, not a {found}",
        "键必须是文本,而不是{found}",
        "Write the key as plain text followed by ': '.",
        "请将键写成普通文本,后跟半角“: ”。",
    ),
    # ---- SM12x: schema --------------------------------------------------------
    Code(
        "SM120",
        "missing-key",
        E,
        "A required key is missing.",
        "缺少必填的键。",
        "missing required key '{key}'",
        "缺少必填的键“{key}”",
        "Add '{key}:' to this mapping.",
        "请在此映射中添加“{key}:”。",
    ),
    Code(
        "SM121",
        "unknown-key",
        E,
        "A key is not part of the format.",
        "键不属于该格式。",
        "unknown key '{key}'{suggestion}",
        "未知的键“{key}”{suggestion_zh}",
        "Allowed keys here: {allowed}.",
        "此处允许的键:{allowed}。",
    ),
    Code(
        "SM122",
        "wrong-type",
        E,
        "A value has the wrong type.",
        "值的类型不正确。",
        "expected {expected}, found {found}{value}",
        "应为{expected},实际为{found}{value}",
        "{advice}",
        "{advice_zh}",
    ),
    Code(
        "SM123",
        "not-allowed-value",
        E,
        "A value is not one of the allowed choices.",
        "值不在允许的选项中。",
        "{value} is not allowed here{suggestion}",
        "此处不允许 {value}{suggestion_zh}",
        "Use one of: {allowed}.",
        "请使用以下之一:{allowed}。",
    ),
    Code(
        "SM124",
        "bad-format",
        E,
        "A text value does not have the required form.",
        "文本值的格式不正确。",
        "{value} is not {what}",
        "{value} 不是合法的{what}",
        "{advice}",
        "{advice_zh}",
    ),
    Code(
        "SM125",
        "out-of-range",
        E,
        "A value or list length is out of range.",
        "数值或列表长度超出范围。",
        "{subject} {value} must be {relation} {limit}",
        "{subject} {value} 必须{relation} {limit}",
        "Change the value to lie within the allowed range.",
        "请将数值调整到允许的范围内。",
    ),
    Code(
        "SM126",
        "schema",
        E,
        "A value does not match the schema.",
        "值不符合 Schema。",
        "{detail}",
        "{detail}",
        "See docs/format.md for this section.",
        "请参阅 docs/format.md 中对应的部分。",
    ),
    Code(
        "SM127",
        "duplicate-item",
        E,
        "A list names the same value twice.",
        "列表中重复出现同一值。",
        "{value} is listed twice",
        "{value} 重复出现",
        "Remove the repeated entry.",
        "请删除重复项。",
    ),
    # ---- SM2xx: references across files ----------------------------------------
    Code(
        "SM201",
        "unknown-reference",
        E,
        "A reference names an id that does not exist.",
        "引用了不存在的标识符。",
        "'{field}' refers to unknown {kinds} '{ref}'{suggestion}",
        "“{field}”引用了不存在的{kinds}“{ref}”{suggestion_zh}",
        "Correct the id or declare the {kinds} it names.",
        "请更正标识符,或声明所引用的{kinds}。",
    ),
    Code(
        "SM202",
        "duplicate-id",
        E,
        "Two things share one id.",
        "两个对象使用了同一标识符。",
        "id '{ref}' is already used by the {kind} at {first}",
        "标识符“{ref}”已被 {first} 处的{kind}使用",
        "Ids are unique across all files of a strategy; rename one of them.",
        "标识符在战略的所有文件中必须唯一;请重命名其中之一。",
    ),
    Code(
        "SM203",
        "wrong-kind",
        E,
        "A reference names an id of the wrong kind.",
        "引用的标识符类型不正确。",
        "'{field}' must name a {expected}, but '{ref}' is a {actual}",
        "“{field}”应引用{expected},但“{ref}”是{actual}",
        "Name a {expected} here.",
        "请在此处引用{expected}。",
    ),
    Code(
        "SM204",
        "include-not-found",
        E,
        "An include matches no file.",
        "include 未匹配到任何文件。",
        "include '{pattern}' matches no file",
        "include“{pattern}”未匹配到任何文件",
        "Check the path; it is relative to the including file.",
        "请检查路径;它相对于当前文件。",
    ),
    Code(
        "SM205",
        "include-cycle",
        E,
        "Files include each other in a cycle.",
        "文件之间循环引入。",
        "include cycle: {cycle}",
        "循环引入:{cycle}",
        "Include each file from one parent only; the root includes the rest.",
        "每个文件只应被一个上级文件引入;由根文件引入其余文件。",
    ),
    Code(
        "SM206",
        "no-organisation",
        E,
        "No file declares the organisation, so there is no strategy to check.",
        "没有文件声明组织,因此没有可检查的战略。",
        "no file among these declares 'organisation'; they are not part of any strategy",
        "这些文件中没有声明“organisation”的文件;它们不属于任何战略",
        "Declare 'organisation:' (id and name) in the root file and include the others from it, or pass the root too.",
        "请在根文件中声明“organisation:”(id 与 name)并由它引入其他文件,或同时传入根文件。",
    ),
    Code(
        "SM207",
        "declared-twice",
        E,
        "A once-only section is declared in more than one file.",
        "只能声明一次的部分被多个文件声明。",
        "'{key}' is declared again (first at {first})",
        "“{key}”被重复声明(首次在 {first})",
        "Keep one declaration, in the root file.",
        "请只保留一处声明(在根文件中)。",
    ),
    Code(
        "SM208",
        "not-included",
        W,
        "A strategy file is not reached from any root file.",
        "战略文件未被任何根文件引入。",
        "this file is not included by any file that declares 'organisation'",
        "此文件未被任何声明了“organisation”的文件引入",
        "Add it to the root file's 'include:' or pass the root file too.",
        "请将其加入根文件的 include:,或同时传入根文件。",
    ),
    Code(
        "SM209",
        "foreign-problem",
        E,
        "A KPI answers a problem of another organisation.",
        "KPI 针对的是另一组织的问题。",
        "'answers' names problem '{ref}' of another organisation ('{org}')",
        "answers 引用了另一组织(“{org}”)的问题“{ref}”",
        "Declare the problem in this organisation's strategy, or answer one of its own.",
        "请在本组织的战略中声明该问题,或针对本组织自己的问题。",
    ),
    # ---- SM3xx: alignment of the cascade ---------------------------------------
    Code(
        "SM301",
        "unserved-driver",
        W,
        "A driver that no department or position purpose serves.",
        "没有任何部门或岗位工作目的服务的驱动力。",
        "driver '{driver}' is served by no department or position purpose",
        "驱动力“{driver}”没有任何部门或岗位的工作目的为其服务",
        "Name it in the 'serves' of the purpose that pursues it, or remove the driver.",
        "请在相应工作目的的 serves 中列出它,或删除该驱动力。",
    ),
    Code(
        "SM302",
        "purpose-serves-nothing",
        E,
        "A purpose that serves no driver.",
        "不服务任何驱动力的工作目的。",
        "purpose '{purpose}' serves no driver",
        "工作目的“{purpose}”不服务任何驱动力",
        "List the drivers it serves in 'serves'.",
        "请在 serves 中列出它所服务的驱动力。",
    ),
    Code(
        "SM303",
        "unmeasured-driver",
        W,
        "A driver that no KPI reaches: it is not measured.",
        "没有任何 KPI 触达的驱动力:它未被衡量。",
        "no KPI reaches driver '{driver}': nobody is assessed on it",
        "没有任何 KPI 触达驱动力“{driver}”:无人因它被考核",
        "Add a KPI that serves a purpose serving this driver, or answers a problem holding it back.",
        "请增加服务于该驱动力相关工作目的、或针对阻碍它的问题的 KPI。",
    ),
    Code(
        "SM304",
        "kpi-without-driver",
        E,
        "A KPI that traces to no driver: the value disconnect.",
        "无法追溯到任何驱动力的 KPI:价值脱节。",
        "KPI '{kpi}' traces to no driver: people would be assessed on something the strategy does not ask for",
        "KPI“{kpi}”无法追溯到任何驱动力:员工将因战略并未要求的事项被考核",
        "Make it serve a purpose that serves a driver, or answer a problem that holds a driver back; otherwise retire it.",
        "请让它服务于某个服务驱动力的工作目的,或针对阻碍驱动力的问题;否则请停用该指标。",
    ),
    Code(
        "SM305",
        "no-scorecard",
        W,
        "A department or position with no scorecard.",
        "没有考核表的部门或岗位。",
        "'{entity}' has no scorecard",
        "“{entity}”没有考核表",
        "Add a scorecard with 'for: {entity}'.",
        "请增加 for: {entity} 的考核表。",
    ),
    Code(
        "SM306",
        "weights-total",
        E,
        "Scorecard weights do not total 100.",
        "考核表权重合计不为 100。",
        "the weights of scorecard '{scorecard}' total {total}, not 100",
        "考核表“{scorecard}”的权重合计为 {total},不是 100",
        "Adjust the weights to total 100, or set 'weight_policy: normalise' to scale them.",
        "请调整权重使其合计为 100,或设置 weight_policy: normalise 按比例换算。",
    ),
    Code(
        "SM307",
        "no-key-indicator",
        W,
        "A short-term scorecard without a key strategic indicator.",
        "短期考核表缺少关键战略指标。",
        "short-term scorecard '{scorecard}' has no key strategic indicator (bonus veto)",
        "短期考核表“{scorecard}”没有关键战略指标(奖金否决项)",
        "Add a 'key_indicators' entry: the KPI whose miss cancels the period's bonus.",
        "请增加 key_indicators:未达成即否决当期奖金的 KPI。",
    ),
    Code(
        "SM308",
        "out-of-scope",
        E,
        "A veto or high-voltage line reads a KPI outside its scorecard's scope.",
        "否决项或高压线读取了考核表范围之外的 KPI。",
        "{what} '{ref}' reads KPI '{kpi}', which is neither on scorecard '{scorecard}' nor owned by '{entity}'",
        "{what}“{ref}”读取的 KPI“{kpi}”既不在考核表“{scorecard}”中,也不归“{entity}”负责",
        "Watch a KPI of this scorecard or of its department or position.",
        "请改为监控本考核表或其部门、岗位自己的 KPI。",
    ),
    Code(
        "SM309",
        "line-without-outcome",
        E,
        "A high-voltage line without an outcome.",
        "没有后果的高压线。",
        "high-voltage line '{line}' has no outcome",
        "高压线“{line}”没有规定后果",
        "Add 'outcome' actions: what happens when the line is touched.",
        "请增加 outcome:触碰高压线后的处理。",
    ),
    Code(
        "SM310",
        "cycle",
        E,
        "A cycle: a derived KPI depends on itself, or a cascade or hierarchy loops.",
        "循环:派生 KPI 依赖自身,或对齐关系、组织层级成环。",
        "{what} loop: {cycle}",
        "{what}成环:{cycle}",
        "Break the loop at one of the links listed.",
        "请在所列的某一环节断开循环。",
    ),
    Code(
        "SM311",
        "under-cascaded",
        W,
        "Children's targets add up to less than the parent's target.",
        "下级目标之和小于上级目标。",
        "the targets of the KPIs contributing to '{kpi}' add up to {children}, less than its target {target} on '{scorecard}'",
        "向“{kpi}”汇总的下级 KPI 目标之和为 {children},小于其在“{scorecard}”上的目标 {target}",
        "Raise the children's targets or add contributors so that the cascade covers the parent's target.",
        "请提高下级目标或增加贡献者,使分解后的目标覆盖上级目标。",
    ),
    Code(
        "SM312",
        "cascade-mismatch",
        E,
        "A KPI cascades to a parent with a different unit or direction.",
        "KPI 向上对齐的上级 KPI 单位或方向不同。",
        "KPI '{kpi}' cascades to '{parent}' with a different {field}: {mine} vs {theirs}",
        "KPI“{kpi}”对齐的上级“{parent}”的{field}不同:{mine} 与 {theirs}",
        "Use the parent's {field}, or link to a parent that measures the same thing.",
        "请使用与上级相同的{field},或对齐到度量相同事项的上级 KPI。",
    ),
    Code(
        "SM313",
        "opposite-directions",
        W,
        "The same measure is pursued in opposite directions by two owners.",
        "同一度量被两个负责方朝相反方向追求。",
        "'{kpi}' and '{other}' both measure {name} but in opposite directions",
        "“{kpi}”与“{other}”都度量“{name}”,但方向相反",
        "Agree on one direction, or declare the tension with 'conflicts_with' so it is reviewed.",
        "请统一方向,或用 conflicts_with 声明冲突以便协调。",
    ),
    Code(
        "SM314",
        "declared-conflict",
        Severity.INFO,
        "KPIs declared as conflicting, surfaced together.",
        "声明为相互冲突的 KPI,一并列出。",
        "KPI '{kpi}' is declared to pull against '{other}': review them together",
        "KPI“{kpi}”被声明与“{other}”相互冲突:请一并审视",
        "Check that their weights and targets are balanced across the departments.",
        "请检查两部门间相关权重与目标是否平衡。",
    ),
    Code(
        "SM315",
        "smart-incomplete",
        W,
        "A SMART gap: unit, target, anchors, owner or deadline missing.",
        "SMART 不完整:缺少单位、目标、锚点、责任人或期限。",
        "{what}",
        "{what_zh}",
        "Fill in what is missing; a goal without it is not measurable or time-bound.",
        "请补全缺失项;缺少它们的目标无法衡量或没有时限。",
    ),
    Code(
        "SM316",
        "too-many-items",
        W,
        "More items on a scorecard than the organisation's limit.",
        "考核表指标项数超过组织上限。",
        "scorecard '{scorecard}' has {count} items; the limit is {limit}",
        "考核表“{scorecard}”有 {count} 个指标项,上限为 {limit}",
        "Keep the few that matter most, or raise 'max_items' in the organisation.",
        "请保留最重要的少数指标,或在 organisation 中提高 max_items。",
    ),
    Code(
        "SM317",
        "bad-split",
        W,
        "A KPI's split of its weight between drivers does not fit what it serves.",
        "KPI 在驱动力之间分配权重的 split 与其服务对象不符。",
        "the split of KPI '{kpi}' is off: {problem}",
        "KPI“{kpi}”的 split 有误:{problem_zh}",
        "List every driver the KPI serves, and only those, with shares totalling 100.",
        "请列出该 KPI 服务的全部驱动力(且仅限这些),份额合计为 100。",
    ),
    Code(
        "SM340",
        "suppression-without-reason",
        E,
        "A suppression without a written reason.",
        "未写理由的检查豁免。",
        "the suppression of {ref} gives no reason, so it silences nothing",
        "对 {ref} 的豁免未写理由,因此不生效",
        "Add 'reason:' saying why the finding does not apply here.",
        "请添加 reason:说明该检查为何不适用于此处。",
    ),
    Code(
        "SM341",
        "unused-suppression",
        W,
        "A suppression that silences nothing.",
        "未起作用的检查豁免。",
        "the suppression of {ref} on '{subject}' silences nothing",
        "“{subject}”上对 {ref} 的豁免没有豁免任何问题",
        "Remove it; the finding it was written for is gone.",
        "请删除它;它所针对的问题已不存在。",
    ),
    Code(
        "SM342",
        "bad-configuration",
        E,
        "A severity override or suppression names a code that cannot be configured.",
        "严重级别设置或豁免引用了不可配置的代码。",
        "'{ref}': {problem}",
        "“{ref}”:{problem_zh}",
        "Name an alignment check (SM3xx); 'stratmap rules' lists them.",
        "请引用对齐检查代码(SM3xx);“stratmap rules”可列出全部代码。",
    ),
    # ---- SM35x: analysis and named problems ---------------------------------------
    Code(
        "SM350",
        "unanswered-problem",
        E,
        "A named problem that no KPI and no improvement plan answers.",
        "没有任何 KPI 或改进计划针对的问题。",
        "problem '{problem}' is answered by no KPI and no improvement plan",
        "问题“{problem}”没有任何 KPI 或改进计划针对",
        "Add an issue-driven KPI ('answers: [{problem}]') or a plan that answers it, or mark it solved.",
        "请增加问题驱动的 KPI(answers: [{problem}])或针对它的改进计划,或将其标记为已解决。",
    ),
    Code(
        "SM351",
        "problem-holds-back-nothing",
        W,
        "A named problem that holds back no driver.",
        "不阻碍任何驱动力的问题。",
        "problem '{problem}' holds back no driver",
        "问题“{problem}”没有阻碍任何驱动力",
        "Name the drivers it holds back in 'holds_back', or drop it as not strategic.",
        "请在 holds_back 中列出它阻碍的驱动力,或因其不具战略意义而删除。",
    ),
    Code(
        "SM353",
        "driver-without-analysis",
        W,
        "A driver with no analysis behind it.",
        "没有分析依据的驱动力。",
        "driver '{driver}' has no analysis behind it: add {missing}",
        "驱动力“{driver}”缺少分析依据:请补充{missing_zh}",
        "Say what in the industry and company analysis shows this driver creates value now.",
        "请说明行业与企业竞争分析中的哪些结论表明该驱动力正在创造价值。",
    ),
    Code(
        "SM354",
        "answers-solved-problem",
        W,
        "An issue-driven KPI answers a problem marked solved.",
        "问题驱动的 KPI 所针对的问题已标记为解决。",
        "KPI '{kpi}' answers problem '{problem}', which is marked solved",
        "KPI“{kpi}”针对的问题“{problem}”已标记为已解决",
        "Retire the KPI or re-aim it at a problem that is still open.",
        "请停用该 KPI,或将其改为针对仍未解决的问题。",
    ),
)

#: Every code, by its id.
CODES: Mapping[str, Code] = {c.code: c for c in _ALL}
