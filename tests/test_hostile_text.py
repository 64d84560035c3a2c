"""Text a reader does not see, page breaks, and cells built to be slow.

What a saved page hides (display:none, visibility:hidden, the `hidden` attribute) is not read; a
page break in a text export is a line break, never a row's or a table's end; and a cell holding
runs of tens of thousands of digits, 、, spaces, 万 or numerals ends, within a bound, in a result
or a refusal by name (each such file goes through `process_file` in a child process that is
killed if it takes longer).
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from extractors import read_document
from extractors.html import read_html
from extractors.txt import read_txt, text_lines
from flows.notice import _difference
from flows.pipeline import FileOutcome, process_file
from recognise.notice import read_notice_info
from recognise.numerals import five_year_plan_start, task_number
from tests.conftest import NOTICE_2024

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
PAGE = (NOTICE_2024 / "notice.html").read_text(encoding="utf-8")
EXPORT = (NOTICE_2024 / "notice.txt").read_text(encoding="utf-8")
# The page's rows as tools/build_fixtures.py writes them: task 1, and project 1 under its merged
# category (医疗卫生, rowspan 7) and lead unit (rowspan 2, over project 2).
TASK_1_ROW = (
    '<tr><td align="center" valign="middle"><p>1</p></td><td valign="middle"><p>地区生产总值'
    '增长6%左右。</p></td><td align="center" valign="middle"><p>市发展改革委</p></td></tr>'
)
PROJECT_1_START = (
    '<tr><td align="center" valign="middle"><p>1</p></td><td rowspan="7" align="center" '
    'valign="middle"><p>医疗卫生</p></td>'
)
HIDDEN_TASK = (
    "<tr{}><td><p>2</p></td><td><p>隐藏的任务增长9%。</p></td><td><p>市财政局</p></td></tr>"
)
HIDDEN_PROJECT = (
    "<tr{}><td><p>99</p></td><td colspan='2'><p>隐藏的项目</p></td>"
    + "<td><p>1</p></td>" * 12
    + "<td><p>市财政局</p></td></tr>"
)


@pytest.fixture(scope="module")
def page_2024() -> FileOutcome:
    return process_file(NOTICE_2024 / "notice.html")


@pytest.fixture(scope="module")
def export_2024() -> FileOutcome:
    return process_file(NOTICE_2024 / "notice.txt")


def _run(folder: Path, name: str, text: str) -> FileOutcome:
    (folder / name).write_text(text, encoding="utf-8")
    return process_file(folder / name)


def _assert_same_notice(original: FileOutcome, outcome: FileOutcome) -> None:
    assert outcome.ready, outcome.result.error
    assert _difference([original, outcome]) is None


def _read_texts(outcome: FileOutcome) -> str:
    assert outcome.frames is not None
    tasks, projects = outcome.frames["key_tasks"], outcome.frames["livelihood_projects"]
    return " ".join([*tasks["task_text"], *tasks["units_raw"], *projects["name"]])


def _after_project_2(page: str) -> int:
    """Where the row after project 2 starts: inside the 医疗卫生 merge, below the lead unit's."""
    start = page.index(PROJECT_1_START)
    return page.index("</tr>", page.index("</tr>", start) + 5) + 5


# What a page hides


@pytest.mark.parametrize(
    "hiding",
    [
        ' style="display:none"',
        " hidden",
        ' style="DISPLAY: None !important"',
        ' style="visibility: collapse"',
    ],
    ids=["display-none", "hidden-attribute", "important", "visibility-collapse"],
)
def test_a_hidden_row_on_the_2024_page_is_not_a_task(
    tmp_path: Path, page_2024: FileOutcome, hiding: str
) -> None:
    page = PAGE.replace(TASK_1_ROW, TASK_1_ROW + HIDDEN_TASK.format(hiding), 1)
    outcome = _run(tmp_path, "notice.html", page)
    _assert_same_notice(page_2024, outcome)
    assert "隐藏" not in _read_texts(outcome)


def test_a_row_taken_out_of_a_merge_leaves_the_merge_over_the_rows_shown(
    tmp_path: Path, page_2024: FileOutcome
) -> None:
    """display:none: a browser lays the table out without the row, the rowspan counting the rows
    it shows; so the merged 医疗卫生 category still covers its seven projects."""
    at = _after_project_2(PAGE)
    page = PAGE[:at] + HIDDEN_PROJECT.format(' style="display:none"') + PAGE[at:]
    outcome = _run(tmp_path, "notice.html", page)
    _assert_same_notice(page_2024, outcome)
    assert "隐藏" not in _read_texts(outcome)


