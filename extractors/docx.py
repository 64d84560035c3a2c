"""Reader for Word `.docx`: the text as Word shows it, each merged cell stored once.

The parsed XML is first edited into what Word displays (`_as_word_shows`): content controls and
other wrappers are unwrapped, tracked deletions and hidden text are dropped, and the numbers Word
generates for automatic numbering are written into their paragraphs. The walk that follows then
only meets plain tables, rows, cells and runs.

`row.cells` is not used: it repeats a merged cell at every grid position and is slow. A cell with
`<w:vMerge/>` (continue) extends the cell above it; `w:gridSpan` widens a cell; `w:gridBefore`
shifts a row's first cell.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from core.errors import UnreadableFile
from extractors.docx_numbering import NUMBER, Lists, NumberedStyle, val
from extractors.model import Cell, Document, Table

_P, _TBL, _TR, _TC, _R = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:r")
# Qualified names looked up for every cell: computed once (qn was a third of the walk).
_TR_PR, _GRID_BEFORE, _TC_PR = qn("w:trPr"), qn("w:gridBefore"), qn("w:tcPr")
_GRID_SPAN, _VMERGE, _VAL = qn("w:gridSpan"), qn("w:vMerge"), qn("w:val")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_TEXT = {_T: None, _TAB: "\t", _BR: "\n", _CR: "\n"}
_P_PR, _R_PR, _P_STYLE, _R_STYLE = qn("w:pPr"), qn("w:rPr"), qn("w:pStyle"), qn("w:rStyle")
_DEL, _MOVE_FROM, _VANISH = qn("w:del"), qn("w:moveFrom"), qn("w:vanish")
_NUM_PR, _NUM_ID, _ILVL = qn("w:numPr"), qn("w:numId"), qn("w:ilvl")
# Wrappers whose content Word shows in place (content controls, custom XML, smart tags, links,
# simple fields, tracked insertions and moves), and their properties, which hold no text.
_WRAPPERS = tuple(
    qn(f"w:{name}")
    for name in (
        "sdt", "sdtContent", "customXml", "smartTag", "hyperlink", "fldSimple", "ins", "moveTo"
    )
)  # fmt: skip
_WRAPPER_PROPS = tuple(
    qn(f"w:{name}") for name in ("sdtPr", "sdtEndPr", "customXmlPr", "smartTagPr")
)
_OFF = frozenset({"0", "false", "off"})  # a w:vanish (or any on/off property) switched off
MAX_XML_BYTES = 64 * 1024 * 1024  # a notice is well under 5 MB; more is a zip bomb or not a notice
_MAIN_PART = "word/document.xml"
_NUMBERING_PART, _STYLES_PART = "word/numbering.xml", "word/styles.xml"
_EXPORT = "export or download the notice again as .docx"
_ZIP_KINDS = [
    ("xl/", "an Excel workbook (.xlsx)"),
    ("ppt/", "a PowerPoint file (.pptx)"),
    ("OFD.xml", "an OFD document (.ofd)"),
    ("content.xml", "an OpenDocument file (.odt)"),
]
# A number typed in a numbered paragraph (1, 1., （一）): it stays, and no generated one is added.
_TYPED_NUMBER = re.compile(r"[（(]?(?:[0-9]{1,4}|[一二三四五六七八九十百〇零]{1,5})[)）.、．]?")


def read_docx(path: Path, data: bytes | None = None) -> Document:
    """Read a .docx into paragraphs and span-preserving tables, in document order."""
    with _package(path, data) as package:
        body = package.body()
        _as_word_shows(body, package)
    paragraphs: list[str] = []
    tables: list[Table] = []
    caption = ""
    for child in body.iterchildren(_P, _TBL):
        if child.tag == _P:
            text = _paragraph_text(child).strip()
            if text:
                paragraphs.append(text)
                caption = text
        else:
            tables.append(Table(len(tables) + 1, _table_cells(child), True, caption))
            caption = ""
    return Document(source=path, format="docx", paragraphs=paragraphs, tables=tables)


# --------------------------------------------------------------------------- the package


class _Package:
    """The parts of one open .docx, each read and parsed only when asked for."""

    def __init__(self, archive: zipfile.ZipFile, path: Path) -> None:
        self.archive = archive
        self.path = path

    def body(self) -> etree._Element:
        root = self.part(_MAIN_PART)
        if root is None:
            raise UnreadableFile(
                f"not a readable .docx: the archive has no {_MAIN_PART}, so it is not a Word "
                f"document (it looks like {_zip_kind(self.archive.namelist())})",
                file=self.path,
                hint="open it in the program that made it and save the notice as .docx",
            )
        body = root.find(qn("w:body"))
        if body is None:
            raise UnreadableFile("word/document.xml has no body", file=self.path, hint=_EXPORT)
        return body

    def part(self, name: str) -> etree._Element | None:
        """A part's root element, or None when the archive has no such part."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return None
        return _parse(_read_part(self.archive, info, self.path), name, self.path)

    @cached_property
    def styles(self) -> _Styles:
        return _Styles.parse(self.part(_STYLES_PART))


