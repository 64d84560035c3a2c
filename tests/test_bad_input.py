"""Bad input ends in a NoticeError that names the file and says what to do, never in a crash.

Each test builds its bad file under tmp_path, from the 2024 notice where a real one is needed.
"""

from __future__ import annotations

import io
import shutil
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest

import extractors
import extractors.docx
import extractors.html
from extractors import Document, UnreadableFile, UnrecognisedLayout, read_document
from recognise.notice import read_notice_info
from recognise.tables import recognise_table, require_known_tables
from tests.conftest import NOTICE_2024

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _unreadable(path: Path) -> str:
    """The message of the UnreadableFile reading `path` raises; it always names the file."""
    with pytest.raises(UnreadableFile) as caught:
        read_document(path)
    assert path.name in str(caught.value)
    return str(caught.value)


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _document_xml(body: str, doctype: str = "") -> str:
    document = f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    return f'<?xml version="1.0"?>{doctype}{document}'


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _content(doc: Document) -> tuple[list[str], list[list[list[str]]], list[str]]:
    """What a later stage sees of a document: paragraphs, row texts, captions."""
    rows = [[table.row_texts(r) for r in range(table.n_rows)] for table in doc.tables]
    return doc.paragraphs, rows, [table.caption for table in doc.tables]


def _recognise(doc: Document) -> None:
    """The recognise step as the flow runs it."""
    read_notice_info(doc)
    require_known_tables(doc, [recognise_table(t) for t in doc.tables])


# Empty files


def test_a_zero_byte_file_is_reported_as_empty(tmp_path: Path) -> None:
    message = _unreadable(_write(tmp_path, "notice.docx", b""))
    assert "empty (0 bytes)" in message
    assert "get the notice again" in message


@pytest.mark.parametrize("suffix", [".txt", ".html", ".docx"])
def test_a_whitespace_only_file_is_reported_as_empty(tmp_path: Path, suffix: str) -> None:
    message = _unreadable(_write(tmp_path, f"notice{suffix}", b" \r\n\t\n  "))
    assert "empty (only whitespace)" in message


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbf",
        b"\xef\xbb\xbf \r\n",
        " \n\t".encode("utf-16"),
        b"<html><body></body></html>",
    ],
    ids=["utf8-bom", "utf8-bom-whitespace", "utf16-whitespace", "html-without-text"],
)
def test_a_file_without_any_text_says_it_holds_no_text(tmp_path: Path, content: bytes) -> None:
    assert "holds no text" in _unreadable(_write(tmp_path, "notice.txt", content))


# Damaged .docx


