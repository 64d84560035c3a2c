"""Reader for Excel workbooks (.xlsx): each visible sheet's used range becomes one table.

openpyxl reads the cells and the merged ranges. A merged range is one cell with its spans (Excel
keeps the value in the range's top-left cell only, so nothing is copied). What a person looking
at the workbook does not see is left out: hidden sheets, hidden rows and columns, and rows and
columns with nothing in them (formatting often stretches the used range far past the data).
Rows above the table that hold a single text (the sheet's title, the notice's own text) are
paragraphs, the last of them the table's caption; a row after the table whose one text is merged
across columns (注：列第一位的为牵头单位。) is a paragraph too.

Numbers are shown as Excel shows them: 4360000, 100% (a 1 formatted as a percentage).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from core.errors import UnreadableFile
from extractors.model import Cell, Document, Table

# Every part of a notice's workbook together is well under 5 MB unpacked; more is a zip bomb.
MAX_XML_BYTES = 64 * 1024 * 1024
MAX_ROWS, MAX_COLUMNS = 100_000, 1_000  # a notice's table has hundreds of rows, tens of columns
_SAVE = "open it in Excel or WPS and save it again as .xlsx"
_DECIMALS = re.compile(r"\.(0+)")
_SHEETS = "xl/worksheets/"
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


@dataclass(frozen=True)
class _Box:
    """One logical cell of a sheet, in the sheet's 1-based coordinates."""

    top: int
    left: int
    bottom: int
    right: int
    text: str


def read_xlsx(path: Path, data: bytes | None = None) -> Document:
    """Read a workbook: its visible sheets' paragraphs and tables, in sheet order."""
    raw = path.read_bytes() if data is None else data
    _check_archive(path, raw)
    workbook = _load(path, raw)
    paragraphs: list[str] = []
    tables: list[Table] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":  # a hidden sheet holds lookups and drafts
            continue
        before, table, after = _read_sheet(path, sheet, len(tables) + 1)
        paragraphs += before
        if table is not None:
            tables.append(table)
        paragraphs += after
    return Document(source=path, format="xlsx", paragraphs=paragraphs, tables=tables)


def _check_archive(path: Path, data: bytes) -> None:
    """The .docx reader's guards: encrypted parts, and sizes from the zip directory before
    anything is decompressed (zipfile then stops at the stated sizes, so they cannot lie); then
    merged ranges no notice has."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_sizes(path, infos)
            sheets = [archive.read(i) for i in infos if i.filename.startswith(_SHEETS)]
    except NotImplementedError as error:  # a compression method zipfile lacks (Deflate64)
        raise UnreadableFile(f"not a readable .xlsx: {error}", file=path, hint=_SAVE) from error
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as error:
        raise UnreadableFile(
            f"not a readable .xlsx: the archive is damaged or cut short ({error})",
            file=path,
            hint="the copy or download was probably incomplete; get the workbook again",
        ) from error
    for sheet in sheets:
        _check_merges(path, sheet)


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnreadableFile(
            "the workbook is password-protected (its parts are encrypted)",
            file=path,
            hint="open it with its password, save it as .xlsx without one, and run again",
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_XML_BYTES:
        raise UnreadableFile(
            f"the workbook expands to {total:,} bytes, far more than a notice (a zip bomb?)",
            file=path,
            hint="this is not a plain notice; re-save it in Excel or check where it came from",
        )


def _check_merges(path: Path, sheet: bytes) -> None:
    """Refuse a merged range far larger than a notice before openpyxl loads it: openpyxl makes
    a cell for every position on a range's border (two million for a whole sheet)."""
    for match in _MERGE.finditer(sheet):
        left, top, right, bottom = match.groups()
        rows = int(bottom) - int(top) + 1
        cols = column_index_from_string(right.decode()) - column_index_from_string(left.decode())
        if rows > MAX_ROWS or cols + 1 > MAX_COLUMNS:
            raise UnreadableFile(
                f"a merged range ({b''.join((left, top, b':', right, bottom)).decode()}) covers "
                f"{rows:,} rows and {cols + 1:,} columns, far more than a notice",
                file=path,
                hint="check that this is the notice; unmerge what lies far past its table",
            )


def _load(path: Path, data: bytes) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():  # openpyxl warns of features it drops (validation …)
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, KeyError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise UnreadableFile(
            f"not a readable .xlsx: {type(error).__name__}: {error}", file=path, hint=_SAVE
        ) from error
    except (ValueError, TypeError, SyntaxError) as error:  # malformed parts (XML, styles)
        raise UnreadableFile(
            f"not a readable .xlsx: a part of it is malformed ({error})", file=path, hint=_SAVE
        ) from error


def _read_sheet(
    path: Path, sheet: Worksheet, index: int
) -> tuple[list[str], Table | None, list[str]]:
    """A sheet's paragraphs above its table, the table, and paragraphs below it."""
    boxes = _boxes(sheet)
    _check_extent(path, sheet, boxes)
    rows, cols = _shown(sheet, boxes)
    lines = _by_row(boxes, rows, cols)
    start = 0
    while start < len(rows) and len(lines[start]) == 1 and _height(lines[start][0], rows) == 1:
        start += 1
    end = len(rows)
    while end > start + 1 and len(lines[end - 1]) == 1 and _is_note(lines[end - 1][0], cols):
        end -= 1
    before = [lines[r][0].text for r in range(start)]
    after = [lines[r][0].text for r in range(end, len(rows))]
    if start == end:
        return before, None, after
    table_rows = rows[start:end]
    inside = [b for b in boxes if b.top <= table_rows[-1] and b.bottom >= table_rows[0]]
    table_cols = sorted({c for b in inside for c in cols if b.left <= c <= b.right})
    cells = _grid(inside, table_rows, table_cols)
    return before, Table(index, cells, True, before[-1] if before else ""), after