@contextmanager
def _package(path: Path, data: bytes | None) -> Iterator[_Package]:
    """The open archive; its errors become UnreadableFile."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as archive:
            yield _Package(archive, path)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise _damaged(path, data, error) from error
    except NotImplementedError as error:  # a compression method zipfile lacks (Deflate64)
        raise UnreadableFile(
            f"not a readable .docx: {error}", file=path, hint="open it in Word and save it again"
        ) from error


def _parse(xml: bytes, name: str, path: Path) -> etree._Element:
    # No entity expansion (billion laughs), no DTD or network access (XXE), libxml2's size limits.
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False
    )
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise UnreadableFile(
            f"{name} is not valid XML ({error})", file=path, hint=_EXPORT
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


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    if info.flag_bits & 0x1:  # zip-level encryption: reading would ask for a password
        raise UnreadableFile(
            "the .docx is password-protected (its parts are encrypted)",
            file=path,
            hint="open it with its password, save it as .docx without one, and run again",
        )
    if info.file_size > MAX_XML_BYTES:  # from the directory, before decompressing anything
        raise _too_big(path, info.filename, f"{info.file_size:,} bytes")
    with archive.open(info) as part:
        xml = part.read(MAX_XML_BYTES + 1)  # bounded: the directory's size may lie
    if len(xml) > MAX_XML_BYTES:
        raise _too_big(path, info.filename, f"more than {MAX_XML_BYTES:,} bytes")
    return xml


def _too_big(path: Path, name: str, size: str) -> UnreadableFile:
    return UnreadableFile(
        f"{name} expands to {size}, far more than a notice (a zip bomb?)",
        file=path,
        hint="this is not a plain notice; re-save it in Word or check where it came from",
    )


def _zip_kind(names: list[str]) -> str:
    """What a zip that is not a .docx probably is, from its part names."""
    for prefix, kind in _ZIP_KINDS:
        if any(name.startswith(prefix) for name in names):
            return kind
    return "some other zip archive"


# --------------------------------------------------------------------------- as Word shows it


def _as_word_shows(body: etree._Element, package: _Package) -> None:
    """Edit the tree into what Word displays. Each step scans for tags lxml finds in C, so a
    document without these features costs next to nothing here."""
    etree.strip_elements(body, *_WRAPPER_PROPS, with_tail=False)
    etree.strip_tags(body, *_WRAPPERS)
    _drop_tracked_deletions(body)
    _drop_hidden_text(body, package)
    _number_paragraphs(body, package)


def _drop_tracked_deletions(body: etree._Element) -> None:
    """Deleted and moved-away text, and rows deleted with changes tracked, are not shown."""
    rows, marks, runs = [], [], []
    for mark in body.iter(_DEL, _MOVE_FROM):
        parent = mark.getparent()
        if parent.tag == _TR_PR:  # the whole row was deleted
            if parent.getparent().tag == _TR:
                rows.append(parent.getparent())
        elif parent.tag == _R_PR:  # a paragraph mark: its paragraph runs on into the next
            if parent.getparent().tag == _P_PR:
                marks.append(parent.getparent().getparent())
        else:  # a w:del or w:moveFrom holding the runs that were deleted or moved away
            runs.append(mark)
    _remove(runs)
    tables = [tr.getparent() for tr in rows]
    _remove(rows)
    _remove([t for t in tables if t.tag == _TBL and t.find(_TR) is None])  # no row left: no table
    for p in marks:
        _join_next(p)


def _drop_hidden_text(body: etree._Element, package: _Package) -> None:
    """Hidden text (w:vanish on a run, or on its character or paragraph style) is not shown."""
    runs, marks = [], []
    for vanish in body.iter(_VANISH):
        props = vanish.getparent()
        owner = props.getparent() if props.tag == _R_PR else None
        if owner is None or vanish.get(_VAL) in _OFF:
            continue
        if owner.tag == _R:
            runs.append(owner)
        elif owner.tag == _P_PR:  # a hidden paragraph mark joins its paragraph to the next
            marks.append(owner.getparent())
    if next(body.iter(_R_STYLE, _P_STYLE), None) is not None and package.styles.hidden:
        runs += _runs_of_hidden_styles(body, package.styles.hidden)
    _remove(runs)
    for p in marks:
        _join_next(p)


def _runs_of_hidden_styles(body: etree._Element, hidden: frozenset[str]) -> list[etree._Element]:
    runs = []
    for ref in body.iter(_R_STYLE, _P_STYLE):
        if ref.get(_VAL) not in hidden:
            continue
        owner = ref.getparent().getparent()  # rStyle: rPr's run; pStyle: pPr's paragraph
        if ref.tag == _R_STYLE and owner.tag == _R:
            runs.append(owner)
        elif ref.tag == _P_STYLE and owner.tag == _P:
            runs += owner.iter(_R)
    return [run for run in runs if not _shown_explicitly(run)]


def _shown_explicitly(run: etree._Element) -> bool:
    """A run whose own properties switch w:vanish off, overriding its style."""
    props = run.find(_R_PR)
    vanish = props.find(_VANISH) if props is not None else None
    return vanish is not None and vanish.get(_VAL) in _OFF


def _remove(elements: list[etree._Element]) -> None:
    for element in elements:
        parent = element.getparent()
        if parent is not None:  # already gone with an element removed before it
            parent.remove(element)


def _join_next(p: etree._Element) -> None:
    """A paragraph whose mark is deleted or hidden runs on into the next paragraph."""
    following = p.getnext()
    while following is not None and following.tag != _P and following.tag != _TBL:
        following = following.getnext()
    if following is None or following.tag != _P or p.getparent() is None:
        return
    at = 1 if len(following) and following[0].tag == _P_PR else 0
    for offset, child in enumerate(c for c in list(p) if c.tag != _P_PR):
        following.insert(at + offset, child)
    p.getparent().remove(p)


# --------------------------------------------------------------------------- styles


_MAX_BASED_ON = 16


@dataclass(frozen=True)
class _Styles:
    """What the walk needs from word/styles.xml: which styles hide their text, which number
    their paragraphs (numId, ilvl), each with what it inherits through w:basedOn."""

    hidden: frozenset[str] = frozenset()
    numbered: dict[str, NumberedStyle] = field(default_factory=dict)

    @classmethod
    def parse(cls, root: etree._Element | None) -> _Styles:
        if root is None:
            return cls()
        own = {s.get(qn("w:styleId")): s for s in root.iterchildren(qn("w:style"))}
        hidden, numbered = set(), {}
        for style_id in own:
            chain = _based_on_chain(style_id, own)
            if _chain_value(chain, (_R_PR, _VANISH)) not in (None, *_OFF):
                hidden.add(style_id)
            num_id = _chain_value(chain, (_P_PR, _NUM_PR, _NUM_ID))
            level = _chain_value(chain, (_P_PR, _NUM_PR, _ILVL))
            if num_id is not None or level is not None:
                numbered[style_id] = (num_id, level)
        return cls(frozenset(hidden), numbered)


def _based_on_chain(style_id: str, own: dict[str, etree._Element]) -> list[etree._Element]:
    """The style, then the style it is based on, and so on (a cycle or a chain deeper than any
    real one ends it)."""
    chain: list[etree._Element] = []
    while style_id in own and own[style_id] not in chain and len(chain) < _MAX_BASED_ON:
        chain.append(own[style_id])
        based_on = own[style_id].find(qn("w:basedOn"))
        style_id = based_on.get(_VAL, "") if based_on is not None else ""
    return chain


def _chain_value(chain: list[etree._Element], names: tuple[str, ...]) -> str | None:
    """The w:val of the nearest style in the chain that sets the property at `names`.
    A property present without w:val is on ('1')."""
    for style in chain:
        node: etree._Element | None = style
        for name in names:
            node = node.find(name) if node is not None else None
        if node is not None:
            return node.get(_VAL, "1")
    return None


# --------------------------------------------------------------------------- numbering


def _number_paragraphs(body: etree._Element, package: _Package) -> None:
    """Write the number Word generates for each automatically numbered paragraph into it."""
    uses_styles = next(body.iter(_P_STYLE), None) is not None
    styled = package.styles.numbered if uses_styles else {}
    if next(body.iter(_NUM_PR), None) is None and not styled:
        return
    root = package.part(_NUMBERING_PART)
    if root is None:
        return
    lists = Lists(root, package.styles.numbered)
    for p in _maybe_numbered(body, styled):
        item = _list_item(p, styled)
        number = lists.next_number(*item) if item else None
        if number:
            _show_number(p, number)


def _maybe_numbered(body: etree._Element, styled: dict[str, NumberedStyle]) -> list[etree._Element]:
    """The paragraphs with a w:numPr or a numbered style, in document order: only they count,
    and most paragraphs of a long notice are neither."""
    found: list[etree._Element] = []
    for node in body.iter(_NUM_PR, _P_STYLE):
        if node.tag == _P_STYLE and node.get(_VAL) not in styled:
            continue
        props = node.getparent()
        p = props.getparent() if props.tag == _P_PR else None  # not a pPrChange's old pPr
        if p is not None and p.tag == _P and (not found or found[-1] is not p):
            found.append(p)
    return found


def _list_item(p: etree._Element, styled: dict[str, NumberedStyle]) -> tuple[str, int] | None:
    """(numId, level) of a numbered paragraph: its own w:numPr over its style's."""
    props = p.find(_P_PR)
    if props is None:
        return None
    style = props.find(_P_STYLE)
    num_id, level = styled.get(style.get(_VAL, "") if style is not None else "", (None, None))
    own = props.find(_NUM_PR)
    if own is not None:
        num_id = val(own.find(_NUM_ID), num_id)
        level = val(own.find(_ILVL), level)
    if num_id is None or num_id == "0" or not NUMBER.fullmatch(level or "0"):
        return None
    return num_id, int(level or "0")


