"""Notices without a task table: numbered task paragraphs with labelled unit fields.

    一、朱伟县长牵头重点工作              a heading: the section of the tasks below it
    1.财政总收入……基本同步。              a task: numbered, or the paragraph right before fields
    责任单位：县财政局。                   its fields (or inline: 1.…。责任单位：…；配合单位：…)

The tasks become one recognised table (index 0, caption `paragraphs`) with the same roles as a
task table, so normalising and validating do not grow a branch for this layout.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

from extractors.model import Cell, Document, Table
from recognise import VOCABULARY
from recognise.content import is_unit_list
from recognise.numerals import CHINESE_NUMBERED, task_number
from recognise.tables import EXTRA_ROLES, HEADER, Column, RecognisedTable

PARAGRAPHS_TABLE = 0  # the table index of tasks read from paragraphs
_VALUE_ENDS = " \t，,；;。."
_TRAILING_BRACKET = re.compile(r"[（(]([^（()）]{2,80})[)）]\s*$")
_ROLE_ORDER = ("section", "seq", "task", "lead", "units", "leader")


@dataclass
class _Task:
    section: str
    seq: str
    text: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    extras: dict[str, str] = field(default_factory=dict)  # other columns of a table row


@cache
def _labels() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern finding any field label (spaces allowed between its characters)."""
    spec = tomllib.loads(VOCABULARY.read_text(encoding="utf-8"))["paragraphs"]["labels"]
    role_of = {label: role for role, labels in spec.items() for label in labels}
    spaced = [r"\s*".join(map(re.escape, label)) for label in sorted(role_of, key=len)[::-1]]
    return re.compile(rf"[（(]?({'|'.join(spaced)})\s*[：:]"), role_of


def paragraph_tasks(doc: Document) -> RecognisedTable | None:
    """The tasks of a notice written as paragraphs, or None when it has none."""
    tasks = _tasks(doc.paragraphs)
    if not tasks:
        return None
    return _as_table(tasks, PARAGRAPHS_TABLE, "paragraphs")


def tasks_with_units_in_text(found: RecognisedTable) -> RecognisedTable | None:
    """A task table without a unit column whose task cells end with the units as a field
    (…力争不发生本土新增病例。（牵头单位：市疫情防控办）): read as a paragraph notice reads them."""
    tasks = []
    for r in found.data_rows():
        cells = {c.role: s.text for c, s in zip(found.columns, found.table.row(r), strict=False)}
        at = _field_start(cells.get("task", ""))
        if not at:
            return None
        task = _Task(cells.get("section", ""), cells.get("seq", ""), cells["task"][:at].strip())
        _add_fields(task, cells["task"][at:])
        task.extras = _row_extras(found, r)
        tasks.append(task)
    return _as_table(tasks, found.table.index, found.table.caption) if tasks else None


def _row_extras(found: RecognisedTable, row: int) -> dict[str, str]:
    slots = zip(found.columns, found.table.row(row), strict=False)
    return {c.label: s.text for c, s in slots if c.role in EXTRA_ROLES and s.text.strip()}


def _tasks(paragraphs: list[str]) -> list[_Task]:
    tasks: list[_Task] = []
    pending: list[str] = []  # paragraphs since the last task: headings, then the task's text
    sections: dict[int, str] = {}
    attachable = False  # the last task may still take a fields paragraph of its own
    for paragraph in (p.strip() for p in paragraphs):
        at = _field_start(paragraph)
        if at is None:
            at = _trailing_units(paragraph)
            if at is not None:  # …，增长16%。（市发改委）: the units close the task's text
                task = _task_from([*pending, paragraph[:at].strip()], sections)
                if task:
                    task.fields["units"] = [paragraph[at:].strip("（()）")]
                    tasks.append(task)
                pending, attachable = [], False
                continue
            pending.append(paragraph)
            attachable = False
            continue
        if at == 0 and attachable:
            _add_fields(tasks[-1], paragraph)
            continue
        text = paragraph[:at].strip()
        task = _task_from(pending + ([text] if text else []), sections)
        pending, attachable = [], True
        if task:
            _add_fields(task, paragraph[at:])
            tasks.append(task)
    return tasks


