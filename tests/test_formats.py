"""The other formats notices arrive in: Excel workbooks, PDF with a text layer, legacy .doc/.wps.

The 2024 notice as .xlsx, as a PDF exported from its .docx and as .doc (tests/fixtures, built by
tools/build_formats.py) must give exactly the datasets of the .docx; files that cannot be read
end in a refusal that names what they are and what to do; every file in raw/ is accounted for.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pandas as pd
import pytest
from PIL import Image, ImageDraw

import extractors.legacy
import extractors.pdf
import extractors.xlsx
from core.errors import UnreadableFile, UnrecognisedLayout
from core.records import Status
from extractors import Table, identify, read_document
from extractors.legacy import SOFFICE_ENV, convert, find_soffice
from flows.notice import LINEAGE
from flows.pipeline import process_file
from tests.conftest import NOTICE_2024, Extracted, extract

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# CI installs LibreOffice (.ci/run): there a missing soffice fails the tests instead of skipping.
requires_soffice = pytest.mark.skipif(
    find_soffice() is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) is not installed; .ci/run installs it",
)


@pytest.fixture(scope="module")
def docx_2024() -> Extracted:
    return extract(NOTICE_2024 / "notice.docx")


def _datasets(extracted: Extracted) -> dict[str, pd.DataFrame]:
    """The datasets without the columns that say which file a row came from."""
    return {
        name: frame.drop(columns=LINEAGE, errors="ignore").reset_index(drop=True)
        for name, frame in extracted.frames.items()
    }


def _grid(table: Table) -> set[tuple[int, int, int, int, str]]:
    return {(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells}


def _unreadable(path: Path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_document(path)
    assert path.name in str(caught.value)
    return str(caught.value)


# The same notice in every format


@pytest.mark.parametrize(
    "fmt", ["xlsx", "pdf", pytest.param("doc", marks=requires_soffice)], ids=str
)
def test_the_2024_notice_gives_exactly_the_datasets_of_its_docx(
    docx_2024: Extracted, fmt: str
) -> None:
    other = extract(NOTICE_2024 / f"notice.{fmt}")
    assert other.outcome.source.format == fmt
    assert other.doc.source == NOTICE_2024 / f"notice.{fmt}"  # the original, not a conversion
    expected = _datasets(docx_2024)
    got = _datasets(other)
    assert got.keys() == expected.keys()
    for name in expected:
        pd.testing.assert_frame_equal(got[name], expected[name], obj=f"{fmt} {name}")


# Excel workbooks


@pytest.fixture(scope="module")
def workbook() -> list[Table]:
    return read_document(NOTICE_2024 / "notice.xlsx").tables


def test_a_workbook_gives_the_docx_grid_merged_ranges_as_spans(
    workbook: list[Table], docx_2024: Extracted
) -> None:
    for mine, reference in zip(workbook, docx_2024.doc.tables[:2], strict=True):
        assert _grid(mine) == _grid(reference)
    category = next(c for c in workbook[1].cells if c.text == "医疗卫生")
    assert category.row_span == 7  # one merged range, not seven copies of its text


def test_hidden_sheets_rows_and_columns_are_not_read(workbook: list[Table]) -> None:
    texts = {c.text for table in workbook for c in table.cells}
    assert len(workbook) == 2  # the hidden draft sheet is not a third table
    assert not [t for t in texts if t.startswith(("JX-2024", "草稿")) or "已撤回" in t]
    assert max(c.col + c.col_span for c in workbook[0].cells) == 3


def test_numbers_read_as_excel_shows_them(workbook: list[Table]) -> None:
    projects = workbook[1]
    rows = [projects.row_texts(r) for r in range(projects.n_rows)]
    project_1 = next(r for r in rows if r[0] == "1")
    project_3 = next(r for r in rows if r[0] == "3")
    assert project_1[3] == "436000"  # an integer, not 436000.0
    assert project_3[3] == "100%"  # a 1 formatted as a percentage


def test_a_sheet_s_title_rows_are_paragraphs_and_the_table_s_caption() -> None:
    doc = read_document(NOTICE_2024 / "notice.xlsx")
    assert doc.paragraphs[:3] == ["嘉兴市人民政府办公室关于", "印发2024年政府工作报告重点工作和",
                                  "市政府民生实事项目责任分解的通知"]  # fmt: skip
    assert doc.tables[0].caption == "2024年政府工作报告重点工作责任分解"
    assert doc.tables[1].caption == "2024年市政府民生实事项目责任分解"
    assert "注：列第一位的为牵头单位。" in doc.paragraphs  # merged under the table


def test_formatting_far_past_the_data_adds_no_rows_or_columns(
    workbook: list[Table], docx_2024: Extracted
) -> None:
    assert [t.n_rows for t in workbook] == [t.n_rows for t in docx_2024.doc.tables[:2]]


def test_a_password_protected_workbook_is_refused_by_name(tmp_path: Path) -> None:
    # Office encryption: an OLE2 file holding an EncryptedPackage stream instead of the zip.
    data = _OLE2 + b"\x00" * 4096 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    path = tmp_path / "任务清单.xlsx"
    path.write_bytes(data)
    outcome = process_file(path)
    assert outcome.result.status is Status.QUARANTINED
    error = outcome.result.error
    assert isinstance(error, UnreadableFile)
    assert "password-protected (encrypted) Excel workbook" in error.message
    assert "remove the password" in error.hint


def _rezip(source: bytes, change: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            new.writestr(info.filename, change.get(info.filename, old.read(info.filename)))
    return out.getvalue()


def test_a_workbook_bomb_is_refused_from_the_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extractors.xlsx, "MAX_XML_BYTES", 1024 * 1024)
    filler = b"<!-- " + b"0" * (2 * 1024 * 1024) + b" -->"  # compresses to a few KB
    source = (NOTICE_2024 / "notice.xlsx").read_bytes()
    path = tmp_path / "notice.xlsx"
    path.write_bytes(_rezip(source, {"docProps/app.xml": filler}))
    assert len(path.read_bytes()) < 100_000
    message = _unreadable(path)
    assert "a zip bomb?" in message


def test_entities_that_expand_in_a_sheet_are_refused_quickly(tmp_path: Path) -> None:
    entities = "".join(
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "x" * 10}">' for i in range(9)
    )
    source = (NOTICE_2024 / "notice.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = f"<!DOCTYPE worksheet [{entities}]>".encode() + sheet.replace(b"<t>", b"<t>&e8;", 1)
    path = tmp_path / "notice.xlsx"
    path.write_bytes(_rezip(source, {"xl/worksheets/sheet1.xml": sheet}))
    started = time.monotonic()
    assert "not a readable .xlsx" in _unreadable(path)
    assert time.monotonic() - started < 5


def test_a_merged_range_over_the_whole_sheet_is_refused_before_loading(tmp_path: Path) -> None:
    source = (NOTICE_2024 / "notice.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        sheet = archive.read("xl/worksheets/sheet2.xml")
    huge = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    sheet = sheet.replace(b"</sheetData>", b"</sheetData>" + huge, 1)
    path = tmp_path / "notice.xlsx"
    path.write_bytes(_rezip(source, {"xl/worksheets/sheet2.xml": sheet}))
    started = time.monotonic()
    message = _unreadable(path)
    assert "a merged range (A1:XFD1048576) covers 1,048,576 rows" in message
    assert time.monotonic() - started < 5


# PDF


@pytest.fixture(scope="module")
def pdf_2024() -> Extracted:
    return extract(NOTICE_2024 / "notice.pdf")


def test_a_table_crossing_seven_pages_is_one_table_with_the_docx_grid(
    pdf_2024: Extracted, docx_2024: Extracted
) -> None:
    assert len(pdf_2024.doc.tables) == len(docx_2024.doc.tables)
    assert _grid(pdf_2024.doc.tables[0]) == _grid(docx_2024.doc.tables[0])


def test_header_rows_repeated_on_each_page_are_dropped(pdf_2024: Extracted) -> None:
    for table in pdf_2024.doc.tables[:2]:
        assert [c.text for c in table.cells].count("序号") == 1


def test_a_row_split_by_a_page_break_is_one_row(pdf_2024: Extracted) -> None:
    tasks = pdf_2024.doc.tables[0]
    row_13 = next(r for r in range(tasks.n_rows) if tasks.row_texts(r)[0] == "13")
    assert tasks.row_texts(row_13)[1].endswith("参与创新的社会氛围。")  # page 1 + page 2
    assert tasks.row_texts(row_13)[2] == "市科技局、市财政局、市科协"
    assert tasks.row_texts(row_13 + 1)[0] == "14"


def test_a_cell_merged_down_over_a_page_break_stays_one_cell(pdf_2024: Extracted) -> None:
    tasks = pdf_2024.doc.tables[0]
    sub_task = "打造全国垃圾分类示范城市。"
    row = next(r for r in range(tasks.n_rows) if tasks.row_texts(r)[1] == sub_task)
    seq = tasks.row(row)[0]  # 99 on one page, its merged continuation on the next
    assert seq.continued and seq.cell.text == "99" and seq.cell.row_span == 2


def test_numbers_wrapped_digit_by_digit_in_narrow_columns_are_whole(pdf_2024: Extracted) -> None:
    projects = pdf_2024.doc.tables[1]
    project_1 = next(projects.row_texts(r) for r in range(projects.n_rows)
                     if projects.row_texts(r)[0] == "1")  # fmt: skip
    assert project_1[3:6] == ["436000", "54000", "35000"]


def test_paragraphs_read_in_order_like_the_docx(pdf_2024: Extracted, docx_2024: Extracted) -> None:
    assert pdf_2024.doc.paragraphs == docx_2024.doc.paragraphs


def _scan(path: Path) -> None:
    """A PDF holding a page's picture and no text, as a scanner makes it."""
    page = Image.new("RGB", (620, 877), "white")
    pen = ImageDraw.Draw(page)
    for y in range(120, 800, 40):
        pen.line((60, y, 560, y), fill="black", width=2)
    page.save(path, "PDF", resolution=75.0)


