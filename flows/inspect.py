"""`notices inspect FILE`: what the pipeline recognises in a file, without writing anything."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from extractors import NoticeError, read_document
from normalise.rows import build_rows
from publish.frames import notice_frames
from recognise.notice import read_notice_info
from recognise.tables import RecognisedTable, recognise_table, require_known_tables
from schemas.validation import validate_notice


def inspect_file(path: Path) -> dict:
    """Tables, header-to-column mapping, row counts, unknown units and warnings of one file."""
    found: dict = {"file": str(path)}
    try:
        doc = read_document(path)
        found["format"] = doc.format
        tables = [recognise_table(t) for t in doc.tables]
        found["tables"] = [_describe(t) for t in tables]
        info = read_notice_info(doc)
        require_known_tables(doc, tables)
        found["notice"] = {k: str(v) for k, v in vars(info).items()}
        rows = build_rows(info, path, tables)
        frames = notice_frames(rows, [{"file": path.name, "format": doc.format, "sha256": ""}])
        found["rows"] = {name: len(frame) for name, frame in frames.items() if name != "units"}
        found["unknown_units"] = rows.unknown_units
        report = validate_notice(rows, tables, frames)
        found["warnings"] = [w.as_dict() for w in report.warnings]
        found["failures"] = [f.as_dict() for f in report.failures]
    except NoticeError as error:
        found["error"] = error.as_dict()
    return found


def _describe(found: RecognisedTable) -> dict:
    return {
        "index": found.table.index,
        "caption": found.table.caption,
        "kind": found.kind,
        "rows": found.table.n_rows,
        "header_rows": [r + 1 for r in found.header_rows],
        "columns": [{"header": c.label, "role": c.role} for c in found.columns],
        "data_rows": len(found.data_rows()) if found.header_rows else 0,
    }


def print_inspection(found: dict) -> None:
    console = Console()
    console.print(f"[bold]{found['file']}[/] ({found.get('format', '?')})", highlight=False)
    for key, value in found.get("notice", {}).items():
        console.print(f"  {key}: {value}", highlight=False)
    for table in found.get("tables", []):
        grid = Table(title=f"table {table['index']}: {table['kind']} — {table['caption'] or '-'}")
        grid.add_column("header")
        grid.add_column("role")
        for column in table["columns"]:
            grid.add_row(column["header"], column["role"])
        console.print(grid)
        console.print(f"  {table['data_rows']} data rows of {table['rows']}", highlight=False)
    console.print(f"rows: {found.get('rows', {})}", highlight=False)
    for unit in found.get("unknown_units", []):
        console.print(f"[yellow]unknown unit[/] {unit['unit']} ({unit['row_id']})")
    for warning in found.get("warnings", []):
        console.print(f"[yellow]warning[/] {warning['check']}: {warning['message']}")
    for failure in found.get("failures", []):
        console.print(f"[red]critical[/] {failure['check']}: {failure['message']}")
    if found.get("error"):
        error = found["error"]
        console.print(f"[red]error[/] {error['message']} — {error.get('hint', '')}")
