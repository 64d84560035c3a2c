"""A column's role from what it holds, the second vote beside its header words.

A column of rising numbers is the 序号; a column whose cells are lists of unit names is a units
column. Only names' endings are used (局, 委, 办, 街道 …, in `vocabulary.toml`): the registry
belongs to a later stage, and a county's units are not all in it.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from functools import cache

from recognise import VOCABULARY

_PIECES = re.compile(r"[、，,；;\n]")
_MAX_NAME = 24  # a unit's name, even a long one (宁波市海曙区自然资源和规划分局), is short
UNIT_SHARE = 0.6  # of non-empty cells, for a units vote
PROSE_CHARS = 30  # median length above which a column holds text, not names


@cache
def _unit_endings() -> tuple[str, ...]:
    data = tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))
    return tuple(data["content"]["unit_endings"])


def content_vote(texts: list[str]) -> tuple[str, str] | None:
    """(role, evidence) the cells of a column vote for, or None."""
    cells = [t.strip() for t in texts if t.strip()]
    if not cells:
        return None
    if _rising_numbers(cells):
        return "seq", "content: rising numbers"
    share = unit_share(cells)
    if share >= UNIT_SHARE:
        return "units", f"content: {share:.0%} of cells are unit names"
    return None


def holds_prose(texts: list[str]) -> bool:
    """Long text and few unit names: not what a units column holds."""
    cells = [t.strip() for t in texts if t.strip()]
    if not cells:
        return False
    return statistics.median(map(len, cells)) > PROSE_CHARS and unit_share(cells) < 0.2


def unit_share(cells: list[str]) -> float:
    return sum(is_unit_list(c) for c in cells) / len(cells)


def is_unit_list(cell: str) -> bool:
    """Whether a text is a list of unit names (市发改委、各镇（街道）)."""
    pieces = [p.strip().strip("★☆*＊▲△。等") for p in _PIECES.split(cell) if p.strip()]
    names = [p for p in pieces if len(p) <= _MAX_NAME and _ends_like_unit(p)]
    return bool(pieces) and len(names) >= 0.8 * len(pieces)


def _ends_like_unit(piece: str) -> bool:
    bare = re.sub(r"[（(][^（()）]*[)）]$", "", piece)  # 市委组织部（市委人才办）
    return bare.endswith(_unit_endings())


def _rising_numbers(cells: list[str]) -> bool:
    numbers = [int(c) for c in cells if c.isascii() and c.isdigit() and len(c) <= 3]
    return len(numbers) == len(cells) >= 2 and numbers == sorted(numbers) and numbers[0] <= 1