def _show_number(p: etree._Element, number: str) -> None:
    """Put the number before the paragraph's text in a run of its own; Word's tab or space after
    it is layout, not text (a typed 一、 or 1. has none either). A number typed in the paragraph
    as well is kept instead: it is what a 序号 cell holding it means."""
    if _TYPED_NUMBER.fullmatch(_paragraph_text(p).strip()):
        return
    run = etree.Element(_R)
    etree.SubElement(run, _T).text = number
    p.insert(1 if len(p) and p[0].tag == _P_PR else 0, run)


# --------------------------------------------------------------------------- the walk


def _paragraph_text(p: etree._Element) -> str:
    parts = []
    for node in p.iter(*_TEXT):
        parts.append(node.text or "" if _TEXT[node.tag] is None else _TEXT[node.tag])
    return "".join(parts)


# The elements the table walk reacts to, met in document order by one iter() over the table.
_WALKED = (_T, _P, _TC, _TR, _TAB, _BR, _CR, _GRID_SPAN, _VMERGE, _GRID_BEFORE)
_BREAKS = {_TAB: "\t", _BR: "\n", _CR: "\n"}
_PROPERTIES = frozenset({_GRID_SPAN, _VMERGE, _GRID_BEFORE})


@dataclass(slots=True)
class _OpenCell:
    row: int
    col: int
    col_span: int
    text: str
    row_span: int = 1


