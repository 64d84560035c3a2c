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
from recognise.jurisdiction import jurisdiction_of
from recognise.tables import VOCABULARY

_TITLE_SCAN = 6
_TITLE_SEARCH = 60  # a saved web page may put its banner, breadcrumb and info table first
_NOT_TITLE = re.compile(r"[：:。；;|>]|\d{4}-\d{2}")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]{1,8}[)）]$")  # （部分）, （一季度）
_DOCUMENT_NUMBER = re.compile(r"[〔\[［]((?:19|20)\d\d)[〕\]］]\s*\d+\s*号")
_NOTICE_SENTENCE = re.compile(r"(关于|關於).{2,60}的?通知$")
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*[：:]\s*")  # 附件：2018年…分解表 names the attached list
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


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
    year = _YEAR.search(title) or _numbered_year(doc.paragraphs, title)
    if not year:
        found = f"the title {_shorten(title)!r} does not state a year" if title else "no title"
        raise UnrecognisedLayout(
            f"{found}, so this does not look like a notice",
            file=doc.source,
            hint="check that this is the notice: its first paragraphs must hold a title stating "
            "the year, such as 关于印发2024年…的通知",
        )
    issuer = _issuer(doc.paragraphs, title)
    return NoticeInfo(
        notice_id=notice_id(title, issuer),
        title=title,
        year=int(year.group(1)),
        issuer=issuer,
        jurisdiction=jurisdiction_of(issuer, title, doc.paragraphs),
        issued_on=_issued_on(doc.paragraphs),
        lead_rule=next((p for p in doc.paragraphs if states_lead_rule(p)), None),
    )


def notice_id(title: str, issuer: str) -> str:
    """A stable id for a notice: the same title and issuer give the same id in every format."""
    year = _YEAR.search(title)
    digest = hashlib.sha1(f"{issuer}|{title}".encode()).hexdigest()[:10]
    return f"{year.group(1) if year else 'na'}-{digest}"


def _title(paragraphs: list[str]) -> str:
    """The notice's title as a person finds it, past a web page's banner and information lines.

    A title wrapped over the first paragraphs (the Word layout) is joined; otherwise the first
    `关于…通知` stating a year, else the first short paragraph stating a year that ends like a title
    (…责任分解, …工作清单, …完成情况). Without one, the first paragraph (the caller refuses it).
    """
    head = paragraphs[:_TITLE_SCAN]
    wrapped = _wrapped_title(head)
    if wrapped:
        return wrapped
    scanned = paragraphs[:_TITLE_SEARCH]
    scanned = [_ATTACHMENT.sub("", p) for p in scanned]
    for looks_like in (_is_notice_sentence, _is_titled_list):
        found = next((p for p in scanned if _YEAR.search(p) and looks_like(p)), None)
        if found:
            return found.strip()
    # A title without its year (关于印发政府工作报告若干重点工作任务的通知): the 文号 may state it.
    found = next((p for p in scanned if _is_notice_sentence(p)), None)
    return found.strip() if found else (head[0] if head else "")


def _numbered_year(paragraphs: list[str], title: str) -> re.Match[str] | None:
    """The year of the document number (永政办发〔2008〕31号) of a notice whose title has none."""
    if not _is_notice_sentence(title):
        return None
    return next(
        (m for p in [title, *paragraphs[:_TITLE_SEARCH]] if (m := _DOCUMENT_NUMBER.search(p))),
        None,
    )


def _wrapped_title(head: list[str]) -> str | None:
    """A title broken over the first paragraphs (嘉兴市人民政府办公室 / 印发2024年… / …的通知)."""
    for end, paragraph in enumerate(head):
        if not _is_title_line(paragraph):
            return None
        if _ends_like_title(paragraph):
            title = "".join(head[: end + 1])
            return title if _YEAR.search(title) else None
    return None


def _is_title_line(paragraph: str) -> bool:
    """Short, no label (索引号：, 发布时间：), no sentence punctuation: part of a title."""
    return 0 < len(paragraph) <= 40 and not _NOT_TITLE.search(paragraph)


def _ends_like_title(paragraph: str) -> bool:
    core = _TRAILING_NOTE.sub("", paragraph.strip())
    return core.endswith(tuple(_vocabulary()["title_endings"]))


def _is_notice_sentence(paragraph: str) -> bool:
    return bool(_NOTICE_SENTENCE.search(paragraph)) and len(paragraph) <= 80


def _is_titled_list(paragraph: str) -> bool:
    return len(paragraph) <= 60 and not _NOT_TITLE.search(paragraph) and _ends_like_title(paragraph)


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
