"""Each reader gives the same span-preserving grid; merges are kept where the format has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import Table, UnreadableFile, read_document
from extractors.html import read_html
from extractors.txt import read_txt
from tests.conftest import NOTICE_2024, extract


def _cell_at(table: Table, row: int, col: int):  # type: ignore[no-untyped-def]
    return next(s.cell for s in table.row(row) if s.cell.col <= col < s.cell.col + s.cell.col_span)


@pytest.fixture(scope="module")
def docx_tables() -> list[Table]:
    return read_document(NOTICE_2024 / "notice.docx").tables


def test_docx_blank_seq_is_a_vertical_merge_of_row_77(docx_tables: list[Table]) -> None:
    tasks = docx_tables[0]
    row_77 = next(r for r in range(tasks.n_rows) if tasks.row_texts(r)[0] == "77")
    seq = tasks.row(row_77 + 1)[0]
    assert seq.continued and seq.cell.text == "77" and seq.cell.row_span == 2


def test_docx_seq_79_spans_three_rows(docx_tables: list[Table]) -> None:
    tasks = docx_tables[0]
    row_79 = next(r for r in range(tasks.n_rows) if tasks.row_texts(r)[0] == "79")
    assert tasks.row(row_79)[0].cell.row_span == 3


def test_docx_livelihood_header_spans(docx_tables: list[Table]) -> None:
    projects = docx_tables[1]
    name = _cell_at(projects, 0, 2)
    breakdown = _cell_at(projects, 0, 4)
    assert (name.text, name.col_span, name.row_span) == ("事项名称", 2, 2)
    assert (breakdown.text, breakdown.col_span) == ("任务分解", 11)


def test_docx_vertical_header_keeps_one_paragraph_per_character(docx_tables: list[Table]) -> None:
    assert _cell_at(docx_tables[1], 1, 5).text == "南\n湖\n区"


def test_docx_category_merge_covers_the_run_of_projects(docx_tables: list[Table]) -> None:
    category = _cell_at(docx_tables[1], 2, 1)
    assert category.text == "医疗卫生"
    assert category.row_span == 7  # projects 1-6, project 4 having two breakdown rows


def test_docx_multi_paragraph_unit_cell(docx_tables: list[Table]) -> None:
    tasks = docx_tables[0]
    row_12 = next(r for r in range(tasks.n_rows) if tasks.row_texts(r)[0] == "12")
    assert tasks.row_texts(row_12)[2] == "市科技局、市教育局、南湖区政府、\n秀洲区政府、海宁市政府"


def test_html_rowspan_and_colspan_are_spans() -> None:
    projects = read_document(NOTICE_2024 / "notice.html").tables[1]
    assert _cell_at(projects, 0, 4).col_span == 11
    assert _cell_at(projects, 2, 1).row_span == 7
    assert _cell_at(projects, 1, 5).text == "南\n湖\n区"


def test_html_page_chrome_is_not_part_of_the_notice() -> None:
    doc = read_document(NOTICE_2024 / "notice.html")
    assert doc.paragraphs[0] == "嘉兴市人民政府办公室关于"
    assert not any("主办单位" in p for p in doc.paragraphs)


def test_txt_rows_have_15_or_16_cells_in_the_livelihood_table() -> None:
    projects = read_txt(NOTICE_2024 / "notice.txt").tables[1]
    widths = {len(projects.row(r)) for r in range(2, projects.n_rows)}
    assert widths == {15, 16}
    assert not projects.spans_known


def test_txt_cell_continued_after_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "n.txt"
    path.write_text("标题\n\n\t序号\n\t任务\n\n\t1\n\t甲\n\n乙\n\n\n注\n", encoding="utf-8")
    doc = read_txt(path)
    assert doc.tables[0].row_texts(1) == ["1", "甲\n乙"]
    assert doc.paragraphs == ["标题", "注"]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("utf-16-le", b"\xff\xfe")],
)
def test_txt_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "n.txt"
    path.write_bytes(bom + "标题\r\n\r\n\t序号\r\n\t市科技局\r\n".encode(encoding))
    doc = read_txt(path)
    assert doc.paragraphs == ["标题"]
    assert doc.tables[0].row_texts(0) == ["序号", "市科技局"]


def test_html_in_gbk_declared_in_a_meta_tag(tmp_path: Path) -> None:
    page = '<html><head><meta charset="gbk"></head><body><p>通知</p><table><tr><td>序号</td></tr>'
    path = tmp_path / "n.html"
    path.write_bytes((page + "</table></body></html>").encode("gbk"))
    doc = read_html(path)
    assert doc.paragraphs == ["通知"]
    assert doc.tables[0].row_texts(0) == ["序号"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04not really a zip", "not a readable .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1legacy", "legacy Word .doc"),
        (b"%PDF-1.7 ...", "not a readable PDF"),
    ],
)
def test_unreadable_files_name_the_file_and_the_remedy(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "通知 2024.docx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_document(path)
    assert message in str(caught.value)
    assert "通知 2024.docx" in str(caught.value)


def test_html_notice_laid_out_inside_an_outer_table(tmp_path: Path) -> None:
    data = "".join(
        f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>"
        for a, b, c in [("序号", "主要工作任务", "责任单位"), ("1", "任务", "市科技局")]
    )
    page = (
        "<html><body><table width='100%'>"
        "<tr><td>嘉兴市人民政府办公室关于印发2024年重点工作责任分解的通知</td></tr>"
        f"<tr><td><table border='1'>{data}</table></td></tr>"
        "<tr><td>嘉兴市人民政府办公室</td></tr></table></body></html>"
    )
    path = tmp_path / "old_site.html"
    path.write_text(page, encoding="utf-8")
    extracted = extract(path)
    assert [t.kind for t in extracted.tables] == ["key_tasks"]  # the data, not the layout
    assert extracted.rows.info.year == 2024
    assert extracted.rows.info.issuer == "嘉兴市人民政府办公室"
    assert list(extracted.frames["key_tasks"]["units"][0]) == ["市科技局"]
