"""Reader for web pages: lxml's tree, rowspan and colspan kept as spans.

The page is decoded here, not by the parser: a page declaring gb2312 but using GBK characters
(common on government sites) makes lxml return an empty tree, and guessing an undeclared
encoding is unreliable on short pages. UTF-8 holding Chinese is believed first (a page a browser
saved keeps its site's charset=gb2312), then the declared charset, GB ones read as GB18030
(their superset, as browsers do), then UTF-8, then GB18030; only then does BeautifulSoup's
UnicodeDammit guess. The decoded text is parsed by lxml (a BeautifulSoup tree of a 270 KB page
costs ten times lxml's parse). What the page says about the notice outside its article (meta
tags, <title>, <h1>, the information table, its URL) is read by `extractors.html_meta`. What the
page hides from its reader (display:none, visibility:hidden, the `hidden` attribute) is not
read: a hidden row is no row, a hidden span no part of its cell (`_drop_hidden`).
"""

from __future__ import annotations

import bisect
import codecs
import re
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from lxml import etree

from core.errors import UnreadableFile
from extractors.html_meta import is_chrome_table, is_info_table, page_metadata, unseen_metadata
from extractors.model import Cell, Document, Table
from extractors.txt import BOMS

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"}
_CELLS = {"td", "th"}
_NOISE = ("script", "style", "noscript", "template", "iframe")  # never shown as the page's text
_ROW_GROUPS = {"thead", "tbody", "tfoot"}
# What a page hides from its reader: the `hidden` attribute, or an inline style setting display
# to none or visibility to hidden or collapse. The attributes are found in C (a tenth of a walk
# of the elements in Python); only a style that says none, hidden or collapse somewhere has its
# declarations read (border:none hides nothing).
_HIDDEN_ATTRIBUTES = etree.XPath("descendant::*/@hidden")
_STYLES = etree.XPath("descendant::*/@style")
_HIDING_WORD = re.compile("none|hidden|collapse", re.I)
_WALKED = (*_BLOCKS, "td", "th", "table")  # td/th: text in the cells of a layout table
_CHARSET = re.compile(
    rb"""<(?:meta[^>]*?charset|\?xml[^>]*?encoding)\s*=\s*["']?\s*([\w.:-]+)""", re.I
)
_GB = {"gb2312", "gbk", "gb18030"}  # Python's names after codecs.lookup of any GB label
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Browsers' limits: a bigger span is a broken page, and would cost memory for nothing.
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534
_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() accepts '²', int() not
MAX_GRID = 1_000_000  # grid positions per table; a notice's largest table has a few thousand
# A parsed page costs ~70 times its size in memory, and the walks below cost its depth per element:
# a notice's page is well under 1 MB and nests ~30 deep, so these bounds are generous.
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 500
# huge_tree: libxml2 otherwise cuts a page at 256 levels silently, and the depth check below
# would pass a page it should refuse. The text is handed over as UTF-8 whatever the page declares.
_PARSER = etree.HTMLParser(encoding="utf-8", huge_tree=True, remove_pis=True)
# Whether an element sits deeper than MAX_DEPTH (<html> is 1): one pass in C, no recursion.
_TOO_DEEP = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")


def read_html(path: Path, data: bytes | None = None) -> Document:
    """Read a page into the paragraphs and tables of the part that holds the notice."""
    raw = path.read_bytes() if data is None else data
    if len(raw) > MAX_PAGE_BYTES:
        raise UnreadableFile(
            f"the page is larger than {MAX_PAGE_BYTES // 2**20} MB; a notice's page is far smaller",
            file=path,
            hint="check that this is the notice; save only its page, as 'Web page, HTML only'",
        )
    text = page_text(raw)
    root = etree.fromstring(text.encode("utf-8", "replace"), _PARSER)
    if root is None:  # nothing but whitespace or comments
        return Document(source=path, format="html", paragraphs=[], tables=[])
    if _TOO_DEEP(root):
        raise UnreadableFile(
            f"the page nests its elements more than {MAX_DEPTH} deep",
            file=path,
            hint="the page is broken or is not a notice; save the notice's page again as .html",
        )
    etree.strip_elements(root, *_NOISE, etree.Comment, with_tail=False)
    unseen = unseen_metadata(root, text)  # meta tags and <title> are never shown: read first
    hidden_rows = _drop_hidden(root)
    metadata = page_metadata(root, unseen)
    tables, site = _data_tables(root)
    article = _article(root, tables)
    paragraphs, captions = _paragraphs(article, tables, site)
    return Document(
        source=path,
        format="html",
        paragraphs=paragraphs,
        tables=[
            Table(i + 1, _table_cells(t, i + 1, path, hidden_rows), True, captions.get(t, ""))
            for i, t in enumerate(tables)
        ],
        metadata=metadata,
    )


