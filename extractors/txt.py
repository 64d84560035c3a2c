"""Reader for the plain-text export (`shared/seed/` format).

A line starting with TAB opens a cell; lines without a TAB continue it (after one blank line they
are the cell's next paragraph). Cells on consecutive lines share a row; one blank line ends a row;
two blank lines end the table, and a line without a TAB after them is a paragraph. (A paragraph
after only one blank line reads as the last cell's next paragraph: the format cannot tell.)
Merges are not in this format, so every cell spans one column and one row and the table says
`spans_known=False`. A page break (form feed) ends the line it is on and is no line itself: it
ends neither a row nor a table, wherever an export puts it (`text_lines`).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from core.errors import UnreadableFile
from extractors.model import Cell, Document, Table

BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_NAMES = {
    "utf-8-sig": "UTF-8 (it starts with a UTF-8 byte order mark)",
    "utf-16": "UTF-16 (it starts with a UTF-16 byte order mark)",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-8": "UTF-8",
    "gb18030": "GB18030/GBK",
}
# Characters that end a line without being a line's end: a page break (\f, which pdftotext,
# antiword and Word's text export write at page breaks), Word's manual line break (\v), the
# information separators and Unicode's line and paragraph separators (str.splitlines ends a line
# at each of them).
_SOFT_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAKS = "\r\n" + _SOFT_BREAKS
_HARD_ENDINGS = ("\n", "\r", "\r\n", "")  # "": the text's last line


def decode_text(data: bytes, source: Path) -> str:
    """Decode a text file: a BOM decides; otherwise UTF-8, then GB18030 (a superset of GBK).

    Text with NUL bytes at every other position is UTF-16 saved without a BOM (Notepad's
    "Unicode" on some systems); neither UTF-8 nor GB18030 text has NUL bytes.
    """
    candidates = [encoding for bom, encoding in BOMS if data.startswith(bom)]
    candidates = candidates or [*_utf16_without_bom(data), "utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        f"the text cannot be decoded as {' or '.join(_NAMES[e] for e in candidates)}",
        file=source,
        hint="open it in a text editor, save it as UTF-8 and run again",
    )


def _utf16_without_bom(data: bytes) -> list[str]:
    """UTF-16 LE or BE when many NUL bytes sit at odd (LE) or even (BE) positions.

    Not only there: a character such as 一 (U+4E00) has its own NUL byte on the other side.
    """
    odd, even = data[1::2].count(0), data[::2].count(0)
    if (
        len(data) % 2
        or max(odd, even) < max(2, len(data) // 100)
        or 4 * min(odd, even) > max(odd, even)
    ):
        return []
    return ["utf-16-le" if odd > even else "utf-16-be"]


def read_txt(path: Path, data: bytes | None = None) -> Document:
    """Read a text export into paragraphs and span-less tables."""
    text = decode_text(path.read_bytes() if data is None else data, path)
    paragraphs: list[str] = []
    tables: list[Table] = []
    rows: list[list[list[str]]] | None = None  # the open table: its rows of cells of lines
    caption = ""  # the paragraph just before a table, when nothing else came between
    blanks = 0
    for line in text_lines(text):
        if line[:1] == "\t":
            if rows is None or blanks >= 2:
                if rows is not None:
                    tables.append(_table(rows, len(tables) + 1, caption))
                    caption = ""
                rows = [[]]
            elif blanks == 1:
                rows.append([])
            rows[-1].append([line[1:]])
        elif not line.strip():
            blanks += 1
            continue
        elif rows is not None and blanks <= 1:
            rows[-1][-1].append(line)
        else:
            if rows is not None:
                tables.append(_table(rows, len(tables) + 1, caption))
                rows = None
            caption = line.strip()
            paragraphs.append(caption)
        blanks = 0
    if rows is not None:
        tables.append(_table(rows, len(tables) + 1, caption))
    return Document(source=path, format="txt", paragraphs=paragraphs, tables=tables)


def text_lines(text: str) -> list[str]:
    """The text's lines, a page break or another soft break ending a line without making one:
    the part of a line before it and the part after it are two lines, and a line it leaves
    empty is none (so it neither ends a row nor a table, nor glues two cells into one)."""
    if not any(c in text for c in _SOFT_BREAKS):
        return text.splitlines()
    lines: list[str] = []
    pieces: list[str] = []  # the line being read, cut at its soft breaks
    for piece in text.splitlines(keepends=True):
        content = piece.rstrip(_LINE_BREAKS)
        pieces.append(content)
        if piece[len(content) :] in _HARD_ENDINGS:
            lines += pieces if len(pieces) == 1 else [p for p in pieces if not _blank(p)]
            pieces = []
    if pieces:  # the text ends with a soft break
        lines += [p for p in pieces if not _blank(p)]
    return lines


def _blank(line: str) -> bool:
    """A blank line of the format: nothing but spaces (a TAB opens a cell, even an empty one)."""
    return not line.strip() and not line.startswith("\t")


def _table(rows: list[list[list[str]]], index: int, caption: str) -> Table:
    cells = [
        Cell(r, c, _cell_text(lines)) for r, row in enumerate(rows) for c, lines in enumerate(row)
    ]
    return Table(index=index, cells=cells, spans_known=False, caption=caption)


def _cell_text(lines: list[str]) -> str:
    """A cell's lines, each stripped, without the blank ones it ends with."""
    if len(lines) == 1:
        return lines[0].strip()
    kept = [line.strip() for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)