def test_a_scanned_pdf_is_refused_as_a_scan(tmp_path: Path) -> None:
    path = tmp_path / "扫描件.pdf"
    _scan(path)
    outcome = process_file(path)
    assert outcome.result.status is Status.QUARANTINED
    error = outcome.result.error
    assert isinstance(error, UnreadableFile)
    assert "a scanned image with no text layer; OCR is not supported" in error.message
    assert "exported from Word" in error.hint


def test_a_pdf_cut_short_is_refused_not_read_in_part(tmp_path: Path) -> None:
    data = (NOTICE_2024 / "notice.pdf").read_bytes()
    path = tmp_path / "notice.pdf"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert "cut short" in _unreadable(path)


def test_a_pdf_compression_bomb_is_refused_before_pdfminer_expands_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extractors.pdf, "MAX_EXPANDED_BYTES", 4 * 1024 * 1024)
    bomb = zlib.compress(b"0" * (8 * 1024 * 1024), 9)
    data = (
        b"%PDF-1.4\n1 0 obj\n<< /Length "
        + str(len(bomb)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + bomb
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    assert "a compression bomb?" in _unreadable(path)


@requires_soffice
def test_a_pdf_without_tables_is_refused_for_its_layout(tmp_path: Path) -> None:
    notice = docx.Document()
    for text in [
        "嘉兴市人民政府办公室关于印发2024年重点工作的通知",
        "各县（市、区）人民政府：",
        "现印发给你们，请认真贯彻执行。",
        "嘉兴市人民政府办公室",
        "2024年2月1日",
    ]:
        notice.add_paragraph(text)
    source = tmp_path / "source.docx"
    notice.save(str(source))
    path = tmp_path / "notice.pdf"
    path.write_bytes(convert(source, source.read_bytes(), "pdf"))
    outcome = process_file(path)
    assert outcome.result.status is Status.QUARANTINED
    assert isinstance(outcome.result.error, UnrecognisedLayout)
    assert "no table of a known kind: it has no tables" in outcome.result.error.message


# Legacy .doc / .wps / .rtf / .odt through LibreOffice


@requires_soffice
@pytest.mark.parametrize("fmt", ["odt", "rtf"])
def test_an_odt_or_rtf_of_the_notice_reads_like_its_docx(
    tmp_path: Path, docx_2024: Extracted, fmt: str
) -> None:
    source = NOTICE_2024 / "notice.docx"
    path = tmp_path / f"notice.{fmt}"
    path.write_bytes(convert(source, source.read_bytes(), fmt))
    other = extract(path)
    assert other.outcome.source.format == fmt
    for name, frame in _datasets(docx_2024).items():
        pd.testing.assert_frame_equal(_datasets(other)[name], frame, obj=f"{fmt} {name}")


@requires_soffice
def test_a_wps_libreoffice_cannot_open_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "通知.wps"
    path.write_bytes(_OLE2 + b"\x00" * 2048)  # an OLE2 header and nothing Word can read
    outcome = process_file(path)
    assert outcome.result.status is Status.QUARANTINED
    error = outcome.result.error
    assert isinstance(error, UnreadableFile)
    assert "WPS .wps document, read by converting it with LibreOffice" in error.message
    assert "LibreOffice could not open or convert it" in error.message
    assert "save it as .docx" in error.hint


def test_without_libreoffice_a_doc_is_refused_with_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SOFFICE_ENV, "/nonexistent/soffice")
    message = _unreadable(NOTICE_2024 / "notice.doc")
    assert "LibreOffice is not installed" in message
    assert "apt-get install libreoffice-writer-nogui" in message


def test_a_conversion_that_hangs_is_stopped_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hanging = tmp_path / "soffice"
    hanging.write_text("#!/bin/sh\nsleep 60 &\nwait\n", encoding="utf-8")
    hanging.chmod(0o755)
    monkeypatch.setenv(SOFFICE_ENV, str(hanging))
    monkeypatch.setattr(extractors.legacy, "TIMEOUT_SECONDS", 1)
    started = time.monotonic()
    message = _unreadable(NOTICE_2024 / "notice.doc")
    assert "did not finish within 1 s" in message
    assert time.monotonic() - started < 10  # its child (sleep) was killed with it


@requires_soffice
def test_parallel_conversions_do_not_share_a_profile(docx_2024: Extracted) -> None:
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(extract, [NOTICE_2024 / "notice.doc"] * 2))
    for other in both:
        pd.testing.assert_frame_equal(
            _datasets(other)["key_tasks"], _datasets(docx_2024)["key_tasks"]
        )


