"""The run's summary for people (Markdown, terminal) and the review queue of unknown units."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from core.records import NoticeResult, Status
from publish.store import manifests

REVIEW_FIELDS = ["notice_id", "source_file", "row_id", "unit", "cell_text"]
WARNING_FIELDS = ["notice_id", "check", "dataset", "message", "rows"]


def write_review(out: Path) -> Path:
    """output/review/: every unknown unit mention (unknown_units.csv) and every warning, weak
    evidence included (warnings.csv), of every published notice."""
    folder = out / "review"
    folder.mkdir(parents=True, exist_ok=True)
    published = manifests(out)
    units = [row for m in published for row in m.get("unknown_units", [])]
    _write_csv(folder / "unknown_units.csv", REVIEW_FIELDS, units)
    warnings = [
        {**w, "notice_id": m["notice_id"], "rows": " ".join(w.get("rows", []))}
        for m in published
        for w in m.get("warnings", [])
    ]
    _write_csv(folder / "warnings.csv", WARNING_FIELDS, warnings)
    return folder / "unknown_units.csv"


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    """The whole list or, on a full disk, the previous one: never a list cut short."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8-sig", newline="", errors="backslashreplace") as f:
            writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")  # BOM: for Excel
            writer.writeheader()
            writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def spreadsheet_safe(value: object) -> object:
    """A cell Excel would run as a formula (=, +, -, @ first) is written as text instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def markdown_safe(text: str) -> str:
    """Text inside a Markdown table or list: no column breaks, no raw HTML, one line."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return " ".join(escaped.split())


def summary_markdown(results: list[NoticeResult]) -> str:
    """A short Markdown report: notices, rows per dataset, warnings, quarantined files."""
    counts = {s: sum(r.status is s for r in results) for s in Status}
    lines = [
        "# Run summary",
        "",
        f"{len(results)} file(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n) + ".",
        "",
        "| file | status | notice | tasks | task units | projects | targets | indicators "
        "| warnings | unknown units |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        counts = [
            r.rows.get(k, 0)
            for k in (
                "key_tasks",
                "task_units",
                "livelihood_projects",
                "livelihood_targets",
                "task_indicators",
            )
        ]
        lines.append(
            f"| {markdown_safe(Path(r.source).name)} | {r.status} | {r.notice_id or '-'} | "
            + " | ".join(map(str, counts))
            + f" | {len(r.warnings)} | {len(r.unknown_units)} |"
        )
    lines += _details(results)
    return "\n".join(lines) + "\n"


def _details(results: list[NoticeResult]) -> list[str]:
    lines: list[str] = []
    for r in results:
        name = markdown_safe(Path(r.source).name)
        if r.error:
            lines += [
                "",
                f"## {'Skipped' if r.status is Status.SKIPPED else 'Quarantined'}: {name}",
                "",
                f"- {markdown_safe(r.error.message)}",
                f"- what to do: {markdown_safe(r.error.hint or 'fix the file and run again')}",
            ]
        if r.warnings:  # tables not recognised are among them (table_not_recognised)
            lines += ["", f"## Warnings: {name}", ""]
            lines += [f"- {w.check}: {markdown_safe(w.message)}" for w in r.warnings]
    return lines
