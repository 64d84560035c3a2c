"""Reading speed as ratios against a baseline measured side by side, on the 2024 notice.

Each pair runs interleaved, many times; the medians and their ratio are printed. Ratios, not
seconds, are what to compare across machines and runs (the machine is shared and noisy).
Run: .venv/bin/python tools/benchmark.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pdfplumber

from extractors import read_document
from extractors.legacy import convert
from flows.pipeline import process_file

NOTICE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "jiaxing_2024"


def docx_row_cells() -> None:
    """Baseline: python-docx's row.cells, which repeats merged cells."""
    for table in docx.Document(str(NOTICE / "notice.docx")).tables:
        for row in table.rows:
            [cell.text for cell in row.cells]


def docx_load_only() -> None:
    """Floor: loading the file, no table walk."""
    docx.Document(str(NOTICE / "notice.docx"))


def pandas_read_html() -> None:
    """Baseline: pandas.read_html on lxml (copies merged text, loses spans)."""
    pd.read_html(StringIO((NOTICE / "notice.html").read_text(encoding="utf-8")), flavor="lxml")


def openpyxl_load() -> None:
    """Bare load: openpyxl's workbook, every cell and merged range parsed, nothing walked."""
    openpyxl.load_workbook(NOTICE / "notice.xlsx", data_only=True)


def pdfplumber_chars() -> None:
    """Bare load: pdfplumber opening every page's characters (pdfminer's layout), no tables."""
    with pdfplumber.open(NOTICE / "notice.pdf") as pdf:
        for page in pdf.pages:
            page.chars  # noqa: B018 (the property parses the page)


def libreoffice_only() -> None:
    """Bare load: LibreOffice converting the .doc to .docx, nothing read."""
    doc = NOTICE / "notice.doc"
    convert(doc, doc.read_bytes(), "docx", "MS Word 97")


def extract(path: Path) -> None:
    """Every stage on one file, validation included (what a run pays per file)."""
    process_file(path)


PAIRS: list[tuple[str, Callable[[], None], str, Callable[[], None]]] = [
    ("read .docx (w:tc walk)", lambda: read_document(NOTICE / "notice.docx"),
     "python-docx row.cells", docx_row_cells),
    ("read .docx (w:tc walk)", lambda: read_document(NOTICE / "notice.docx"),
     "python-docx load only", docx_load_only),
    ("read .html (lxml tree)", lambda: read_document(NOTICE / "notice.html"),
     "pandas.read_html", pandas_read_html),
    ("process .html", lambda: extract(NOTICE / "notice.html"),
     "process .txt", lambda: extract(NOTICE / "notice.txt")),
    ("process .docx", lambda: extract(NOTICE / "notice.docx"),
     "process .txt", lambda: extract(NOTICE / "notice.txt")),
    ("read .xlsx (merged ranges as spans)", lambda: read_document(NOTICE / "notice.xlsx"),
     "openpyxl load_workbook", openpyxl_load),
    ("read .pdf (ruled tables, pages joined)", lambda: read_document(NOTICE / "notice.pdf"),
     "pdfplumber page chars", pdfplumber_chars),
    ("read .doc (LibreOffice, then w:tc)", lambda: read_document(NOTICE / "notice.doc"),
     "LibreOffice conversion", libreoffice_only),
]  # fmt: skip
# A LibreOffice conversion takes seconds: fewer rounds of the pairs that start one.
ROUNDS = {"read .doc (LibreOffice, then w:tc)": 3}


def median_seconds(pair: tuple[Callable[[], None], Callable[[], None]], repeat: int) -> list[float]:
    times: list[list[float]] = [[], []]
    for _ in range(repeat):
        for i, work in enumerate(pair):
            started = time.perf_counter()
            work()
            times[i].append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    extract(NOTICE / "notice.txt")  # warm caches: registry, jieba dictionary, imports
    print("| measured | ms | baseline | ms | ratio |\n|---|---|---|---|---|")
    for name, work, base_name, base in PAIRS:
        ours, theirs = median_seconds((work, base), min(args.repeat, ROUNDS.get(name, args.repeat)))
        print(
            f"| {name} | {ours * 1e3:.1f} | {base_name} | {theirs * 1e3:.1f} | "
            f"{ours / theirs:.2f} |"
        )


if __name__ == "__main__":
    main()
