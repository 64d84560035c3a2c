"""Decide what each table is from its header words, and which role each column plays."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import UnrecognisedLayout
from extractors.model import Document, Slot, Table
from recognise import VOCABULARY
from recognise.content import content_vote, holds_prose

UNKNOWN = "unknown"
_HEADER_SCAN_ROWS = 6
_SPACE = re.compile(r"\s+")


def header_key(text: str) -> str:
    """Header text as compared with the vocabulary: no whitespace, ASCII brackets."""
    return _SPACE.sub("", text).replace("（", "(").replace("）", ")")


def header_label(text: str) -> str:
    """Header text as published: vertical and wrapped headers joined, brackets as written."""
    return _SPACE.sub("", text)


HEADER, KEYWORD, CONTENT = "header word", "keyword", "content"  # why a column has its role
DISPUTED = "content disagrees"
EXTRA_ROLES = ("extra", "leader")  # columns kept beside a task (progress, remarks, leaders)
_BETWEEN_TARGETS = "between the city-wide target and the lead columns"
_KEYWORD_HEADER_CHARS = 16  # a longer cell is data, not a header, whatever words it holds


@dataclass(frozen=True)
class TableKind:
    name: str
    required: tuple[str, ...]
    required_any: tuple[str, ...]
    roles: dict[str, str]  # header key -> role
    areas: tuple[str, str] | None
    item_after: str | None
    keywords: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (role, words), in order of trial

    def role_of(self, text: str) -> str | None:
        found = self.evidence_of(text)
        return found[0] if found else None

    def evidence_of(self, text: str) -> tuple[str, str] | None:
        """(role, why) a header gives its column: the whole header, else a keyword in it."""
        key = header_key(text)
        if key in self.roles:
            return self.roles[key], HEADER
        if len(key) > _KEYWORD_HEADER_CHARS:
            return None
        for role, words in self.keywords:
            word = next((w for w in words if w in key), None)
            if word:
                return role, f"{KEYWORD} {word}"
        return None


@cache
def table_kinds(path: Path = VOCABULARY) -> tuple[TableKind, ...]:
    """The table kinds of the vocabulary file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kinds = []
    for name, spec in data["tables"].items():
        roles = {header_key(word): role for role, words in spec["roles"].items() for word in words}
        areas = tuple(spec["areas"]) if "areas" in spec else None
        kinds.append(
            TableKind(
                name,
                tuple(spec["required"]),
                tuple(spec.get("required_any", [])),
                roles,
                areas,  # type: ignore[arg-type]
                spec.get("item_after"),
                tuple((role, tuple(words)) for role, words in spec.get("keywords", {}).items()),
            )
        )
    return tuple(kinds)


_TOTAL_SUFFIX = re.compile(r"(目标任务|目标|任务)$")


@dataclass(frozen=True)
class Column:
    role: str  # a vocabulary role, "area", "item" or "extra"
    label: str
    evidence: str = ""  # why: the whole header word, a keyword in it, or nothing known

    @property
    def area(self) -> str | None:
        """The area a target column is for: 全市目标任务 is 全市; not an area column: None."""
        if self.role == "total":
            return _TOTAL_SUFFIX.sub("", self.label) or self.label
        return self.label if self.role == "area" else None


@dataclass
class RecognisedTable:
    """A table with its kind, its header rows and the columns of a full data row."""

    table: Table
    kind: str
    header_rows: list[int]
    columns: list[Column]
    item_after: str | None = None

    @property
    def areas(self) -> list[str]:
        """The areas of the target columns, in order (全市 first)."""
        return [c.area for c in self.columns if c.area]

    def data_rows(self) -> list[int]:
        """Rows after the header, without header rows repeated on later pages."""
        first = self.header_rows[-1] + 1 if self.header_rows else 0
        header = [self.table.row_texts(r) for r in self.header_rows]
        return [r for r in range(first, self.table.n_rows) if self.table.row_texts(r) not in header]

    def columns_of(self, row: int, source: Path) -> list[tuple[Column, Slot]]:
        """Pair a data row's cells with their columns; a row one wider carries a breakdown item."""
        slots = self.table.row(row)
        columns = self.columns
        if len(slots) == len(columns) + 1 and self.item_after:
            at = next(i for i, c in enumerate(columns) if c.role == self.item_after) + 1
            columns = [*columns[:at], Column("item", "item"), *columns[at:]]
        if len(slots) != len(columns):
            raise UnrecognisedLayout(
                f"a {self.kind} row has {len(slots)} cells where the header has {len(columns)}",
                file=source,
                table=self.table.index,
                row=row + 1,
                hint="check the row for a missing or extra cell, or extend the layout rules",
            )
        return list(zip(columns, slots, strict=True))


def recognise_table(table: Table, units_column: bool = True) -> RecognisedTable:
    """Match a table against every known kind; the best full match wins, else it is unknown.
    Without `units_column`, a table may lack the kind's unit columns (for units in the text)."""
    best: RecognisedTable | None = None
    for kind in table_kinds():
        found = _match(table, kind, units_column)
        if found and (best is None or _score(found) > _score(best)):
            best = found
    return best or RecognisedTable(table, UNKNOWN, [], [])


