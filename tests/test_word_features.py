"""Word documents are read as Word shows them: content controls and other wrappers, tracked
changes, hidden text and automatic numbering. Each case is a real .docx (python-docx, then lxml
edits of its XML as Word writes them) read through the whole pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import pandas as pd
import pytest
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

import tools.build_fixtures as build
from extractors import read_document
from flows.notice import LINEAGE
from tests.conftest import Extracted, extract

TITLE = "嘉兴市人民政府办公室关于印发2024年重点工作责任分解的通知"
OPENING = [
    (TITLE, "title"),
    ("各县（市、区）人民政府，市级有关部门（单位）：", "body"),
    ("现将《2024年重点工作责任分解》印发给你们，请认真贯彻执行。", "body"),
    ("2024年重点工作责任分解", "caption"),
]
CLOSING = ["嘉兴市人民政府办公室", "2024年2月1日"]
HEADER = ["序号", "主要工作任务", "责任单位"]
TASKS = [
    ["1", "推进科技创新。", "市科技局"],
    ["2", "办好人民满意的教育。", "市教育局"],
    ["3", "管好用好财政资金。", "市财政局"],
]
TASK_TEXTS = [row[1] for row in TASKS]

Edit = Callable[[WordDocument], None]


# --------------------------------------------------------------------------- building notices


def _notice(path: Path, rows: list[list[str]] = TASKS, edit: Edit | None = None) -> Path:
    """The notice with a 序号 / task / 责任单位 table (blank 序号 cells merged down, as the
    fixtures build them; a row of one cell, a section, spans the table); `edit` then changes
    its XML as Word would write the feature."""
    document = docx.Document()
    build.setup_docx(document, TITLE)
    for text, role in OPENING:
        build.add_docx_paragraph(document, text, role)
    table = build.Table([[build.Cell([t] if t else []) for t in row] for row in [HEADER, *rows]])
    layout = build.layout_table(table)
    for row in layout.rows:
        row[0].span = layout.width - len(row) + 1
    build.add_docx_table(document, layout)
    for text in CLOSING:
        build.add_docx_paragraph(document, text, "signature")
    if edit is not None:
        edit(document)
    document.save(str(path))
    return path


def _el(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    element = OxmlElement(tag)
    for name, value in attrs.items():
        element.set(qn(f"w:{name}"), value)
    if parent is not None:
        parent.append(element)
    return element


def _table(document: WordDocument) -> etree._Element:
    return document.element.body.find(qn("w:tbl"))


def _rows(document: WordDocument) -> list[etree._Element]:
    return _table(document).findall(qn("w:tr"))


def _cell(document: WordDocument, row: int, col: int) -> etree._Element:
    return _rows(document)[row].findall(qn("w:tc"))[col]


def _paragraph(document: WordDocument, row: int, col: int) -> etree._Element:
    return _cell(document, row, col).find(qn("w:p"))


def _run(text: str) -> etree._Element:
    run = _el("w:r")
    t = _el("w:t", run)
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


# Wrappers as Word writes them: the element's name, and its properties (which hold no text).
WRAPPERS = {
    "w:sdt": '<w:sdtPr {ns}><w:alias w:val="任务"/><w:id w:val="7"/></w:sdtPr>',
    "w:customXml": '<w:customXmlPr {ns}><w:attr w:name="id" w:val="7"/></w:customXmlPr>',
    "w:smartTag": '<w:smartTagPr {ns}><w:attr w:name="type" w:val="unit"/></w:smartTagPr>',
    "w:hyperlink": None,
}


def _wrap(element: etree._Element, tag: str) -> None:
    """Put an element (a table, row, cell or run) inside a wrapper."""
    wrapper = _el(tag)
    if tag in ("w:customXml", "w:smartTag"):
        wrapper.set(qn("w:element"), "task")
    if tag == "w:hyperlink":
        wrapper.set(qn("w:anchor"), "task")
    if WRAPPERS[tag]:
        wrapper.append(parse_xml(WRAPPERS[tag].format(ns=nsdecls("w"))))
    element.addprevious(wrapper)
    (_el("w:sdtContent", wrapper) if tag == "w:sdt" else wrapper).append(element)


def _revision(tag: str, number: int) -> etree._Element:
    return _el(tag, id=str(number), author="办公室", date="2024-01-30T09:00:00Z")


def _track_deleted(run: etree._Element, number: int, tag: str = "w:del") -> None:
    """A run deleted (or moved away) with changes tracked: Word keeps it as w:delText."""
    change = _revision(tag, number)
    run.addprevious(change)
    change.append(run)
    if tag == "w:del":
        for t in run.iter(qn("w:t")):
            t.tag = qn("w:delText")


def _track_inserted(p: etree._Element, text: str, number: int, tag: str = "w:ins") -> None:
    change = _revision(tag, number)
    change.append(_run(text))
    p.append(change)


def _units(extracted: Extracted) -> list[list[str]]:
    """Each task's units, in task order."""
    units = extracted.frames["task_units"]
    return [
        list(units[units["task_id"] == task_id]["unit_raw"])
        for task_id in extracted.frames["key_tasks"]["task_id"]
    ]


