"""The notice's identity from its paragraphs: title, year, issuer, date, and the lead-unit rule."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache

from core.errors import UnrecognisedLayout
from extractors.model import Document
from recognise.tables import VOCABULARY

_TITLE_SCAN = 6
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_JURISDICTION = re.compile(r"^(.+?[省市县区])(?:人民政府)")


@dataclass(frozen=True)
class NoticeInfo:
    notice_id: str
    title: str
    year: int
    issuer: str
    jurisdiction: str
    issued_on: date | None
    lead_rule: str | None


@cache
def _vocabulary() -> dict[str, list[str]]:
    return tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["notice"]


def read_notice_info(doc: Document) -> NoticeInfo:
    """Title, year, issuer, date and lead rule of a notice; the title must state the year."""
    title = _title(doc.paragraphs)
    year = _YEAR.search(title)
    if not year:
        found = f"the title {_shorten(title)!r} does not state a year" if title else "no title"
        raise UnrecognisedLayout(
            f"{found}, so this does not look like a notice",
            file=doc.source,
            hint="check that this is the notice: its first paragraphs must hold a title stating "
            "the year, such as 关于印发2024年…的通知",
        )
    issuer = _issuer(doc.paragraphs, title)
    jurisdiction = _JURISDICTION.match(issuer)
    return NoticeInfo(
        notice_id=notice_id(title, issuer),
        title=title,
        year=int(year.group(1)),
        issuer=issuer,
        jurisdiction=jurisdiction.group(1) if jurisdiction else issuer,
        issued_on=_issued_on(doc.paragraphs),
        lead_rule=next((p for p in doc.paragraphs if states_lead_rule(p)), None),
    )


def notice_id(title: str, issuer: str) -> str:
    """A stable id for a notice: the same title and issuer give the same id in every format."""
    year = _YEAR.search(title)
    digest = hashlib.sha1(f"{issuer}|{title}".encode()).hexdigest()[:10]
    return f"{year.group(1) if year else 'na'}-{digest}"


def _title(paragraphs: list[str]) -> str:
    endings = tuple(_vocabulary()["title_endings"])
    head = paragraphs[:_TITLE_SCAN]
    for end in range(len(head)):
        if head[end].endswith(endings):
            return "".join(head[: end + 1])
    return head[0] if head else ""


def _shorten(text: str, limit: int = 80) -> str:
    """A long first paragraph quoted in full would drown the message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _issuer(paragraphs: list[str], title: str) -> str:
    endings = tuple(_vocabulary()["issuer_endings"])
    for paragraph in paragraphs:
        if paragraph.endswith(endings) and len(paragraph) <= 20:
            return paragraph
    return title.split("关于")[0] if "关于" in title else ""


def _issued_on(paragraphs: list[str]) -> date | None:
    """The first valid date line; a typo such as 2024年2月30日 is skipped (the date is optional)."""
    for paragraph in paragraphs:
        found = _DATE.match(paragraph)
        if found:
            try:
                return date(*map(int, found.groups()))
            except ValueError:
                continue
    return None


def states_lead_rule(paragraph: str) -> bool:
    """Whether a text states which listed unit leads (列第一位的为牵头单位 and its variants)."""
    return any(phrase in paragraph for phrase in _vocabulary()["lead_rule_phrases"])
