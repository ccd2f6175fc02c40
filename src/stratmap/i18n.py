"""The two languages of messages, ``en`` and ``zh``: choosing one, and text that carries both.

A :class:`Text` is a ``str`` whose value is the English (what JSON and the Python API give)
and that carries its Chinese as ``.zh``. The evaluation writes its words as Texts; a
diagnostic's message argument that is a Text renders in the message's language (the code
catalogue's Chinese template reads its ``.zh``), so no call site passes a second, Chinese
argument beside the English one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

LANGUAGES = ("en", "zh")


def default_lang() -> str:
    """``zh`` when the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE) is Chinese, else ``en``."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Text(str):
    """English text (its ``str`` value) that carries its Chinese as ``.zh``."""

    zh: str

    def __new__(cls, en: str, zh: str | None = None) -> Text:
        text = super().__new__(cls, en)
        text.zh = en if zh is None else zh
        return text

    def __add__(self, other: str) -> Text:
        return Text(str(self) + str(other), self.zh + in_zh(other))

    def __radd__(self, other: str) -> Text:
        return Text(str(other) + str(self), in_zh(other) + self.zh)

    def join(self, parts: Iterable[str]) -> Text:
        listed = list(parts)
        return Text(str(self).join(str(p) for p in listed), self.zh.join(in_zh(p) for p in listed))

    def __reduce__(self) -> tuple[type[Text], tuple[str, str]]:
        return (Text, (str(self), self.zh))


#: The separators of lists and of clauses, in both languages.
COMMA = Text(", ", ",")
SEMICOLON = Text("; ", ";")


def in_zh(text: object) -> str:
    """The Chinese of a Text; any other value as it is written."""
    return text.zh if isinstance(text, Text) else str(text)


def in_lang(text: object, lang: str) -> str:
    """``text`` in ``lang`` (``"zh"`` or English)."""
    return in_zh(text) if lang == "zh" else str(text)
