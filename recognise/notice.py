"""The notice's identity: title, year, issuer, date, 文号, 索引号, URL, and the lead-unit rule.

Each value is read as a person reads the notice, and `found_in` says where: a saved web page's
metadata first (`meta ArticleTitle`, the `h1`, the `<title>` without the site's name, its
information table), then the text (the title under a 文号 line or 附件1, the signature, the date
under it, labelled lines such as `文件编号：…`). A banner, breadcrumb or footer states no title.

The notice's key, from which its id is made, does not depend on the file's format or chrome:
- with a 文号: the jurisdiction and the 文号 (嘉政办发〔2024〕5号 names the issuing office and the
  year; the jurisdiction tells apart two provinces' offices that abbreviate alike);
- without one: the issuer the title names (else the issuer read) and the title, whitespace and
  full-width forms folded. That is the key notices had before (`issuer|title`), now folded: a
  notice without a 文号 whose title has no space or full-width form, such as the 2024 Jiaxing
  notice, keeps its id.
The id is `<year>-<first 10 hex digits of sha1(key)>`.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from core.errors import UnrecognisedLayout
from extractors.model import Document
from recognise import VOCABULARY
from recognise.jurisdiction import jurisdiction_of
from recognise.numerals import five_year_plan_start

_TITLE_SCAN = 6
_TITLE_SEARCH = 60  # a saved web page may put its banner, breadcrumb and info table first
_NOT_TITLE = re.compile(r"[：:。；;|>]|\d{4}-\d{2}")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]{1,8}[)）]$")  # （部分）, （一季度）
_DOCUMENT_NUMBER = re.compile(r"[〔\[［]((?:19|20)\d\d)[〕\]］]\s*\d+\s*号")
# A 文号 as a line of its own or a labelled value: 嘉政办发〔2024〕5号, 浙政办发[2020]10号.
_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［(（【]\s*((?:19|20)\d\d)\s*[〕\]］)）】]\s*第?\s*\d{1,4}\s*号"
)
_INDEX = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*/\d{4}-\d+")  # 11330800002618015K/2021-121563
_ANY_DATE = re.compile(r"((?:19|20)\d\d)\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")
# Labelled values on a page's flattened information lines: 文件编号： 衢政办发〔2021〕3号 统一编号：
_LABEL = re.compile(
    r"(?:^|(?<=\s))(信息索引号|索引号|文件编号|发文字号|文号|成文日期|发文日期)\s*[：:]?"
)
_LABEL_FIELD = {
    "信息索引号": "index_number", "索引号": "index_number",
    "文件编号": "document_number", "发文字号": "document_number", "文号": "document_number",
    "成文日期": "issued_on", "发文日期": "issued_on",
}  # fmt: skip
_VALUE = {"index_number": _INDEX, "document_number": _NUMBER, "issued_on": _ANY_DATE}
_NOTICE_SENTENCE = re.compile(r"(关于|關於).{2,60}的?通知$")
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*[：:]\s*")  # 附件：2018年…分解表 names the attached list
_ATTACHMENT_LINE = re.compile(r"^附件\s*\d*$")  # 附件1 above the attached list's own title
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_BRACKETS = str.maketrans("[(【])】", "〔〔〔〕〕〕")  # after NFKC: ［ is [, （ is (
_SEPARATED = re.compile(r"(\s*[_|｜\-－—–]+\s*)")  # a page's <title> and the site's name
_TITLE_WORDS = re.compile(r"关于|關於|通知|《|》")
# Where a web page states each value, most trusted first (the keys of Document.metadata).
_PAGE = {
    "title": ["meta ArticleTitle", "<h1>", "<title>", "meta og:title", "info 标题", "info 名称"],
    "issuer": ["info 发布机构", "info 发文机关", "meta ContentSource"],
    "issued_on": ["info 成文日期", "info 发文日期"],
    "published_on": ["meta PubDate", "info 发布日期"],
    "document_number": ["info 文号", "info 文件编号", "info 发文字号"],
    "index_number": ["info 信息索引号", "info 索引号"],
    "url": ["link canonical", "meta og:url", "saved from"],
}


@dataclass(frozen=True)
class NoticeInfo:
    notice_id: str
    title: str
    year: int
    issuer: str
    jurisdiction: str
    issued_on: date | None
    lead_rule: str | None
    document_number: str | None = None  # 文号, 嘉政办发〔2024〕5号
    index_number: str | None = None  # 索引号 of the publishing site
    url: str | None = None  # where a saved page was saved from
    found_in: dict[str, str] = field(default_factory=dict)  # value -> where it was read

    @property
    def provenance(self) -> str:
        """Where each value was read, as one line: `title: meta ArticleTitle; issuer: …`."""
        return "; ".join(f"{name}: {where}" for name, where in self.found_in.items())


@dataclass(frozen=True)
class _Found:
    value: str
    where: str


@cache
def _vocabulary() -> dict[str, list[str]]:
    return tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["notice"]


def read_notice_info(doc: Document) -> NoticeInfo:
    """Title, year, issuer, date, numbers, URL and lead rule; the title (or 文号) gives the year."""
    fields = _fields(doc)
    title = fields["title"].value
    year = _year(doc, title, fields.get("document_number"))
    issuer = fields["issuer"] = _issuer(doc, title, fields)
    # A site's 发布机构 (市政府办公室) names no place: the jurisdiction comes from the text.
    from_text = issuer.value if not issuer.where.startswith(("info", "meta")) else ""
    place = jurisdiction_of(from_text, title, doc.paragraphs)
    key, keyed_by = notice_key(title, issuer.value, place, fields)
    issued = _issued_on(doc.paragraphs) or _date_field(fields, "issued_on", "published_on")
    fields["issued_on"] = _Found(str(issued[0]), issued[1]) if issued else _Found("", "")
    return NoticeInfo(
        notice_id=notice_id(year, key),
        title=title,
        year=year,
        issuer=issuer.value,
        jurisdiction=place,
        issued_on=issued[0] if issued else None,
        lead_rule=next((p for p in doc.paragraphs if states_lead_rule(p)), None),
        document_number=_value(fields, "document_number"),
        index_number=_value(fields, "index_number"),
        url=_value(fields, "url"),
        found_in={
            **{
                name: fields[name].where for name in _SHOWN if name in fields and fields[name].where
            },
            "notice_id": keyed_by,
        },
    )


_SHOWN = ["title", "issuer", "issued_on", "document_number", "index_number", "url"]


def notice_key(
    title: str, issuer: str, jurisdiction: str, fields: dict[str, _Found]
) -> tuple[str, str]:
    """What makes two files one notice, and what it was made of (see the module's docstring)."""
    number = fields.get("document_number")
    if number:
        return f"{jurisdiction}|{number.value}", "jurisdiction and document number"
    named = title.split("关于")[0] if "关于" in title else ""
    by = named if named.endswith(tuple(_vocabulary()["issuer_endings"])) else issuer
    return f"{by}|{folded(title)}", "issuer and title"


def notice_id(year: int, key: str) -> str:
    """A stable id: the same key gives the same id in every format."""
    return f"{year}-{hashlib.sha1(key.encode()).hexdigest()[:10]}"


def folded(text: str) -> str:
    """Text as compared: full-width forms folded (NFKC), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _year(doc: Document, title: str, number: _Found | None) -> int:
    year = _YEAR.search(title) or _numbered_year(doc.paragraphs, title)
    if year:
        return int(year.group(1))
    plan = five_year_plan_start(title)
    if plan:  # 第十一个五年规划纲要…分解落实方案: the plan's first year
        return plan
    if number and _is_notice_sentence(title):  # 关于印发政府工作报告…的通知, 永政办发〔2008〕31号
        return int(_NUMBER.search(number.value).group(1))  # type: ignore[union-attr]
    found = f"the title {_shorten(title)!r} does not state a year" if title else "no title"
    raise UnrecognisedLayout(
        f"{found}, so this does not look like a notice",
        file=doc.source,
        hint="check that this is the notice: its first paragraphs must hold a title stating "
        "the year, such as 关于印发2024年…的通知",
    )


def _fields(doc: Document) -> dict[str, _Found]:
    """Title, 文号, 索引号, dates, URL and the page's issuer: the page's metadata first, then the
    text's."""
    named = (name for name in _PAGE if name != "title")
    fields = {name: found for name in named if (found := _from_page(doc.metadata, name))}
    fields = {**_labelled(doc.paragraphs), **fields}
    fields["title"] = _better_title(_page_title(doc.metadata), _text_title(doc.paragraphs))
    return fields


def _from_page(metadata: dict[str, str], name: str) -> _Found | None:
    for where in _PAGE[name]:
        value = metadata.get(where, "").strip()
        if name in _VALUE:
            found = _VALUE[name].search(value)
            value = _normalised(name, found.group(0)) if found else ""
        if value:
            return _Found(value, where)
    return None


def _normalised(name: str, value: str) -> str:
    """A 文号 with one kind of bracket and no spaces (嘉政办发[2024] 5号 is 嘉政办发〔2024〕5号)."""
    if name != "document_number":
        return value
    return folded(value).translate(_BRACKETS).replace("第", "")


def _value(fields: dict[str, _Found], name: str) -> str | None:
    found = fields.get(name)
    return found.value if found else None


def _labelled(paragraphs: list[str]) -> dict[str, _Found]:
    """文号, 索引号 and 成文日期 from the text: a 文号 on a line of its own near the top (the
    notice's own, not one it cites), or a labelled value (文件编号： 衢政办发〔2021〕3号)."""
    found: dict[str, _Found] = {}
    for i, paragraph in enumerate(paragraphs[:_TITLE_SEARCH], start=1):
        where = f"paragraph {i}"
        if _NUMBER.fullmatch(paragraph.strip()):
            found.setdefault(
                "document_number", _Found(_normalised("document_number", paragraph), where)
            )
        for label in _LABEL.finditer(paragraph):
            name = _LABEL_FIELD[label.group(1)]
            value = _VALUE[name].match(paragraph[label.end() :].lstrip())
            if value and name not in found:
                found[name] = _Found(_normalised(name, value.group(0)), f"{where} ({label[1]})")
    return found


def _page_title(metadata: dict[str, str]) -> _Found | None:
    """The title a page states: its ArticleTitle, <h1>, <title> without the site's name …"""
    headings = [k for k in metadata if k.startswith("<h1>")]  # <h1>, <h1> #2: a logo's first
    for where in [w for name in _PAGE["title"] for w in (headings if name == "<h1>" else [name])]:
        text = _site_name_removed(metadata.get(where, "").strip())
        if text and _looks_like_title(text):
            return _Found(text, where)
    return None


def _site_name_removed(text: str) -> str:
    """A page title without the site's or column's name around it: `…的通知_嘉兴市人民政府`,
    `嘉兴市人民政府｜…的通知` and `…的通知 - 政府文件 - 嘉兴市人民政府门户网站` are `…的通知`."""
    pieces = _SEPARATED.split(text)  # parts, with the separators between them kept
    while len(pieces) > 1 and _is_site_name(pieces[-1]):
        pieces = pieces[:-2]
    while len(pieces) > 1 and _is_site_name(pieces[0]):
        pieces = pieces[2:]
    return "".join(pieces).strip()


def _is_site_name(part: str) -> bool:
    """Short, no year, nothing of a title: 嘉兴市人民政府, 政府文件 (1-9月 is not cut at 9月…)."""
    part = part.strip()
    return not part or (
        len(part) <= 20
        and not _YEAR.search(part)
        and not _looks_like_title(part)
        and not _TITLE_WORDS.search(part)
    )


def _looks_like_title(text: str) -> bool:
    return _is_notice_sentence(text) or _is_titled_list(text)


def _better_title(page: _Found | None, text: _Found) -> _Found:
    """The page's own title when it states a year; else the text's, unless neither states one
    and the page's is a notice sentence (关于印发…的通知: its 文号 gives the year)."""
    if page is None or _YEAR.search(page.value):
        return page or text
    return page if not _YEAR.search(text.value) and _is_notice_sentence(page.value) else text


def _text_title(paragraphs: list[str]) -> _Found:
    """The notice's title as a person finds it, past a web page's banner and information lines.

    A title wrapped over the first paragraphs (the Word layout) is joined, below a 文号 line or
    附件1 when there is one; otherwise the first `关于…通知` stating a year, else the first short
    paragraph stating a year that ends like a title (…责任分解, …工作清单, …完成情况). Without one,
    the first paragraph (the caller refuses it).
    """
    wrapped = _wrapped_at_top(paragraphs)
    if wrapped:
        return wrapped
    scanned = [_ATTACHMENT.sub("", p) for p in paragraphs[:_TITLE_SEARCH]]
    for looks_like in (_is_notice_sentence, _is_titled_list):
        found = next((i for i, p in enumerate(scanned) if _states_year(p) and looks_like(p)), None)
        if found is not None:
            return _Found(scanned[found].strip(), _where(found, found + 1))
    # A title without its year (关于印发政府工作报告若干重点工作任务的通知): the 文号 may state it.
    found = next((i for i, p in enumerate(scanned) if _is_notice_sentence(p)), None)
    if found is not None:
        return _Found(scanned[found].strip(), _where(found, found + 1))
    return _Found(paragraphs[0], "paragraph 1") if paragraphs else _Found("", "")


def _states_year(text: str) -> bool:
    return bool(_YEAR.search(text)) or five_year_plan_start(text) is not None


def _where(start: int, end: int) -> str:
    return f"paragraph {start + 1}" if end == start + 1 else f"paragraphs {start + 1}-{end}"


def _wrapped_at_top(paragraphs: list[str]) -> _Found | None:
    """A title wrapped over the first paragraphs, or over those below a 文号 line (under the red
    header 嘉兴市人民政府办公室文件) or an 附件1 line: a title never holds such a line."""
    marks = [i for i, p in enumerate(paragraphs[:_TITLE_SCAN]) if _is_mark(p)]
    for start in [0, *(i + 1 for i in marks)]:
        wrapped = _wrapped_title(paragraphs[start : start + _TITLE_SCAN])
        if wrapped and not any(start <= i < start + wrapped[1] for i in marks):
            return _Found(wrapped[0], _where(start, start + wrapped[1]))
    return None


def _is_mark(paragraph: str) -> bool:
    return bool(_NUMBER.fullmatch(paragraph.strip()) or _ATTACHMENT_LINE.match(paragraph))


def _numbered_year(paragraphs: list[str], title: str) -> re.Match[str] | None:
    """The year of the document number (永政办发〔2008〕31号) of a notice whose title has none."""
    if not _is_notice_sentence(title):
        return None
    return next(
        (m for p in [title, *paragraphs[:_TITLE_SEARCH]] if (m := _DOCUMENT_NUMBER.search(p))),
        None,
    )


def _wrapped_title(head: list[str]) -> tuple[str, int] | None:
    """A title broken over the first paragraphs (嘉兴市人民政府办公室 / 印发2024年… / …的通知),
    and how many paragraphs it takes."""
    for end, paragraph in enumerate(head):
        if not _is_title_line(paragraph):
            return None
        if _ends_like_title(paragraph):
            title = "".join(head[: end + 1])
            return (title, end + 1) if _YEAR.search(title) else None
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


def _issuer(doc: Document, title: str, fields: dict[str, _Found]) -> _Found:
    """The issuing office: the signature under the text, else the office the title names, else
    the page's 发布机构 or ContentSource, else what the title has before 关于."""
    endings = tuple(_vocabulary()["issuer_endings"])
    for i, paragraph in enumerate(doc.paragraphs, start=1):
        # A label (来源：, 发布机构：) is the page's chrome, not the signature.
        if (
            paragraph.endswith(endings)
            and len(paragraph) <= 20
            and not _NOT_TITLE.search(paragraph)
        ):
            return _Found(paragraph, f"paragraph {i}")
    named = title.split("关于")[0] if "关于" in title else ""
    if named.endswith(endings):
        return _Found(named, "title")
    if "issuer" in fields:
        return fields["issuer"]
    return _Found(named, "title" if named else "")


def _issued_on(paragraphs: list[str]) -> tuple[date, str] | None:
    """The first valid date line; a typo such as 2024年2月30日 is skipped (the date is optional)."""
    for i, paragraph in enumerate(paragraphs, start=1):
        found = _DATE.match(paragraph)
        if found:
            try:
                return date(*map(int, found.groups())), f"paragraph {i}"
            except ValueError:
                continue
    return None


def _date_field(fields: dict[str, _Found], *names: str) -> tuple[date, str] | None:
    """A date the page states (成文日期, else the day it was published)."""
    for name in names:
        found = fields.get(name)
        parts = _ANY_DATE.search(found.value) if found else None
        if found and parts:
            try:
                return date(*map(int, parts.groups())), found.where
            except ValueError:
                continue
    return None


def states_lead_rule(paragraph: str) -> bool:
    """Whether a text states which listed unit leads (列第一位的为牵头单位 and its variants)."""
    return any(phrase in paragraph for phrase in _vocabulary()["lead_rule_phrases"])
