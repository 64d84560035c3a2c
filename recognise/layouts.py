"""Every layout a notice may use, ending as recognised tables of the same kinds."""

from __future__ import annotations

from extractors.model import Document
from recognise.paragraphs import paragraph_tasks
from recognise.tables import RecognisedTable, recognise_table


def recognise_tables(doc: Document) -> list[RecognisedTable]:
    """The document's tables, each recognised; without a task table, tasks from paragraphs."""
    tables = [recognise_table(t) for t in doc.tables]
    if not any(found.kind == "key_tasks" for found in tables):
        from_paragraphs = paragraph_tasks(doc)
        if from_paragraphs:
            tables.append(from_paragraphs)
    return tables