def test_an_unseen_row_counted_by_its_merge_is_left_out_of_the_grid(
    tmp_path: Path, page_2024: FileOutcome
) -> None:
    """visibility:hidden: the row keeps its place, so the author's rowspan counts it (8 rows for
    seven projects); the row is left out and the merge shrinks to the rows shown."""
    at = _after_project_2(PAGE)
    page = PAGE[:at] + HIDDEN_PROJECT.format(' style="visibility:hidden"') + PAGE[at:]
    page = page.replace(PROJECT_1_START, PROJECT_1_START.replace('rowspan="7"', 'rowspan="8"'))
    outcome = _run(tmp_path, "notice.html", page)
    _assert_same_notice(page_2024, outcome)
    assert "隐藏" not in _read_texts(outcome)


def test_hidden_text_inside_a_cell_is_not_part_of_its_text(
    tmp_path: Path, page_2024: FileOutcome
) -> None:
    unit = "<p>市发展改革委</p></td></tr>"
    task = "<p>地区生产总值增长6%左右。</p>"
    page = PAGE.replace(
        unit, '<p>市发展改革委<span style="display:none">、市财政局</span></p></td></tr>', 1
    )
    page = page.replace(
        task, task[:-4] + '<span style="visibility:hidden">工业增长9%。</span></p>', 1
    )
    outcome = _run(tmp_path, "notice.html", page)
    _assert_same_notice(page_2024, outcome)
    assert "工业增长9%" not in _read_texts(outcome)


def test_a_hidden_block_is_neither_the_title_nor_a_paragraph(tmp_path: Path) -> None:
    """…but meta tags inside it are still the page's: no reader sees them anyway."""
    hidden = (
        '<div style="display: none"><meta name="ContentSource" content="市政府办公室">'
        "<h1>关于印发2019年重点工作的通知</h1><p>这段文字不显示。</p></div>"
    )
    page = PAGE.replace('<h1 class="article-title">', hidden + '<h1 class="article-title">', 1)
    page = page.replace('<meta name="ContentSource" content="市政府办公室">', "", 1)
    (tmp_path / "notice.html").write_text(page, encoding="utf-8")
    doc = read_document(tmp_path / "notice.html")
    original = read_document(NOTICE_2024 / "notice.html")
    assert doc.metadata == original.metadata
    assert doc.paragraphs == original.paragraphs
    assert read_notice_info(doc).title == read_notice_info(original).title


def test_a_style_that_hides_nothing_is_read(tmp_path: Path) -> None:
    page = (
        '<html><body><p style="border:none; display:block">通知</p><table>'
        '<tr style="border-collapse: collapse"><td style="text-decoration:none">序号</td>'
        '<td style="visibility:visible;display:table-cell">任务</td></tr></table></body></html>'
    )
    (tmp_path / "n.html").write_text(page, encoding="utf-8")
    doc = read_html(tmp_path / "n.html")
    assert doc.paragraphs == ["通知"]
    assert doc.tables[0].row_texts(0) == ["序号", "任务"]


# Page breaks in a text export


def test_page_breaks_in_the_2024_text_export_give_the_same_datasets(
    tmp_path: Path, export_2024: FileOutcome
) -> None:
    """Form feeds as exports write them: a line of its own (Word's page-break paragraph), at the
    start of a page's first line (pdftotext), at a line's end, between two cells of a row, and
    before the list's title; and the file saved with CRLF."""
    lines = EXPORT.split("\n")
    for i in range(7, len(lines), 40):
        if lines[i].strip():  # a page's first line, not the blank line between two rows
            lines[i] = ("\f\n", "\f", "")[i % 3] + lines[i] + ("\f" if i % 3 == 2 else "")
    text = "\n".join(lines).replace("\t1\n\t地区", "\t1\f\t地区", 1)
    text = text.replace("\n2024年市政府民生实事", "\n\f\n\f2024年市政府民生实事", 1)
    assert text.count("\f") > 25
    _assert_same_notice(export_2024, _run(tmp_path, "notice.txt", text.replace("\n", "\r\n")))


