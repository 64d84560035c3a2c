"""Reader for Word `.docx`: walks `w:tc` elements so each merged cell is stored once.

`row.cells` is not used: it repeats a merged cell at every grid position and is slow. A cell with
`<w:vMerge/>` (continue) extends the cell above it; `w:gridSpan` widens a cell; `w:gridBefore`
shifts a row's first cell.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from extractors.errors import UnreadableFile
from extractors.model import Cell, Document, Table

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_TEXT = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
MAX_XML_BYTES = 64 * 1024 * 1024  # a notice is well under 5 MB; more is a zip bomb or not a notice


@dataclass
class _OpenCell:
    row: int
    col: int
    col_span: int
    text: str
    row_span: int = 1

    def freeze(self) -> Cell:
        return Cell(self.row, self.col, self.text, self.row_span, self.col_span)


def read_docx(path: Path, data: bytes | None = None) -> Document:
    """Read a .docx into paragraphs and span-preserving tables, in document order."""
    body = _body(path, data)
    paragraphs: list[str] = []
    tables: list[Table] = []
    caption = ""
    for child in body.iterchildren():
        if child.tag == _P:
            text = _paragraph_text(child).strip()
            if text:
                paragraphs.append(text)
                caption = text
        elif child.tag == _TBL:
            tables.append(Table(len(tables) + 1, _table_cells(child), True, caption))
            caption = ""
    return Document(source=path, format="docx", paragraphs=paragraphs, tables=tables)


def _body(path: Path, data: bytes | None) -> etree._Element:
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise UnreadableFile(
                    f"word/document.xml expands to {info.file_size:,} bytes",
                    file=path,
                    hint="this is not a plain notice; re-save it in Word or check its origin",
                )
            xml = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise UnreadableFile(
            f"not a readable .docx ({error})",
            file=path,
            hint="the file is damaged or not a Word document; export it again as .docx",
        ) from error
    parser = etree.XMLParser(resolve_entities=False, huge_tree=False, no_network=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise UnreadableFile(f"word/document.xml is not valid XML ({error})", file=path) from error
    body = root.find(qn("w:body"))
    if body is None:
        raise UnreadableFile("word/document.xml has no body", file=path)
    return body


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for node in p.iter(*_TEXT):
        parts.append(node.text or "" if _TEXT[node.tag] is None else _TEXT[node.tag])
    return "".join(parts)


def _cell_text(tc: etree._Element) -> str:
    lines = [_paragraph_text(p).strip() for p in tc.iter(_P)]
    return "\n".join(line for line in lines if line)


def _table_cells(tbl: etree._Element) -> list[Cell]:
    """Cells of one table; a vMerge continuation grows the cell above instead of adding one."""
    done: list[_OpenCell] = []
    above: dict[int, _OpenCell] = {}  # grid column -> the cell that covers it in the last row
    for r, tr in enumerate(tbl.iterchildren(_TR)):
        col = _int_prop(tr, "w:trPr", "w:gridBefore", 0)
        current: dict[int, _OpenCell] = {}
        for tc in tr.iterchildren(_TC):
            span = _int_prop(tc, "w:tcPr", "w:gridSpan", 1)
            merge = _vmerge(tc)
            cell = above.get(col) if merge == "continue" else None
            if cell is not None and cell.col == col:
                cell.row_span = r - cell.row + 1
            else:
                cell = _OpenCell(r, col, span, _cell_text(tc))
                done.append(cell)
            for c in range(col, col + span):
                current[c] = cell
            col += span
        above = current
    return [cell.freeze() for cell in done]


def _int_prop(element: etree._Element, container: str, name: str, default: int) -> int:
    props = element.find(qn(container))
    node = props.find(qn(name)) if props is not None else None
    value = node.get(qn("w:val")) if node is not None else None
    return int(value) if value and value.isdigit() else default


def _vmerge(tc: etree._Element) -> str | None:
    props = tc.find(qn("w:tcPr"))
    node = props.find(qn("w:vMerge")) if props is not None else None
    if node is None:
        return None
    return node.get(qn("w:val"), "continue")
