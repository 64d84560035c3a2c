"""Reader for web pages: BeautifulSoup on lxml, rowspan and colspan kept as spans.

The page is decoded here, not by BeautifulSoup: a page declaring gb2312 but using GBK characters
(common on government sites) makes lxml return an empty tree, and guessing an undeclared
encoding is unreliable on short pages. Declared GB charsets are read as GB18030 (their superset,
as browsers do); an undeclared page is UTF-8 or else GB18030; only then does BeautifulSoup guess.
"""

from __future__ import annotations

import codecs
import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag
from bs4.builder import XMLParsedAsHTMLWarning

from core.errors import UnreadableFile
from extractors.model import Cell, Document, Table
from extractors.txt import BOMS

_BLOCKS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"]
_NOISE = ["script", "style", "noscript", "template"]
_WALKED = {*_BLOCKS, "td", "th", "table"}  # td/th: text in the cells of a layout table
_BREAKS = {*_BLOCKS, "br"}
_CHARSET = re.compile(
    rb"""<(?:meta[^>]*?charset|\?xml[^>]*?encoding)\s*=\s*["']?\s*([\w.:-]+)""", re.I
)
_GB = {"gb2312", "gbk", "gb18030"}  # Python's names after codecs.lookup of any GB label
# Browsers' limits: a bigger span is a broken page, and would cost memory for nothing.
_MAX_COLSPAN, _MAX_ROWSPAN = 1000, 65534
_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() accepts '²', int() not
MAX_GRID = 1_000_000  # grid positions per table; a notice's largest table has a few thousand
# A parsed page costs ~70 times its size in memory, and the walks below cost its depth per element:
# a notice's page is well under 1 MB and nests ~30 deep, so these bounds are generous.
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 500


def read_html(path: Path, data: bytes | None = None) -> Document:
    """Read a page into the paragraphs and tables of the part that holds the notice."""
    raw = path.read_bytes() if data is None else data
    if len(raw) > MAX_PAGE_BYTES:
        raise UnreadableFile(
            f"the page is larger than {MAX_PAGE_BYTES // 2**20} MB; a notice's page is far smaller",
            file=path,
            hint="check that this is the notice; save only its page, as 'Web page, HTML only'",
        )
    with warnings.catch_warnings():  # they flag odd pages, which the checks below report
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(decode_page(raw), "lxml")
    if _depth(soup) > MAX_DEPTH:
        raise UnreadableFile(
            f"the page nests its elements more than {MAX_DEPTH} deep",
            file=path,
            hint="the page is broken or is not a notice; save the notice's page again as .html",
        )
    for tag in soup.find_all(_NOISE):
        tag.decompose()
    # The innermost tables hold the data: older government pages lay out the whole article,
    # title included, in an outer table.
    tables = [t for t in soup.find_all("table") if t.find("table") is None]
    article = _article(soup, tables)
    if article is None:
        raise UnreadableFile("the page has no body", file=path, hint="save the whole page as .html")
    paragraphs, captions = _paragraphs(article, tables)
    return Document(
        source=path,
        format="html",
        paragraphs=paragraphs,
        tables=[
            Table(i + 1, _table_cells(t, i + 1, path), True, captions.get(id(t), ""))
            for i, t in enumerate(tables)
        ],
    )


def _depth(soup: BeautifulSoup) -> int:
    """How deep elements nest, walked without recursion (a hostile page may nest 10**6 deep)."""
    deepest, stack = 0, [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))
    return deepest


def decode_page(raw: bytes) -> str | bytes:
    """The page as text: its BOM, else its declared charset, else UTF-8, else GB18030 (pages
    declared UTF-8 but saved in GBK exist); only if all fail does BeautifulSoup guess."""
    bom = next((encoding for bom, encoding in BOMS if raw.startswith(bom)), None)
    for encoding in (bom, _declared_encoding(raw[:8192]), "utf-8", "gb18030"):
        text = _decode(raw, encoding) if encoding else None
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


