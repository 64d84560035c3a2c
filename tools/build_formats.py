"""Build the 2024 notice as .xlsx, .pdf and .doc from its .docx, the way offices publish it.

- ``notice.xlsx``: written with openpyxl from what the .docx reader reads. Sheet 重点工作 holds
  the notice's text above the key-work table and the note under it, sheet 民生实事 the
  livelihood table under its title; merged cells are merged ranges, numbers are numbers (100%
  a percentage). It also holds what a reader of the workbook does not see and the pipeline must
  ignore: a hidden sheet, a hidden column and a hidden row with text in them, and formatted
  empty cells far past the data.
- ``notice.pdf``: the .docx exported by LibreOffice; its tables cross page breaks, rows split
  over pages and header rows repeat on every page.
- ``notice.doc``: the .docx saved by LibreOffice as Word 97-2003.

Needs LibreOffice (``apt-get install libreoffice-writer-nogui``) and a Chinese font: the
committed PDF was made with LibreOffice 7.4 and WenQuanYi Micro Hei (``fonts-wqy-microhei``),
another font wraps the lines differently. The dates and ids LibreOffice and openpyxl stamp are
pinned, so a rebuild on the same system gives the same bytes.

Usage::

    python tools/build_formats.py           # (re)write the three files
    python tools/build_formats.py --check   # rebuild in a temporary folder, compare the bytes
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors import Cell, Document, Table, read_document  # noqa: E402
from extractors.legacy import convert  # noqa: E402

FIXTURE_DIR = ROOT / "tests" / "fixtures" / "jiaxing_2024"
ZIP_TIME = (2024, 2, 1, 9, 0, 0)
PDF_DATE = b"D:20240201090000Z"
_INTEGER = re.compile(r"[1-9][0-9]*|0")
_PERCENT = re.compile(r"([1-9][0-9]*|0)%")
_THIN = Side(style="thin")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_TITLE = Alignment(horizontal="center", vertical="center", wrap_text=True)


# --------------------------------------------------------------------------- xlsx


def build_xlsx(doc: Document) -> bytes:
    """The notice as a workbook: the key-work sheet, the livelihood sheet, a hidden sheet."""
    key_work, livelihood = doc.tables[0], doc.tables[1]
    before = doc.paragraphs[: doc.paragraphs.index(key_work.caption) + 1]
    between = doc.paragraphs[len(before) : doc.paragraphs.index(livelihood.caption)]
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.title = "重点工作"
    _fill_sheet(first, _Layout(before, key_work, between, hidden_col=2))
    _fill_sheet(workbook.create_sheet("民生实事"), _Layout([livelihood.caption], livelihood, []))
    _draft_sheet(workbook.create_sheet("底稿"), key_work)
    workbook.properties.creator = workbook.properties.lastModifiedBy = "嘉兴市人民政府办公室"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _pin_zip(buffer.getvalue())


class _Layout:
    """Where a table's cells go on its sheet: under the text rows, skipping a hidden column
    (an office's internal codes) and a hidden row (a withdrawn task), which the sheet also
    holds and a reader of the workbook does not see."""

    def __init__(
        self, before: list[str], table: Table, after: list[str], hidden_col: int | None = None
    ) -> None:
        self.before, self.table, self.after = before, table, after
        self.width = max(c.col + c.col_span for c in table.cells) + (hidden_col is not None)
        self.hidden_col = hidden_col
        self.hidden_row = _row_between_merges(table) if hidden_col is not None else None

    def row(self, r: int) -> int:
        skip = self.hidden_row is not None and r >= self.hidden_row
        return len(self.before) + 1 + r + skip

    def col(self, c: int) -> int:
        return c + 1 + (self.hidden_col is not None and c >= self.hidden_col)

    @property
    def end(self) -> int:
        return self.row(self.table.n_rows)


def _row_between_merges(table: Table) -> int:
    """A row in the table's middle that no merged cell crosses."""
    middle = table.n_rows // 2
    return next(
        r
        for r in range(middle, table.n_rows)
        if not any(c.row < r < c.row + c.row_span for c in table.cells)
    )


def _fill_sheet(sheet: Worksheet, layout: _Layout) -> None:
    for i, text in enumerate(layout.before, 1):
        _text_row(sheet, i, text, layout.width)
    for cell in layout.table.cells:
        _put(sheet, layout, cell)
    for i, text in enumerate(layout.after):
        _text_row(sheet, layout.end + i, text, layout.width)
    if layout.hidden_col is not None:
        _hidden_parts(sheet, layout)
    for col in range(1, layout.width + 1):  # wide text columns, narrow number columns
        texts = [c.text for c in layout.table.cells if layout.col(c.col) == col]
        longest = max((len(t) for t in texts), default=4)
        sheet.column_dimensions[get_column_letter(col)].width = min(60, max(6, longest * 1.1))
    # Formatting far past the data stretches the used range (Excel's Ctrl+End goes there).
    far = sheet.cell(layout.end + 40, layout.width + 8)
    far.fill = PatternFill("solid", start_color="FFFF00")


def _put(sheet: Worksheet, layout: _Layout, cell: Cell) -> None:
    top, left = layout.row(cell.row), layout.col(cell.col)
    bottom = layout.row(cell.row + cell.row_span - 1)
    right = layout.col(cell.col + cell.col_span - 1)
    target = sheet.cell(top, left)
    _set_value(target, cell.text)
    target.alignment = _WRAP
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            sheet.cell(r, c).border = _GRID
    if (top, left) != (bottom, right):
        sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)


