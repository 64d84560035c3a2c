"""Target cells into typed values: `1230` is a number, `100%` a percent, `/` not applicable."""

from __future__ import annotations

import re
from dataclasses import dataclass

# At most 15 digits, what a float holds exactly: a longer run is no target, it stays text.
_NUMBER = re.compile(r"^[+-]?\d{1,15}(?:\.\d{1,6})?$")
_PERCENT = re.compile(r"^([+-]?\d{1,15}(?:\.\d{1,6})?)\s*[%％]$")
_NOT_APPLICABLE = {"/", "／", "—", "-", "——", "无"}

VALUE_KINDS = ("number", "percent", "text", "not_applicable", "blank")


@dataclass(frozen=True)
class Target:
    value: float | None
    value_kind: str
    value_text: str


def parse_target(text: str) -> Target:
    """A target cell as written, typed; text that is not a plain number stays text."""
    written = "".join(text.split()).replace(",", "").replace("，", "")
    if not written:
        return Target(None, "blank", text)
    if written in _NOT_APPLICABLE:
        return Target(None, "not_applicable", text)
    if _NUMBER.match(written):
        return Target(float(written), "number", text)
    percent = _PERCENT.match(written)
    if percent:
        return Target(float(percent.group(1)), "percent", text)
    return Target(None, "text", text)
