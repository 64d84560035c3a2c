"""Automatic numbering in a .docx: the numbers Word generates for numbered paragraphs.

word/numbering.xml defines lists (w:abstractNum) and their instances (w:num); Word counts the
paragraphs of each list through the document and shows each number in its level's format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml import etree

_VAL, _ILVL, _NUM_ID = qn("w:val"), qn("w:ilvl"), qn("w:numId")
NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() accepts '²', int() not
NumberedStyle = tuple[str | None, str | None]  # a paragraph style's (numId, ilvl)


def val(node: etree._Element | None, default: str | None) -> str | None:
    return node.get(_VAL, default) if node is not None else default


@dataclass(frozen=True)
class _Level:
    """One level of a list: w:start, w:numFmt, w:lvlText and w:isLgl."""

    start: int
    format: str
    text: str
    legal: bool

    @classmethod
    def parse(cls, lvl: etree._Element) -> _Level:
        def value(name: str, default: str) -> str:
            node = lvl.find(qn(f"w:{name}"))
            return node.get(_VAL, default) if node is not None else default

        start = value("start", "0")
        return cls(
            int(start) if NUMBER.fullmatch(start) else 0,
            value("numFmt", "decimal"),
            value("lvlText", ""),
            lvl.find(qn("w:isLgl")) is not None,
        )


@dataclass
class _Num:
    """A w:num: the list (abstractNum) it numbers, its levels and its w:startOverride values."""

    list_id: str
    levels: dict[int, _Level]
    restarts: dict[int, int]


@dataclass
class _Counter:
    """One list's state as Word counts it: the last paragraph's number at each level, and the
    w:num whose start overrides were already applied."""

    numbers: list[int] = field(default_factory=list)
    restarted: set[str] = field(default_factory=set)


class Lists:
    """word/numbering.xml, and the counting of its lists through the document.

    As in Word, paragraphs of every w:num sharing one w:abstractNum count on as one list; a
    w:num's w:startOverride restarts it the first time that w:num is used. A level restarts
    after any paragraph of a higher level."""

    def __init__(self, root: etree._Element, numbered_styles: dict[str, NumberedStyle]) -> None:
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.iterchildren(qn("w:abstractNum"))}
        self.numbered_styles = numbered_styles
        self.abstract = abstract
        self.nums = {n.get(_NUM_ID): n for n in root.iterchildren(qn("w:num")) if n.get(_NUM_ID)}
        self.resolved: dict[str, _Num | None] = {}
        self.counters: dict[str, _Counter] = {}

    def next_number(self, num_id: str, level: int) -> str | None:
        """The number Word shows for the next paragraph of the list at this level; None for a
        bullet or an unknown list."""
        num = self._num(num_id)
        if num is None or not 0 <= level <= 8:
            return None
        if self._single_level(num):
            level = 0
        counter = self.counters.setdefault(num.list_id, _Counter())
        counter.numbers = _advance(counter, num_id, num, level)
        lvl = _level(num.levels, level)
        if lvl is None or lvl.format == "bullet":
            return None
        return _level_text(lvl, num.levels, counter.numbers) or None

    def _num(self, num_id: str) -> _Num | None:
        if num_id not in self.resolved:
            self.resolved[num_id] = self._resolve(num_id, depth=0)
        return self.resolved[num_id]

    def _resolve(self, num_id: str, depth: int) -> _Num | None:
        num = self.nums.get(num_id)
        list_id = val(num.find(qn("w:abstractNumId")), None) if num is not None else None
        abstract = self.abstract.get(list_id)
        if num is None or list_id is None or abstract is None:
            return None
        levels = self._abstract_levels(abstract, depth)
        restarts: dict[int, int] = {}
        for override in num.iterchildren(qn("w:lvlOverride")):
            at = override.get(_ILVL, "")
            if not NUMBER.fullmatch(at):
                continue
            lvl = override.find(qn("w:lvl"))
            if lvl is not None:
                levels[int(at)] = _Level.parse(lvl)
            start = val(override.find(qn("w:startOverride")), None)
            if start is not None and NUMBER.fullmatch(start):
                restarts[int(at)] = int(start)
        return _Num(list_id, levels, restarts)

    def _abstract_levels(self, abstract: etree._Element, depth: int) -> dict[int, _Level]:
        """An abstractNum's levels; one linked to a numbering style (w:numStyleLink) takes the
        levels of the list that style numbers."""
        link = val(abstract.find(qn("w:numStyleLink")), None)
        if link is not None and depth < 4:
            linked_id = self.numbered_styles.get(link, (None, None))[0]
            linked = self._resolve(linked_id, depth + 1) if linked_id else None
            return dict(linked.levels) if linked else {}
        levels = {}
        for lvl in abstract.iterchildren(qn("w:lvl")):
            at = lvl.get(_ILVL, "")
            if NUMBER.fullmatch(at):
                levels[int(at)] = _Level.parse(lvl)
        return levels

    def _single_level(self, num: _Num) -> bool:
        kind = self.abstract[num.list_id].find(qn("w:multiLevelType"))
        return kind is not None and kind.get(_VAL) == "singleLevel"


def _advance(counter: _Counter, num_id: str, num: _Num, level: int) -> list[int]:
    """The numbers at levels 0..level for the next paragraph at `level`."""
    previous = counter.numbers
    restart = num.restarts.get(level) if num_id not in counter.restarted else None
    if level in num.restarts:
        counter.restarted.add(num_id)
    numbers = previous[:level]
    for at in range(len(numbers), level):  # levels above never used: their start values
        numbers.append(_start(num, at))
    if restart is not None:
        numbers.append(restart)
    elif level < len(previous):
        numbers.append(previous[level] + 1)
    else:
        numbers.append(_start(num, level))
    return numbers


def _start(num: _Num, level: int) -> int:
    lvl = _level(num.levels, level)
    return num.restarts.get(level, lvl.start if lvl else 1)


def _level(levels: dict[int, _Level], level: int) -> _Level | None:
    """The level's definition, else the nearest level above that has one."""
    for at in range(level, -1, -1):
        if at in levels:
            return levels[at]
    return None