def _drop_hidden(root: etree._Element) -> set[etree._Element]:
    """Take what the page hides out of the tree as a browser lays it out, and return the table
    rows that keep their place unseen.

    An element out of the layout (display:none, the `hidden` attribute) goes, as if it were not
    there: the rows and cells after it move up or left, and a rowspan counts the rows shown, as
    a browser draws them. One that keeps its place unseen (visibility:hidden or collapse) is
    emptied if it is a cell; a row of them keeps its emptied cells, so the spans around it count
    it, and is left out of the grid (`_table_cells`); any other goes. What follows a removed
    element (its tail) stays. <html> and <body> are never hidden: a page hidden whole until a
    script shows it is the notice.
    """
    rows: set[etree._Element] = set()
    for element in _may_hide(root):
        how, tag = _hiding(element), element.tag
        if how is None:
            continue
        if how == "display" or not (tag in _CELLS or tag == "tr" or tag in _ROW_GROUPS):
            _remove(element)
        elif tag in _CELLS:
            _empty(element)
        else:
            found = [element] if tag == "tr" else list(element.iter("tr"))
            rows.update(found)
            for cell in (c for tr in found for c in tr if c.tag in _CELLS):
                _empty(cell)
    return rows


def _may_hide(root: etree._Element) -> list[etree._Element]:
    """The elements inside <body> that have a `hidden` attribute or a style that may hide."""
    body = root.find("body")
    if body is None:
        return []
    found = [value.getparent() for value in _HIDDEN_ATTRIBUTES(body)]
    return found + [value.getparent() for value in _STYLES(body) if _HIDING_WORD.search(value)]


def _hiding(element: etree._Element) -> str | None:
    """'display' when the page takes the element out of its layout (the `hidden` attribute,
    display:none), 'visibility' when it keeps its place unseen, None when it is shown."""
    if element.get("hidden") is not None:
        return "display"
    style = _declarations(element.get("style") or "")
    if style.get("display") == "none":
        return "display"
    return "visibility" if style.get("visibility") in ("hidden", "collapse") else None


def _declarations(style: str) -> dict[str, str]:
    """An inline style's display and visibility: the last declaration of each counts, unless
    an earlier one is !important."""
    found: dict[str, tuple[str, bool]] = {}
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        value, bang, flag = value.partition("!")
        name, value = name.strip().lower(), value.strip().lower()
        important = bool(bang) and flag.strip().lower() == "important"
        if name in ("display", "visibility") and (important or not found.get(name, ("", False))[1]):
            found[name] = (value, important)
    return {name: value for name, (value, _) in found.items()}


def _empty(element: etree._Element) -> None:
    del element[:]
    element.text = None


def _remove(element: etree._Element) -> None:
    """Take an element out, its tail kept where it was (the text after it is not hidden)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def page_text(raw: bytes) -> str:
    """The page as text; bytes no decoding accepts are left to UnicodeDammit's guess."""
    text = decode_page(raw)
    if isinstance(text, str):
        return text
    from bs4 import UnicodeDammit  # only for pages nothing else decodes: its import costs

    return UnicodeDammit(raw).unicode_markup or raw.decode("utf-8", "replace")