# Telling formats apart by content


@pytest.mark.parametrize(("fmt", "misnamed"), [("pdf", "notice.docx"), ("xlsx", "notice.pdf")])
def test_a_file_named_as_another_format_is_read_by_its_content(
    tmp_path: Path, fmt: str, misnamed: str
) -> None:
    path = tmp_path / misnamed
    shutil.copy(NOTICE_2024 / f"notice.{fmt}", path)
    assert read_document(path).format == fmt


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64, "a JPEG image"),
        ("附件.zip", _zip({"notice.docx": "…"}), "a zip archive"),
        ("通知.ofd", _zip({"OFD.xml": "<ofd:OFD/>"}), "an OFD document (.ofd)"),
        ("旧表.xls", _OLE2 + b"\x00" * 64 + "Workbook\0".encode("utf-16-le"), "(.xls)"),
        ("units.csv", "单位,编码\n市发展改革委,1\n".encode(), "a text file named .csv"),
    ],
)
def test_a_file_no_reader_takes_is_identified_with_what_to_do(
    tmp_path: Path, name: str, content: bytes, what: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    kind = identify(path)
    assert kind.reader is None
    assert what in kind.what
    assert kind.hint


@pytest.mark.parametrize(
    ("source", "name", "reader"),
    [
        ("notice.xlsx", "通知", "xlsx"),
        ("notice.pdf", "附件1", "pdf"),
        ("notice.html", "art.aspx", "html"),
    ],
)
def test_a_notice_saved_under_another_name_is_still_read(
    tmp_path: Path, source: str, name: str, reader: str
) -> None:
    path = tmp_path / name
    shutil.copy(NOTICE_2024 / source, path)
    assert identify(path).reader == reader


def test_a_file_named_as_a_notice_is_read_even_when_it_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "notice.docx"  # refused by its reader and quarantined, never skipped
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert identify(path).reader == "docx"
    assert "the file is a PNG image" in _unreadable(path)


# A batch over raw/ (these start a Prefect server: kept last)


def _run(capsys: pytest.CaptureFixture[str], raw: Path, out: Path) -> tuple[int, list[dict]]:
    from flows.cli import main

    status = main(["run", str(raw), "--out", str(out), "--json"])
    return status, json.loads(capsys.readouterr().out)


@requires_soffice
def test_every_format_of_one_notice_reconciles_and_other_files_are_skipped(
    prefect_server,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flows.cli import EXIT_SKIPPED
    from publish.read import read_dataset
    from publish.store import manifests

    raw = tmp_path / "raw"
    (raw / "附件").mkdir(parents=True)
    for fmt in ("docx", "xlsx", "pdf", "doc"):
        shutil.copy(NOTICE_2024 / f"notice.{fmt}", raw / f"notice.{fmt}")
    (raw / "附件" / "照片.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64)
    (raw / "附件" / "打包.zip").write_bytes(_zip({"a.docx": "…"}))
    (raw / "通知.ofd").write_bytes(_zip({"OFD.xml": "<ofd:OFD/>"}))
    (raw / "~$notice.docx").write_bytes(b"\x00lock")  # Word's lock file
    (raw / ".notice.txt").write_text("hidden", encoding="utf-8")
    out = tmp_path / "out"
    status, results = _run(capsys, raw, out)
    by_file = {Path(r["source"]).name: r for r in results}
    assert status == EXIT_SKIPPED
    assert sorted(by_file) == sorted(
        ["notice.docx", "notice.xlsx", "notice.pdf", "notice.doc", "照片.jpg", "打包.zip",
         "通知.ofd"]
    )  # fmt: skip
    assert {by_file[f"notice.{f}"]["status"] for f in ("docx", "xlsx", "pdf", "doc")} == {
        "published"
    }
    assert len(manifests(out)) == 1
    notice = read_dataset(out, "notices").iloc[0]
    assert sorted(notice["source_formats"]) == ["doc", "docx", "pdf", "xlsx"]
    assert len(read_dataset(out, "key_tasks")) == 122
    for name, what in [("照片.jpg", "a JPEG image"), ("打包.zip", "a zip archive"),
                       ("通知.ofd", "an OFD document")]:  # fmt: skip
        assert by_file[name]["status"] == "skipped"
        assert what in by_file[name]["error"]["message"]
        assert by_file[name]["error"]["hint"]
    summary = (out / "reports" / "summary.md").read_text(encoding="utf-8")
    assert "## Skipped: 照片.jpg" in summary


@requires_soffice
def test_files_that_cannot_be_read_are_quarantined_with_their_reason(
    prefect_server,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from flows.cli import EXIT_QUARANTINED

    raw = tmp_path / "raw"
    raw.mkdir()
    _scan(raw / "扫描件.pdf")
    locked = _OLE2 + b"\x00" * 4096 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512
    (raw / "任务清单.xlsx").write_bytes(locked)
    (raw / "损坏.wps").write_bytes(_OLE2 + b"\x00" * 2048)
    out = tmp_path / "out"
    status, results = _run(capsys, raw, out)
    assert status == EXIT_QUARANTINED
    assert sorted(r["status"] for r in results) == ["quarantined"] * 3
    reasons = {p.parent.name: p.read_text(encoding="utf-8")
               for p in (out / "quarantine").glob("*/reason.md")}  # fmt: skip
    assert len(reasons) == 3
    text = "\n".join(reasons.values())
    assert "OCR is not supported" in text
    assert "password-protected (encrypted) Excel workbook" in text
    assert "LibreOffice could not open or convert it" in text