# --------------------------------------------------------------------------- wrappers


def test_a_table_inside_a_content_control_gives_its_three_tasks(tmp_path: Path) -> None:
    def in_content_control(document: WordDocument) -> None:
        _wrap(_table(document), "w:sdt")

    tasks = extract(_notice(tmp_path / "n.docx", edit=in_content_control)).frames["key_tasks"]
    assert list(tasks["seq"]) == [1, 2, 3]
    assert list(tasks["task_text"]) == TASK_TEXTS


def test_rows_cells_and_runs_in_wrappers_read_as_the_plain_notice(tmp_path: Path) -> None:
    plain = extract(_notice(tmp_path / "plain.docx"))

    def wrapped(document: WordDocument) -> None:
        rows, cell, task = _rows(document), _cell(document, 3, 2), _paragraph(document, 1, 1)
        _wrap(rows[1], "w:sdt")  # a row in a content control
        _wrap(rows[2], "w:customXml")  # a row in custom XML
        _wrap(cell, "w:sdt")  # one cell in a content control
        # the task's text split over runs in a content control, a smart tag, a link, a field
        task.remove(task.find(qn("w:r")))
        for text, tag in [("推进", "w:sdt"), ("科技", "w:smartTag"), ("创新", "w:hyperlink")]:
            task.append(_run(text))
            _wrap(task[-1], tag)
        simple_field = _el("w:fldSimple", task, instr=" QUOTE 。 ")
        simple_field.append(_run("。"))

    tagged = extract(_notice(tmp_path / "wrapped.docx", edit=wrapped))
    for name, frame in plain.frames.items():
        found = tagged.frames[name].drop(columns=LINEAGE, errors="ignore")
        pd.testing.assert_frame_equal(found, frame.drop(columns=LINEAGE, errors="ignore"))


# --------------------------------------------------------------------------- tracked changes


def test_a_row_deleted_with_changes_tracked_is_not_a_task(tmp_path: Path) -> None:
    def delete_row_2(document: WordDocument) -> None:
        row = _rows(document)[2]
        _el("w:del", _props(row, "w:trPr"), id="1", author="办公室")
        for number, run in enumerate(list(row.iter(qn("w:r"))), start=2):
            _track_deleted(run, number)
        renumbered = _paragraph(document, 3, 0)  # the row below renumbered: 3 deleted, 2 typed
        _track_deleted(renumbered.find(qn("w:r")), 10)
        _track_inserted(renumbered, "2", 11)

    extracted = extract(_notice(tmp_path / "n.docx", edit=delete_row_2))
    tasks = extracted.frames["key_tasks"]
    assert list(tasks["seq"]) == [1, 2]
    assert list(tasks["task_text"]) == [TASK_TEXTS[0], TASK_TEXTS[2]]
    assert "市教育局" not in set(extracted.frames["task_units"]["unit_raw"])


def _props(parent: etree._Element, tag: str) -> etree._Element:
    """A row's or paragraph's properties (w:trPr, w:pPr), their first child, made if missing."""
    props = parent.find(qn(tag))
    if props is None:
        props = _el(tag)
        parent.insert(0, props)
    return props


def test_deleted_and_moved_away_text_is_left_out_inserted_and_moved_text_read(
    tmp_path: Path,
) -> None:
    def revise(document: WordDocument) -> None:
        units = _paragraph(document, 1, 2)  # 市科技局, 市教育局 deleted, 市经信局 inserted
        units.append(_run("、市教育局"))
        _track_deleted(units[-1], 1)
        _track_inserted(units, "、市经信局", 2)
        source = _paragraph(document, 2, 1)  # a sentence moved from task 2 to task 3
        source.append(_run("加强师资队伍建设。"))
        _track_deleted(source[-1], 3, tag="w:moveFrom")
        _track_inserted(_paragraph(document, 3, 1), "加强师资队伍建设。", 4, tag="w:moveTo")

    extracted = extract(_notice(tmp_path / "n.docx", edit=revise))
    assert _units(extracted)[0] == ["市科技局", "市经信局"]
    assert list(extracted.frames["key_tasks"]["task_text"]) == [
        TASK_TEXTS[0],
        TASK_TEXTS[1],
        TASK_TEXTS[2] + "加强师资队伍建设。",
    ]


