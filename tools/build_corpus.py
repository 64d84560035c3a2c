"""Build the .docx versions of the development corpus's table fixtures from their .html.

The corpus (``tests/corpus/``) holds excerpts of real notices rebuilt by hand as ``.html`` or
``.txt``, each with an ``.expected.json``. For the table fixtures listed in ``DOCX_STEMS`` this
script writes the same document as Word would: body paragraphs become paragraphs, every
``<table>`` becomes a Word table with real merges (``colspan`` -> ``w:gridSpan``, ``rowspan`` ->
``w:vMerge`` restart/continue, one ``w:tc`` per row and grid position as Word writes it). The
output is byte-stable (fixed zip timestamps and core properties), so ``--check`` can rebuild in
memory and compare with the committed files.

Usage (from the project root)::

    .venv/bin/python -m tools.build_corpus              # (re)write every listed .docx
    .venv/bin/python -m tools.build_corpus STEM ...     # only these fixtures
    .venv/bin/python -m tools.build_corpus --check      # fail if a committed .docx differs
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl, CT_Tc
from lxml import etree
from lxml import html as lxml_html

from tools.build_fixtures import (
    Cell,
    Layout,
    Placed,
    TableSpec,
    add_docx_paragraph,
    add_docx_table,
    html_row_widths,
    normalise_zip,
    setup_docx,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "tests" / "corpus"

# Table fixtures that also get a .docx (merged cells, section rows, multi-paragraph cells).
DOCX_STEMS: tuple[str, ...] = (
    "jiaxing_2006_plan",
    "jiaxing_2021_progress",
    "keqiao_2023_minsheng-progress",
    "pinghu_2025_progress",
    "taizhou_2018_notice",
    "yuhang_2018_notice-866tx",
    "yuhuan_2021_notice",
)

AUTHOR = "notices test corpus"
TEXT_WIDTH = 9026  # dxa: A4 width minus 25.4 mm margins, as setup_docx lays out the page
BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li"})
TITLE_TAGS = frozenset({"h1", "h2"})


# --------------------------------------------------------------------------- html


@dataclass
class HtmlCell:
    paras: list[str]
    rowspan: int
    colspan: int
    header: bool


@dataclass
class HtmlTable:
    rows: list[list[HtmlCell]]
    element: etree._Element


@dataclass
class Para:
    text: str
    tag: str


Block = Para | HtmlTable


def parse_page(data: bytes) -> tuple[str, list[Block]]:
    """The page title and its body as paragraphs and tables, in document order."""
    page = lxml_html.document_fromstring(data, parser=lxml_html.HTMLParser(encoding="utf-8"))
    title = (page.findtext(".//title") or "").strip()
    body = page.find("body")
    blocks = list(_walk(body if body is not None else page))
    if not title:
        title = next((b.text for b in blocks if isinstance(b, Para) and b.tag in TITLE_TAGS), "")
    return title, blocks


def _walk(el: etree._Element) -> Iterator[Block]:
    for child in el:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        if child.tag == "table":
            yield _table(child)
        elif child.tag in BLOCK_TAGS:
            text = child.text_content().strip()
            if text:
                yield Para(text, child.tag)
        else:
            yield from _walk(child)


def _table(table: etree._Element) -> HtmlTable:
    rows = []
    for tr in table.xpath("./tbody/tr | ./thead/tr | ./tr"):
        cells = [
            HtmlCell(
                _cell_paras(td),
                int(td.get("rowspan", "1")),
                int(td.get("colspan", "1")),
                td.tag == "th",
            )
            for td in tr.xpath("./td | ./th")
        ]
        rows.append(cells)
    return HtmlTable(rows, table)


def _cell_paras(td: etree._Element) -> list[str]:
    """A cell's paragraphs: its <p> children, else its text split at <br>."""
    paras = td.findall("p")
    if paras:
        texts = [p.text_content().strip() for p in paras]
    else:
        parts, current = [], [td.text or ""]
        for child in td:
            if child.tag == "br":
                parts.append("".join(current))
                current = [child.tail or ""]
            else:
                current += [child.text_content(), child.tail or ""]
        parts.append("".join(current))
        texts = [t.strip() for t in parts]
    return [t for t in texts if t]  # '&nbsp;' strips to '' -> an empty cell


# --------------------------------------------------------------------------- grid


def grid_rows(table: HtmlTable) -> list[list[Placed]]:
    """Place every cell on the grid; a rowspan adds a vMerge continuation in each row below."""
    rows: list[list[Placed]] = [[] for _ in table.rows]
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(table.rows):
        col = 0
        for cell in cells:
            while (r, col) in taken:
                col += 1
            root = Placed(Cell(cell.paras), col, cell.colspan, rowspan=cell.rowspan)
            if cell.rowspan > 1:
                root.vmerge = "restart"
            rows[r].append(root)
            for rr in range(r, r + cell.rowspan):
                if rr >= len(rows):
                    raise ValueError(f"row {r}: rowspan {cell.rowspan} runs past the table end")
                taken.update((rr, c) for c in range(col, col + cell.colspan))
                if rr > r:
                    rows[rr].append(Placed(Cell([]), col, cell.colspan, vmerge="continue"))
            col += cell.colspan
    for row in rows:
        row.sort(key=lambda p: p.col)
    return rows


