"""Reader for PDF with a text layer (pdfplumber on pdfminer.six): ruled tables rebuilt as grids.

A PDF has no paragraphs or cells, only characters at positions and the lines drawn between them:

- **Tables** are found from their ruling lines (pdfplumber's `find_tables`). Every cell box is
  placed on the grid of the table's distinct column and row edges, so a box covering two row
  bands is one cell spanning two rows, not two copies.
- **Text** inside a cell or on the page is grouped into lines; a line joins the next one (a wrap)
  when the next line's first word would not have fitted after it, else a paragraph ends there. A
  wrap is joined without a space: in Chinese text a line break is no word break. A cell's
  paragraphs are joined with newlines, as the .docx reader does.
- **A table continued over a page break** joins its part on the page before when nothing but
  a page number comes between and their columns are the same. Header rows repeated at the top of
  the new page are dropped. A row split by the break (its cells' text continues on the new page)
  becomes one row again; a cell merged down over the break (Word prints its text only in the
  first part) continues the cell above when its part on the new page is empty.

A scanned PDF (pages that are images, without a text layer) is refused by name: OCR is not
supported. Streams are decompressed once up front within a bound, so a compression bomb is
refused before pdfminer expands it.
"""

from __future__ import annotations

import bisect
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfplumber.page import Page

from core.errors import UnreadableFile
from extractors.model import Cell, Document, Table

# A notice's streams (text, fonts, a seal) expand to a few MB; far more is a bomb.
MAX_EXPANDED_BYTES = 256 * 1024 * 1024
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_CHUNK = 1024 * 1024
_EDGE = 1.5  # points: edges closer than this are one edge (a border drawn twice, rounding)
_FIT = 0.1  # points: a piece needing this much less than the room left would still fit
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}(\s*页)?(\s*共\s*\d+\s*页)?[-—–\s]*$")
_NO_LINE_START = set("、，。；：？！）》」』】〕”’％%,.;:?!)]")
_NO_LINE_END = set("（《「『【〔“‘([")
_SENTENCE_END = set("。！？；.!?;")
_QUOTES = set("“”‘’\"'")  # ambiguous quotation marks: Unicode line breaking binds both sides
_WORD = re.compile(r"[A-Za-z0-9.%,+\-/]+")
_GET_TEXT = "get the notice as .docx, .html or .txt from the publishing site and put that in raw/"


@dataclass
class _Line:
    """Characters on one baseline, left to right."""

    chars: list[dict]

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)


@dataclass
class _Box:
    """A cell of one table part: grid position, its box on the page and its text lines."""

    row: int
    col: int
    row_span: int
    col_span: int
    x0: float
    x1: float
    lines: list[_Line] = field(default_factory=list)


@dataclass
class _Part:
    """A table as drawn on one page."""

    page: int
    top: float
    columns: list[float]
    boxes: list[_Box]
    pad: float = 0.0  # the cells' inner margin, from the text closest to a cell's left edge

    @property
    def n_rows(self) -> int:
        return max((b.row + b.row_span for b in self.boxes), default=0)


Block = _Line | _Part


def read_pdf(path: Path, data: bytes | None = None) -> Document:
    """Read a PDF's paragraphs and ruled tables, tables over page breaks joined."""
    raw = path.read_bytes() if data is None else data
    if b"%%EOF" not in raw[-2048:]:  # pdfminer would read the pages before the cut, silently
        raise UnreadableFile(
            "not a readable PDF: it is cut short (it does not end with %%EOF)",
            file=path,
            hint="the download was probably incomplete: get the notice again",
        )
    _check_streams(path, raw)
    pages = _open_pages(path, raw)
    blocks: list[tuple[int, Block]] = []
    for number, page_blocks in enumerate(pages, start=1):
        blocks += [(number, block) for block in page_blocks]
    return _document(path, _join_parts(blocks))


def _check_streams(path: Path, data: bytes) -> None:
    """Refuse a PDF whose compressed streams expand past the bound, before pdfminer does."""
    budget = MAX_EXPANDED_BYTES
    for match in _STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        if _is_image(data, match.start()):  # pdfminer reads a page's text, not its pictures
            continue
        budget -= _expanded_size(data[match.end() : end], budget)
        if budget < 0:
            raise UnreadableFile(
                f"the PDF's streams expand to more than {MAX_EXPANDED_BYTES // 2**20} MB, far "
                "more than a notice (a compression bomb?)",
                file=path,
                hint="this is not a plain notice; check where it came from",
            )


