"""Every layout a notice may use, ending as recognised tables of the same kinds."""

from __future__ import annotations

from extractors.model import Document
from recognise.paragraphs import paragraph_tasks, tasks_with_units_in_text
from recognise.tables import UNKNOWN, RecognisedTable, recognise_table


def recognise_tables(doc: Document) -> list[RecognisedTable]:
    """The document's tables, each recognised; without a task table, tasks from paragraphs."""
    tables = [_with_units_in_text(recognise_table(t)) for t in doc.tables]
    if not any(found.kind == "key_tasks" for found in tables):
        from_paragraphs = paragraph_tasks(doc)
        if from_paragraphs:
            tables.append(from_paragraphs)
    return tables


def _with_units_in_text(found: RecognisedTable) -> RecognisedTable:
    """An unknown table that is a task table but for its units, written inside the task text."""
    if found.kind != UNKNOWN:
        return found
    candidate = recognise_table(found.table, units_column=False)
    if candidate.kind != "key_tasks":
        return found
    return tasks_with_units_in_text(candidate) or found