def column_widths(rows: list[list[Placed]], width: int) -> tuple[int, ...]:
    """Share the text width by the longest single-column paragraph of each column."""
    weights = [2] * width
    for row in rows:
        for p in row:
            if p.span == 1 and p.cell.paras:
                weights[p.col] = max(weights[p.col], min(40, max(map(len, p.cell.paras))))
    total = sum(weights)
    widths = [TEXT_WIDTH * w // total for w in weights]
    widths[-1] += TEXT_WIDTH - sum(widths)
    return tuple(widths)


def header_rows(table: HtmlTable) -> int:
    """Leading rows made only of <th> cells repeat on every page."""
    n = 0
    for cells in table.rows:
        if not cells or not all(c.header for c in cells):
            break
        n += 1
    return n


def layout_of(table: HtmlTable) -> Layout:
    rows = grid_rows(table)
    widths = html_row_widths(table.element)  # asserts the page's table has no gaps or overlaps
    width = max(widths)
    if widths != [width] * len(rows):
        raise ValueError(f"rows cover different widths: {widths}")
    spec = TableSpec("plain", column_widths(rows, width), header_rows(table), frozenset())
    return Layout(spec, rows)


# --------------------------------------------------------------------------- docx


def build_docx_bytes(html_path: Path) -> bytes:
    title, blocks = parse_page(html_path.read_bytes())
    doc = docx.Document()
    setup_docx(doc, title)
    props = doc.core_properties
    props.author = props.last_modified_by = AUTHOR
    previous: Block | None = None
    for i, block in enumerate(blocks):
        if isinstance(block, HtmlTable):
            if isinstance(previous, HtmlTable):
                doc.add_paragraph()  # Word fuses directly adjacent tables into one
            add_docx_table(doc, layout_of(block))
        else:
            following = blocks[i + 1] if i + 1 < len(blocks) else None
            add_docx_paragraph(doc, block.text, _role(block, following))
        previous = block
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue())


def _role(para: Para, following: Block | None) -> str:
    if para.tag in TITLE_TAGS:
        return "title"
    if isinstance(following, HtmlTable):
        return "caption"
    return "body"


# --------------------------------------------------------------------------- checks


def check_docx(data: bytes, html_path: Path) -> list[str]:
    """Problems of a built .docx against its page: text order, cell texts and merges."""
    _, blocks = parse_page(html_path.read_bytes())
    doc: Document = docx.Document(io.BytesIO(data))
    problems: list[str] = []
    want = [None if isinstance(b, HtmlTable) else b.text for b in blocks]
    got = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            got.append(None)
        elif child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text:
                got.append(text)
    if got != want:
        problems.append("body paragraphs/tables differ from the page")
    tables = [b for b in blocks if isinstance(b, HtmlTable)]
    for ti, (table, src) in enumerate(zip(doc.tables, tables, strict=False)):
        problems += [f"table {ti}: {p}" for p in _check_table(table._tbl, src)]
    if len(doc.tables) != len(tables):
        problems.append(f"{len(doc.tables)} tables in the .docx, {len(tables)} on the page")
    return problems


def _check_table(tbl: CT_Tbl, src: HtmlTable) -> list[str]:
    problems = []
    width = len(tbl.tblGrid.gridCol_lst)
    above: dict[int, tuple[int, str | None]] = {}  # start column -> (span, vMerge) of row above
    for r, (tr, cells) in enumerate(zip(tbl.tr_lst, src.rows, strict=True)):
        if sum(tc.grid_span for tc in tr.tc_lst) != width:
            problems.append(f"row {r}: cells do not cover the grid")
        roots = [tc for tc in tr.tc_lst if tc.vMerge != "continue"]
        texts = [[t for t in _tc_paras(tc) if t] for tc in roots]
        if texts != [c.paras for c in cells]:
            problems.append(f"row {r}: cell texts differ")
        current: dict[int, tuple[int, str | None]] = {}
        col = 0
        for tc in tr.tc_lst:
            if tc.vMerge == "continue" and above.get(col, (0, None))[0] != tc.grid_span:
                problems.append(f"row {r} column {col}: continuation without a matching cell above")
            current[col] = (tc.grid_span, tc.vMerge)
            col += tc.grid_span
        above = current
    return problems


def _tc_paras(tc: CT_Tc) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    doc_lines = (__doc__ or "").splitlines()
    parser = argparse.ArgumentParser(description=doc_lines[0])
    parser.add_argument("stems", nargs="*", help=f"fixture stems (default: {len(DOCX_STEMS)})")
    parser.add_argument("--dir", type=Path, default=CORPUS_DIR, help="corpus directory")
    parser.add_argument(
        "--check", action="store_true", help="rebuild in memory; fail if a committed file differs"
    )
    args = parser.parse_args(argv)
    failures = 0
    for stem in args.stems or DOCX_STEMS:
        html_path, docx_path = args.dir / f"{stem}.html", args.dir / f"{stem}.docx"
        data = build_docx_bytes(html_path)
        problems = check_docx(data, html_path)
        if args.check:
            if not docx_path.exists():
                problems.append("no committed .docx")
            elif docx_path.read_bytes() != data:
                problems.append("committed .docx differs from a rebuild (run without --check)")
        else:
            docx_path.write_bytes(data)
        status = "ok" if not problems else "FAILED: " + "; ".join(problems)
        verb = "checked" if args.check else "wrote"
        print(f"{verb} {docx_path.name}: {status}")
        failures += bool(problems)
    if failures:
        print(f"{failures} fixture(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
