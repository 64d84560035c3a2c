"""Recognised tables into the rows of the published datasets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UnrecognisedLayout
from core.records import SourceFile
from extractors.model import Slot
from normalise.indicators import indicator_rows
from normalise.registry import Registry, load_registry
from normalise.sequence import SequenceGap, fill_sequence
from normalise.targets import parse_target
from normalise.units import UnitMention, read_units, with_lead_column
from recognise.notice import NoticeInfo
from recognise.numerals import task_number
from recognise.tables import EXTRA_ROLES, Column, RecognisedTable

Row = dict[str, object]


@dataclass
class NoticeRows:
    """Everything a notice yields, plus what the reader saw, so later stages can count losses."""

    info: NoticeInfo
    source: Path
    key_tasks: list[Row] = field(default_factory=list)
    task_units: list[Row] = field(default_factory=list)
    livelihood_projects: list[Row] = field(default_factory=list)
    livelihood_targets: list[Row] = field(default_factory=list)
    unknown_tables: list[Row] = field(default_factory=list)
    unknown_units: list[Row] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)
    last_seq: int = 0  # the key tasks' numbering so far, to see where it starts again
    blocks: int = 0

    def count_seen(self, name: str, n: int) -> None:
        self.seen[name] = self.seen.get(name, 0) + n


def build_rows(info: NoticeInfo, source: Path, tables: list[RecognisedTable]) -> NoticeRows:
    """Rows of every dataset from a notice's recognised tables."""
    rows = NoticeRows(info, source)
    for found in tables:
        if found.kind == "key_tasks":
            _key_tasks(rows, found)
        elif found.kind == "livelihood":
            _livelihood(rows, found)
        else:
            rows.unknown_tables.append(_unknown_table(found))
    return rows


def dataset_rows(rows: NoticeRows, sources: list[SourceFile]) -> dict[str, list[Row]]:
    """Every published dataset's rows for one notice, read from these source files."""
    return {
        "notices": [_notice_row(rows, sources)],
        "key_tasks": rows.key_tasks,
        "task_units": rows.task_units,
        "livelihood_projects": rows.livelihood_projects,
        "livelihood_targets": rows.livelihood_targets,
        "task_indicators": indicator_rows(rows.key_tasks, rows.livelihood_projects),
        "units": units_rows(),
    }


def _notice_row(rows: NoticeRows, sources: list[SourceFile]) -> Row:
    info = rows.info
    return {
        "notice_id": info.notice_id,
        "title": info.title,
        "issuer": info.issuer,
        "jurisdiction": info.jurisdiction,
        "issued_on": info.issued_on,
        "lead_rule": info.lead_rule,
        "source_files": [s.name for s in sources],
        "source_formats": [s.format for s in sources],
        "sha256": [s.sha256 for s in sources],
        "status": "published",
        "warnings": 0,  # counted by validation; set when the notice is published
        "unknown_units": len(rows.unknown_units),
        "unrecognised_tables": len(rows.unknown_tables),
        "document_number": info.document_number,
        "index_number": info.index_number,
        "url": info.url,
        "provenance": info.provenance,
    }


def units_rows() -> list[Row]:
    """The registry as the `units` dimension."""
    return [
        {
            "canonical": u.canonical,
            "full_name": u.full_name,
            "kind": u.kind,
            "jurisdiction": u.jurisdiction,
            "aliases": list(u.aliases),
            "former_names": list(u.former_names),
        }
        for u in load_registry().units.values()
    ]


def _lineage(rows: NoticeRows, found: RecognisedTable, row: int) -> Row:
    return {
        "notice_id": rows.info.notice_id,
        "year": rows.info.year,
        "source_file": rows.source.name,
        "table_index": found.table.index,
        "row_index": row + 1,
    }


def _fill(found: RecognisedTable, source: Path, data_rows: list[int], seq_cells: list[str]):  # type: ignore[no-untyped-def]
    try:
        return fill_sequence(seq_cells)
    except SequenceGap as gap:
        raise UnrecognisedLayout(
            str(gap),
            file=source,
            table=found.table.index,
            row=data_rows[gap.index] + 1,
            cell=1,
            hint="write the row's 序号 as a number, or leave it blank under the row it continues",
        ) from gap


