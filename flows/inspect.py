"""`notices inspect FILE`: what the pipeline makes of a file, without writing anything.

It runs `process_file`, the two halves `notices run` calls (`read_file`, then `validate_files`),
so it shows exactly what a run would publish.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from flows.pipeline import FileOutcome, process_file
from recognise.tables import RecognisedTable


def inspect_file(path: Path) -> dict:
    """Tables, header-to-column mapping, row counts, unknown units and findings of one file."""
    return describe_outcome(process_file(path))


def describe_outcome(outcome: FileOutcome) -> dict:
    """An outcome for people and machines: the same facts `run` reports, plus the tables."""
    result = outcome.result
    found: dict = {"file": str(outcome.source.path), "format": outcome.source.format or None}
    found["tables"] = [_describe(t) for t in outcome.tables]
    if outcome.info:
        values = {k: v for k, v in vars(outcome.info).items() if k != "found_in"}
        found["notice"] = {k: str(v) for k, v in values.items()}
        found["found_in"] = dict(outcome.info.found_in)  # where each value was read
    if outcome.frames is not None:
        found["rows"] = {n: len(f) for n, f in outcome.frames.items() if n != "units"}
        found["indicators"] = _indicators(outcome.frames["task_indicators"])
    found["unknown_units"] = result.unknown_units
    found["warnings"] = [w.as_dict() for w in result.warnings]
    found["failures"] = [f.as_dict() for f in outcome.report.failures] if outcome.report else []
    found["error"] = result.error.as_dict() if result.error else None
    return found


def _indicators(frame: pd.DataFrame) -> list[dict]:
    """The notice's measurable targets, as the task_indicators dataset holds them."""
    columns = ["indicator_id", "span", "metric", "change", "value_text", "unit_text"]
    columns += ["base_value", "base_unit", "bound", "stretch", "deadline", "confidence"]
    rows = frame[columns].astype(object).where(frame[columns].notna(), None)
    return rows.to_dict("records")


def _describe(found: RecognisedTable) -> dict:
    return {
        "index": found.table.index,
        "caption": found.table.caption,
        "kind": found.kind,
        "rows": found.table.n_rows,
        "header_rows": [r + 1 for r in found.header_rows],
        "columns": [
            {"header": c.label, "role": c.role, "why": c.evidence or "no header word known"}
            for c in found.columns
        ],
        "data_rows": len(found.data_rows()) if found.header_rows else 0,
    }


def print_inspection(found: dict) -> None:
    console = Console()
    console.print(f"[bold]{escape(found['file'])}[/] ({found.get('format') or '?'})")
    where = found.get("found_in", {})
    for key, value in found.get("notice", {}).items():
        source = f"  [dim]({escape(where[key])})[/]" if key in where else ""
        console.print(f"  {key}: {escape(value)}{source}", highlight=False)
    for table in found["tables"]:
        title = f"table {table['index']}: {table['kind']} — {table['caption'] or '-'}"
        grid = Table(title=escape(title))
        for name in ("header", "role", "why"):
            grid.add_column(name)
        for column in table["columns"]:
            grid.add_row(escape(column["header"]), column["role"], escape(column["why"]))
        console.print(grid)
        console.print(f"  {table['data_rows']} data rows of {table['rows']}", highlight=False)
    console.print(f"rows: {found.get('rows', {})}", highlight=False)
    _print_indicators(console, found.get("indicators", []))
    for unit in found["unknown_units"]:
        console.print(f"[yellow]unknown unit[/] {escape(unit['unit'])} ({unit['row_id']})")
    for warning in found["warnings"]:
        console.print(f"[yellow]warning[/] {warning['check']}: {escape(warning['message'])}")
    for failure in found["failures"]:
        console.print(f"[red]critical[/] {failure['check']}: {escape(failure['message'])}")
    if found["error"] and not found["failures"]:
        error = found["error"]
        console.print(f"[red]error[/] {escape(error['message'])} — {escape(error['hint'] or '')}")


def _print_indicators(console: Console, indicators: list[dict]) -> None:
    """One line per target: what is measured, the change, the value and its bound."""
    if not indicators:
        return
    grid = Table(title=f"indicators: {len(indicators)}")
    grid.add_column("target", no_wrap=True)
    grid.add_column("metric", overflow="fold")
    for name in ("change", "value", "bound", "deadline", "confidence"):
        grid.add_column(name, overflow="fold")
    for i in indicators:
        row_id, _, position = i["indicator_id"].split("-", 2)[-1].rpartition("-I")
        value = f"{i['value_text']}{i['unit_text']}" + (" 力争" if i["stretch"] else "")
        cells = [f"{row_id} #{int(position)}", i["metric"], i["change"], value]
        cells += [i["bound"], i["deadline"], i["confidence"]]
        grid.add_row(*(escape(str(c)) if c is not None else "-" for c in cells))
    console.print(grid)