class _Grid:
    """The cells of one table as the walk meets them; a vMerge continuation grows the cell
    above instead of adding one."""

    def __init__(self) -> None:
        self.done: list[_OpenCell] = []
        # start column -> the cell starting there in the last row; keyed by start only, so a
        # cell claiming a huge gridSpan costs one entry, not one per column
        self.above: dict[int, _OpenCell] = {}
        self.current: dict[int, _OpenCell] = {}
        self.row = -1
        self.col = 0
        self.open = False  # a w:tc was met and not yet placed
        self.span = 1
        self.merge: str | None = None
        self.lines: list[str] = []

    def start_row(self) -> None:
        self.place()
        self.row += 1
        self.col = 0
        self.above, self.current = self.current, {}

    def start_cell(self) -> None:
        self.place()
        self.open, self.span, self.merge, self.lines = True, 1, None, []

    def place(self) -> None:
        """Place the open cell, now that its properties and text have been read."""
        if not self.open:
            return
        self.open = False
        cell = self.above.get(self.col) if self.merge == "continue" else None
        if cell is not None and cell.col == self.col:
            cell.row_span = self.row - cell.row + 1
        else:
            cell = _OpenCell(self.row, self.col, self.span, "\n".join(self.lines))
            self.done.append(cell)
        self.current[self.col] = cell
        self.col += self.span

    def cells(self) -> list[Cell]:
        self.place()
        return [Cell(c.row, c.col, c.text, c.row_span, c.col_span) for c in self.done]