def test_a_deleted_paragraph_mark_runs_the_paragraph_on_into_the_next(tmp_path: Path) -> None:
    def join(document: WordDocument) -> None:
        cell = _cell(document, 1, 1)
        first = cell.find(qn("w:p"))
        second = _el("w:p", cell)
        second.append(_run("加快建设创新高地。"))
        mark = _el("w:rPr", _props(first, "w:pPr"))
        mark.append(_revision("w:del", 1))

    doc = read_document(_notice(tmp_path / "n.docx", edit=join))
    assert doc.tables[0].row_texts(1)[1] == "推进科技创新。加快建设创新高地。"


# --------------------------------------------------------------------------- hidden text


def test_hidden_text_is_not_read(tmp_path: Path) -> None:
    def hide(document: WordDocument) -> None:
        note = document.styles.add_style("内部备注", WD_STYLE_TYPE.CHARACTER)
        note.font.hidden = True
        cells = document.tables[0].rows
        cells[1].cells[1].paragraphs[0].add_run("（内部掌握，不对外）").font.hidden = True
        cells[2].cells[2].paragraphs[0].add_run("、市经信局").style = note

    extracted = extract(_notice(tmp_path / "n.docx", edit=hide))
    assert list(extracted.frames["key_tasks"]["task_text"]) == TASK_TEXTS
    assert _units(extracted) == [["市科技局"], ["市教育局"], ["市财政局"]]


# --------------------------------------------------------------------------- numbering

NUMBERING = """<w:abstractNum {ns} w:abstractNumId="{id}">
  <w:multiLevelType w:val="hybridMultilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>
    <w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
    <w:lvlText w:val="%1.%2"/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>"""


def _add_list(
    document: WordDocument, list_id: int, text: str, fmt: str = "decimal", start: int = 1
) -> None:
    """An abstractNum in the document's numbering part (before its w:num, as the schema has)."""
    numbering = document.part.numbering_part.element
    xml = NUMBERING.format(ns=nsdecls("w"), id=list_id, start=start, fmt=fmt, text=text)
    numbering.find(qn("w:num")).addprevious(parse_xml(xml))


def _add_num(document: WordDocument, num_id: int, list_id: int, restart: int | None = None) -> None:
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{list_id}"/></w:num>'
    )
    if restart is not None:
        override = _el("w:lvlOverride", num, ilvl="0")
        _el("w:startOverride", override, val=str(restart))
    document.part.numbering_part.element.append(num)


def _number(p: etree._Element, num_id: int, level: int = 0) -> None:
    props = _props(p, "w:pPr")
    numbering = _el("w:numPr")
    props.insert(0, numbering)
    _el("w:ilvl", numbering, val=str(level))
    _el("w:numId", numbering, val=str(num_id))


def _auto_number(document: WordDocument, rows: dict[int, int], level: int = 0) -> None:
    """The typed 序号 of these rows (row -> numId) replaced by Word's automatic numbering."""
    paragraphs = {row: _paragraph(document, row, 0) for row in rows}
    for row, num_id in rows.items():
        _clear(paragraphs[row])
        _number(paragraphs[row], num_id, level)


def _clear(p: etree._Element) -> None:
    for run in p.findall(qn("w:r")):
        p.remove(run)


# Task 2 over two rows, its 序号 merged down (a sub-task, 2-2), as in the 2024 notice.
WITH_SUB_TASK = [TASKS[0], TASKS[1], ["", "加强师资队伍建设。", "市教育局"], TASKS[2]]
SUB_TASK_NUMBERS = [(1, 1), (2, 1), (2, 2), (3, 1)]


def _numbers(tasks: pd.DataFrame) -> list[tuple[int, int]]:
    return list(zip(tasks["seq"], tasks["sub_seq"], strict=True))


def test_automatic_numbering_gives_tasks_1_2_3(tmp_path: Path) -> None:
    def number(document: WordDocument) -> None:
        _add_list(document, 90, "%1")
        _add_num(document, 90, 90)
        _auto_number(document, {1: 90, 2: 90, 4: 90})

    tasks = extract(_notice(tmp_path / "n.docx", WITH_SUB_TASK, number)).frames["key_tasks"]
    assert _numbers(tasks) == SUB_TASK_NUMBERS
    assert list(tasks["task_text"]) == [*TASK_TEXTS[:2], "加强师资队伍建设。", TASK_TEXTS[2]]


def test_a_seq_column_in_the_list_number_style_gives_tasks_1_2_3(tmp_path: Path) -> None:
    def style(document: WordDocument) -> None:
        for row in (1, 2, 4):  # python-docx's template numbers this style "1."
            seq = document.tables[0].rows[row].cells[0].paragraphs[0]
            _clear(seq._p)
            seq.style = document.styles["List Number"]

    tasks = extract(_notice(tmp_path / "n.docx", WITH_SUB_TASK, style)).frames["key_tasks"]
    assert _numbers(tasks) == SUB_TASK_NUMBERS