def _trailing_units(paragraph: str) -> int | None:
    """Where a closing bracket of unit names starts (…增长12%。（市发改委、市统计局）)."""
    found = _TRAILING_BRACKET.search(paragraph)
    if found and found.start() > 0 and is_unit_list(found.group(1)):
        return found.start()
    return None


def _field_start(paragraph: str) -> int | None:
    found = _labels()[0].search(paragraph)
    return found.start() if found else None


def _task_from(texts: list[str], sections: dict[int, str]) -> _Task | None:
    """The task in the paragraphs before its fields: from its number on, or the last one;
    headings before it (一、… then （一）…) update the section path."""
    if not texts:
        return None
    start = next(
        (i for i in range(len(texts) - 1, -1, -1) if task_number(texts[i])), len(texts) - 1
    )
    for heading in texts[:start]:
        _note_heading(heading, sections)
    seq, first = task_number(texts[start]) or ("", texts[start])
    text = "".join([first, *texts[start + 1 :]])
    section = " / ".join(sections[level] for level in sorted(sections))
    return _Task(section, seq, text)


def _note_heading(text: str, sections: dict[int, str]) -> None:
    found = CHINESE_NUMBERED.match(text)
    if not found or len(text) > 60:
        return
    level = 1 if found.group(1) else 2
    sections[level] = text
    for deeper in [k for k in sections if k > level]:
        del sections[deeper]


def _add_fields(task: _Task, text: str) -> None:
    """Labelled values: each runs from its label to the next one."""
    pattern, role_of = _labels()
    found = list(pattern.finditer(text))
    for this, after in zip(found, [*found[1:], None], strict=True):
        value = _balanced(text[this.end() : after.start() if after else len(text)])
        label = re.sub(r"\s", "", this.group(1))
        if value:
            task.fields.setdefault(role_of[label], []).append(value)


def _balanced(value: str) -> str:
    """A field's value without end punctuation, nor the bracket closing （责任单位：…）.

    The brackets are counted once and the end moved back: cutting and counting again per
    closing bracket would cost a value ending in many of them its length each time."""
    value = value.strip(_VALUE_ENDS)
    surplus = value.count("）") + value.count(")") - value.count("（") - value.count("(")
    end = len(value)
    while surplus > 0 and end and value[end - 1] in "）)":
        end, surplus = end - 1, surplus - 1
        while end and value[end - 1] in _VALUE_ENDS:
            end -= 1
    return value[:end]


def _as_table(tasks: list[_Task], index: int, caption: str) -> RecognisedTable:
    """The tasks as a grid with a header row, so they read like a task table."""
    labels = {"section": "heading", "seq": "序号", "task": "task paragraph", "lead": "牵头单位"}
    labels |= {"units": "责任单位", "leader": "牵头领导"}
    leaders = any("leader" in t.fields for t in tasks)  # a column only when a task names one
    roles = [role for role in _ROLE_ORDER if role != "leader" or leaders]
    extras = list(dict.fromkeys(label for t in tasks for label in t.extras))
    cells = [Cell(0, c, labels[role]) for c, role in enumerate(roles)]
    cells += [Cell(0, len(roles) + c, label) for c, label in enumerate(extras)]
    for r, task in enumerate(tasks, start=1):
        values = {"section": task.section, "seq": task.seq, "task": task.text}
        # Beside a 配合单位 field, a 责任单位 field names the leads (the others co-operate).
        units_role = {"lead": "lead", "partners": "units", "leader": "leader"}
        units_role["units"] = "lead" if "partners" in task.fields else "units"
        for name, found in task.fields.items():
            role = units_role[name]
            values[role] = "、".join(filter(None, [values.get(role, ""), *found]))
        cells += [Cell(r, c, values.get(role, "")) for c, role in enumerate(roles)]
        cells += [Cell(r, len(roles) + c, task.extras.get(x, "")) for c, x in enumerate(extras)]
    table = Table(index, cells, spans_known=True, caption=caption)
    why = (
        "field labels in the text" if index == PARAGRAPHS_TABLE else "field label in the task cell"
    )
    columns = [Column(role, labels[role], why) for role in roles]
    columns += [Column("extra", label, HEADER) for label in extras]  # the table's own headers
    return RecognisedTable(table, "key_tasks", [0], columns)
