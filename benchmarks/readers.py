"""Readers against their library's bare load of the same file (the 2024 notice)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from benchmarks import NOTICE
from benchmarks.timing import Figure, Work, side_by_side
from core.records import SourceFile
from extractors.legacy import find_soffice
from flows.pipeline import (
    build_rows,
    read_document,
    read_notice_info,
    recognise_tables,
    require_known_tables,
)
from normalise.rows import dataset_rows

SECTION = "readers"


def to_rows(path: Path) -> dict[str, list[dict[str, object]]]:
    """Read, recognise and normalise: the stages of `process_file` before validation."""
    document = read_document(path)
    tables = recognise_tables(document)
    info = read_notice_info(document)
    require_known_tables(document, tables)
    rows = build_rows(info, path, tables)
    return dataset_rows(rows, [SourceFile(path, document.sha256, document.format)])


def docx_load() -> None:
    """Floor: python-docx loading the file, nothing walked."""
    import docx

    docx.Document(str(NOTICE / "notice.docx"))


def pandas_read_html() -> None:
    """Baseline: pandas.read_html on lxml (copies merged text, loses spans)."""
    import pandas as pd

    text = (NOTICE / "notice.html").read_text(encoding="utf-8")
    pd.read_html(StringIO(text), flavor="lxml")


def text_decode() -> None:
    """Floor: the .txt file's bytes decoded, nothing read from them."""
    (NOTICE / "notice.txt").read_bytes().decode("utf-8")


def openpyxl_load() -> None:
    """Bare load: openpyxl's workbook, every cell and merged range parsed, nothing walked."""
    import openpyxl

    openpyxl.load_workbook(NOTICE / "notice.xlsx", data_only=True)


def pdfplumber_chars() -> None:
    """Bare load: pdfplumber opening every page's characters (pdfminer's layout), no tables."""
    import pdfplumber

    with pdfplumber.open(NOTICE / "notice.pdf") as pdf:
        for page in pdf.pages:
            page.chars  # noqa: B018 (the property parses the page)


def libreoffice_only() -> None:
    """Bare load: LibreOffice converting the .doc to .docx, nothing read."""
    from extractors.legacy import convert

    doc = NOTICE / "notice.doc"
    convert(doc, doc.read_bytes(), "docx", "MS Word 97")


def _read(name: str) -> Work:
    return lambda: read_document(NOTICE / name)


def _rows(name: str) -> Work:
    return lambda: to_rows(NOTICE / name)


# (what, work, baseline, base, target); a LibreOffice conversion takes seconds: fewer rounds.
PAIRS: list[tuple[str, Work, str, Work, str]] = [
    ("read .docx", _read("notice.docx"), "docx.Document load", docx_load, "≤ 2.0×"),
    ("read+recognise+normalise .docx", _rows("notice.docx"), "docx.Document load", docx_load, ""),
    ("read .html", _read("notice.html"), "pandas.read_html(lxml)", pandas_read_html, "≤ 1.0×"),
    ("read+recognise+normalise .html", _rows("notice.html"), "pandas.read_html(lxml)",
     pandas_read_html, ""),
    ("read .txt", _read("notice.txt"), "decode the bytes", text_decode, ""),
    ("read+recognise+normalise .txt", _rows("notice.txt"), "decode the bytes", text_decode,
     "≤ 5 ms"),
    ("read .xlsx", _read("notice.xlsx"), "openpyxl load_workbook", openpyxl_load, ""),
    ("read .pdf", _read("notice.pdf"), "pdfplumber page chars", pdfplumber_chars, ""),
    ("read .doc (LibreOffice, then w:tc)", _read("notice.doc"), "LibreOffice conversion",
     libreoffice_only, ""),
]  # fmt: skip
SLOW = {"read .doc (LibreOffice, then w:tc)"}


def reader_figures(repeat: int) -> list[Figure]:
    """Every pair of PAIRS, interleaved; the .doc pair only where LibreOffice is installed."""
    to_rows(NOTICE / "notice.txt")  # warm: registry, jieba dictionary, vocabularies, imports
    figures = []
    for what, work, baseline, base, target in PAIRS:
        if what in SLOW and find_soffice() is None:
            continue
        rounds = min(repeat, 3) if what in SLOW else repeat
        ms, base_ms = side_by_side(work, base, rounds)
        figures.append(Figure(SECTION, what, ms, baseline, base_ms, target=target))
    return figures