def decode_page(raw: bytes) -> str | bytes:
    """The page as text: its BOM, else UTF-8 when that reads as Chinese, else its declared
    charset, else UTF-8, else GB18030; the bytes if all fail.

    Declarations lie both ways: a page a browser saved is UTF-8 under its site's
    `charset=gb2312`, and pages declared UTF-8 are saved in GBK. A GBK page is practically never
    valid UTF-8 holding Chinese characters (a word or two may be valid UTF-8: 通知 in GBK reads
    as '֪ͨ'), so UTF-8 that holds Han characters is believed first.
    """
    bom = next((encoding for bom, encoding in BOMS if raw.startswith(bom)), None)
    utf8 = _decode(raw, "utf-8")
    if bom is None and utf8 is not None and _HAN.search(utf8):
        return utf8
    for encoding in (bom, _declared_encoding(raw[:8192]), "utf-8", "gb18030"):
        text = (utf8 if encoding == "utf-8" else _decode(raw, encoding)) if encoding else None
        if text is not None:
            return text
    return raw


def _declared_encoding(head: bytes) -> str | None:
    """The charset a meta tag or XML declaration names, as a Python codec; GB ones as GB18030."""
    found = _CHARSET.search(head)
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name if found else None
    except LookupError:
        return None
    # A page that reached here has no BOM, so a declared UTF-16/32 is wrong (browsers say so too).
    if name is None or name.startswith(("utf-16", "utf-32")):
        return None
    return "gb18030" if name in _GB else name


