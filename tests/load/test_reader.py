"""The strict reader: values mean what the user sees, every hazard is located."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stratmap.diagnostics import Diagnostic
from stratmap.load import reader
from stratmap.load._events import resolve_plain
from stratmap.load.document import Limits
from stratmap.load.reader import parse_text, read_document


def codes(diags: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.location.line, d.location.column) for d in diags]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("no", "no"),
        ("NO", "NO"),
        ("Y", "Y"),
        ("1:20", "1:20"),
        ("0123", "0123"),
        ("00123", "00123"),
        ("2026-03-01", "2026-03-01"),
        ("1e3", "1e3"),
        ("1_000", "1_000"),
        (".5", ".5"),
        ("+5", "+5"),
        ("0x1F", "0x1F"),
        (".inf", ".inf"),
        ("~", None),
        ("null", None),
        ("", None),
        ("true", True),
        ("False", False),
        ("0", 0),
        ("-7", -7),
        ("30", 30),
        ("12.50", Decimal("12.50")),
        ("-0.1", Decimal("-0.1")),
    ],
)
def test_plain_scalars_mean_what_the_user_sees(text: str, value: object) -> None:
    got = resolve_plain(text)
    assert got == value
    assert type(got) is type(value)


def test_quoted_and_block_scalars_stay_text() -> None:
    doc, diags = parse_text("a: '30'\nb: \"true\"\nc: |\n  12\nd: !!str 5\n", "f.yaml")
    assert diags == []
    assert doc.data == {"a": "30", "b": "true", "c": "12\n", "d": "5"}


def test_decimals_are_exact() -> None:
    doc, _ = parse_text("w: [15.5, 14.5, 35.1, 34.9]\nx: [0.1, 0.2]\n", "f.yaml")
    assert doc.data is not None
    assert all(type(v) is Decimal for v in doc.data["w"] + doc.data["x"])
    assert sum(doc.data["w"]) == 100
    assert sum(doc.data["x"]) == Decimal("0.3")  # 0.1 + 0.2 != 0.3 in binary floating point


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    doc, diags = parse_text("a: 1\nb:\n  c: 2\n  c: 3\n", "f.yaml")
    assert codes(diags) == [("SM103", 4, 3)]
    assert diags[0].related[0].location.line == 3
    assert doc.data == {"a": 1, "b": {"c": 2}}


def test_anchor_and_alias_are_rejected_where_they_stand() -> None:
    _, diags = parse_text("a: &x 1\nb: *x\n", "f.yaml")
    assert codes(diags) == [("SM104", 1, 4), ("SM104", 2, 4)]
    assert [d.message() for d in diags] == [
        "anchor '&x' is not allowed in a strategy file",
        "alias '*x' is not allowed in a strategy file",
    ]


def test_merge_key_is_rejected() -> None:
    _, diags = parse_text("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml")
    assert ("SM104", 3, 3) in codes(diags)


def test_alias_bomb_is_cheap_and_rejected() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    _, diags = parse_text("\n".join(lines) + "\n", "bomb.yaml")  # refused at the first alias: no blow-up
    assert {d.code for d in diags} == {"SM104"}


class _BoundedParser(yaml.SafeLoader):
    """A stand-in for libyaml >= 0.2.6 (PyYAML >= 6.0.3 wheels), which stops at its own
    nesting bound with a scanner error, whatever the depth limit of the caller."""

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        if self.flow_level >= 5:
            mark = self.get_mark()
            raise yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
        super().fetch_flow_collection_start(token_class)


#: Every parser PyYAML may use, whichever version is installed: the C one when built,
#: the pure-Python one (no bound of its own, like libyaml <= 0.2.5 in PyYAML 6.0.1),
#: and one bounded like the newest libyaml.
PARSERS = [
    pytest.param(getattr(yaml, "CSafeLoader", yaml.SafeLoader), id="installed"),
    pytest.param(yaml.SafeLoader, id="unbounded"),
    pytest.param(_BoundedParser, id="bounded"),
]


@pytest.mark.parametrize("loader", PARSERS)
@pytest.mark.parametrize("text", ["[" * 100_000, "a:\n" + "".join(" " * i + "- \n" for i in range(1, 200))])
def test_deep_nesting_is_bounded(text: str, loader: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_Loader", loader)
    doc, diags = parse_text(text, "deep.yaml")
    assert doc.data is None
    assert [d.code for d in diags] == ["SM107"]
    assert "48" in diags[0].message()


def test_the_parsers_own_bound_reports_the_lower_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_Loader", _BoundedParser)
    _, diags = parse_text("a: " + "[" * 8 + "]" * 8 + "\n", "deep.yaml", Limits(max_depth=5000))
    assert [d.code for d in diags] == ["SM107"]
    assert "1000" in diags[0].message()


def test_depth_limit_reports_sm107() -> None:
    doc, diags = parse_text("a: " + "[" * 60 + "]" * 60 + "\n", "deep.yaml", Limits(max_depth=10))
    assert doc.data is None
    assert codes(diags) == [("SM107", 1, 13)]


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("stratmap: 1\n" + "# filler\n" * 100, encoding="utf-8")
    doc, diags = read_document(path, Limits(max_bytes=200))
    assert doc.data is None
    assert [d.code for d in diags] == ["SM106"]


def test_not_utf8_is_located_and_guessed(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("stratmap: 1\nname: 销售部\n".encode("gb18030"))
    _, diags = read_document(path)
    assert codes(diags) == [("SM101", 2, 7)]
    assert "GB18030" in diags[0].message()


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfstratmap: 1\n")
    doc, diags = read_document(path)
    assert diags == []
    assert doc.data == {"stratmap": 1}


def test_missing_file(tmp_path: Path) -> None:
    _, diags = read_document(tmp_path / "nope.yaml")
    assert [d.code for d in diags] == ["SM100"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nweight：30\n", ("SM108", 2, 7)),
        ("a: [x，y]\n", ("SM108", 1, 6)),
        ("a:\n  - kpi：sales\n", ("SM108", 2, 8)),
        ("a:\n  b: 1\n\u3000\u3000c: 2\n", ("SM109", 3, 1)),
        ("a:\n\tb: 1\n", ("SM109", 2, 1)),
    ],
)
def test_fullwidth_and_indentation_mistakes_are_located(text: str, expected: tuple[str, int, int]) -> None:
    _, diags = parse_text(text, "f.yaml")
    assert codes(diags) == [expected]


def test_fullwidth_punctuation_inside_chinese_text_is_fine() -> None:
    doc, diags = parse_text("name: 目标：提高销量，扩大份额\nnote: 比例：50\n", "f.yaml")
    assert diags == []
    assert doc.data == {"name": "目标：提高销量，扩大份额", "note": "比例：50"}


def test_fullwidth_hint_is_in_chinese_when_asked() -> None:
    _, diags = parse_text("a: 1\nweight：30\n", "f.yaml")
    assert "全角" in diags[0].hint("zh")
    assert "half-width" in diags[0].hint("en")


def test_tags_other_than_str_are_rejected() -> None:
    _, diags = parse_text("a: !!python/object:os.system x\nb: !!int 3\nc: !custom {}\n", "f.yaml")
    assert [d.code for d in diags] == ["SM105", "SM105", "SM105"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "SM110"), ("a: 1\n---\nb: 2\n", "SM110"), ("- a\n- b\n", "SM111"), ("just text\n", "SM111")],
)
def test_document_shape(text: str, code: str) -> None:
    doc, diags = parse_text(text, "f.yaml")
    assert doc.data is None
    assert [d.code for d in diags] == [code]


def test_complex_key_is_rejected() -> None:
    _, diags = parse_text("? [a, b]\n: 1\n", "f.yaml")
    assert [d.code for d in diags] == ["SM113"]


def test_syntax_error_is_located() -> None:
    _, diags = parse_text("a: [1, 2\nb: 3\n", "f.yaml")
    assert codes(diags) == [("SM102", 2, 2)]


def test_positions_point_at_keys_and_values() -> None:
    doc, _ = parse_text("kpis:\n  - id: 销售量\n    weight: 30\n", "f.yaml")
    assert doc.locate(("kpis", 0, "weight")).line == 3
    assert doc.locate(("kpis", 0, "weight")).column == 5
    assert doc.locate(("kpis", 0, "weight"), key=False).column == 13
    assert doc.locate(("kpis", 0, "id"), key=False).column == 9


def test_nested_complex_keys_do_not_crash() -> None:
    doc, diags = parse_text("[\n  [ a, [ [[b,c]]: d, e]]: 23\n]\n", "f.yaml")
    assert doc.data is None  # the top level is a list
    assert {d.code for d in diags} == {"SM113", "SM111"}


def test_huge_integers_load_exactly_without_crashing() -> None:
    doc, diags = parse_text("x: " + "9" * 5000 + "\ny: 123456789012345678901\nz: 999999999999999\n", "f.yaml")
    # read exactly, and refused where written: beyond 1e15 no evaluation is exact (stratmap.exact)
    assert codes(diags) == [("SM114", 1, 4), ("SM114", 2, 4)]
    assert "5000 characters" in diags[0].message()
    assert doc.data is not None
    assert doc.data["x"] == Decimal("9" * 5000)
    assert doc.data["y"] == Decimal("123456789012345678901")


def test_control_characters_are_located() -> None:
    _, diags = parse_text("a: 1\nname: a\x00b\n", "f.yaml")
    assert codes(diags) == [("SM102", 2, 8)]
    assert "\n" not in diags[0].message()
    assert "U+0000" in diags[0].message() and "U+0000" in diags[0].message("zh")


def test_fifo_is_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    _, diags = read_document(fifo)
    assert [d.code for d in diags] == ["SM100"]
    assert "not a regular file" in diags[0].message()


def test_full_width_key_typos_are_located_not_the_prose() -> None:
    cases = {
        "organisation:\n  name：测试公司\n": ("SM108", 2, 7),
        "a: 1\ninclude：\n  - a.yaml\n": ("SM108", 2, 8),
        "a:\n  b: 1\n  权重：30\n  c: 2\n": ("SM108", 3, 5),
        "weight:\u3000100\nx: 1\n": ("SM108", 1, 8),
    }
    for text, expected in cases.items():
        _, diags = parse_text(text, "f.yaml")
        assert codes(diags) == [expected], text
    # a Chinese comma in prose above a genuine indentation mistake is not blamed
    _, diags = parse_text("drivers:\n  - id: x\n    name: 提高销量，扩大份额\n   rationale: y\n", "f.yaml")
    assert [d.code for d in diags] == ["SM102"]


def test_full_width_in_a_multi_line_scalar_points_at_its_start() -> None:
    _, diags = parse_text("ids:\n  - first\n    x，y\n", "f.yaml")
    assert codes(diags) == [("SM108", 2, 5)]


def test_each_mistake_is_reported_once() -> None:
    _, diags = parse_text("organisation: {id: acme， name: 公司}\n", "f.yaml")
    assert codes(diags) == [("SM108", 1, 24)]


def test_many_errors_stay_fast() -> None:
    from stratmap.schema import validate

    text = "stratmap: 1\n" + "".join(f"k{i}: &a{i} 1\nv{i}: *a{i}\n" for i in range(3000))
    doc, diags = parse_text(text, "f.yaml")  # was quadratic (minutes): a regression would show in CI's time
    diags += validate(doc)
    assert {d.code for d in diags} == {"SM104", "SM121"}


_OLD_FLOW_TYPO = re.compile(r"[\[{][^\]}]*?[A-Za-z0-9_]\s*([\uff0c\uff1a])")


@given(st.text(alphabet="[]{}a_ 9，：#:\t-", max_size=40))
def test_flow_typo_scan_finds_what_the_old_pattern_found(body: str) -> None:
    # the one-pass scan replaced a pattern that backtracked quadratically on lines of openers
    match = _OLD_FLOW_TYPO.search(body)
    assert reader._flow_typo(body) == (match.start(1) if match else None)


def test_hints_after_a_syntax_error_look_near_the_error() -> None:
    padding = "[" * 50_000
    _, diags = parse_text(f"x: {padding}\n", "long.yaml", Limits(max_depth=100_000))
    assert [d.code for d in diags] in (["SM102"], ["SM107"])
    # an unclosed flow list far along a line, with a full-width comma typed for ','
    typo = "x: [" + "a, " * 3000 + "b，c\n"
    _, diags = parse_text(typo, "typo.yaml")
    assert [(d.code, d.location.line, d.location.column) for d in diags] == [("SM108", 1, 4 + 3 * 3000 + 2)]


def test_an_unclosed_bracket_is_named_where_it_opened() -> None:
    for text, bracket in (("stratmap: 1\nx: [a, b\ny: 1\n", "["), ("stratmap: 1\nx: {a: 1, b: 2,\n", "{")):
        _, diags = parse_text(text, "s.yaml")
        [d] = diags
        assert d.code == "SM102"
        assert f"the '{bracket}' at line 2, column 4 is not closed" in d.message("en")
        assert [(r.location.line, r.location.column) for r in d.related] == [(2, 4)]
    _, diags = parse_text("stratmap: 1\nx: [" + "a, " * 50_000 + "\n", "s.yaml")  # the opener far before the error
    assert "the '[' at line 2, column 4 is not closed" in diags[0].message("en")