def _table_cells(tbl: etree._Element) -> list[Cell]:
    """Cells of one table, from one pass over its elements. A nested table's rows and cells
    are not this table's (their parent is not), but its text is the enclosing cell's."""
    grid = _Grid()
    tr = tc = None
    parts: list[str] = []  # the current paragraph's text
    for node in tbl.iter(*_WALKED):
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
            continue
        if tag in _BREAKS:
            parts.append(_BREAKS[tag])
            continue
        if tag in _PROPERTIES:
            _set_property(grid, node, tag, tr, tc)
            continue
        if parts:  # a paragraph, cell or row starts: the paragraph before it ends
            line = "".join(parts).strip()
            if line:
                grid.lines.append(line)
            parts = []
        if tag == _TC and node.getparent() is tr:
            grid.start_cell()
            tc = node
        elif tag == _TR and node.getparent() is tbl:
            grid.start_row()
            tr, tc = node, None
    if parts:
        line = "".join(parts).strip()
        if line:
            grid.lines.append(line)
    return grid.cells()


def _set_property(
    grid: _Grid,
    node: etree._Element,
    tag: str,
    tr: etree._Element | None,
    tc: etree._Element | None,
) -> None:
    """gridSpan and vMerge of the open cell, gridBefore of the row (not of a nested table's,
    nor those of a tracked property change, whose parents differ)."""
    owner = node.getparent().getparent()
    if tag == _GRID_BEFORE:
        if owner is tr and tc is None:
            grid.col = _int_val(node, 0)
    elif owner is tc and tc is not None:
        if tag == _GRID_SPAN:
            grid.span = max(1, _int_val(node, 1))
        else:
            grid.merge = node.get(_VAL, "continue")  # <w:vMerge/> without a value: continue


def _int_val(node: etree._Element, default: int) -> int:
    value = node.get(_VAL)
    return int(value) if value and NUMBER.fullmatch(value) else default
