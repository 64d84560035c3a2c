"""Reader for the plain-text export (`shared/seed/` format).

A line starting with TAB opens a cell; lines without a TAB continue it (after one blank line they
are the cell's next paragraph). Cells on consecutive lines share a row; one blank line ends a row;
two blank lines end the table, and a line without a TAB after them is a paragraph. (A paragraph
after only one blank line reads as the last cell's next paragraph: the format cannot tell.)
Merges are not in this format, so every cell spans one column and one row and the table says
`spans_known=False`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
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


@dataclass
class _TableBuilder:
    rows: list[list[list[str]]] = field(default_factory=list)

    def new_row(self) -> None:
        self.rows.append([])

    def new_cell(self, line: str) -> None:
        self.rows[-1].append([line])

    def continue_cell(self, line: str) -> None:
        self.rows[-1][-1].append(line)

    def build(self, index: int, caption: str) -> Table:
        cells = [
            Cell(row=r, col=c, text="\n".join(_trim(lines)))
            for r, row in enumerate(self.rows)
            for c, lines in enumerate(row)
        ]
        return Table(index=index, cells=cells, spans_known=False, caption=caption)


def _trim(lines: list[str]) -> list[str]:
    kept = [line.strip() for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    return kept


def read_txt(path: Path, data: bytes | None = None) -> Document:
    """Read a text export into paragraphs and span-less tables."""
    text = decode_text(path.read_bytes() if data is None else data, path)
    paragraphs: list[str] = []
    tables: list[Table] = []
    table: _TableBuilder | None = None
    caption = ""  # the paragraph just before a table, when nothing else came between
    blanks = 0

    def close_table() -> None:
        nonlocal table, caption
        if table is not None:
            tables.append(table.build(len(tables) + 1, caption))
            table, caption = None, ""

    for line in text.splitlines():
        if not line.strip() and not line.startswith("\t"):
            blanks += 1
            continue
        if line.startswith("\t"):
            if table is None or blanks >= 2:
                close_table()
                table = _TableBuilder()
                table.new_row()
            elif blanks == 1:
                table.new_row()
            table.new_cell(line[1:])
        elif table is not None and blanks <= 1:
            table.continue_cell(line)
        else:
            close_table()
            paragraphs.append(line.strip())
            caption = line.strip()
        blanks = 0
    close_table()
    return Document(source=path, format="txt", paragraphs=paragraphs, tables=tables)