def _boxes(sheet: Worksheet) -> list[_Box]:
    """The sheet's logical cells holding text: merged ranges once, then single cells. (Excel
    keeps a merged range's value in its top-left cell; one left in a covered cell is hidden.)"""
    ranges = sheet.merged_cells.ranges
    merged = {(group.min_row, group.min_col): group for group in ranges}
    boxes = []
    # _cells holds only the cells stored in the file; iter_rows() would create one cell per
    # position of the used range, which formatting can stretch to a million rows.
    for (row, col), cell in sorted(sheet._cells.items()):
        text = _text(cell.value, cell.number_format)
        group = merged.get((row, col))
        if not text:
            continue
        if group is not None:
            boxes.append(_Box(row, col, group.max_row, group.max_col, text))
        elif not any(
            g.min_row <= row <= g.max_row and g.min_col <= col <= g.max_col for g in ranges
        ):
            boxes.append(_Box(row, col, row, col, text))
    return boxes


def _check_extent(path: Path, sheet: Worksheet, boxes: list[_Box]) -> None:
    """Refuse a sheet whose text spans far more than a notice: the grid would not fit memory."""
    rows = max((b.bottom for b in boxes), default=0) - min((b.top for b in boxes), default=0)
    cols = max((b.right for b in boxes), default=0)
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        raise UnreadableFile(
            f"sheet {sheet.title!r} spans {rows + 1:,} rows and {cols:,} columns of text, far "
            "more than a notice",
            file=path,
            hint="check that this is the notice; delete what lies far past its table and save",
        )


def _shown(sheet: Worksheet, boxes: list[_Box]) -> tuple[list[int], list[int]]:
    """The rows and columns a reader sees with something in them, in order."""
    hidden_rows = {r for r, dim in sheet.row_dimensions.items() if dim.hidden}
    hidden_cols = {
        c
        for dim in sheet.column_dimensions.values()
        if dim.hidden and dim.min and dim.max
        for c in range(dim.min, dim.max + 1)
    }
    rows: set[int] = set()
    cols: set[int] = set()
    for box in boxes:
        shown_cols = [c for c in range(box.left, box.right + 1) if c not in hidden_cols]
        shown_rows = [r for r in range(box.top, box.bottom + 1) if r not in hidden_rows]
        if shown_cols and shown_rows:
            rows.update(shown_rows)
            cols.update(shown_cols)
    return sorted(rows), sorted(cols)


def _by_row(boxes: list[_Box], rows: list[int], cols: list[int]) -> list[list[_Box]]:
    """The boxes each shown row shows, left to right."""
    at = {r: i for i, r in enumerate(rows)}
    shown_cols = set(cols)
    lines: list[list[_Box]] = [[] for _ in rows]
    for box in boxes:
        if shown_cols.isdisjoint(range(box.left, box.right + 1)):
            continue
        for r in range(box.top, box.bottom + 1):
            if r in at:
                lines[at[r]].append(box)
    return lines


def _height(box: _Box, rows: list[int]) -> int:
    return sum(box.top <= r <= box.bottom for r in rows)


def _is_note(box: _Box, cols: list[int]) -> bool:
    """A row after the table is a paragraph when its one text is merged across columns."""
    return box.top == box.bottom and sum(box.left <= c <= box.right for c in cols) > 1


def _grid(boxes: list[_Box], rows: list[int], cols: list[int]) -> list[Cell]:
    """Cells over the shown rows and columns; a position no text covers is an empty cell, as
    in Word, so that every row has its columns."""
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(cols)}
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    for box in boxes:
        box_rows = [row_at[r] for r in range(box.top, box.bottom + 1) if r in row_at]
        box_cols = [col_at[c] for c in range(box.left, box.right + 1) if c in col_at]
        if not box_rows or not box_cols:
            continue
        cells.append(Cell(box_rows[0], box_cols[0], box.text, len(box_rows), len(box_cols)))
        taken.update((r, c) for r in box_rows for c in box_cols)
    cells += [
        Cell(r, c, "") for r in range(len(rows)) for c in range(len(cols)) if (r, c) not in taken
    ]
    return cells


def _text(value: object, number_format: str) -> str:
    """A cell's value as Excel shows it; paragraphs inside a cell (Alt+Enter) kept, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number(float(value), number_format)
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())


def _number(value: float, number_format: str) -> str:
    decimals = _DECIMALS.search(number_format.split(";")[0])
    places = len(decimals.group(1)) if decimals else None
    if "%" in number_format:
        value *= 100
    if places is not None:
        shown = f"{value:.{places}f}"
    elif value == int(value) and abs(value) < 1e15:
        shown = str(int(value))
    else:
        shown = f"{value:.15g}"
    return shown + "%" if "%" in number_format else shown