def _key_tasks(rows: NoticeRows, found: RecognisedTable) -> None:
    section = None
    task_rows: list[tuple[int, dict[str, str], dict[str, str]]] = []
    for r in found.data_rows():
        if len(found.table.row(r)) == 1:  # a full-width row such as 一、主要预期指标
            section = found.table.row_texts(r)[0].strip() or section
            continue
        cells: dict[str, str] = {}
        extras: dict[str, str] = {}
        for col, slot in found.columns_of(r, rows.source):
            # 序号 merged down reads blank (a sub-task); a merged unit cell is carried down.
            text = _own_text(slot) if col.role == "seq" else slot.text
            kept = extras if col.role in EXTRA_ROLES else cells
            key = col.label if col.role in EXTRA_ROLES else col.role
            kept[key] = "\n".join(t for t in (kept.get(key), text) if t)
        cells["section"] = cells.get("section") or section or ""
        task_rows.append((r, cells, {k: v for k, v in extras.items() if v.strip()}))
    rows.count_seen("key_tasks", len(task_rows))
    _number_from_text([cells for _, cells, _ in task_rows])
    numbers = _fill(
        found, rows.source, [r for r, _, _ in task_rows], [c["seq"] for _, c, _ in task_rows]
    )
    registry = load_registry()  # once a table: finding it again per cell was a fifth of the cost
    for (r, cells, extras), (seq, sub_seq) in zip(task_rows, numbers, strict=True):
        task_id = _task_id(rows, seq, sub_seq)
        mentions = _task_units_of(cells, rows.info, registry)
        rows.count_seen("task_units", len(mentions))
        units_raw = "\n".join(cells[r] for r in ("lead", "units") if cells.get(r))
        _note_unknown(rows, task_id, units_raw, mentions)
        rows.key_tasks.append(
            {
                **_lineage(rows, found, r),
                "task_id": task_id,
                "seq": seq,
                "sub_seq": sub_seq,
                "section": cells["section"] or None,
                "extras": extras,
                "task_text": cells["task"].replace("\n", ""),
                "lead_unit": next((m.unit for m in mentions if m.role == "lead"), None),
                "units": [m.unit for m in mentions],
                "units_raw": units_raw,
            }
        )
        rows.task_units += [_task_unit(rows, task_id, m) for m in mentions]


def _number_from_text(tasks: list[dict[str, str]]) -> None:
    """Without a printed 序号, the number that opens the task text (1. …), else the order."""
    if any(cells.get("seq", "").strip() for cells in tasks):
        return
    numbered = [task_number(cells["task"], glued=True) for cells in tasks]
    for i, (cells, number) in enumerate(zip(tasks, numbered, strict=True)):
        if all(numbered):
            cells["seq"], cells["task"] = number  # type: ignore[misc]
        else:
            cells["seq"] = str(i + 1)


def _task_id(rows: NoticeRows, seq: int, sub_seq: int) -> str:
    """notice-T<seq>-<sub>; once numbering starts again at 1 (a list per leader or section), the
    block's position comes first (notice-B2-T001-1), so every id stays unique and stable. Any
    other repeated number keeps its id, and the check for unique ids stops the notice."""
    if sub_seq == 1 and seq == 1 and rows.last_seq:
        rows.blocks += 1
    rows.last_seq = seq
    block = f"B{rows.blocks + 1}-" if rows.blocks else ""
    return f"{rows.info.notice_id}-{block}T{seq:03d}-{sub_seq}"


def _task_units_of(
    cells: dict[str, str], info: NoticeInfo, registry: Registry
) -> list[UnitMention]:
    """Units of a task: a 牵头单位 column, when there is one, names the leads."""
    place, rule = info.jurisdiction, info.lead_rule
    units = read_units(cells.get("units", ""), info.year, place, lead_rule=rule, registry=registry)
    if "lead" not in cells:
        return units
    leads = read_units(cells["lead"], info.year, place, lead_rule=rule, registry=registry)
    return with_lead_column(leads, units)


