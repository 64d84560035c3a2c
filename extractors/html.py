"""Reader for web pages: BeautifulSoup on lxml, rowspan and colspan kept as spans.

BeautifulSoup's encoding detection reads pages saved in GBK or GB18030, declared or not.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from extractors.errors import UnreadableFile
from extractors.model import Cell, Document, Table

_BLOCKS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li"]
_NOISE = ["script", "style", "noscript", "template"]


def read_html(path: Path, data: bytes | None = None) -> Document:
    """Read a page into the paragraphs and tables of the part that holds the notice."""
    raw = path.read_bytes() if data is None else data
    soup = BeautifulSoup(raw, "lxml")
    for tag in soup.find_all(_NOISE):
        tag.decompose()
    tables = [t for t in soup.find_all("table") if t.find_parent("table") is None]
    article = _article(soup, tables)
    if article is None:
        raise UnreadableFile("the page has no body", file=path, hint="save the whole page as .html")
    paragraphs, captions = _paragraphs(article, tables)
    return Document(
        source=path,
        format="html",
        paragraphs=paragraphs,
        tables=[
            Table(i + 1, _table_cells(t), True, captions.get(id(t), ""))
            for i, t in enumerate(tables)
        ],
    )


def _article(soup: BeautifulSoup, tables: list[Tag]) -> Tag | None:
    """The nearest element holding every table: the notice, without the site's header and nav."""
    if not tables:
        return soup.body or soup
    for ancestor in tables[0].parents:
        if all(ancestor in t.parents for t in tables[1:]):
            return ancestor
    return soup.body


def _paragraphs(article: Tag, tables: list[Tag]) -> tuple[list[str], dict[int, str]]:
    """Text blocks outside tables in reading order, and the block just before each table."""
    paragraphs: list[str] = []
    captions: dict[int, str] = {}
    caption = ""
    table_ids = {id(t) for t in tables}
    for node in article.descendants:
        if not isinstance(node, Tag):
            continue
        if id(node) in table_ids:
            captions[id(node)] = caption
            caption = ""
        elif node.name in _BLOCKS and not node.find(_BLOCKS) and not node.find_parent("table"):
            text = node.get_text("").strip()
            if text:
                paragraphs.append(text)
                caption = text
    return paragraphs, captions


def _cell_text(cell: Tag) -> str:
    """A cell's paragraphs as lines: <p>, <div> and <br> break lines, inline tags do not."""
    for br in cell.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for block in cell.find_all(_BLOCKS):
        block.append(NavigableString("\n"))
    lines = (line.strip() for line in cell.get_text("").split("\n"))
    return "\n".join(line for line in lines if line)


def _span(cell: Tag, name: str) -> int:
    value = str(cell.get(name, "1")).strip()
    return max(1, int(value)) if value.isdigit() else 1


def _rows(table: Tag) -> list[Tag]:
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _table_cells(table: Tag) -> list[Cell]:
    """Expand rowspan/colspan into grid positions while keeping each cell once."""
    rows = _rows(table)
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, tr in enumerate(rows):
        col = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            while (r, col) in taken:
                col += 1
            row_span = min(_span(td, "rowspan"), len(rows) - r)
            col_span = _span(td, "colspan")
            cells.append(Cell(r, col, _cell_text(td), row_span, col_span))
            taken |= {(r + i, col + j) for i in range(row_span) for j in range(col_span)}
            col += col_span
    return cells
