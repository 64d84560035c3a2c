"""What a saved government page says about its notice outside the article, and its own tables.

An article page carries the notice's metadata in `<meta name="ArticleTitle">`, `PubDate` and
`ContentSource`, in `<title>` (often with the site's name after it), in the `<h1>`, in an
information table (索引号, 发布机构, 文号, 成文日期 …) and in its address (`<link rel="canonical">`,
`og:url`, or the comment a browser's "save as" writes). Each is kept under the name of where it
was found; recognise/ decides which to believe. The same page holds the site's navigation and
footer tables, which are not the notice's.
"""

from __future__ import annotations

import re
from itertools import islice

from lxml import etree

# Meta tags of the content systems Chinese government sites run on (TRS, Hanweb) and Open Graph.
_META = ["ArticleTitle", "PubDate", "ContentSource", "SiteName", "ColumnName", "og:title",
         "og:url", "og:site_name"]  # fmt: skip
_META_NAMES = {name.lower(): name for name in _META}
# The labels of a page's information table (公开信息表), as the sites write them.
INFO_LABELS = (
    "信息索引号", "索引号", "发布机构", "发文机关", "文号", "文件编号", "发文字号", "成文日期",
    "发文日期", "发布日期", "公开日期", "主题分类", "组配分类", "体裁分类", "公开方式", "公开范围",
    "有效性", "名称", "标题", "主题词", "统一编号", "规范性文件统一编号",
)  # fmt: skip
# A label ends with a colon, a space or the cell: 名称变更 is not the label 名称.
_LABELLED = re.compile(rf"^({'|'.join(INFO_LABELS)})(?:\s*[：:]|\s+|$)\s*(.*)$", re.S)
# Words of a site's footer. A small table holding one is the site's; a notice's large table may
# hold 技术支持 or 主办单位 in a task, so the words are not looked for there.
_SITE_WORDS = ("版权所有", "网站标识码", "ICP备", "公网安备", "主办单位", "技术支持", "网站地图",
               "联系我们")  # fmt: skip
_FOOTER_CELLS = 12
_LINK_SHARE = 0.6  # a table whose text is mostly links is navigation
_SPACES = re.compile(r"[\s\u3000]+")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
_SINGLE_FILE = re.compile(r"<!--\s*Page saved with SingleFile.*?url:\s*(\S+)", re.S | re.I)
_HEAD = 8192  # a saving browser writes its comment at the top
_HEADINGS = 3
_INFO_CELLS = 12  # an information table's first three rows hold two labels at least
_HEAD_KEYS = ("meta ", "<title>")  # what comes before the headings; the address comes last


def unseen_metadata(root: etree._Element, text: str) -> dict[str, str]:
    """What the page says of itself where no reader sees it: its meta tags, its <title> and
    its address. Read before the page's hidden elements are taken out: a meta tag inside a
    hidden block is no less the page's."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = _META_NAMES.get((meta.get("name") or meta.get("property") or "").strip().lower())
        content = _clean(meta.get("content") or "")
        if name and content:
            found.setdefault(f"meta {name}", content)
    title = next((e for e in root.iter("title") if _clean(_text(e))), None)
    if title is not None:
        found["<title>"] = _joined(title)
    found.update(_address(root, text))
    return found


def page_metadata(root: etree._Element, unseen: dict[str, str]) -> dict[str, str]:
    """The page's metadata by where it was found: `meta ArticleTitle`, `<h1>`, `info 文号` …:
    `unseen` (unseen_metadata) with the headings and information table the reader sees."""
    head = {where: v for where, v in unseen.items() if where.startswith(_HEAD_KEYS)}
    found = dict(head)
    # A site may put its logo in an <h1> before the article's: the first few are kept.
    headings = [h for h in root.iter("h1") if _clean(_text(h))][:_HEADINGS]
    for i, heading in enumerate(headings, start=1):
        found["<h1>" if i == 1 else f"<h1> #{i}"] = _joined(heading)
    for table in (t for t in root.iter("table") if is_info_table(t)):
        for label, value in info_pairs(table):
            found.setdefault(f"info {label}", value)
    found.update((where, v) for where, v in unseen.items() if where not in head)
    return found


def _address(root: etree._Element, text: str) -> dict[str, str]:
    """Where the page was saved from: its canonical link, else the comment the browser wrote."""
    canonical = next(
        (
            link.get("href", "").strip()
            for link in root.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split()
        ),
        "",
    )
    saved = _SAVED_FROM.search(text[:_HEAD]) or _SINGLE_FILE.search(text[:_HEAD])
    found = {"link canonical": canonical, "saved from": saved.group(1) if saved else ""}
    return {where: url for where, url in found.items() if url.startswith(("http://", "https://"))}


def is_info_table(table: etree._Element) -> bool:
    """An information table: cells labelled 索引号, 发布机构, 文号 … (two at least)."""
    first = islice(table.iter("td", "th"), _INFO_CELLS)  # labels open it: no need to read on
    return sum(bool(_LABELLED.match(_clean(_text(cell)))) for cell in first) >= 2


def info_pairs(table: etree._Element) -> list[tuple[str, str]]:
    """(label, value) of an information table: `索引号：` | `value` cells, or `文号：value` in one;
    a row holding one unlabelled cell (the notice's title, on some sites) is `标题`."""
    pairs: list[tuple[str, str]] = []
    for tr in table.iter("tr"):
        texts = [_clean(_text(c)) for c in tr if c.tag in ("td", "th")]
        texts = [t for t in texts if t]
        if len(texts) == 1 and not _LABELLED.match(texts[0]):
            pairs.append(("标题", texts[0]))
            continue
        pairs += _row_pairs(texts)
    return pairs


def _row_pairs(texts: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(texts):
        found = _LABELLED.match(texts[i])
        i += 1
        if not found:
            continue
        label, value = found.group(1), found.group(2).strip()
        if not value and i < len(texts) and not _LABELLED.match(texts[i]):
            value, i = texts[i], i + 1
        if value:
            pairs.append((label, value))
    return pairs


def is_chrome_table(table: etree._Element, text: str) -> bool:
    """A table of the site's, not the notice's (`text`: all of its text): mostly links
    (navigation, a breadcrumb, related articles), or small and holding a footer's words."""
    small = next(islice(table.iter("td", "th"), _FOOTER_CELLS, None), None) is None
    if small and any(word in text for word in _SITE_WORDS):
        return True
    linked = sum(_length(_text(a)) for a in table.iter("a"))
    return linked > 0 and linked >= _LINK_SHARE * _length(text)


def _length(text: str) -> int:
    """Characters other than whitespace."""
    return len("".join(text.split()))


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _clean(text: str) -> str:
    """Whitespace (full-width spaces too) as one space, none at the ends: 名　　称 is 名称."""
    collapsed = _SPACES.sub(" ", text).strip()
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", collapsed)


def _joined(element: etree._Element) -> str:
    """A heading's text with its lines joined: an <h1> wrapped with <br> is one title."""
    return _clean("".join(line.strip() for line in _lines(element)))


def _lines(element: etree._Element) -> list[str]:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "br" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts).split("\n")