def _task_unit(rows: NoticeRows, task_id: str, mention: UnitMention) -> Row:
    return {
        "notice_id": rows.info.notice_id,
        "year": rows.info.year,
        "task_id": task_id,
        "position": mention.position + 1,
        "unit": mention.unit,
        "unit_raw": mention.unit_raw,
        "capacity": mention.capacity,
        "role": mention.role,
        "known": mention.known,
        "unit_written": mention.unit_written,
        "resolved_by": mention.resolved_by,
        "lead_by": mention.lead_by,
    }


@dataclass
class _CarriedDown:
    """Values of merged cells carried down; a blank carries too when the format lost merges."""

    spans_known: bool
    values: dict[str, str] = field(default_factory=dict)

    def take(self, role: str, slot: Slot | None) -> str:
        if slot is None:
            return self.values.get(role, "")
        text = slot.text.strip()
        if slot.continued or (not text and not self.spans_known):
            return self.values.get(role, "")
        self.values[role] = text
        return text


def _livelihood(rows: NoticeRows, found: RecognisedTable) -> None:
    data = [(r, found.columns_of(r, rows.source)) for r in found.data_rows()]
    seq_cells = [_first(cells, "seq") for _, cells in data]
    numbers = _fill(found, rows.source, [r for r, _ in data], [_own_text(s) for s in seq_cells])
    carried = _CarriedDown(found.table.spans_known)
    for (r, cells), (seq, item_no) in zip(data, numbers, strict=True):
        project_id = f"{rows.info.notice_id}-P{seq:03d}"
        category = carried.take("category", _first(cells, "category"))
        lead = carried.take("lead", _first(cells, "lead"))
        name = _first(cells, "name")
        if item_no > 1 and name is not None and _own_text(name).strip():
            raise UnrecognisedLayout(
                f"this row names its own project ({name.text[:30]!r}) but has no 序号",
                file=rows.source,
                table=found.table.index,
                row=r + 1,
                cell=1,
                hint="give the row its 序号, or merge its name cell with the project above",
            )
        if item_no == 1:
            _add_project(rows, found, r, project_id, seq, category, name.text if name else "", lead)
        item = _first(cells, "item")
        rows.livelihood_targets += [
            {
                **_lineage(rows, found, r),
                "project_id": project_id,
                "item_no": item_no,
                "item": item.text.replace("\n", "") if item else None,
                "area": col.area,
                "area_order": order,
                **vars(parse_target(slot.text)),
            }
            for order, (col, slot) in enumerate(c for c in cells if c[0].area)
        ]
    rows.count_seen("livelihood_targets", sum(len(found.areas) for _ in data))


def _add_project(
    rows: NoticeRows,
    found: RecognisedTable,
    r: int,
    project_id: str,
    seq: int,
    category: str,
    name: str,
    lead: str,
) -> None:
    mentions = read_units(lead, rows.info.year, rows.info.jurisdiction)
    rows.count_seen("livelihood_projects", 1)
    _note_unknown(rows, project_id, lead, mentions)
    rows.livelihood_projects.append(
        {
            **_lineage(rows, found, r),
            "project_id": project_id,
            "seq": seq,
            "category": category or None,
            "name": name.replace("\n", ""),
            "lead_units": [m.unit for m in mentions],
            "lead_units_raw": lead,
            "lead_units_known": all(m.known for m in mentions),
        }
    )


def _note_unknown(rows: NoticeRows, row_id: str, raw: str, mentions: list[UnitMention]) -> None:
    rows.unknown_units += [
        {
            "notice_id": rows.info.notice_id,
            "source_file": rows.source.name,
            "row_id": row_id,
            "unit": m.unit,
            "cell_text": raw,
        }
        for m in mentions
        if not m.known
    ]


def _own_text(slot: Slot | None) -> str:
    """A cell's text in its own row; merged down from above it reads as blank, like a blank 序号."""
    return slot.text if slot is not None and not slot.continued else ""


def _first(cells: list[tuple[Column, Slot]], role: str) -> Slot | None:
    return next((slot for col, slot in cells if col.role == role), None)


def _unknown_table(found: RecognisedTable) -> Row:
    first = " | ".join(t.strip() for t in found.table.row_texts(0)) if found.table.n_rows else ""
    return {
        "table_index": found.table.index,
        "caption": found.table.caption,
        "rows": found.table.n_rows,
        "first_row": first[:200],
    }
