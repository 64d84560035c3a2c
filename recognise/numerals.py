"""Numbers written in Chinese characters, as headings, task numbers and plan names use them."""

from __future__ import annotations

import re

CHINESE_DIGITS = "一二三四五六七八九十"
# A number from 一 to 九十九 as written (十一, 二十, 九十九): a run of numeral characters that is no
# number (一二, 十十十) is not one, so chinese_number never meets it; three characters at most,
# so a long run costs nothing to try.
_NUMERAL = "(?:[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
# 第十一个五年规划, “十四五”规划, 十三五时期: the n-th five-year plan.
_FIVE_YEAR_PLAN = re.compile(
    rf"第({_NUMERAL})个五年(?:规划|计划)|[“\"]?({_NUMERAL})五[”\"]?(?:规划|时期|期间)"
)


# 1. / 1、 / （1）; 一、 / （一）; and, in a table cell, a number glued to its text (1确保…) but
# never the start of 2024年 or 5G.
_ARABIC = re.compile(r"^\s*[（(]?(\d{1,3})(?:[)）]|\s*[.、．])\s*")
_GLUED = re.compile(r"^\s*(\d{1,3})(?=[\u4e00-\u9fff“《])")
CHINESE_NUMBERED = re.compile(
    rf"^\s*(?:({_NUMERAL})、|[（(]({_NUMERAL})[)）])\s*"
)  # group 1: 一、 (a heading's first level), group 2: （一）


def task_number(text: str, glued: bool = False) -> tuple[str, str] | None:
    """(number, text after it) when a text opens with its number; `glued` also takes 1确保…,
    which a table cell may hold but a paragraph (3个工作日内…) must not be read as."""
    for pattern in (_ARABIC, _GLUED) if glued else (_ARABIC,):
        found = pattern.match(text)
        if found:
            return found.group(1), text[found.end() :]
    found = CHINESE_NUMBERED.match(text)
    if found:
        return str(chinese_number(found.group(1) or found.group(2))), text[found.end() :]
    return None


def chinese_number(text: str) -> int:
    """一 … 十九 … 九十九."""
    digits = {c: i + 1 for i, c in enumerate(CHINESE_DIGITS)}
    if "十" not in text:
        return digits[text]
    tens, _, ones = text.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def five_year_plan_start(text: str) -> int | None:
    """The first year of the five-year plan a text names: the sixth began in 1981, and each
    since has begun five years after the one before (the eleventh in 2006, the 14th in 2021)."""
    found = _FIVE_YEAR_PLAN.search(text)
    if not found:
        return None
    n = chinese_number(found.group(1) or found.group(2))
    return 1981 + 5 * (n - 6) if n >= 6 else None