def test_numbering_counts_on_across_instances_of_a_list_and_restarts_where_word_restarts_it(
    tmp_path: Path,
) -> None:
    rows = [
        ["一、科技"],
        TASKS[0],
        TASKS[1],
        ["二、财政"],
        TASKS[2],
        ["4", "优化营商环境。", "市商务局"],
    ]

    def number(document: WordDocument) -> None:
        _add_list(document, 90, "%1.")
        _add_num(document, 90, 90)
        _add_num(document, 91, 90)  # another w:num of the same list: Word counts on
        _add_num(document, 92, 90, restart=1)  # what Word writes for "restart at 1"
        _auto_number(document, {2: 90, 3: 91, 5: 92, 6: 92})

    extracted = extract(_notice(tmp_path / "n.docx", rows, number))
    tasks = extracted.frames["key_tasks"]
    assert list(tasks["seq"]) == [1, 2, 1, 2]
    assert list(tasks["section"]) == ["一、科技", "一、科技", "二、财政", "二、财政"]
    assert tasks["task_id"].iloc[2].endswith("-B2-T001-1")


def _first_column(path: Path) -> list[str]:
    table = read_document(path).tables[0]
    return [table.row_texts(r)[0] for r in range(1, table.n_rows)]


@pytest.mark.parametrize(
    ("fmt", "text", "start", "shown"),
    [
        ("decimal", "%1.", 1, ["1.", "2.", "3."]),
        ("decimal", "（%1）", 1, ["（1）", "（2）", "（3）"]),
        ("chineseCounting", "%1、", 9, ["九、", "十、", "十一、"]),
        ("chineseCountingThousand", "%1", 19, ["十九", "二十", "二十一"]),
        ("ideographDigital", "%1", 9, ["九", "一〇", "一一"]),
        ("decimalEnclosedCircle", "%1", 1, ["①", "②", "③"]),
    ],
)
def test_numbers_are_shown_in_the_list_s_format(
    tmp_path: Path, fmt: str, text: str, start: int, shown: list[str]
) -> None:
    def number(document: WordDocument) -> None:
        _add_list(document, 90, text, fmt, start)
        _add_num(document, 90, 90)
        _auto_number(document, {1: 90, 2: 90, 3: 90})

    assert _first_column(_notice(tmp_path / "n.docx", edit=number)) == shown


def test_a_level_counts_under_its_parent_and_a_typed_number_is_kept_alone(tmp_path: Path) -> None:
    rows = [[str(n), "甲", "市科技局"] for n in range(1, 6)]

    def number(document: WordDocument) -> None:
        _add_list(document, 90, "%1.")
        _add_num(document, 90, 90)
        _auto_number(document, {1: 90, 4: 90})
        _auto_number(document, {2: 90, 3: 90}, level=1)
        _number(_paragraph(document, 5, 0), 90)  # numbered, and its typed 5 kept

    assert _first_column(_notice(tmp_path / "n.docx", rows, number)) == [
        "1.",
        "1.1",
        "1.2",
        "2.",
        "5",
    ]


def test_numbered_headings_and_paragraphs_of_a_notice_without_a_table_are_its_tasks(
    tmp_path: Path,
) -> None:
    document = docx.Document()
    _add_list(document, 80, "%1、", "chineseCounting")  # the headings: 一、 二、
    _add_num(document, 80, 80)
    _add_list(document, 90, "%1.")  # the tasks: 1. 2., again from 1 under each heading
    _add_num(document, 90, 90)
    _add_num(document, 91, 90, restart=1)
    for text in [TITLE, "嘉兴市人民政府办公室"]:
        document.add_paragraph(text)
    for heading, num_id, tasks in [
        ("科技创新重点工作", 90, [("推进科技创新。", "市科技局"), ("建设创新平台。", "市经信局")]),
        ("教育重点工作", 91, [("办好人民满意的教育。", "市教育局")]),
    ]:
        _number(document.add_paragraph(heading)._p, 80)
        for text, unit in tasks:
            _number(document.add_paragraph(text)._p, num_id)
            document.add_paragraph(f"责任单位：{unit}")
    path = tmp_path / "n.docx"
    document.save(str(path))
    extracted = extract(path)
    tasks = extracted.frames["key_tasks"]
    assert list(tasks["seq"]) == [1, 2, 1]
    assert list(tasks["section"]) == ["一、科技创新重点工作"] * 2 + ["二、教育重点工作"]
    assert _units(extracted) == [["市科技局"], ["市经信局"], ["市教育局"]]