@pytest.mark.parametrize(
    "page_break",
    ["\f", "\v", "\x1e", "\u2028", "\f\v"],
    ids=["form-feed", "vertical-tab", "record-separator", "line-separator", "mixed"],
)
def test_a_soft_break_in_a_text_export_ends_a_line_but_no_row(
    tmp_path: Path, page_break: str
) -> None:
    plain = "标题\n\n\t序号\n\t任务\n\n\t1\n\t甲\n\n\t2\n\t乙\n丙\n\n\n注\n"
    broken = (
        f"标题\n{page_break}\n\t序号\n\t任务\n\n{page_break}\t1{page_break}\t甲\n\n"
        f"\t2\n\t乙{page_break}\n{page_break}\n丙\n\n\n{page_break}注{page_break}"
    )
    for name, text in (("plain.txt", plain), ("broken.txt", broken)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    expected, found = (read_txt(tmp_path / n) for n in ("plain.txt", "broken.txt"))
    assert found.paragraphs == expected.paragraphs == ["标题", "注"]
    assert [t.cells for t in found.tables] == [t.cells for t in expected.tables]


def test_a_page_break_inside_a_line_ends_it() -> None:
    assert text_lines("甲\f乙\n\t1\f\t2") == ["甲", "乙", "\t1", "\t2"]
    assert text_lines("\t1\n\n\f\t2\n\f\n\n\n丙") == ["\t1", "", "\t2", "", "", "丙"]


# Cells built to be slow: each file ends, within a bound, in a result or a refusal by name


BOUND = 20.0  # seconds for one file; a notice takes about one
_WORKER = """
import json, os, sys
from pathlib import Path
answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(2, 1)  # whatever the stages print goes to stderr: stdout carries the answers only
from flows.pipeline import process_file
for line in sys.stdin:
    outcome = process_file(Path(line.rstrip("\\n")))
    error = outcome.result.error
    answer.write(json.dumps({"status": outcome.result.status.value,
                             "error": type(error).__name__ if error else None,
                             "message": str(error)[:300] if error else ""}) + "\\n")
    answer.flush()
"""


class _Pipeline:
    """`process_file` in a child process, which is killed when a file takes longer than its
    bound; a new child reads the 2024 notice first, so its start-up is not counted."""

    def __init__(self, warm: Path) -> None:
        self._warm = warm
        self._child: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str] = queue.Queue()
        self._listener = threading.Thread()

    def run(self, path: Path, seconds: float) -> dict[str, str] | None:
        """What the pipeline made of the file, or None when it did not finish in time."""
        if self._child is None:
            self._start()
        return self._ask(path, seconds)

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        child.kill()
        child.wait()
        self._listener.join(timeout=10)  # it stops at the end of the child's output
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()

    def _start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
        self._child = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            cwd=ROOT,
            env=env,
            text=True,
            encoding="utf-8",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._answers = queue.Queue()
        self._listener = threading.Thread(
            target=self._listen, args=(self._child, self._answers), daemon=True
        )
        self._listener.start()
        warm = self._ask(self._warm, 600)
        assert warm is not None and warm["status"] == "ready", warm

    @staticmethod
    def _listen(child: subprocess.Popen[str], answers: queue.Queue[str]) -> None:
        assert child.stdout is not None
        for line in child.stdout:
            answers.put(line)

    def _ask(self, path: Path, seconds: float) -> dict[str, str] | None:
        assert self._child is not None and self._child.stdin is not None
        self._child.stdin.write(f"{path}\n")
        self._child.stdin.flush()
        try:
            return json.loads(self._answers.get(timeout=seconds))
        except queue.Empty:
            self.stop()
            return None


@pytest.fixture(scope="module")
def pipeline() -> Iterator[_Pipeline]:
    child = _Pipeline(NOTICE_2024 / "notice.txt")
    yield child
    child.stop()


def _in_cell(old: str, new: str) -> Callable[[str], str]:
    """The export with one cell's text replaced (its first occurrence)."""

    def change(text: str) -> str:
        assert old in text
        return text.replace(f"\t{old}\n", f"\t{new}\n", 1)

    return change


