"""The span-preserving document model every reader produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Cell:
    """One logical cell, stored once, with the grid rows and columns it covers."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1


@dataclass(frozen=True)
class Slot:
    """A cell as seen from one row: `continued` when it was merged down from a row above."""

    cell: Cell
    continued: bool

    @property
    def text(self) -> str:
        return self.cell.text


@dataclass
class Table:
    """A table as a grid of logical cells.

    `spans_known` is False for formats that lose merges (the text export): there a blank cell may
    be a merge continuation or a cell left blank on purpose, and later stages must treat it so.
    """

    index: int
    cells: list[Cell]
    spans_known: bool
    caption: str = ""
    _rows: list[list[Slot]] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        n_rows = max((c.row + c.row_span for c in self.cells), default=0)
        rows: list[list[Slot]] = [[] for _ in range(n_rows)]
        for cell in sorted(self.cells, key=lambda c: (c.row, c.col)):
            for r in range(cell.row, cell.row + cell.row_span):
                rows[r].append(Slot(cell, continued=r != cell.row))
        self._rows = [sorted(slots, key=lambda s: s.cell.col) for slots in rows]

    @property
    def n_rows(self) -> int:
        return len(self._rows)

    def row(self, index: int) -> list[Slot]:
        """The distinct cells covering one row, left to right (one entry per `w:tc` in Word)."""
        return self._rows[index]

    def row_texts(self, index: int) -> list[str]:
        return [slot.text for slot in self._rows[index]]


@dataclass
class Document:
    """A notice as read from one file: its paragraphs and its tables, in reading order."""

    source: Path
    format: str
    paragraphs: list[str]
    tables: list[Table]
    sha256: str = ""  # of the bytes this document was read from
    # What the file says about the notice outside its text, keyed by where it says it: a web
    # page's `meta ArticleTitle`, `<title>`, `<h1>`, `info 文号` (its information table), `link
    # canonical`, `saved from`. Kept as found; recognise/ decides what each value means.
    metadata: dict[str, str] = field(default_factory=dict)
