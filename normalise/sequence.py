"""Sequence numbers: a blank 序号 continues the number above (a cell merged down in Word)."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^\s*(\d{1,6})\s*[.、．]?\s*$")  # no notice has a million tasks


class SequenceGap(ValueError):
    """A 序号 that is neither a number nor blank, or a blank one with no number above it."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


def fill_sequence(cells: list[str]) -> list[tuple[int, int]]:
    """(seq, sub_seq) for each row: `['77', '', '78']` gives (77, 1), (77, 2), (78, 1)."""
    filled: list[tuple[int, int]] = []
    for index, text in enumerate(cells):
        number = _NUMBER.match(text)
        if number:
            filled.append((int(number.group(1)), 1))
        elif text.strip():  # 2a, （二）: not continuing the row above, and not a number
            raise SequenceGap(index, f"序号 {_shown(text.strip())!r} is not a number")
        elif filled:
            seq, sub_seq = filled[-1]
            filled.append((seq, sub_seq + 1))
        else:
            raise SequenceGap(index, "the first row has no 序号 and no numbered row above it")
    return filled


def _shown(text: str, most: int = 40) -> str:
    """A cell as quoted in a message: a hostile one of 50,000 characters is cut short."""
    return text if len(text) <= most else f"{text[:most]}…({len(text)} characters)"