def _is_image(data: bytes, stream_at: int) -> bool:
    """Whether the stream starting here is an image, from its dictionary just before it."""
    before = data[max(0, stream_at - 2048) : stream_at]
    start = before.rfind(b" obj")
    return b"/Image" in (before[start:] if start >= 0 else before)


def _expanded_size(stream: bytes, budget: int) -> int:
    """How much a Flate stream expands to, counted in chunks and stopped past the budget."""
    inflater = zlib.decompressobj()
    size = 0
    try:
        size += len(inflater.decompress(stream, _CHUNK))
        while inflater.unconsumed_tail and size <= budget:
            size += len(inflater.decompress(inflater.unconsumed_tail, _CHUNK))
    except zlib.error:  # not Flate (an image, plain text): pdfminer reads it as it is
        return 0
    return size


@dataclass
class _Page:
    """What pdfplumber found on a page: its table cell boxes, characters and images' share."""

    number: int
    tables: list[list[tuple]]
    chars: list[dict]
    imaged: float  # the share of the page's area covered by images


def _open_pages(path: Path, data: bytes) -> list[list[Block]]:
    """Each page's text lines and table parts, top to bottom."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            found = [_parse(page) for page in pdf.pages]
    except Exception as error:  # pdfminer raises many kinds (syntax, encoding, decryption)
        raise _unreadable(path, error) from error
    pages = [_page_blocks(page) for page in found]
    scanned = [page.number for page, blocks in zip(found, pages, strict=True)
               if not blocks and page.imaged > 0.3]  # fmt: skip
    if scanned:
        raise _scanned(path, scanned, len(pages))
    return pages


def _parse(page: Page) -> _Page:
    area = sum((i["x1"] - i["x0"]) * (i["bottom"] - i["top"]) for i in page.images)
    return _Page(
        page.page_number,
        [table.cells for table in page.find_tables()],
        [c for c in page.chars if c["text"] and c["upright"]],
        area / (page.width * page.height),
    )


def _unreadable(path: Path, error: Exception) -> UnreadableFile:
    if "password" in f"{type(error).__name__} {error}".lower():
        return UnreadableFile(
            "the PDF is password-protected",
            file=path,
            hint="open it with its password and save a copy without one, or " + _GET_TEXT,
        )
    return UnreadableFile(
        f"not a readable PDF: it is damaged ({type(error).__name__}: {error})",
        file=path,
        hint="the download was probably incomplete: get the notice again",
    )


def _scanned(path: Path, pages: list[int], total: int) -> UnreadableFile:
    which = "the PDF is" if len(pages) == total else f"pages {_ranges(pages)} of the PDF are"
    return UnreadableFile(
        f"{which} a scanned image with no text layer; OCR is not supported",
        file=path,
        hint="get the notice as .docx or .html, or a PDF exported from Word or WPS (its text "
        "can be selected), from the publishing site",
    )


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")


def _page_blocks(page: _Page) -> list[Block]:
    parts = [_part(page.number, cells, page.chars) for cells in page.tables]
    inside = {
        id(c) for part in parts for box in part.boxes for line in box.lines for c in line.chars
    }
    lines = [
        line
        for line in _lines([c for c in page.chars if id(c) not in inside])
        if line.text.strip() and not _PAGE_NUMBER.match(line.text)
    ]
    blocks: list[Block] = [*lines, *parts]
    return sorted(blocks, key=lambda b: b.top)


def _lines(chars: list[dict]) -> list[_Line]:
    """Characters grouped by baseline: a character whose middle is below the line's middle by
    more than half its size starts a new line (Latin and CJK fonts differ in height)."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: ((c["top"] + c["bottom"]) / 2, c["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        if lines and middle - _middle(lines[-1][0]) <= char["size"] / 2:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [_Line(sorted(line, key=lambda c: c["x0"])) for line in lines]