def test_a_docx_cut_in_half_is_reported_as_damaged(tmp_path: Path) -> None:
    whole = (NOTICE_2024 / "notice.docx").read_bytes()
    message = _unreadable(_write(tmp_path, "notice.docx", whole[: len(whole) // 2]))
    assert "not a readable .docx: the archive is damaged or cut short" in message
    assert "download was probably incomplete" in message


def test_a_docx_with_a_corrupt_compressed_part_is_reported_as_damaged(tmp_path: Path) -> None:
    data = bytearray(_zip({"word/document.xml": _document_xml(_paragraph("通知" * 5000))}))
    start = data.index(b"word/document.xml") + len("word/document.xml")
    data[start + 100 : start + 140] = b"\xff" * 40  # inside the deflate stream
    assert "damaged or cut short" in _unreadable(_write(tmp_path, "notice.docx", bytes(data)))


def test_a_docx_that_is_not_a_zip_says_so(tmp_path: Path) -> None:
    message = _unreadable(_write(tmp_path, "notice.docx", "这是一个普通的文本文件".encode()))
    assert "a .docx is a zip archive and this file is not one" in message


def test_a_zip_starting_like_a_docx_but_broken_is_reported_as_damaged(tmp_path: Path) -> None:
    message = _unreadable(_write(tmp_path, "notice.docx", b"PK\x03\x04" + b"\x00" * 200))
    assert "damaged or cut short" in message


def test_a_zip_without_word_document_xml_is_not_a_word_document(tmp_path: Path) -> None:
    path = _write(tmp_path, "notice.docx", _zip({"readme.txt": "hello"}))
    message = _unreadable(path)
    assert "has no word/document.xml, so it is not a Word document" in message
    assert "some other zip archive" in message


def test_an_excel_workbook_named_docx_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = _write(tmp_path, "notice.docx", _zip({"xl/workbook.xml": "<workbook/>"}))
    assert "not a readable .xlsx" in _unreadable(path)  # by its content, not its name


def test_an_ofd_named_docx_says_it_is_an_ofd_document(tmp_path: Path) -> None:
    path = _write(tmp_path, "notice.docx", _zip({"OFD.xml": "<ofd:OFD/>"}))
    message = _unreadable(path)
    assert "the file is an OFD document (.ofd)" in message
    assert "export it as PDF" in message


def test_a_docx_whose_xml_is_broken_says_so(tmp_path: Path) -> None:
    path = _write(tmp_path, "notice.docx", _zip({"word/document.xml": "<w:document><w:body>"}))
    assert "word/document.xml is not valid XML" in _unreadable(path)


def test_a_password_protected_docx_says_password_protected(tmp_path: Path) -> None:
    # Office encryption: an OLE2 file whose directory, anywhere in the file, has this stream.
    stream_name = "EncryptedPackage".encode("utf-16-le")
    data = _OLE2 + b"\x00" * 10_000 + stream_name + b"\x00" * 512
    message = _unreadable(_write(tmp_path, "notice.docx", data))
    assert "password-protected" in message
    assert "legacy" not in message
    assert "remove the password" in message


def test_a_docx_with_encrypted_zip_entries_says_password_protected(tmp_path: Path) -> None:
    data = bytearray(_zip({"word/document.xml": _document_xml(_paragraph("通知"))}))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # set the 'encrypted' flag bit in both headers
        at = data.index(header) + (6 if header == b"PK\x03\x04" else 8)
        data[at] |= 0x1
    assert "password-protected" in _unreadable(_write(tmp_path, "notice.docx", bytes(data)))


# Zip bombs and entity expansion

_BOMB_LIMIT = 1024 * 1024


@pytest.fixture
def small_xml_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(extractors.docx, "MAX_XML_BYTES", _BOMB_LIMIT)
    return _BOMB_LIMIT


def _bomb(size: int) -> bytes:
    """A .docx whose document.xml is `size` bytes that compress to almost nothing."""
    filler = _paragraph("通" * (size // 3))
    return _zip({"word/document.xml": _document_xml(filler)})


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_decompressing(
    tmp_path: Path, small_xml_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _bomb(8 * small_xml_limit)
    assert len(data) < small_xml_limit // 20
    opened: list[str] = []
    original_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, name, *a, **k: opened.append(str(name)) or original_open(self, name, *a, **k),
    )
    message = _unreadable(_write(tmp_path, "notice.docx", data))
    assert "word/document.xml expands to" in message
    assert "zip bomb" in message
    assert opened == []  # refused from the directory's sizes: nothing was decompressed


def _lie_about_sizes(data: bytes, claimed: int) -> bytes:
    """Rewrite the uncompressed size in the local header and the central directory."""
    patched = bytearray(data)
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = patched.index(header) + offset
        patched[at : at + 4] = struct.pack("<I", claimed)
    return bytes(patched)


def test_a_zip_bomb_that_lies_about_its_size_is_cut_off(
    tmp_path: Path, small_xml_limit: int
) -> None:
    data = _lie_about_sizes(_bomb(32 * small_xml_limit), claimed=1000)
    path = _write(tmp_path, "notice.docx", data)
    tracemalloc.start()
    try:
        _unreadable(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * small_xml_limit  # the 32 MB of XML were never expanded


def test_document_xml_is_read_with_a_bound_even_when_its_size_looks_fine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # zipfile stops at the size the directory states; the bound guards the reader regardless.
    asked: list[int] = []
    original_read = zipfile.ZipExtFile.read
    monkeypatch.setattr(
        zipfile.ZipExtFile, "read", lambda self, n=-1: asked.append(n) or original_read(self, n)
    )
    read_document(NOTICE_2024 / "notice.docx")
    assert asked == [extractors.docx.MAX_XML_BYTES + 1]


def _laughs(levels: int) -> str:
    """Entity declarations that expand to 10**levels 'lol's: the billion laughs at 9."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return "".join(entities)


def test_entities_in_document_xml_are_not_expanded(tmp_path: Path) -> None:
    secret = _write(tmp_path, "secret.txt", b"TOP-SECRET")
    doctype = f'<!DOCTYPE w:document [{_laughs(3)}<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    body = _paragraph("嘉兴市人民政府") + _paragraph("&lol3;") + _paragraph("&xxe;")
    xml = _document_xml(body, doctype)
    doc = read_document(_write(tmp_path, "notice.docx", _zip({"word/document.xml": xml})))
    assert doc.paragraphs == ["嘉兴市人民政府"]  # neither the 1000 "lol"s nor the secret file


def test_a_billion_laughs_in_document_xml_is_refused_quickly(tmp_path: Path) -> None:
    doctype = f"<!DOCTYPE w:document [{_laughs(9)}]>"
    body = _paragraph("嘉兴市人民政府") + _paragraph("&lol9;")
    xml = _document_xml(body, doctype)
    started = time.monotonic()
    message = _unreadable(_write(tmp_path, "notice.docx", _zip({"word/document.xml": xml})))
    assert time.monotonic() - started < 5
    assert "word/document.xml is not valid XML" in message
    assert "entity" in message


def test_entities_in_a_web_page_are_not_expanded(tmp_path: Path) -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    page = f"<!DOCTYPE html [{''.join(levels)}]><html><body><p>通知</p><p>&lol9;</p></body></html>"
    doc = read_document(_write(tmp_path, "notice.html", page.encode()))
    assert doc.paragraphs[0] == "通知"
    assert sum(len(p) for p in doc.paragraphs) < 100


def test_a_file_larger_than_any_notice_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extractors, "MAX_FILE_BYTES", 1000)
    message = _unreadable(_write(tmp_path, "notice.txt", b"a" * 1001))
    assert "larger than" in message


def test_a_cell_spanning_millions_of_grid_positions_is_refused_with_its_place(
    tmp_path: Path,
) -> None:
    rows = "".join("<tr><td>x</td></tr>" for _ in range(2000))
    wide = '<td rowspan="9999" colspan="999999">a</td>'  # 2001 rows x 1000 columns
    page = f"<p>通知</p><table><tr><td>序号</td>{wide}</tr>{rows}</table>"
    with pytest.raises(UnreadableFile) as caught:
        read_document(_write(tmp_path, "notice.html", page.encode()))
    error = caught.value
    assert (error.table, error.row, error.cell) == (1, 1, 2)
    assert "table 1, row 1, cell 2" in str(error)
    assert "grid positions" in str(error)


def test_a_page_nested_thousands_deep_is_refused_quickly(tmp_path: Path) -> None:
    page = "<p>通知</p>" + "<div>" * 5000 + "正文" + "</div>" * 5000
    started = time.monotonic()
    message = _unreadable(_write(tmp_path, "notice.html", page.encode()))
    assert time.monotonic() - started < 5
    assert "nests its elements more than 500 deep" in message


def test_a_page_larger_than_any_notice_page_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(extractors.html, "MAX_PAGE_BYTES", 1000)
    page = "<html><body>" + "<p>通知</p>" * 200 + "</body></html>"
    assert "the page is larger than" in _unreadable(_write(tmp_path, "notice.html", page.encode()))


def test_a_huge_colspan_is_capped_like_a_browser_does(tmp_path: Path) -> None:
    page = '<p>通知</p><table><tr><td colspan="99999999999">序号</td><td colspan="²">任务</td></tr>'
    doc = read_document(_write(tmp_path, "notice.html", page.encode()))
    first, second = (slot.cell for slot in doc.tables[0].row(0))
    assert (first.col_span, second.col, second.col_span) == (1, 1, 1)  # not digits: span 1


def test_a_docx_cell_claiming_a_huge_grid_span_reads_quickly(tmp_path: Path) -> None:
    cell = f'<w:tc><w:tcPr><w:gridSpan w:val="999999"/></w:tcPr>{_paragraph("x")}</w:tc>'
    odd = '<w:tc><w:tcPr><w:gridSpan w:val="²"/></w:tcPr><w:p/></w:tc>'
    body = _paragraph("通知") + f"<w:tbl><w:tr>{cell * 200}{odd}</w:tr></w:tbl>"
    path = _write(tmp_path, "notice.docx", _zip({"word/document.xml": _document_xml(body)}))
    started = time.monotonic()
    table = read_document(path).tables[0]
    assert time.monotonic() - started < 5
    assert len(table.row(0)) == 201


# Files that are something else


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64, "a JPEG image"),
        (b"GIF89a" + b"\x00" * 64, "a GIF image"),
        (b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, "a RAR archive"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related", "a saved web archive (.mht)"),
    ],
)
def test_a_file_renamed_to_docx_says_what_it_really_is(
    tmp_path: Path, content: bytes, what: str
) -> None:
    message = _unreadable(_write(tmp_path, "notice.docx", content))
    assert f"the file is {what}" in message
    assert "no reader takes this kind of file" in message


def test_a_missing_file_is_reported_as_unreadable(tmp_path: Path) -> None:
    assert "cannot read the file" in _unreadable(tmp_path / "gone.docx")


def test_a_folder_named_like_a_notice_is_reported_as_unreadable(tmp_path: Path) -> None:
    (tmp_path / "notice.docx").mkdir()
    assert "cannot read the file" in _unreadable(tmp_path / "notice.docx")


def test_a_text_in_an_unknown_encoding_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    message = _unreadable(_write(tmp_path, "notice.txt", b"\x80\xff\xfe\x81" * 10 + b"\n"))
    assert "cannot be decoded as UTF-8 or GB18030" in message
    assert "save it as UTF-8" in message


# Documents that read fine but are not notices


def _meeting_minutes(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Meeting minutes")
    table = document.add_table(rows=3, cols=2)
    for row, (name, unit) in enumerate(
        [("姓名", "部门"), ("张三", "市财政局"), ("李四", "市教育局")]
    ):
        table.cell(row, 0).text, table.cell(row, 1).text = name, unit
    document.save(str(path))
    return path


def test_a_docx_that_is_not_a_notice_says_a_title_with_a_year_was_expected(
    tmp_path: Path,
) -> None:
    doc = read_document(_meeting_minutes(tmp_path / "minutes.docx"))
    assert doc.paragraphs == ["Meeting minutes"]
    with pytest.raises(UnrecognisedLayout) as caught:
        read_notice_info(doc)
    message = str(caught.value)
    assert "minutes.docx" in message
    assert "the title 'Meeting minutes' does not state a year" in message
    assert "关于印发2024年…的通知" in message


def test_a_docx_whose_tables_are_not_notice_tables_says_which_headers_were_expected(
    tmp_path: Path,
) -> None:
    doc = read_document(_meeting_minutes(tmp_path / "minutes.docx"))
    with pytest.raises(UnrecognisedLayout) as caught:
        require_known_tables(doc, [recognise_table(t) for t in doc.tables])
    message = str(caught.value)
    assert "minutes.docx" in message
    assert "table 1 starts with '姓名 | 部门'" in message
    assert "序号" in message and "责任单位" in message
    assert "recognise/vocabulary.toml" in message


def test_a_web_page_without_a_table_says_it_has_no_tables(tmp_path: Path) -> None:
    page = "<html><body><h1>关于印发2024年重点工作的通知</h1><p>正文。</p></body></html>"
    doc = read_document(_write(tmp_path, "notice.html", page.encode()))
    assert doc.tables == []
    read_notice_info(doc)  # the title is fine; the tables are missing
    with pytest.raises(UnrecognisedLayout) as caught:
        require_known_tables(doc, [])
    assert "notice.html: no table of a known kind: it has no tables" in str(caught.value)


def test_a_web_page_about_the_weather_is_not_a_notice(tmp_path: Path) -> None:
    page = (
        "<html><head><title>天气预报</title></head><body><p>嘉兴今天多云，最高气温12℃。</p>"
        "<table><tr><td>日期</td><td>天气</td></tr><tr><td>周一</td><td>晴</td></tr></table>"
        "</body></html>"
    )
    doc = read_document(_write(tmp_path, "weather.html", page.encode()))
    with pytest.raises(UnrecognisedLayout) as caught:
        _recognise(doc)
    assert "weather.html" in str(caught.value)
    assert "does not state a year" in str(caught.value)
    with pytest.raises(UnrecognisedLayout) as caught:
        require_known_tables(doc, [recognise_table(t) for t in doc.tables])
    assert "table 1 starts with '日期 | 天气'" in str(caught.value)


def test_the_2024_notice_has_known_tables() -> None:
    doc = read_document(NOTICE_2024 / "notice.docx")
    require_known_tables(doc, [recognise_table(t) for t in doc.tables])  # does not raise


def test_an_impossible_issue_date_is_skipped_not_a_crash() -> None:
    paragraphs = ["关于印发2024年重点工作的通知", "嘉兴市人民政府办公室", "2024年2月30日"]
    info = read_notice_info(Document(Path("n.txt"), "txt", paragraphs, []))
    assert (info.year, info.issued_on) == (2024, None)


def test_a_document_without_paragraphs_says_it_has_no_title() -> None:
    with pytest.raises(UnrecognisedLayout) as caught:
        read_notice_info(Document(Path("n.txt"), "txt", [], []))
    assert "n.txt: no title, so this does not look like a notice" in str(caught.value)


# Web pages: encodings and page chrome


@pytest.fixture(scope="module")
def html_2024() -> Document:
    return read_document(NOTICE_2024 / "notice.html")


_UTF8_META = '<meta charset="utf-8">'


@pytest.mark.parametrize(
    ("encoding", "meta"),
    [
        ("gbk", '<meta charset="gbk">'),
        ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'),
        ("gbk", '<meta charset="gb2312">'),  # declared gb2312, but uses GBK-only characters
        ("gb18030", '<meta http-equiv="Content-Type" content="text/html; charset=gb18030">'),
        ("gbk", ""),
        ("gb18030", ""),
        ("utf-8", ""),
    ],
    ids=[
        "gbk",
        "gbk-http-equiv",
        "gb2312-label",
        "gb18030",
        "gbk-undeclared",
        "gb18030-undeclared",
        "utf8-undeclared",
    ],
)
def test_the_2024_page_reads_the_same_in_gbk_and_gb18030(
    tmp_path: Path, html_2024: Document, encoding: str, meta: str
) -> None:
    page = (NOTICE_2024 / "notice.html").read_text(encoding="utf-8").replace(_UTF8_META, meta)
    doc = read_document(_write(tmp_path, "notice.html", page.encode(encoding)))
    assert _content(doc) == _content(html_2024)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_short_undeclared_gbk_page_decodes_correctly(tmp_path: Path, encoding: str) -> None:
    page = "<html><body><p>嘉兴市人民政府办公室关于印发通知</p><p>槃</p></body></html>"
    doc = read_document(_write(tmp_path, "notice.html", page.encode(encoding)))
    assert doc.paragraphs == ["嘉兴市人民政府办公室关于印发通知", "槃"]


def test_an_xhtml_page_with_an_xml_declaration_reads(tmp_path: Path) -> None:
    page = '<?xml version="1.0" encoding="gb18030"?><html><body><p>通知</p></body></html>'
    doc = read_document(_write(tmp_path, "notice.html", page.encode("gb18030")))
    assert doc.paragraphs == ["通知"]


def test_site_navigation_and_scripts_are_not_paragraphs(html_2024: Document) -> None:
    text = "\n".join(html_2024.paragraphs)
    for chrome in ["首页", "政务公开", "无障碍", "当前位置", "打印本页", "主办单位", "doZoom"]:
        assert chrome not in text
    assert html_2024.paragraphs[0] == "嘉兴市人民政府办公室关于"


# Text exports in every encoding


@pytest.fixture(scope="module")
def txt_2024() -> Document:
    return read_document(NOTICE_2024 / "notice.txt")


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [
        ("gb18030", b"", "\n"),
        ("gbk", b"", "\n"),
        ("utf-16-le", b"\xff\xfe", "\n"),
        ("utf-16-be", b"\xfe\xff", "\n"),
        ("utf-8", b"\xef\xbb\xbf", "\n"),
        ("utf-8", b"", "\r\n"),
        ("gb18030", b"", "\r\n"),
        ("utf-16-le", b"\xff\xfe", "\r\n"),
        ("utf-16-le", b"", "\r\n"),  # UTF-16 saved without a BOM
        ("utf-16-be", b"", "\n"),
    ],
    ids=[
        "gb18030",
        "gbk",
        "utf16le-bom",
        "utf16be-bom",
        "utf8-bom",
        "utf8-crlf",
        "gb18030-crlf",
        "utf16le-bom-crlf",
        "utf16le-no-bom",
        "utf16be-no-bom",
    ],
)
def test_the_2024_text_export_reads_the_same_in_every_encoding(
    tmp_path: Path, txt_2024: Document, encoding: str, bom: bytes, newline: str
) -> None:
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8").replace("\n", newline)
    doc = read_document(_write(tmp_path, "notice.txt", bom + text.encode(encoding)))
    assert _content(doc) == _content(txt_2024)


def test_a_utf16_file_cut_mid_character_is_reported(tmp_path: Path) -> None:
    data = "标题\n".encode("utf-16")[:-1]  # BOM, then an odd number of bytes
    assert "cannot be decoded as UTF-16" in _unreadable(_write(tmp_path, "notice.txt", data))


# File names


@pytest.mark.parametrize("suffix", [".docx", ".html", ".txt"])
def test_a_file_name_with_spaces_and_chinese_characters_works(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / "收文 目录" / f"嘉兴 2024 通知 (定稿){suffix}"
    path.parent.mkdir()
    shutil.copy(NOTICE_2024 / f"notice{suffix}", path)
    doc = read_document(path)
    assert doc.source == path
    assert read_notice_info(doc).year == 2024
    require_known_tables(doc, [recognise_table(t) for t in doc.tables])


def test_an_error_names_a_file_with_spaces_and_chinese_characters(tmp_path: Path) -> None:
    message = _unreadable(_write(tmp_path, "嘉兴 2024 通知 (定稿).docx", b""))
    assert "嘉兴 2024 通知 (定稿).docx: the file is empty" in message
