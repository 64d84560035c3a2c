"""Numbers written in Chinese characters, as headings, task numbers and plan names use them."""

from __future__ import annotations

import re

CHINESE_DIGITS = "一二三四五六七八九十"
# 第十一个五年规划, “十四五”规划, 十三五时期: the n-th five-year plan.
_FIVE_YEAR_PLAN = re.compile(
    rf"第([{CHINESE_DIGITS}]{{1,3}})个五年(?:规划|计划)|[“\"]?([{CHINESE_DIGITS}]{{1,3}})五[”\"]?(?:规划|时期|期间)"
)


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