def _middle(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def _part(page: int, cells: list[tuple], chars: list[dict]) -> _Part:
    """A table's cell boxes placed on the grid of its distinct edges, each with its text."""
    columns = _edges([x for c in cells for x in (c[0], c[2])])
    rows = _edges([y for c in cells for y in (c[1], c[3])])
    boxes: list[_Box] = []
    at: dict[tuple[int, int], _Box] = {}  # grid position -> the box covering it
    for x0, top, x1, bottom in sorted(cells, key=lambda c: (c[1], c[0])):
        col, row = _index(columns, x0), _index(rows, top)
        box = _Box(row, col, _index(rows, bottom) - row, _index(columns, x1) - col, x0, x1)
        boxes.append(box)
        at.update(((r, c), box) for r in range(row, row + box.row_span)
                  for c in range(col, col + box.col_span))  # fmt: skip
    inside: dict[int, list[dict]] = {id(box): [] for box in boxes}
    for char in chars:  # each character to the box its centre falls in, by bisection
        r = bisect.bisect_right(rows, _middle(char)) - 1
        c = bisect.bisect_right(columns, _centre(char)) - 1
        if (r, c) in at:
            inside[id(at[(r, c)])].append(char)
    for box in boxes:
        box.lines = [line for line in _lines(inside[id(box)]) if line.text.strip()]
    pads = [line.x0 - box.x0 for box in boxes for line in box.lines]
    return _Part(page, rows[0], columns, boxes, max(0.0, min(pads, default=0.0)))


def _centre(char: dict) -> float:
    return (char["x0"] + char["x1"]) / 2


def _edges(values: list[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > _EDGE:
            edges.append(value)
    return edges


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


# Joining table parts across pages


def _join_parts(blocks: list[tuple[int, Block]]) -> list[Block]:
    """Blocks in reading order, a table part that continues the one before merged into it."""
    joined: list[Block] = []
    last_page = 0
    for page, block in blocks:
        previous = joined[-1] if joined else None
        # a continuation opens its page, right after the part that closed the page before
        if (
            isinstance(block, _Part)
            and isinstance(previous, _Part)
            and last_page == page - 1
            and _same_columns(previous, block)
        ):
            _append(previous, block)
        else:
            joined.append(block)
        last_page = page
    return joined


def _same_columns(a: _Part, b: _Part) -> bool:
    return len(a.columns) == len(b.columns) and all(
        abs(x - y) <= _EDGE for x, y in zip(a.columns, b.columns, strict=True)
    )


def _append(first: _Part, rest: _Part) -> None:
    """Add a continuation's rows to a part: repeated header rows dropped, a split row rejoined."""
    header = _repeated_header(first, rest)
    body = [_shifted(b, -header) for b in rest.boxes if b.row >= header]
    bottom = {b.col: b for b in first.boxes if b.row + b.row_span == first.n_rows}
    opening = [b for b in body if b.row == 0]
    matched = {id(b): bottom.get(b.col) for b in opening}
    aligned = all((a := matched[id(b)]) is not None and a.col_span == b.col_span for b in opening)
    split = aligned and _split_row(first, opening, matched)
    offset = first.n_rows - 1 if split else first.n_rows
    for box in body:
        above = matched.get(id(box))
        fits = above is not None and above.col_span == box.col_span
        if fits and (split or not box.lines):
            above.lines += box.lines
            above.row_span += box.row_span - (1 if split else 0)
        else:
            first.boxes.append(_shifted(box, offset))


def _split_row(first: _Part, opening: list[_Box], matched: dict[int, _Box | None]) -> bool:
    """Whether the continuation's first row is the rest of the part's last row. A row is split
    because its tallest cell did not fit: that cell's text then runs on over the break. (Any
    cell would do, but a short one ends in a full line by chance: 市民政 over 局 in a narrow
    column.)"""
    last = first.n_rows - 1
    own = [b for b in first.boxes if b.row == last and b.row_span == 1]
    tallest = max((len(b.lines) for b in own), default=0)
    return any(
        b.lines and _continues(above, b.lines[0], first.pad)
        for b in opening
        if (above := matched[id(b)]) is not None and above in own and len(above.lines) == tallest
    )


def _repeated_header(first: _Part, rest: _Part) -> int:
    """How many rows at the top of `rest` repeat the first rows of `first` (0 if none)."""
    found = 0
    for rows in range(1, min(first.n_rows, rest.n_rows)):
        mine, theirs = _head(first, rows), _head(rest, rows)
        if mine is not None and mine == theirs:
            found = rows
    return found


def _head(part: _Part, rows: int) -> list[tuple] | None:
    """The cells of a part's first rows, or None when a cell crosses below them."""
    cells = [b for b in part.boxes if b.row < rows]
    if any(b.row + b.row_span > rows for b in cells):
        return None
    return sorted((b.row, b.col, b.row_span, b.col_span, _text(b, part.pad)) for b in cells)


def _shifted(box: _Box, rows: int) -> _Box:
    return _Box(box.row + rows, box.col, box.row_span, box.col_span, box.x0, box.x1, box.lines)


def _continues(box: _Box, following: _Line, pad: float) -> bool:
    """Whether a cell's text clearly runs on into `following`: its last line is full and does
    not end a sentence (a full line ending in 。 may as well end the cell). A number over a
    number runs on only if not one more digit fitted: 28 over 29 fills a 序号 column's line
    too, when the whole number 29 is the measure."""
    if not box.lines:
        return False
    last = box.lines[-1]
    left, right = box.x0 + pad, box.x1 - pad
    if last.text.strip()[-1:] in _SENTENCE_END:
        return False
    if _WORD.fullmatch(last.text.strip()) and _WORD.fullmatch(following.text.strip()):
        return _full(last, _Line(following.chars[:1]), left, right)
    return _full(last, following, left, right)


# Text: lines into paragraphs


def _full(line: _Line, following: _Line, left: float, right: float, indents: bool = False) -> bool:
    """A line is full when the next line's first word would not have fitted after it: then the
    text wrapped there, rather than a paragraph ending. Where paragraphs `indents` their first
    line (the page's text, not a cell's), a line reaching the right edge is full too, if it
    fills most of the width (a short line set to the right, a signature, reaches it as well)."""
    width = right - left
    needed = _lead_width(following, width)
    if width - (line.x1 - line.x0) < needed - _FIT:
        return True
    reaches_right = right - line.x1 < needed - _FIT
    return indents and reaches_right and line.x1 - line.x0 > width / 2


def _lead_width(line: _Line, width: float) -> float:
    """The width the next line's first unbreakable piece needs: a Chinese character with the
    punctuation glued to it (、 may not start a line, （ not end one, quotes bind both sides),
    or a whole Latin word or number."""
    texts = [c["text"] for c in line.chars]
    end = 1
    while end < len(texts) and _glued(texts[end - 1], texts[end]):
        end += 1
    needed = line.chars[end - 1]["x1"] - line.chars[0]["x0"]
    # A piece wider than the line was broken anywhere: one character would have fitted.
    return needed if needed <= width else _char_width(_Line(line.chars[:1]))


def _glued(before: str, after: str) -> bool:
    """No line break may fall between these two characters (Unicode line breaking, UAX 14:
    not before closing punctuation, not after opening punctuation, not around quotes, not in a
    word, not between closing punctuation and a word: 、PM2.5)."""
    return (
        after in _NO_LINE_START
        or before in _NO_LINE_END
        or _QUOTES.intersection(before + after) != set()
        or bool(_WORD.match(after) and (_WORD.match(before) or before in _NO_LINE_START))
    )


def _char_width(line: _Line) -> float:
    return max(c["x1"] - c["x0"] for c in line.chars)


def _paragraphs(lines: list[_Line], left: float, right: float, indents: bool = False) -> list[str]:
    paragraphs: list[str] = []
    current = ""
    for i, line in enumerate(lines):
        current += line.text.strip()
        following = lines[i + 1] if i + 1 < len(lines) else None
        if following is None or not _full(line, following, left, right, indents):
            paragraphs.append(current)
            current = ""
    return [p for p in paragraphs if p]


def _text(box: _Box, pad: float) -> str:
    return "\n".join(_paragraphs(box.lines, box.x0 + pad, box.x1 - pad))


# The document


def _document(path: Path, blocks: list[Block]) -> Document:
    lines = [b for b in blocks if isinstance(b, _Line)]
    left = min((line.x0 for line in lines), default=0.0)
    right = max((line.x1 for line in lines), default=0.0)
    paragraphs: list[str] = []
    tables: list[Table] = []
    run: list[_Line] = []
    caption = ""
    for block in [*blocks, None]:
        if isinstance(block, _Line):
            run.append(block)
            continue
        if run:
            found = _paragraphs(run, left, right, indents=True)
            paragraphs += found
            caption = found[-1] if found else caption
            run = []
        if isinstance(block, _Part):
            tables.append(_table(block, len(tables) + 1, caption))
            caption = ""
    return Document(source=path, format="pdf", paragraphs=paragraphs, tables=tables)


def _table(part: _Part, index: int, caption: str) -> Table:
    cells = [Cell(b.row, b.col, _text(b, part.pad), b.row_span, b.col_span) for b in part.boxes]
    return Table(index, cells, True, caption)