def require_known_tables(doc: Document, tables: list[RecognisedTable]) -> None:
    """Refuse a document none of whose tables is a known kind: it is not a notice we can read.

    Unknown tables next to known ones are fine (they are reported, not fatal); this is for a file
    that reads well but holds nothing to publish, such as a web page about something else.
    """
    if any(found.kind != UNKNOWN for found in tables):
        return
    seen = "; ".join(_describe(found.table) for found in tables[:3]) or "it has no tables"
    more = f" (and {len(tables) - 3} more)" if len(tables) > 3 else ""
    raise UnrecognisedLayout(
        f"no table of a known kind: {seen}{more}; expected {expected_headers()}",
        file=doc.source,
        hint="check that this is the notice; if a header uses another word, add it to "
        "recognise/vocabulary.toml",
    )


def expected_headers() -> str:
    """The header words each table kind needs, in words, from the vocabulary."""
    return " or ".join(_kind_headers(kind) for kind in table_kinds())


def _kind_headers(kind: TableKind) -> str:
    words = [_first_word(kind, role) for role in kind.required]
    if kind.required_any:
        words.append("/".join(_first_word(kind, role) for role in kind.required_any))
    return f"a {kind.name.replace('_', ' ')} table (headers {', '.join(words)})"


def _first_word(kind: TableKind, role: str) -> str:
    return next((word for word, r in kind.roles.items() if r == role), role)


def _describe(table: Table) -> str:
    texts = [" ".join(t.split()) for t in table.row_texts(0)] if table.n_rows else []
    if not any(texts):
        return f"table {table.index} starts with a blank row"
    return f"table {table.index} starts with {' | '.join(texts)[:60]!r}"


def _score(found: RecognisedTable) -> int:
    """Columns whose role the table's kind names; a whole header word counts double."""
    return sum(
        2 if c.evidence == HEADER else 1
        for c in found.columns
        if c.role not in ("extra", "area") and c.evidence
    )


def _match(table: Table, kind: TableKind, units_column: bool = True) -> RecognisedTable | None:
    header_rows = _header_rows(table, kind)
    if not header_rows:
        return None
    labels = _leaf_labels(table, header_rows)
    evidence = _with_content(table, header_rows, labels, kind)
    roles = [role for role, _ in evidence]
    if not set(kind.required) <= set(roles):
        return None
    if units_column and kind.required_any and not set(kind.required_any) & set(roles):
        return None
    if kind.areas:
        start, end = roles.index(kind.areas[0]), roles.index(kind.areas[1])
        if start > end:  # areas come between the two; any other order is a layout we don't know
            return None
        roles = [
            "area" if start < i < end and role == "extra" else role for i, role in enumerate(roles)
        ]
    columns = [
        Column(role, label, why or (_BETWEEN_TARGETS if role == "area" else ""))
        for role, label, (_, why) in zip(roles, labels, evidence, strict=True)
    ]
    return RecognisedTable(table, kind.name, header_rows, columns, kind.item_after)


def _with_content(
    table: Table, header_rows: list[int], labels: list[str], kind: TableKind
) -> list[tuple[str, str]]:
    """Each column's (role, evidence): its header words, then what its cells hold. An unknown
    header takes the role its cells vote for (once per table); a units header over prose says
    so in its evidence, for a person to check."""
    found = [kind.evidence_of(label) or ("extra", "") for label in labels]
    if kind.name != "key_tasks":
        return found
    data = [table.row_texts(r) for r in range(header_rows[-1] + 1, table.n_rows)]
    columns = [[row[i] for row in data if len(row) == len(labels)] for i in range(len(labels))]
    for i, (role, why) in enumerate(found):
        if not why:
            vote = content_vote(columns[i])
            if vote and (vote[0] == "units" or vote[0] not in {r for r, _ in found}):
                found[i] = vote
        elif role in ("units", "lead") and holds_prose(columns[i]):
            found[i] = (role, f"{why}; {DISPUTED}: its cells are long text, not unit names")
    return found


def _header_rows(table: Table, kind: TableKind) -> list[int]:
    """The first row with two header words, and the rows below it that still hold a whole one
    (a keyword is not enough there: a data cell may read 任务 or 市政府各部门)."""
    rows: list[int] = []
    for r in range(min(table.n_rows, _HEADER_SCAN_ROWS)):
        found = [kind.evidence_of(text) for text in table.row_texts(r)]
        hits = sum(f is not None and (not rows or f[1] == HEADER) for f in found)
        if hits >= (1 if rows else 2):
            rows.append(r)
        elif rows:
            break
    return rows


def _leaf_labels(table: Table, header_rows: list[int]) -> list[str]:
    """Labels of the lowest header row; its blank cells take the label of the cell above.

    A blank in a lower header row is a merge the text export lost: cells at the start of the row
    line up with the start of the row above, cells at the end with its end.
    """
    labels = [header_label(t) for t in table.row_texts(header_rows[-1])]
    for upper in reversed(header_rows[:-1]):
        above = [header_label(t) for t in table.row_texts(upper)]
        for i in range(min(len(labels), len(above))):
            if labels[i]:
                break
            labels[i] = above[i]
        for j in range(1, min(len(labels), len(above)) + 1):
            if labels[-j]:
                break
            labels[-j] = above[-j]
    return labels
