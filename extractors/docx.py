"""Reader for Word `.docx`: walks `w:tc` elements so each merged cell is stored once.

`row.cells` is not used: it repeats a merged cell at every grid position and is slow. A cell with
`<w:vMerge/>` (continue) extends the cell above it; `w:gridSpan` widens a cell; `w:gridBefore`
shifts a row's first cell.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from core.errors import UnreadableFile
from extractors.model import Cell, Document, Table

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
# Qualified names looked up for every cell: computed once (qn was a third of the walk).
_TR_PR, _GRID_BEFORE, _TC_PR = qn("w:trPr"), qn("w:gridBefore"), qn("w:tcPr")
_GRID_SPAN, _VMERGE, _VAL = qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
_TEXT = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
MAX_XML_BYTES = 64 * 1024 * 1024  # a notice is well under 5 MB; more is a zip bomb or not a notice
_MAIN_PART = "word/document.xml"
_EXPORT = "export or download the notice again as .docx"
_ZIP_KINDS = [
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint file (.pptx)"),
    ("OFD.xml", "an OFD document (.ofd)"),
    ("content.xml", "an OpenDocument file (.odt)"),
]
_NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: str.isdigit() accepts '²', int() not


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
    xml = _document_xml(path, data)
    # No entity expansion (billion laughs), no DTD or network access (XXE), libxml2's size limits.
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise UnreadableFile(
            f"word/document.xml is not valid XML ({error})", file=path, hint=_EXPORT
        ) from error
    body = root.find(qn("w:body"))
    if body is None:
        raise UnreadableFile("word/document.xml has no body", file=path, hint=_EXPORT)
    return body


def _document_xml(path: Path, data: bytes | None) -> bytes:
    """The main part's bytes; the archive's errors become UnreadableFile."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            return _read_main_part(archive, path)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise _damaged(path, data, error) from error
    except NotImplementedError as error:  # a compression method zipfile lacks (Deflate64)
        raise UnreadableFile(
            f"not a readable .docx: {error}", file=path, hint="open it in Word and save it again"
        ) from error


def _damaged(path: Path, data: bytes | None, error: Exception) -> UnreadableFile:
    if data is not None and not data.startswith(b"PK"):  # named .docx, but not a zip at all
        return UnreadableFile(
            "not a readable .docx: a .docx is a zip archive and this file is not one",
            file=path,
            hint="check what the file really is (open it in Word or a text editor); " + _EXPORT,
        )
    return UnreadableFile(
        f"not a readable .docx: the archive is damaged or cut short ({error})",
        file=path,
        hint="the copy or download was probably incomplete; " + _EXPORT,
    )


def _read_main_part(archive: zipfile.ZipFile, path: Path) -> bytes:
    try:
        info = archive.getinfo(_MAIN_PART)
    except KeyError:
        raise UnreadableFile(
            f"not a readable .docx: the archive has no {_MAIN_PART}, so it is not a Word "
            f"document (it looks like {_zip_kind(archive.namelist())})",
            file=path,
            hint="open it in the program that made it and save the notice as .docx",
        ) from None
    if info.flag_bits & 0x1:  # zip-level encryption: reading would ask for a password
        raise UnreadableFile(
            "the .docx is password-protected (its parts are encrypted)",
            file=path,
            hint="open it with its password, save it as .docx without one, and run again",
        )
    if info.file_size > MAX_XML_BYTES:  # from the directory, before decompressing anything
        raise _too_big(path, f"{info.file_size:,} bytes")
    with archive.open(info) as part:
        xml = part.read(MAX_XML_BYTES + 1)  # bounded: the directory's size may lie
    if len(xml) > MAX_XML_BYTES:
        raise _too_big(path, f"more than {MAX_XML_BYTES:,} bytes")
    return xml


def _too_big(path: Path, size: str) -> UnreadableFile:
    return UnreadableFile(
        f"{_MAIN_PART} expands to {size}, far more than a notice (a zip bomb?)",
        file=path,
        hint="this is not a plain notice; re-save it in Word or check where it came from",
    )


def _zip_kind(names: list[str]) -> str:
    """What a zip that is not a .docx probably is, from its part names."""
    for prefix, kind in _ZIP_KINDS:
        if any(name.startswith(prefix) for name in names):
            return kind
    return "some other zip archive"


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
    # start column -> the cell starting there in the last row; keyed by start only, so a cell
    # claiming a huge gridSpan costs one entry, not one per column
    above: dict[int, _OpenCell] = {}
    for r, tr in enumerate(tbl.iterchildren(_TR)):
        col = _int_prop(tr.find(_TR_PR), _GRID_BEFORE, 0)
        current: dict[int, _OpenCell] = {}
        for tc in tr.iterchildren(_TC):
            props = tc.find(_TC_PR)
            span = max(1, _int_prop(props, _GRID_SPAN, 1))
            merge = _vmerge(props)
            cell = above.get(col) if merge == "continue" else None
            if cell is not None and cell.col == col:
                cell.row_span = r - cell.row + 1
            else:
                cell = _OpenCell(r, col, span, _cell_text(tc))
                done.append(cell)
            current[col] = cell
            col += span
        above = current
    return [cell.freeze() for cell in done]


def _int_prop(props: etree._Element | None, name: str, default: int) -> int:
    """A number property (w:gridSpan, w:gridBefore) of a cell's or row's properties."""
    node = props.find(name) if props is not None else None
    value = node.get(_VAL) if node is not None else None
    return int(value) if value and _NUMBER.fullmatch(value) else default


def _vmerge(props: etree._Element | None) -> str | None:
    """restart, continue (<w:vMerge/> without a value) or None, from a cell's properties."""
    node = props.find(_VMERGE) if props is not None else None
    if node is None:
        return None
    return node.get(_VAL, "continue")