def _level_text(lvl: _Level, levels: dict[int, _Level], numbers: list[int]) -> str:
    """w:lvlText with each %N replaced by level N's number in its level's format."""

    def number(found: re.Match[str]) -> str:
        at = min(int(found.group(1)) - 1, len(numbers) - 1)
        own = _level(levels, at)
        fmt = own.format if own else "decimal"
        if lvl.legal and fmt != "decimalZero":  # w:isLgl: every level in Arabic digits
            fmt = "decimal"
        return _format_number(numbers[at], fmt)

    return re.sub(r"%([1-9])", number, lvl.text)


# --------------------------------------------------------------------------- number formats

_CHINESE = "〇一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_FULLSTOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
_PAREN = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]  # fmt: skip


def _format_number(n: int, fmt: str) -> str:
    """A list number in one of Word's w:numFmt formats; an unknown format as decimal."""
    if fmt == "none":
        return ""
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "chineseCounting":
        return _chinese(n) if n < 100 else _ideograph_digits(n)
    if fmt == "chineseCountingThousand":
        return _chinese(n)
    if fmt == "ideographDigital":
        return _ideograph_digits(n)
    for name, symbols in _SYMBOLS.items():
        if fmt == name and 1 <= n <= len(symbols):
            return symbols[n - 1]
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter") and 0 < n <= 26 * 30:  # more: a hostile start
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)  # Word: Y, Z, AA, BB
        return letter if fmt == "upperLetter" else letter.lower()
    return str(n)


_SYMBOLS = {
    "decimalEnclosedCircle": _CIRCLED,
    "decimalEnclosedCircleChinese": _CIRCLED,
    "decimalEnclosedFullstop": _FULLSTOP,
    "decimalEnclosedParen": _PAREN,
    "ideographTraditional": _STEMS,
    "ideographZodiac": _BRANCHES,
}


def _chinese(n: int) -> str:
    """一 … 十 … 十九, 二十 … 九十九, 一百〇一, 一千二百; Arabic digits from 10000 on."""
    if not 0 < n < 10000:
        return str(n)
    if n < 20:
        return ("十" if n >= 10 else "") + (_CHINESE[n % 10] if n % 10 or n < 10 else "")
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("〇" if gap else "") + _CHINESE[digit] + unit
            gap = False
        elif out:
            gap = True
    return out


def _ideograph_digits(n: int) -> str:
    return "".join(_CHINESE[int(d)] for d in str(n))


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out
