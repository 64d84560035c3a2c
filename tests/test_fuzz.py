"""Random input may only end in a NoticeError (or in nothing): never another exception type.

Kept small (200 examples each, derandomized) so the suite stays fast and CI repeatable.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors import NoticeError, Table, read_document
from extractors.docx import read_docx
from extractors.html import read_html
from extractors.model import Cell, Document
from extractors.txt import read_txt
from normalise.registry import load_registry
from normalise.units import read_units, split_units
from recognise.notice import read_notice_info
from recognise.tables import recognise_table, require_known_tables

FUZZ = settings(max_examples=200, deadline=None, derandomize=True)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_ENCODINGS = ["utf-8", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"]


def _may_only_raise_notice_errors(read: Callable[..., object], *args: object) -> None:
    with contextlib.suppress(NoticeError):
        read(*args)


def _encoded(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text in one of the encodings notices come in; characters an encoding lacks are dropped."""
    return st.builds(lambda t, e: t.encode(e, errors="ignore"), text, st.sampled_from(_ENCODINGS))


# Text exports: lines, TABs, blank lines and CJK, in any encoding, or plain random bytes.
_TXT_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\t\n\r 序号任务责任单位市区县、，（）2024年\x00\ufeff\u2028")),
        st.characters(),
    ),
    max_size=300,
)


@FUZZ
@given(data=st.one_of(_encoded(_TXT_TEXT), st.binary(max_size=600)))
def test_random_text_exports_only_raise_notice_errors(data: bytes) -> None:
    _may_only_raise_notice_errors(read_txt, Path("fuzz.txt"), data)


# Web pages: fragments of the tags the reader cares about, in any order and nesting.
_HTML_PIECES = [
    "<html>",
    "<body>",
    "</body>",
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    '<td rowspan="3">',
    '<td colspan="2">',
    '<td rowspan="0">',
    '<td colspan="x">',
    '<td colspan="99999999">',
    '<td rowspan="²">',
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<br>",
    "<li>",
    "<h1>",
    "<script>",
    "</script>",
    "<style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<!DOCTYPE",
    '<meta charset="gbk">',
    '<meta charset="utf-16">',
    '<meta charset="nonsense">',
    '<?xml version="1.0" encoding="gb2312"?>',
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&lol;",
    "\x00",
    "\ufeff",
    "序号",
    "责任单位",
    "关于印发2024年重点工作的通知",
    "市财政局",
    "http://a.b/c",
]
_TABLE = st.lists(
    st.sampled_from(["<tr>", "<td>", "<td>", *(p for p in _HTML_PIECES if p.startswith("<td "))]),
    max_size=20,
).map(lambda pieces: "<table>" + "x".join(pieces) + "</table>")
_HTML_TEXT = st.lists(
    st.one_of(st.sampled_from(_HTML_PIECES), _TABLE, st.text(max_size=8)), max_size=60
).map("".join)


@FUZZ
@given(data=st.one_of(_encoded(_HTML_TEXT), st.binary(max_size=600)))
def test_random_web_pages_only_raise_notice_errors(data: bytes) -> None:
    _may_only_raise_notice_errors(read_html, Path("fuzz.html"), data)


def _small_docx() -> bytes:
    cell = "<w:tc><w:tcPr><w:gridSpan w:val='2'/><w:vMerge/></w:tcPr><w:p><w:r><w:t>序号</w:t>"
    body = f"<w:p><w:r><w:t>通知</w:t></w:r></w:p><w:tbl><w:tr>{cell}</w:r></w:p></w:tc></w:tr>"
    xml = f'<w:document xmlns:w="{_W}"><w:body>{body}</w:tbl></w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


_DOCX = _small_docx()


@FUZZ
@given(
    changes=st.lists(
        st.tuples(st.integers(0, len(_DOCX) - 1), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.integers(1, len(_DOCX)),
)
def test_damaged_docx_files_only_raise_notice_errors(
    changes: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(_DOCX)
    for at, value in changes:
        data[at] = value
    _may_only_raise_notice_errors(read_docx, Path("fuzz.docx"), bytes(data[:cut]))


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(
    data=st.one_of(st.binary(max_size=300), _encoded(_HTML_TEXT)),
    suffix=st.sampled_from([".docx", ".html", ".htm", ".txt", ".doc", ""]),
    magic=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"<html>"]),
)
def test_random_files_only_raise_notice_errors(
    fuzz_dir: Path, data: bytes, suffix: str, magic: bytes
) -> None:
    path = fuzz_dir / f"notice{suffix}"
    path.write_bytes(magic + data)
    _may_only_raise_notice_errors(read_document, path)


# Unit lists: separators, brackets, markers and lead phrases around names the registry knows.
_UNIT_PIECES = [*"、，,；;\n\t （）()★☆*＊▲△。.等", "和", "及", "分别", "牵头", "配合", "牵头单位"]
_UNIT_TEXT = st.lists(
    st.one_of(
        st.sampled_from(_UNIT_PIECES),
        st.sampled_from(sorted(load_registry().names())),
        st.text(max_size=6),
    ),
    max_size=30,
).map("".join)


@FUZZ
@given(raw=st.one_of(_UNIT_TEXT, st.text(max_size=200)))
def test_random_unit_lists_split_without_error(raw: str) -> None:
    _may_only_raise_notice_errors(split_units, raw)


@FUZZ
@given(raw=st.one_of(_UNIT_TEXT, st.text(max_size=200)))
def test_random_unit_lists_read_without_error(raw: str) -> None:
    _may_only_raise_notice_errors(read_units, raw, 2024, "嘉兴市")


# Recognition: random paragraphs and random grids of header words.
_PARAGRAPH = st.one_of(
    st.sampled_from(
        [
            "关于印发2024年重点工作的通知",
            "嘉兴市人民政府办公室",
            "2024年2月30日",
            "2024年13月1日",
            "0000年1月1日",
            "注：列第一位的为牵头单位",
        ]
    ),
    st.text(max_size=40),
)
_HEADER = st.sampled_from(
    ["序号", "主要工作任务", "责任单位", "牵头单位", "事项名称", "全市目标任务", "市级牵头单位",
     "任务分解", "南湖区", "", "1", "市财政局"]
)  # fmt: skip


@FUZZ
@given(paragraphs=st.lists(_PARAGRAPH, max_size=8))
def test_random_paragraphs_only_raise_notice_errors(paragraphs: list[str]) -> None:
    doc = Document(Path("fuzz.txt"), "txt", paragraphs, [])
    _may_only_raise_notice_errors(read_notice_info, doc)


@FUZZ
@given(grid=st.lists(st.lists(st.one_of(_HEADER, st.text(max_size=4)), max_size=8), max_size=8))
def test_random_tables_only_raise_notice_errors(grid: list[list[str]]) -> None:
    cells = [Cell(r, c, text) for r, row in enumerate(grid) for c, text in enumerate(row)]
    doc = Document(Path("fuzz.txt"), "txt", ["通知"], [Table(1, cells, False)])

    def recognise(doc: Document) -> None:
        found = [recognise_table(t) for t in doc.tables]
        for table in found:
            for row in table.data_rows():
                table.columns_of(row, doc.source)
        require_known_tables(doc, found)

    _may_only_raise_notice_errors(recognise, doc)