TASK_1 = "地区生产总值增长6%左右。"
UNITS_1 = "市发展改革委"
PROJECT_1 = "为60岁以上老年人免费接种流感疫苗。"
PROJECT_1_LEAD = "市卫生健康委"  # its first cell in the export is project 1's
HOSTILE = [
    pytest.param(
        _in_cell(TASK_1, "地区生产总值增长" + "6" * 50_000 + "%左右。"), id="digits-in-a-task"
    ),
    pytest.param(
        _in_cell(UNITS_1, UNITS_1 + "、" * 20_000 + "市财政局"),
        id="enumeration-commas-in-a-unit-cell",
    ),
    pytest.param(
        _in_cell(PROJECT_1_LEAD, PROJECT_1_LEAD + "、" * 20_000),
        id="enumeration-commas-in-a-project-lead",
    ),
    pytest.param(
        _in_cell(TASK_1, "地区生产总值增长6%左右，" * 8_000),
        id="a-100000-character-task-of-targets",
    ),
    pytest.param(_in_cell(UNITS_1, UNITS_1 * 16_000), id="a-100000-character-unit-cell"),
    pytest.param(
        _in_cell(
            TASK_1, "增长" + "、" * 25_000 + "，" * 25_000 + "." * 25_000 + " " * 25_000 + "6%"
        ),
        id="runs-of-punctuation-and-spaces",
    ),
    pytest.param(
        _in_cell(TASK_1, "增长6" + "万" * 50_000 + "%" * 50_000), id="runs-of-wan-and-percent"
    ),
    pytest.param(
        _in_cell(TASK_1, "十" * 50_000 + "、" + "一二三四五六七八九十" * 5_000 + "月底前增长6%"),
        id="runs-of-chinese-numerals",
    ),
    pytest.param(
        _in_cell(TASK_1, "一季度增长6%、" * 10_000), id="a-sentence-of-10000-targets-with-deadlines"
    ),
    pytest.param(
        _in_cell(TASK_1, "产值" + "10亿元以上企业" * 15_000), id="a-clause-of-15000-conditions"
    ),
    pytest.param(_in_cell(TASK_1, "全年" * 50_000 + TASK_1), id="a-run-of-50000-prefixes"),
    pytest.param(
        _in_cell(TASK_1, "地区生产总值" + "增长" * 50_000 + "6%"),
        id="a-chain-of-50000-change-words",
    ),
    pytest.param(
        lambda text: text.replace(
            "\t1\n\t地区生产总值", "\t" + "1" * 50_000 + "\n\t地区生产总值", 1
        ),
        id="digits-as-a-task-number",
    ),
    pytest.param(
        _in_cell(PROJECT_1, "为60岁以上" + "6" * 50_000 + "老年人免费接种流感疫苗。"),
        id="digits-in-a-livelihood-project-name",
    ),
]


@pytest.mark.parametrize("change", HOSTILE)
def test_a_hostile_cell_in_the_2024_export_ends_in_bounded_time(
    tmp_path: Path, pipeline: _Pipeline, change: Callable[[str], str]
) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(change(EXPORT), encoding="utf-8")
    started = time.monotonic()
    result = pipeline.run(path, BOUND)
    assert result is not None, f"not finished within {BOUND:.0f} s (killed)"
    assert result["status"] == "ready" or result["error"] not in (None, "InternalError"), (
        f"after {time.monotonic() - started:.1f} s: {result}"
    )


def test_a_field_ending_in_50000_closing_brackets_ends_in_bounded_time(
    tmp_path: Path, pipeline: _Pipeline
) -> None:
    """A notice of task paragraphs (长兴 2023) whose 责任单位 field ends in closing brackets."""
    text = (CORPUS / "changxing_2023_notice.txt").read_text(encoding="utf-8")
    field = "责任单位：县财政局。"
    assert field in text
    path = tmp_path / "notice.txt"
    path.write_text(text.replace(field, field[:-1] + "）" * 50_000 + "。", 1), encoding="utf-8")
    result = pipeline.run(path, BOUND)
    assert result is not None, f"not finished within {BOUND:.0f} s (killed)"
    assert result["status"] == "ready", result


@pytest.mark.parametrize(
    "text", ["一二、总则", "十十十、总则", "（一二）总则", "十" * 50_000 + "、总则"]
)
def test_a_run_of_numerals_that_is_no_number_numbers_nothing(text: str) -> None:
    assert task_number(text) is None and task_number(text, glued=True) is None


@pytest.mark.parametrize("text", ["“一二三五”规划", "第十十十个五年规划", "十四五五规划"])
def test_a_run_of_numerals_names_no_five_year_plan(text: str) -> None:
    assert five_year_plan_start(text) is None