def _hidden_parts(sheet: Worksheet, layout: _Layout) -> None:
    assert layout.hidden_col is not None and layout.hidden_row is not None
    column = layout.col(layout.hidden_col) - 1
    for r in range(layout.table.n_rows):
        sheet.cell(layout.row(r), column, f"JX-2024-{r:03d}" if r else "内部编号")
    sheet.column_dimensions[get_column_letter(column)].hidden = True
    withdrawn = layout.row(layout.hidden_row) - 1
    for col, text in enumerate(["999", "（已撤回）本项任务不再列入。", "", "市政府办公室"], 1):
        sheet.cell(withdrawn, col, text or None)
    sheet.row_dimensions[withdrawn].hidden = True


def _text_row(sheet: Worksheet, row: int, text: str, width: int) -> None:
    sheet.cell(row, 1, text).alignment = _TITLE
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _set_value(target: openpyxl.cell.Cell, text: str) -> None:
    """A number as a number (as typed in Excel), a percentage as one; other text as text."""
    if _INTEGER.fullmatch(text):
        target.value = int(text)
    elif _PERCENT.fullmatch(text):
        target.value = int(text[:-1]) / 100
        target.number_format = "0%"
    else:
        target.value = text or None


def _draft_sheet(sheet: Worksheet, table: Table) -> None:
    """A hidden draft of the first rows, with other numbers: read, it would add tasks."""
    for r in range(min(4, table.n_rows)):
        for c, text in enumerate(table.row_texts(r), 1):
            sheet.cell(r + 1, c, f"草稿{text}" if r else text)
    sheet.sheet_state = "hidden"
    sheet.cell(1, 1).font = Font(bold=True)


def _pin_zip(data: bytes) -> bytes:
    """openpyxl stamps the save time into docProps/core.xml and the zip; pin both."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2024-02-01T09:00:00Z",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


# --------------------------------------------------------------------------- pdf and doc


def build_pdf(docx: Path) -> bytes:
    """The .docx exported to PDF by LibreOffice, its creation date and file id pinned."""
    pdf = convert(docx, docx.read_bytes(), "pdf")
    pdf = re.sub(rb"/CreationDate\(D:[^)]*\)", b"/CreationDate(" + PDF_DATE + b")", pdf)
    # Hex of the same length as what it replaces, so the cross-reference offsets stay right.
    pdf = re.sub(rb"(/ID \[\s*<)([0-9A-F]+)(>\s*<)([0-9A-F]+)(>)", _zeros, pdf)
    return re.sub(rb"(/DocChecksum /)([0-9A-F]+)()", _zeros, pdf)


def _zeros(match: re.Match[bytes]) -> bytes:
    """The match with its hex groups (2, 4) turned to zeros."""
    groups = list(match.groups())
    for i in range(1, len(groups), 2):
        groups[i] = b"0" * len(groups[i])
    return b"".join(groups)


def build_doc(docx: Path) -> bytes:
    return convert(docx, docx.read_bytes(), "doc")


# --------------------------------------------------------------------------- main


def build(folder: Path) -> dict[str, bytes]:
    docx = FIXTURE_DIR / "notice.docx"
    built = {
        "notice.xlsx": build_xlsx(read_document(docx)),
        "notice.pdf": build_pdf(docx),
        "notice.doc": build_doc(docx),
    }
    for name, data in built.items():
        (folder / name).write_bytes(data)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="rebuild and compare the bytes")
    args = parser.parse_args()
    if not args.check:
        for name in build(FIXTURE_DIR):
            print(f"wrote {(FIXTURE_DIR / name).relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp))
    differ = [n for n, data in built.items() if (FIXTURE_DIR / n).read_bytes() != data]
    for name in built:
        print(f"{name}: {'differs from the committed file' if name in differ else 'same bytes'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