def _decode(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (ValueError, LookupError):  # UnicodeError is a ValueError; odd codecs raise it bare
        return None


def _data_tables(root: etree._Element) -> tuple[dict[etree._Element, int], set[etree._Element]]:
    """The tables that may hold the notice's data, in page order, with the length of their
    text, and the site's own tables.

    The innermost tables: older government pages lay out the whole article, title included, in
    an outer table. The site's own tables (navigation, footer, the information table, spacers)
    are set aside, so that neither the tables nor the paragraphs hold them. (They stay in the
    tree: moving their tail text elsewhere would make lxml re-check text it already parsed.)
    """
    tables: dict[etree._Element, int] = {}
    site: set[etree._Element] = set()
    for table in [t for t in root.iter("table") if t.find(".//table") is None]:
        text = _text(table).strip()
        if not text or is_info_table(table) or is_chrome_table(table, text):
            site.add(table)
        else:
            tables[table] = len(text)
    return tables, site


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _article(root: etree._Element, tables: dict[etree._Element, int]) -> etree._Element:
    """The nearest element holding every table and some text besides: the notice, without the
    site's header and navigation."""
    body = root.find("body")
    if not tables:
        return root if body is None else body
    first, *rest = tables
    others = [set(t.iterancestors()) for t in rest]
    inside = sum(tables.values())
    for ancestor in first.iterancestors():
        # Text outside the tables: the title, the issuer …
        if all(ancestor in parents for parents in others) and len(_text(ancestor).strip()) > inside:
            return ancestor
    return root if body is None else body


def _paragraphs(
    article: etree._Element, tables: Collection[etree._Element], site: set[etree._Element]
) -> tuple[list[str], dict[etree._Element, str]]:
    """Text blocks outside tables in reading order, and the block just before each table.

    One walk of the page, then one walk up from each block: asking every block for inner blocks
    costs the page's size per block, seconds on a large page.
    """
    nodes = list(article.iterdescendants(*_WALKED))
    data = set(tables)
    outer, in_table = _block_context(article, nodes, data | site)
    paragraphs: list[str] = []
    captions: dict[etree._Element, str] = {}
    caption = ""
    for node in nodes:
        if node in data:
            captions[node], caption = caption, ""
        elif node.tag != "table" and node not in outer and node not in in_table:
            text = _text(node).strip()
            if text:
                paragraphs.append(text)
                caption = text
    return paragraphs, captions


def _block_context(
    article: etree._Element, nodes: list[etree._Element], tables: set[etree._Element]
) -> tuple[set[etree._Element], set[etree._Element]]:
    """Blocks that hold other blocks or tables, and blocks inside one of the tables.

    Each walk up stops at a block already known to be outer (its ancestors are too), so the
    page is walked about once, not once per cell.
    """
    in_table = {n for t in tables for n in t.iterdescendants(*_WALKED)}
    outer: set[etree._Element] = set()
    for node in [*tables, *(n for n in nodes if n.tag != "table" and n not in in_table)]:
        for parent in node.iterancestors():
            if parent is article or parent in outer:
                break
            outer.add(parent)
    return outer, in_table


def _span(value: str, limit: int) -> int:
    """A rowspan or colspan as written, within the browsers' limit; 1 if it is no number."""
    value = value.strip()
    return min(max(1, int(value)), limit) if _NUMBER.fullmatch(value) else 1


def table_rows(
    table: etree._Element, hidden: Collection[etree._Element] = ()
) -> tuple[list[list[tuple[etree._Element, str]]], list[int]]:
    """Each row's cells (td/th of its tr) with their text, in one walk of an innermost table,
    and which of the rows are `hidden`.

    A cell's paragraphs are its lines: <p>, <div> and <br> break lines, inline tags do not.
    """
    rows: list[list[tuple[etree._Element, str]]] = []
    hidden_rows: list[int] = []
    cell: etree._Element | None = None
    parts: list[str] = []
    for event, node in etree.iterwalk(table, events=("start", "end")):
        tag = node.tag
        if cell is None:
            if event == "start" and tag == "tr":
                if node in hidden:
                    hidden_rows.append(len(rows))
                rows.append([])
            elif event == "start" and tag in _CELLS and rows and node.getparent().tag == "tr":
                cell, parts = node, [node.text or ""]
        elif node is cell:  # its end
            rows[-1].append((cell, _lines("".join(parts).strip())))
            cell = None
        elif event == "start":
            parts.append("\n" if tag == "br" else node.text or "")
        else:
            parts.append(("\n" if tag in _BLOCKS else "") + (node.tail or ""))
    return rows, hidden_rows


def _lines(text: str) -> str:
    if "\n" not in text:
        return text.strip()
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _table_cells(
    table: etree._Element, index: int, path: Path, hidden: Collection[etree._Element] = ()
) -> list[Cell]:
    """Expand rowspan/colspan into grid positions while keeping each cell once; hidden rows
    are then left out."""
    rows, hidden_rows = table_rows(table, hidden)
    free_from: dict[int, int] = {}  # grid column -> first row not covered by a rowspan above
    cells: list[Cell] = []
    area = 0
    covered = free_from.get
    for r, tds in enumerate(rows):
        col = 0
        for c, (td, text) in enumerate(tds):
            while covered(col, 0) > r:
                col += 1
            rowspan, colspan = td.get("rowspan"), td.get("colspan")  # most cells have neither
            row_span = 1 if rowspan is None else min(_span(rowspan, _MAX_ROWSPAN), len(rows) - r)
            col_span = 1 if colspan is None else _span(colspan, _MAX_COLSPAN)
            area += row_span * col_span
            if area > MAX_GRID:
                raise _too_large(path, index, r + 1, c + 1)
            cells.append(Cell(r, col, text, row_span, col_span))
            end = r + row_span
            for j in range(col, col + col_span):  # an overlapping broken span keeps its rows
                if end > covered(j, 0):
                    free_from[j] = end
            col += col_span
    return _without_rows(cells, hidden_rows) if hidden_rows else cells


def _without_rows(cells: list[Cell], gone: list[int]) -> list[Cell]:
    """The grid without some of its rows: their cells go, the rows below move up, and a cell
    spanning one of them spans one row fewer (a cell over hidden rows only goes too)."""
    kept: list[Cell] = []
    for cell in cells:
        before = bisect.bisect_left(gone, cell.row)
        inside = bisect.bisect_left(gone, cell.row + cell.row_span) - before
        if inside < cell.row_span:
            kept.append(replace(cell, row=cell.row - before, row_span=cell.row_span - inside))
    return kept


def _too_large(path: Path, table: int, row: int, cell: int) -> UnreadableFile:
    return UnreadableFile(
        f"the table's rowspan/colspan cover more than {MAX_GRID:,} grid positions",
        file=path,
        table=table,
        row=row,
        cell=cell,
        hint="the page is broken or is not a notice; check the spans of that cell, or save the "
        "notice again as .html",
    )
