"""Saved web pages: the notice's title, issuer, date and numbers as a person reads the page, and
one notice as one notice whatever the file's format, chrome or title."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import docx
import pytest

from core.records import NoticeResult, Status
from extractors import Document, read_document
from flows.cli import EXIT_OK, EXIT_QUARANTINED, main
from flows.inspect import inspect_file, print_inspection
from flows.notice import _difference, notice_groups
from flows.pipeline import FileOutcome, process_file
from publish.read import read_dataset
from publish.store import manifests
from recognise.notice import read_notice_info
from tests.conftest import FIXTURES, NOTICE_2024

PAGES = FIXTURES / "web_pages"
TITLE = "嘉兴市人民政府办公室关于印发2024年政府工作报告重点工作和市政府民生实事项目责任分解的通知"
NUMBER = "嘉政办发〔2024〕5号"
ISSUER = "嘉兴市人民政府办公室"
ADDRESS = "https://www.jiaxing.gov.cn/art/2024/2/5/art_1229426356_2512345.html"
# page -> whether the notice states its 文号 (the .docx beside it then does too)
SITES = {
    "trs_information_table.html": True,
    "title_suffix_h1_br.html": True,
    "layout_tables_gbk.html": False,
}


def _notice_docx(path: Path, numbered: bool) -> Path:
    """The 2024 notice as Word, under its red header and 文号 line when it states one."""
    document = docx.Document(str(NOTICE_2024 / "notice.docx"))
    if numbered:
        first = document.paragraphs[0]
        first.insert_paragraph_before(f"{ISSUER}文件")
        first.insert_paragraph_before(NUMBER)
    document.save(str(path))
    return path


def _page_and_docx(folder: Path, page: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PAGES / page, folder / page)
    return folder / page, _notice_docx(folder / "notice.docx", SITES[page])


# What the page says, and where


@pytest.mark.parametrize("page", SITES)
def test_a_saved_page_and_its_docx_are_one_notice(tmp_path: Path, page: str) -> None:
    html, word = (process_file(p) for p in _page_and_docx(tmp_path, page))
    assert html.info is not None and word.info is not None, html.result.error
    assert html.info.notice_id == word.info.notice_id
    for info in (html.info, word.info):
        assert (info.title, info.issuer, info.issued_on) == (TITLE, ISSUER, date(2024, 2, 1))
        assert info.document_number == (NUMBER if SITES[page] else None)
    assert _difference([html, word]) is None  # the same tasks, units, projects and targets


def test_a_trs_page_is_read_from_its_metadata_and_information_table() -> None:
    info = read_notice_info(read_document(PAGES / "trs_information_table.html"))
    assert info.found_in["title"] == "meta ArticleTitle"
    assert (info.found_in["document_number"], info.document_number) == ("info 文号", NUMBER)
    assert info.index_number == "002561412/2024-00123"
    assert (info.found_in["url"], info.url) == ("saved from", ADDRESS)
    assert info.found_in["notice_id"] == "jurisdiction and document number"


def test_the_information_and_footer_tables_are_not_the_notices_tables() -> None:
    doc = read_document(PAGES / "trs_information_table.html")
    assert len(doc.tables) == 3  # key tasks, livelihood projects, the 抄送 block
    assert not any("索引号" in p or "主办单位" in p or "相关信息" in p for p in doc.paragraphs)


def test_a_task_mentioning_technical_support_stays_in_the_notice(tmp_path: Path) -> None:
    rows = "".join(
        f"<tr><td>{n}</td><td>{task}</td><td>市科技局</td></tr>"
        for n, task in enumerate(["加强技术支持，主办单位做好服务保障。"] * 7, start=1)
    )
    page = (
        f"<p>{TITLE}</p><table><tr><td>序号</td><td>任务</td><td>责任单位</td></tr>{rows}</table>"
    )
    (tmp_path / "n.html").write_text(page, encoding="utf-8")
    assert len(read_document(tmp_path / "n.html").tables) == 1


def test_the_title_is_the_articles_heading_past_the_logo_and_the_sites_name() -> None:
    doc = read_document(PAGES / "title_suffix_h1_br.html")
    assert doc.metadata["<h1>"] == "嘉兴市人民政府"  # the logo
    assert doc.metadata["<title>"] == f"{TITLE}_嘉兴市人民政府"
    info = read_notice_info(doc)
    assert (info.title, info.found_in["title"]) == (TITLE, "<h1> #2")  # wrapped with <br>
    assert (info.url, info.found_in["url"]) == (ADDRESS, "link canonical")
    assert info.found_in["document_number"] == "paragraph 1"


def test_a_page_laid_out_in_tables_keeps_only_the_notices_tables() -> None:
    doc = read_document(PAGES / "layout_tables_gbk.html")
    assert len(doc.tables) == 3  # not the menus, spacers and footer around it
    assert doc.tables[0].row_texts(0)[0] == "序号"
    info = read_notice_info(doc)
    assert (info.title, info.found_in["title"]) == (TITLE, "paragraphs 1-3")
    assert info.notice_id == "2024-cf657ba048"  # the 2024 notice's id, whatever the chrome


def test_inspect_shows_where_the_title_issuer_date_and_number_were_found(
    capsys: pytest.CaptureFixture[str],
) -> None:
    found = inspect_file(PAGES / "trs_information_table.html")
    assert found["found_in"] == {
        "title": "meta ArticleTitle",
        "issuer": "paragraph 8",  # the signature under the letter, not the site's 发布机构
        "issued_on": "paragraph 9",
        "document_number": "info 文号",
        "index_number": "info 索引号",
        "url": "saved from",
        "notice_id": "jurisdiction and document number",
    }
    print_inspection(found)
    shown = capsys.readouterr().out
    assert f"document_number: {NUMBER}  (info 文号)" in shown


def test_a_page_saved_as_utf8_under_its_sites_gb2312_declaration_reads(tmp_path: Path) -> None:
    page = (PAGES / "layout_tables_gbk.html").read_bytes().decode("gbk")
    (tmp_path / "saved.html").write_text(page, encoding="utf-8")  # still says charset=gb2312
    info = read_notice_info(read_document(tmp_path / "saved.html"))
    assert (info.title, info.notice_id) == (TITLE, "2024-cf657ba048")


@pytest.mark.parametrize(
    ("page_title", "title"),
    [
        (f"{TITLE}_嘉兴市人民政府", TITLE),
        (f"{TITLE} - 嘉兴市人民政府门户网站", TITLE),
        (f"嘉兴市人民政府｜{TITLE}", TITLE),
        (
            "2023年市政府重点工作1-9月进展情况表-绍兴市人民政府",
            "2023年市政府重点工作1-9月进展情况表",
        ),
    ],
)
def test_the_sites_name_is_taken_off_a_page_title(page_title: str, title: str) -> None:
    doc = Document(Path("n.html"), "html", ["正文"], [], metadata={"<title>": page_title})
    assert read_notice_info(doc).title == title


def test_a_banner_or_site_name_is_never_the_title() -> None:
    metadata = {"<title>": "嘉兴市人民政府 · 政府信息公开", "<h1>": "嘉兴市人民政府"}
    paragraphs = ["首页 > 政府信息公开 > 政府文件", TITLE, ISSUER, "2024年2月1日"]
    info = read_notice_info(Document(Path("n.html"), "html", paragraphs, [], metadata=metadata))
    assert (info.title, info.found_in["title"]) == (TITLE, "paragraph 2")


# The same in Word and text exports


def test_a_docx_title_follows_its_red_header_and_document_number(tmp_path: Path) -> None:
    info = read_notice_info(read_document(_notice_docx(tmp_path / "notice.docx", True)))
    assert (info.title, info.found_in["title"]) == (TITLE, "paragraphs 3-5")
    assert (info.document_number, info.found_in["document_number"]) == (NUMBER, "paragraph 2")


def test_a_document_number_under_a_wrapped_title_is_not_part_of_it() -> None:
    lines = [
        "嘉兴市人民政府办公室关于",
        "印发2024年政府工作报告重点工作和",
        "市政府民生实事项目责任分解的通知",
    ]
    info = read_notice_info(Document(Path("n.txt"), "txt", [*lines, NUMBER, ISSUER], []))
    assert (info.title, info.document_number) == (TITLE, NUMBER)


def test_the_title_of_an_attached_list_sits_under_its_attachment_number() -> None:
    paragraphs = ["附件1", "2024年政府工作报告重点工作责任分解", "序号"]
    info = read_notice_info(Document(Path("list.docx"), "docx", paragraphs, []))
    assert info.title == "2024年政府工作报告重点工作责任分解"


def test_a_text_export_with_its_document_number_is_the_pages_notice(tmp_path: Path) -> None:
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    (tmp_path / "notice.txt").write_text(f"{NUMBER}\n\n{text}", encoding="utf-8")
    exported = read_notice_info(read_document(tmp_path / "notice.txt"))
    page = read_notice_info(read_document(PAGES / "trs_information_table.html"))
    assert (exported.notice_id, exported.title) == (page.notice_id, TITLE)


def test_a_document_number_the_letter_cites_is_not_the_notices() -> None:
    cites = "根据《浙江省人民政府办公厅关于印发2024年重点工作的通知》（浙政办发〔2024〕3号）要求"
    doc = Document(Path("n.txt"), "txt", [TITLE, cites, ISSUER], [])
    assert read_notice_info(doc).document_number is None


def test_a_document_number_is_written_one_way() -> None:
    doc = Document(Path("n.txt"), "txt", [TITLE, "嘉政办发［2024］ 5号", ISSUER], [])
    assert read_notice_info(doc).document_number == NUMBER


# Identity


def test_a_retitled_notice_with_a_document_number_keeps_its_id(tmp_path: Path) -> None:
    original = read_notice_info(read_document(PAGES / "trs_information_table.html"))
    page = (PAGES / "trs_information_table.html").read_text(encoding="utf-8")
    retitled = tmp_path / "retitled.html"
    retitled.write_text(
        page.replace("责任分解的通知", "责任分解（修订稿）的通知"), encoding="utf-8"
    )
    info = read_notice_info(read_document(retitled))
    assert info.title != original.title and info.notice_id == original.notice_id


def test_the_2024_notice_keeps_its_id_in_every_format() -> None:
    for name in ("notice.txt", "notice.docx", "notice.html"):
        assert read_notice_info(read_document(NOTICE_2024 / name)).notice_id == "2024-cf657ba048"


@pytest.fixture(scope="module")
def original() -> FileOutcome:
    return process_file(NOTICE_2024 / "notice.txt")


def _retitled_copy(folder: Path, change: tuple[str, str] | None = None) -> Path:
    """The 2024 notice as text under an edited title (no 文号: another id), one edit optional."""
    text = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
    text = text.replace("重点工作和\n", "重点工作（修订稿）和\n", 1)
    if change:
        text = text.replace(*change, 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notice-retitled.txt").write_text(text, encoding="utf-8")
    return folder / "notice-retitled.txt"


def test_files_with_the_same_tasks_under_two_ids_are_one_group(
    tmp_path: Path, original: FileOutcome
) -> None:
    copy = process_file(_retitled_copy(tmp_path))
    assert copy.result.notice_id != original.result.notice_id
    assert [len(g) for g in notice_groups([original, copy])] == [2]
    assert _difference([original, copy]) is None  # reconciled: published once


def test_a_copy_with_other_units_under_another_title_is_a_conflict(
    tmp_path: Path, original: FileOutcome
) -> None:
    change = ("市发展改革委\n", "市经信局\n")  # the lead of task 1
    copy = process_file(_retitled_copy(tmp_path, change))
    assert [len(g) for g in notice_groups([original, copy])] == [2]
    assert "give different key_tasks: row 1, lead_unit" in (_difference([original, copy]) or "")


def test_two_progress_reports_on_the_same_tasks_stay_two_notices(original: FileOutcome) -> None:
    assert original.frames is not None
    frames = {name: frame.copy() for name, frame in original.frames.items()}
    frames["key_tasks"]["extras"] = [{"完成情况": "已完成"}] * len(frames["key_tasks"])
    result = NoticeResult(original.result.source, Status.READY, notice_id="2024-other")
    later = FileOutcome(original.source, result, info=original.info, frames=frames)
    assert [len(g) for g in notice_groups([original, later])] == [1, 1]


# Whole runs (a Prefect server)


def _run(capsys: pytest.CaptureFixture[str], raw: Path, out: Path) -> tuple[int, list[dict]]:
    status = main(["run", str(raw), "--out", str(out), "--json"])
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("page", SITES)
def test_each_saved_page_and_its_docx_publish_one_notice_with_both_sources(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str
) -> None:
    _page_and_docx(tmp_path / "raw", page)
    status, results = _run(capsys, tmp_path / "raw", tmp_path / "out")
    assert status == EXIT_OK and [r["status"] for r in results] == ["published"] * 2
    assert len(manifests(tmp_path / "out")) == 1
    notice = read_dataset(tmp_path / "out", "notices").iloc[0]
    assert sorted(notice["source_formats"]) == ["docx", "html"]
    assert (notice["title"], notice["issuer"], str(notice["issued_on"])) == (
        TITLE,
        ISSUER,
        "2024-02-01",
    )
    assert notice["document_number"] == (NUMBER if SITES[page] else None)
    assert len(read_dataset(tmp_path / "out", "key_tasks")) == 122  # not 244


def test_a_retitled_copy_is_published_once_and_the_summary_names_both_titles(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw"
    _retitled_copy(raw)
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "notice.txt")
    status, results = _run(capsys, raw, tmp_path / "out")
    assert status == EXIT_OK and [r["status"] for r in results] == ["published"] * 2
    assert len({r["notice_id"] for r in results}) == 1
    assert len(read_dataset(tmp_path / "out", "key_tasks")) == 122
    checks = {w["check"] for r in results for w in r["warnings"]}
    assert "files_name_the_notice_differently" in checks


def test_a_retitled_copy_that_disagrees_is_a_conflict_and_nothing_is_published(
    prefect_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw"
    _retitled_copy(raw, ("市发展改革委\n", "市经信局\n"))
    shutil.copy(NOTICE_2024 / "notice.txt", raw / "notice.txt")
    status, results = _run(capsys, raw, tmp_path / "out")
    assert status == EXIT_QUARANTINED
    assert [r["status"] for r in results] == ["conflict", "conflict"]
    assert "give different key_tasks" in results[0]["error"]["message"]
    assert "give different key_tasks" in (tmp_path / "out/reports/summary.md").read_text("utf-8")
    assert manifests(tmp_path / "out") == []