def _article(soup: BeautifulSoup, tables: list[Tag]) -> Tag | None:
    """The nearest element holding every table and some text besides: the notice, without the
    site's header and navigation."""
    if not tables:
        return soup.body or soup
    others = [{id(p) for p in t.parents} for t in tables[1:]]  # by identity: Tag == compares trees
    for ancestor in tables[0].parents:
        if all(id(ancestor) in parents for parents in others) and _has_own_text(ancestor, tables):
            return ancestor
    return soup.body


def _has_own_text(element: Tag, tables: list[Tag]) -> bool:
    """Whether the element holds text outside the tables (the title, the issuer …)."""
    inside = sum(len(t.get_text("").strip()) for t in tables)
    return len(element.get_text("").strip()) > inside


def _paragraphs(article: Tag, tables: list[Tag]) -> tuple[list[str], dict[int, str]]:
    """Text blocks outside tables in reading order, and the block just before each table.

    One walk of the page, then one walk up from each block: asking every block for inner blocks
    (`find`) costs the page's size per block, seconds on a large page.
    """
    nodes = [n for n in article.descendants if isinstance(n, Tag) and n.name in _WALKED]
    table_ids = {id(t) for t in tables}
    outer, in_table = _block_context(article, nodes, table_ids)
    paragraphs: list[str] = []
    captions: dict[int, str] = {}
    caption = ""
    for node in nodes:
        if id(node) in table_ids:
            captions[id(node)], caption = caption, ""
        elif node.name != "table" and id(node) not in outer and id(node) not in in_table:
            text = node.get_text("").strip()
            if text:
                paragraphs.append(text)
                caption = text
    return paragraphs, captions


def _block_context(
    article: Tag, nodes: list[Tag], table_ids: set[int]
) -> tuple[set[int], set[int]]:
    """Blocks that hold other blocks, and blocks inside a data table (both by identity)."""
    outer: set[int] = set()
    in_table: set[int] = set()
    for node in nodes:
        if node.name == "table":
            continue
        for parent in node.parents:
            if parent is article:
                break
            if id(parent) in table_ids:
                in_table.add(id(node))
            outer.add(id(parent))
    return outer, in_table


def _cell_text(cell: Tag) -> str:
    """A cell's paragraphs as lines: <p>, <div> and <br> break lines, inline tags do not."""
    breaks = [n for n in cell.descendants if isinstance(n, Tag) and n.name in _BREAKS]
    for node in breaks:
        if node.name == "br":
            node.replace_with(NavigableString("\n"))
        else:
            node.append(NavigableString("\n"))
    lines = (line.strip() for line in cell.get_text("").split("\n"))
    return "\n".join(line for line in lines if line)


def _span(cell: Tag, name: str, limit: int) -> int:
    value = str(cell.get(name, "1")).strip()
    return min(max(1, int(value)), limit) if _NUMBER.fullmatch(value) else 1


def _rows(table: Tag) -> list[Tag]:
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _table_cells(table: Tag, index: int, path: Path) -> list[Cell]:
    """Expand rowspan/colspan into grid positions while keeping each cell once."""
    rows = _rows(table)
    free_from: dict[int, int] = {}  # grid column -> first row not covered by a rowspan above
    cells: list[Cell] = []
    area = 0
    for r, tr in enumerate(rows):
        col = 0
        for c, td in enumerate(tr.find_all(["td", "th"], recursive=False)):
            while free_from.get(col, 0) > r:
                col += 1
            row_span = min(_span(td, "rowspan", _MAX_ROWSPAN), len(rows) - r)
            col_span = _span(td, "colspan", _MAX_COLSPAN)
            area += row_span * col_span
            if area > MAX_GRID:
                raise _too_large(path, index, r + 1, c + 1)
            cells.append(Cell(r, col, _cell_text(td), row_span, col_span))
            for j in range(col, col + col_span):  # max: an overlapping broken span keeps its rows
                free_from[j] = max(free_from.get(j, 0), r + row_span)
            col += col_span
    return cells


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
